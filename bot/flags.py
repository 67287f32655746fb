"""Members' reports of faulty questions: ``/flag [reason]`` and the *report* button under a reveal.

A flag records the question, the chat, the member, an optional reason and the time (table
``flags``). A question reported by ``FLAG_LIMIT`` distinct members leaves the question of the day
and on-demand quizzes (the engine hands ``Flags.flagged_out`` to ``Rounds.choose``) until a maintainer runs
``quizbot questions unflag ID``, which clears its flags (they stay in the table as history).

Which question a flag is about: the round the command names (on Telegram, the question message the
``/flag`` replies to), else the chat's open round, else the chat's last revealed round. The button
carries its round (``qb:flag:<round>``) and is bound to whoever presses it.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from bot.bank import QuestionBank
from bot.catalogue import say_from
from bot.command_registry import Arg, ArgKind, L10n, command
from bot.events import ButtonPress, Command, Event
from bot.model import Round
from bot.replies import Button, Reply, ReplyKind
from bot.rounds import Rounds
from bot.storage import Store
from bot.views import clip, md_escape

log = logging.getLogger(__name__)

FLAG_LIMIT = 3  # distinct members whose reports take a question out of rotation
REASON_MAX = 200  # characters of a reason kept (longer is cut with "…")
BUTTON_PREFIX = "qb:flag:"
_FLAG_DATA = re.compile(r"^qb:flag:([0-9]{1,18})$")

TEXTS: dict[str, dict[str, str]] = {
    "button": {"zh": "⚑ 报告问题", "en": "⚑ Report a problem"},
    "recorded": {
        "zh": "谢谢 {name}，已记录你对这道题的报告：{prompt}{reason}（{n}/{limit} 人报告）",
        "en": "Thanks, {name}: your report on this question is recorded: {prompt}{reason} ({n}/{limit} members)",
    },
    "updated": {
        "zh": "你已经报告过这道题，已更新理由：{prompt}{reason}（{n}/{limit} 人报告）",
        "en": "You have reported this question already; the reason is updated: {prompt}{reason} "
              "({n}/{limit} members)",
    },
    "again": {
        "zh": "你已经报告过这道题了（{n}/{limit} 人报告）。",
        "en": "You have reported this question already ({n}/{limit} members).",
    },
    "withdrawn": {
        "zh": "这道题已被 {limit} 位成员报告，暂时不再出题，等待维护者检查。",
        "en": "{limit} members have reported this question: it is out of rotation until a maintainer checks it.",
    },
    "nothing": {
        "zh": "这里还没有可以报告的题目。请在题目进行中或揭晓之后使用 `/flag [理由]`。",
        "en": "There is no question here to report yet. Use `/flag [reason]` while a question is open or "
              "after its reveal.",
    },
    "gone": {
        "zh": "这道题已不在题库中，无需报告。",
        "en": "That question is no longer in the bank; there is nothing to report.",
    },
}


def text(lang: str, key: str, **fields: object) -> str:
    return say_from(TEXTS, lang, key, **fields)


def flag_button(round_id: int, lang: str) -> Button:
    """The *report* button under a reveal."""
    return Button(text(lang, "button"), f"{BUTTON_PREFIX}{round_id}")


def clean_reason(words: str) -> str:
    """A reason as stored: control and format characters dropped, whitespace collapsed, at most
    ``REASON_MAX`` characters. Markup is kept as typed and escaped wherever it is shown."""
    kept = "".join(ch for ch in words if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    return clip(kept, REASON_MAX)


@dataclass(frozen=True)
class FlagRow:
    id: int
    question_id: str
    chat_key: str
    user_key: str
    user_name: str
    reason: str
    flagged_at: float


class Flags:
    """The ``flags`` table: record, count, list and clear."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def record(self, question_id: str, chat_key: str, user_key: str, round_id: int | None, reason: str,
                     now: float) -> tuple[str, int]:
        """Store a member's report, or update the reason of their open one. Returns ('new' |
        'updated' | 'again', how many distinct members now report the question)."""
        async with self.store.write() as db:
            cur = await db.execute(
                "SELECT id, reason FROM flags WHERE question_id = ? AND user_key = ? AND cleared_at IS NULL",
                (question_id, user_key))
            row = await cur.fetchone()
            if row is None:
                await db.execute(
                    "INSERT INTO flags(question_id, chat_key, user_key, round_id, reason, flagged_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)", (question_id, chat_key, user_key, round_id, reason, now))
                status = "new"
            elif reason and reason != row[1]:
                await db.execute("UPDATE flags SET reason = ?, flagged_at = ? WHERE id = ?", (reason, now, row[0]))
                status = "updated"
            else:
                status = "again"
            cur = await db.execute(
                "SELECT COUNT(DISTINCT user_key) FROM flags WHERE question_id = ? AND cleared_at IS NULL",
                (question_id,))
            count = await cur.fetchone()
        return status, int(count[0]) if count else 0

    async def open_flags(self) -> list[FlagRow]:
        rows = await self.store.fetchall(
            "SELECT f.id, f.question_id, f.chat_key, f.user_key, COALESCE(u.name, '') AS name, f.reason,"
            " f.flagged_at FROM flags f LEFT JOIN users u ON u.key = f.user_key"
            " WHERE f.cleared_at IS NULL ORDER BY f.question_id, f.flagged_at")
        return [FlagRow(r["id"], r["question_id"], r["chat_key"], r["user_key"], r["name"], r["reason"],
                        r["flagged_at"]) for r in rows]

    async def flagged_out(self) -> set[str]:
        """Questions that ``FLAG_LIMIT`` distinct members have reported and no maintainer has cleared."""
        rows = await self.store.fetchall(
            "SELECT question_id FROM flags WHERE cleared_at IS NULL GROUP BY question_id"
            " HAVING COUNT(DISTINCT user_key) >= ?", (FLAG_LIMIT,))
        return {r["question_id"] for r in rows}

    async def clear(self, question_id: str, now: float) -> int:
        """Clear a question's open flags (it returns to rotation); how many were cleared."""
        async with self.store.write() as db:
            cur = await db.execute("UPDATE flags SET cleared_at = ? WHERE question_id = ? AND cleared_at IS NULL",
                                   (now, question_id))
            return cur.rowcount


