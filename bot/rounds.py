"""Round bookkeeping in SQLite: create, look up, close, choose the next question, record answers.

The engine's decisions live in ``bot.engine``; this module holds the queries they need so the
engine reads as the use cases. Every write goes through ``Store.write`` (BEGIN IMMEDIATE) or the
store's answer group-commit.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from typing import NamedTuple

import aiosqlite

from bot.bank import QuestionBank
from bot.lru import LRU
from bot.model import Kind, Question, Round, RoundKind, RoundStatus
from bot.storage import Store, dumps

ROUND_COLS = ("id, chat_key, question_id, topic, kind, status, started_by, opened_at, closes_at, session_id, seq,"
              " local_date, option_order, thread")

# ``revisions`` guards a follow-up: the parts were read at revision N and are written only if the
# row is still at N (-1: no answer yet); otherwise nothing is returned and the caller reads again.
# Once any part was written privately the whole answer stays private.
UPSERT_OPEN = """
INSERT INTO answers(round_id, user_key, chat_key, user_name, text, choice, score, hits,
                    submitted_at, updated_at, local_date, topic,
                    local_score, contradicted, capped, feedback, judge_state, judge, judge_score, private, parts)
SELECT ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'local', NULL, ?, ?
WHERE EXISTS (SELECT 1 FROM rounds WHERE id = ? AND status = 'open')
ON CONFLICT(round_id, user_key) DO UPDATE SET
    text = excluded.text, score = excluded.score, hits = excluded.hits,
    updated_at = excluded.updated_at, user_name = excluded.user_name, revisions = answers.revisions + 1,
    local_score = excluded.local_score, contradicted = excluded.contradicted, capped = excluded.capped,
    feedback = excluded.feedback, judge_state = excluded.judge_state, judge = 'local', judge_score = NULL,
    private = MAX(answers.private, excluded.private), parts = excluded.parts
WHERE answers.revisions = ?
RETURNING revisions
"""

INSERT_PICK = """
INSERT INTO answers(round_id, user_key, chat_key, user_name, text, choice, score, hits,
                    submitted_at, updated_at, local_date, topic)
