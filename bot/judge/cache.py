"""The LLM judge's memory in SQLite: judgements already made, and calls made today.

A judgement is keyed by (question id, model, hash of the normalised answer), so a restart or the
same answer given again (by another member, in another chat, or after a revision back) costs no
second call. The normalisation is deliberately light (Unicode NFKC, case folded, runs of white
space as one space): punctuation and negations stay, because they can change what an answer says.
The question as judged (prompt, model answer, points, language) is hashed beside it, so a question
edited in the bank is judged afresh rather than served a verdict about its old key points.

The daily budget counts API calls per UTC day in ``judge_usage``, taken one by one *before* each
call with a guarded increment, so two concurrent calls cannot both take the last one and a restart
does not reset the count.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.judge.prompt import Verdict, points_of
from bot.model import Question
from bot.storage import Store


def normalised(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def answer_hash(text: str) -> str:
    return hashlib.sha256(normalised(text).encode()).hexdigest()


def question_hash(question: Question, lang: str) -> str:
    data = [question.prompt, question.answer or "", *points_of(question), lang]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:32]


def utc_day(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d")


@dataclass(frozen=True, slots=True)
class Judgement:
    score: int
    verdicts: tuple[Verdict, ...]  # one per point of ``points_of(question)``, in order
    feedback: str
    cached: bool = False


class JudgeCache:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, question_id: str, model: str, a_hash: str, q_hash: str) -> Judgement | None:
        row = await self.store.fetchone(
            "SELECT question_hash, score, verdicts, feedback FROM judge_cache"
            " WHERE question_id = ? AND model = ? AND answer_hash = ?",
            (question_id, model, a_hash),
        )
        if row is None or row["question_hash"] != q_hash:
            return None
        try:
            verdicts = tuple(Verdict(v) for v in json.loads(row["verdicts"]))
        except (ValueError, TypeError):
            return None  # a row this version cannot read: judge again and overwrite it
        return Judgement(row["score"], verdicts, row["feedback"], cached=True)

    async def put(self, question_id: str, model: str, a_hash: str, q_hash: str, judgement: Judgement,
                  now: float) -> None:
        async with self.store.write() as db:
            await db.execute(
                "INSERT OR REPLACE INTO judge_cache(question_id, model, answer_hash, question_hash, score, verdicts,"
                " feedback, judged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (question_id, model, a_hash, q_hash, judgement.score,
                 json.dumps([v.value for v in judgement.verdicts]), judgement.feedback, now),
            )

    async def take_call(self, now: float, budget: int) -> bool:
        """Count one API call against today's budget; False when it is used up (0 = no limit)."""
        day = utc_day(now)
        async with self.store.write() as db:
            await db.execute("INSERT OR IGNORE INTO judge_usage(day, calls) VALUES (?, 0)", (day,))
            cur = await db.execute(
                "UPDATE judge_usage SET calls = calls + 1 WHERE day = ? AND (? = 0 OR calls < ?)",
                (day, budget, budget),
            )
            return cur.rowcount == 1

    async def calls_on(self, now: float) -> int:
        row = await self.store.fetchone("SELECT calls FROM judge_usage WHERE day = ?", (utc_day(now),))
        return int(row["calls"]) if row else 0