class FlagCommands:
    """``/flag`` and the report button (the engine registers the command and routes the button)."""

    def __init__(self, store: Store, bank: QuestionBank, clock: Callable[[], float], rounds: Rounds) -> None:
        self.flags = Flags(store)
        self.store = store
        self.bank = bank
        self.clock = clock
        self.rounds = rounds

    @command("flag", summary=L10n("Report a problem with a question", "报告题目有误"),
             help=L10n("report the current or last revealed question (or, on Telegram, the question you "
                       "reply to) as wrong or unclear; 3 reports take it out of rotation",
                       "报告当前或刚揭晓的题目（Telegram 上也可回复题目消息）有误或不清楚；3 人报告后暂停出题"),
             args=(Arg("reason", ArgKind.WORDS, L10n("what is wrong (optional)", "哪里有问题（可选）"),
                       L10n("[reason]", "[理由]")),))
    async def flag(self, cmd: Command, lang: str) -> list[Reply]:
        rnd = await self._target(cmd)
        return await self._flag(cmd, lang, rnd, clean_reason(" ".join(cmd.args)))

    async def press(self, event: ButtonPress, lang: str) -> list[Reply]:
        """``qb:flag:<round>``: the member who pressed reports that round's question, without a reason."""
        m = _FLAG_DATA.match(event.data)
        rnd = await self.rounds.get(int(m.group(1))) if m else None
        if rnd is None:
            return [_private(event, text(lang, "nothing"), ReplyKind.ERROR)]
        return await self._flag(event, lang, rnd, "")

    async def _target(self, cmd: Command) -> Round | None:
        if cmd.round_id is not None:
            rnd = await self.rounds.get(cmd.round_id)
            if rnd is not None and rnd.chat_key == cmd.chat.key:
                return rnd
        open_round = await self.rounds.open_in(cmd.chat.key)
        if open_round is not None:
            return open_round
        row = await self.store.fetchone(
            "SELECT id FROM rounds WHERE chat_key = ? AND status = 'closed' AND skipped = 0"
            " ORDER BY closed_at DESC, id DESC LIMIT 1", (cmd.chat.key,))
        return await self.rounds.get(row["id"]) if row else None

    async def _flag(self, event: Event, lang: str, rnd: Round | None, reason: str) -> list[Reply]:
        if rnd is None:
            return [_private(event, text(lang, "nothing"), ReplyKind.ERROR)]
        question = self.bank.question(rnd.question_id)
        if question is None:
            return [_private(event, text(lang, "gone"), ReplyKind.ERROR)]
        status, n = await self.flags.record(question.id, event.chat.key, event.user.key, rnd.id, reason,
                                            self.clock())
        log.info("question %s flagged by %s in %s (%d/%d)", question.id, event.user.key, event.chat.key, n,
                 FLAG_LIMIT)
        name = md_escape(event.user.name or event.user.id)
        prompt = f"“{md_escape(clip(question.prompt, 80))}”"
        shown_reason = f" — {md_escape(reason)}" if reason else ""
        if status == "again":
            body = text(lang, "again", n=n, limit=FLAG_LIMIT)
        else:
            body = text(lang, "recorded" if status == "new" else "updated", name=name, prompt=prompt,
                        reason=shown_reason, n=n, limit=FLAG_LIMIT)
        if n >= FLAG_LIMIT:
            body += "\n" + text(lang, "withdrawn", limit=FLAG_LIMIT)
        return [_private(event, body, ReplyKind.INFO)]


def _private(event: Event, body: str, kind: ReplyKind) -> Reply:
    """Only the reporting member sees the answer (Discord: ephemeral; Telegram: a callback alert
    or a reply to them)."""
    return Reply(event.chat, kind, body, to_user=event.user)