SELECT ?, ?, ?, ?, NULL, ?, ?, '[]', ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM rounds WHERE id = ? AND status = 'open')
ON CONFLICT(round_id, user_key) DO NOTHING
RETURNING submitted_at
"""


def to_round(row: sqlite3.Row) -> Round:
    return Round(
        id=row["id"],
        chat_key=row["chat_key"],
        question_id=row["question_id"],
        topic=row["topic"],
        kind=RoundKind(row["kind"]),
        status=RoundStatus(row["status"]),
        started_by=row["started_by"],
        opened_at=row["opened_at"],
        closes_at=row["closes_at"],
        session_id=row["session_id"],
        seq=row["seq"],
        local_date=row["local_date"],
        option_order=tuple(json.loads(row["option_order"])) if row["option_order"] else (),
        thread=row["thread"] or "",
    )


class Rounds:
    def __init__(self, store: Store, bank: QuestionBank, rng: random.Random | None = None,
                 cache_entries: int = 10_000) -> None:
        self.store = store
        self.bank = bank
        self.rng = rng or random.Random()
        # option orders come from their own stream, seeded from the engine's rng without drawing
        # from it: deterministic in tests, and shuffling never changes which questions are chosen
        self.order_rng = random.Random(repr(self.rng.getstate()))
        self._open: LRU[str, Round | None] = LRU(cache_entries)  # chat -> its open round (bounded)
        # (round, member) pairs this process stored an answer for: only their follow-ups need the
        # stored parts read first; any other answer is taken to be the member's first (most are),
        # a guess the upsert's revision guard checks (-1 while another process, or this one before
        # a restart, stored one: 'stale', and the caller reads the parts)
        self._answered: LRU[tuple[int, str], None] = LRU(cache_entries)
        # run inside the reveal's transaction once the scores are written (the review cards): the
        # grades are final then, and a round is revealed once
        self.score_hooks: list[Callable[[aiosqlite.Connection, int, float], Awaitable[object]]] = []
        # questions kept out of rotation (reported by enough members: ``bot.flags``)
        self.excluded: Callable[[], Awaitable[set[str]]] | None = None

    async def get(self, round_id: int) -> Round | None:
        row = await self.store.fetchone(f"SELECT {ROUND_COLS} FROM rounds WHERE id = ?", (round_id,))
        return to_round(row) if row else None

    async def open_in(self, chat_key: str) -> Round | None:
        # The open round of a chat is read on every answer; it changes only when this process
        # opens or closes one (another process's change is caught by the answer insert's own
        # status check, after which the entry is dropped and read again).
        if chat_key in self._open:
            return self._open[chat_key]
        row = await self.store.fetchone(
            f"SELECT {ROUND_COLS} FROM rounds WHERE chat_key = ? AND status = 'open' ORDER BY id DESC LIMIT 1",
            (chat_key,),
        )
        rnd = to_round(row) if row else None
        self._open[chat_key] = rnd
        return rnd

    async def open_of_kind(self, chat_key: str, kind: RoundKind) -> Round | None:
        """The chat's open round of one kind: the on-demand question and the question of the day
        run side by side, and /quiz, /skip, /stop and /reveal each mean one of them."""
        row = await self.store.fetchone(
            f"SELECT {ROUND_COLS} FROM rounds WHERE chat_key = ? AND status = 'open' AND kind = ?"
            " ORDER BY id DESC LIMIT 1", (chat_key, kind.value))
        return to_round(row) if row else None

    def forget_open(self, chat_key: str) -> None:
        self._open.pop(chat_key, None)

    async def due(self, now: float) -> list[int]:
        rows = await self.store.fetchall(
            "SELECT id FROM rounds WHERE status = 'open' AND closes_at IS NOT NULL AND closes_at <= ? ORDER BY closes_at",
            (now,),
        )
        return [r["id"] for r in rows]

    async def choose(self, chat_key: str, topics: Sequence[str], discussion_share: float = 0.0,
                     difficulty: int | None = None) -> Question | None:
        """A question from ``topics`` that this chat has been asked least often (so nothing repeats
        until the pool is used up), never one its running session already asked or one open in the
        chat right now (the question of the day beside a quiz) while the topics have others
        (discussion questions too); discussion questions only at ``discussion_share``; among the
        least asked, ``difficulty`` is preferred when some question has it. Questions in
        ``excluded()`` are never chosen."""
        pool = [q for t in topics for q in self.bank.topics[t].questions]
        if pool and self.excluded is not None:
            out = await self.excluded()
            pool = [q for q in pool if q.id not in out]
        if not pool:
            return None
        marks = ",".join("?" * len(topics))
        # how often the chat was asked each question, and whether its running session asked it:
        # "least asked" over the whole history alone would let a session repeat its first question
        # once every other one had been asked as often before it
        rows = await self.store.fetchall(
            "SELECT question_id, COUNT(*) AS n, MAX(status = 'open' OR (session_id IS NOT NULL AND session_id ="
            " (SELECT MAX(id) FROM sessions WHERE chat_key = ? AND status = 'active'))) AS in_session"
            f" FROM rounds WHERE chat_key = ? AND topic IN ({marks}) GROUP BY question_id",
            (chat_key, chat_key, *topics),
        )
        asked = {r["question_id"]: r["n"] for r in rows}
        in_session = {r["question_id"] for r in rows if r["in_session"]}
        answered = [q for q in pool if not q.is_discussion]
        discussion = [q for q in pool if q.is_discussion]
        if any(q.id not in in_session for q in pool):  # the session repeats nothing until the pool is used up
            answered = [q for q in answered if q.id not in in_session]
            discussion = [q for q in discussion if q.id not in in_session]
        if answered and discussion:
            pool = discussion if self.rng.random() < discussion_share else answered
        else:
            pool = answered or discussion
        least = min(asked.get(q.id, 0) for q in pool)
        fresh = [q for q in pool if asked.get(q.id, 0) == least]
        preferred = [q for q in fresh if q.difficulty == difficulty]
        return self.rng.choice(preferred or fresh)

    async def create(
        self,
        chat_key: str,
        question: Question,
        kind: RoundKind,
        started_by: str | None,
        now: float,
        closes_at: float | None,
        session_id: int | None = None,
        seq: int = 1,
        local_date: str | None = None,
        daily_key: str | None = None,
        thread: str = "",
    ) -> Round | None:
        """Open a round. With ``daily_key`` (the local date) the (chat, date) claim and the round are
        one transaction: a second poster for the same day gets None and nothing is written.

        A choice question's options get a fresh order, drawn from the engine's rng and stored with
        the round, so every reader of the round (scoring, the poll, buttons, the reveal) agrees."""
        order = tuple(self.order_rng.sample(range(len(question.options)), len(question.options))) \
            if question.kind is Kind.CHOICE else ()
        async with self.store.write() as db:
            if daily_key is not None:
                cur = await db.execute(
                    "INSERT OR IGNORE INTO daily_posts(chat_key, local_date, posted_at) VALUES (?, ?, ?)",
                    (chat_key, daily_key, now),
                )
                if cur.rowcount == 0:
                    return None
            cur = await db.execute(
                "INSERT INTO rounds(chat_key, question_id, topic, kind, status, started_by, opened_at, closes_at,"
                " session_id, seq, local_date, option_order, thread) VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?)",
                (chat_key, question.id, question.topic, kind.value, started_by, now, closes_at, session_id, seq,
                 local_date, json.dumps(order) if order else None, thread),
            )
            round_id = cur.lastrowid
            if daily_key is not None:
                await db.execute(
                    "UPDATE daily_posts SET round_id = ? WHERE chat_key = ? AND local_date = ?",
                    (round_id, chat_key, daily_key),
                )
        rnd = Round(round_id, chat_key, question.id, question.topic, kind, RoundStatus.OPEN, started_by, now,
                    closes_at, session_id, seq, local_date, order, thread)
        self._open[chat_key] = rnd
        return rnd

    async def close(self, round_id: int, now: float, skipped: bool = False) -> bool:
        """Close once: only the caller that flips open->closed gets True (and writes the scores)."""
        async with self.store.write() as db:
            cur = await db.execute(
                "UPDATE rounds SET status = 'closed', closed_at = ?, skipped = ? WHERE id = ? AND status = 'open'",
                (now, int(skipped), round_id),
            )
            if cur.rowcount != 1:
                self._open.clear()  # someone else closed it: our view of open rounds is stale
                return False
            if not skipped:
                await db.execute(
                    "INSERT OR IGNORE INTO scores(round_id, user_key, chat_key, score, topic, scored_at)"
                    " SELECT round_id, user_key, chat_key, score, topic, ? FROM answers WHERE round_id = ?",
                    (now, round_id),
                )
                await db.execute(
                    "INSERT INTO totals(chat_key, user_key, total, n)"
                    " SELECT chat_key, user_key, score, 1 FROM scores WHERE round_id = ? AND true"
                    " ON CONFLICT(chat_key, user_key) DO UPDATE SET total = total + excluded.total, n = n + 1",
                    (round_id,),
                )
                for hook in self.score_hooks:
                    await hook(db, round_id, now)
            await db.execute("DELETE FROM pending_private WHERE round_id = ?", (round_id,))
        for key in [k for k, v in self._open.items() if v is not None and v.id == round_id]:
            del self._open[key]
        return True

    async def reveal_soon(self, round_id: int, at: float) -> None:
        """Bring the round's planned reveal forward to ``at`` (the ticker reveals it then)."""
        async with self.store.write() as db:
            await db.execute(
                "UPDATE rounds SET closes_at = ? WHERE id = ? AND status = 'open' AND (closes_at IS NULL OR closes_at > ?)",
                (at, round_id, at))
        # the cached open round still has the old time: an answer now must see the window is over
        for key in [k for k, v in self._open.items() if v is not None and v.id == round_id]:
            del self._open[key]

    async def link(self, round_id: int, kind: str, ref: str) -> None:
        async with self.store.write() as db:
            await db.execute("INSERT OR REPLACE INTO links(kind, ref, round_id) VALUES (?, ?, ?)", (kind, ref, round_id))

    async def linked(self, kind: str, ref: str) -> int | None:
        row = await self.store.fetchone("SELECT round_id FROM links WHERE kind = ? AND ref = ?", (kind, ref))
        return row["round_id"] if row else None

    async def links_of(self, round_id: int, kind: str) -> list[str]:
        """The refs of one kind linked to a round (its poll's message, to stop the poll at the
        reveal after a restart); indexed by ``links_round``."""
        rows = await self.store.fetchall("SELECT ref FROM links WHERE round_id = ? AND kind = ?", (round_id, kind))
        return [r["ref"] for r in rows]

    async def set_pending_private(self, user_key: str, round_id: int, now: float) -> None:
        """The member's next private message answers this round (the *answer privately* link)."""
        async with self.store.write() as db:
            await db.execute(
                "INSERT INTO pending_private(user_key, round_id, set_at) VALUES (?, ?, ?)"
                " ON CONFLICT(user_key) DO UPDATE SET round_id = excluded.round_id, set_at = excluded.set_at",
                (user_key, round_id, now),
            )

    async def take_pending_private(self, user_key: str) -> int | None:
        """The round a private answer was announced for, consumed (one answer per link)."""
        row = await self.store.fetchone("SELECT round_id FROM pending_private WHERE user_key = ?", (user_key,))
        if row is None:
            return None
        async with self.store.write() as db:
            await db.execute("DELETE FROM pending_private WHERE user_key = ?", (user_key,))
        return int(row["round_id"])

    async def answers(self, round_id: int) -> list[sqlite3.Row]:
        return await self.store.fetchall(
            "SELECT a.user_key, COALESCE(u.name, a.user_name) AS name, a.text, a.choice, a.score, a.hits,"
            " a.submitted_at, a.local_score, a.judge, a.judge_state, a.contradicted, a.capped, a.feedback, a.private"
            " FROM answers a LEFT JOIN users u ON u.key = a.user_key"
            " WHERE a.round_id = ? ORDER BY a.score DESC, a.submitted_at",
            (round_id,),
        )

    async def answered_users(self, round_id: int) -> set[str]:
        rows = await self.store.fetchall("SELECT user_key FROM answers WHERE round_id = ?", (round_id,))
        return {r["user_key"] for r in rows}

    async def session_members(self, session_id: int, before_seq: int) -> set[str]:
        rows = await self.store.fetchall(
            "SELECT DISTINCT a.user_key FROM answers a JOIN rounds r ON r.id = a.round_id"
            " WHERE r.session_id = ? AND r.seq < ?",
            (session_id, before_seq),
        )
        return {r["user_key"] for r in rows}

    async def answer_parts(self, round_id: int, user_key: str, *, fresh: bool = True) -> tuple[int, list[AnswerPart]]:
        """(revision, parts) of the member's open answer; (-1, []) before their first one. An
        answer stored before parts were kept is one part without a message key. Not ``fresh``:
        (-1, []) without a query unless this process stored an answer of the member's to the round
        (a guess that ``record_open`` checks: 'stale' when wrong)."""
        if not fresh and (round_id, user_key) not in self._answered:
            return -1, []
        row = await self.store.fetchone(
            "SELECT text, parts, revisions FROM answers WHERE round_id = ? AND user_key = ?", (round_id, user_key))
        if row is None or row["text"] is None:
            return -1, []
        if not row["parts"]:
            return row["revisions"], [AnswerPart(None, row["text"])]
        return row["revisions"], [AnswerPart(key, text) for key, text in json.loads(row["parts"])]

    async def record_open(self, rnd: Round, user_key: str, name: str, parts: Sequence[AnswerPart], score: int,
                          hits: Sequence[str], now: float, local_date: str, *, revision: int = -1,
                          contradicted: Sequence[str] = (), capped: str | None = None, feedback: str = "",
                          judge_pending: bool = False, private: bool = False) -> str | None:
        """Store an open answer, the join of its ``parts``, with its local grade (``score`` is also
        kept as the local score; ``judge_pending``: the LLM judge will grade it in the background;
        ``private``: written where the round's chat cannot read it), if the stored answer is still
        at ``revision`` (-1: none yet). Returns 'new', 'changed', 'stale' (another message of the
        member's came first: read the parts again) or None if the round closed."""
        rows = await self.store.submit(
            UPSERT_OPEN,
            (rnd.id, user_key, rnd.chat_key, name, join_parts(parts), score, dumps(list(hits)), now, now,
             local_date, rnd.topic, score, dumps(list(contradicted)), capped, feedback,
             "pending" if judge_pending else None, int(private), dumps([list(p) for p in parts]), rnd.id, revision),
        )
        if not rows:
            key = (rnd.id, user_key)
            cached = self._open.get(rnd.chat_key)
            if revision == -1 and key not in self._answered and cached is not None and cached.id == rnd.id:
                # the guess "no answer yet" met one this process no longer remembers (or the round
                # was closed elsewhere): the caller reads the parts again and retries, and a second
                # refusal asks the database about the round. Asking now cost every member who
                # answers again after many others a read through the reader's thread.
                self._answered[key] = None
                return "stale"
            current = await self.get(rnd.id)
            if current is not None and current.status is RoundStatus.OPEN:
                return "stale"
            self.forget_open(rnd.chat_key)
            return None
        self._answered[(rnd.id, user_key)] = None
        return "new" if rows[0][0] == 0 else "changed"

    async def record_pick(self, rnd: Round, user_key: str, name: str, option: int, score: int, now: float,
                          local_date: str) -> bool:
        rows = await self.store.submit(
            INSERT_PICK, (rnd.id, user_key, rnd.chat_key, name, option, score, now, now, local_date, rnd.topic, rnd.id)
        )
        if not rows:
            self.forget_open(rnd.chat_key)
        return bool(rows)


class AnswerPart(NamedTuple):
    """What one message contributed to a member's answer: ``key`` names the message (its edit
    replaces this part; None: a message that cannot be edited), ``text`` what it said."""

    key: str | None
    text: str


def join_parts(parts: Sequence[AnswerPart]) -> str:
    """The answer as graded and shown: its parts in the order they came, a line each."""
    return "\n".join(part.text for part in parts)


def hits_of(row: sqlite3.Row) -> list[str]:
    return json.loads(row["hits"] or "[]")


def contradicted_of(row: sqlite3.Row) -> list[str]:
    return json.loads(row["contradicted"] or "[]")
