"""Durable pushes: messages nobody asked for are recorded in SQLite, sent, and marked sent.

A push is the question of the day, a timed reveal (with the session's next question or ranking
that follows it), or any reply handed to ``QuizEngine.push``. Its row in ``pushes`` is written in
the transaction that opens or closes its round (a trigger on ``daily_posts``; the reveal hook in
``Rounds.close``), so a crash right after the round's COMMIT still leaves a record: the ticker
rebuilds the replies from the round and sends them.

Delivery: the replies are sent in order and the row remembers how many went out (``sent``) and
the platform ids the messenger returned (``refs``), so a retry continues where the last attempt
stopped and nothing already sent is sent again. A failure other than "the chat is gone" is
retried with exponential backoff by the runtime's ticker, across outages and restarts; after
``MAX_ATTEMPTS`` the push is given up and logged. ``ChatUnavailable`` (Telegram 403/Forbidden,
Discord Forbidden/NotFound) drops it and marks the chat inactive.

Exactly once: the one acceptable duplicate is a crash between a platform accepting a message and
the row recording it. Such rows are left in ``sending``; at the next start they are logged as
possible duplicates. For a question, a platform message already linked to the round (the
Telegram adapter links every question message it sends) proves it went out, and it is not sent
again.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiosqlite

from bot.messenger import ChatUnavailable, Messenger
from bot.model import ChatRef, UserRef
from bot.replies import Button, Reply, ReplyKind
from bot.storage import Store, dumps

log = logging.getLogger(__name__)

GRACE = 30.0  # seconds a freshly recorded push is left to its poster before the ticker takes over
BACKOFF_FIRST, BACKOFF_MAX = 2.0, 600.0  # seconds between attempts: 2, 4, 8 ... 10 minutes
MAX_ATTEMPTS = 200  # ~1.5 days at the maximum backoff: then the push is given up (and logged)
DUE_BATCH = 500  # pushes taken per tick
CONCURRENCY = 32  # pushes in flight at once (the adapters' limiters do the pacing)

# set while the ticker reveals due rounds: the reveal's transaction then records its push
timed_reveal: contextvars.ContextVar[bool] = contextvars.ContextVar("timed_reveal", default=False)


# -- replies as JSON ---------------------------------------------------------------------------

def _user(user: UserRef | None) -> dict | None:
    return None if user is None else {"platform": user.platform, "id": user.id, "name": user.name,
                                      "is_admin": user.is_admin}


def reply_to_data(reply: Reply) -> dict[str, Any]:
    chat = reply.chat
    return {
        "chat": {"platform": chat.platform, "id": chat.id, "private": chat.private, "title": chat.title,
                 "thread": chat.thread},
        "kind": reply.kind.value, "text": reply.text,
        "buttons": [[b.label, b.data, b.url] for b in reply.buttons],
        "options": list(reply.options), "correct": list(reply.correct), "explanation": reply.explanation,
        "folded": reply.folded, "round_id": reply.round_id, "question_id": reply.question_id,
        "to_user": _user(reply.to_user), "window": reply.window, "meta": reply.meta,
    }


def reply_from_data(data: Mapping[str, Any]) -> Reply:
    chat = ChatRef(**data["chat"])
    user = UserRef(**data["to_user"]) if data.get("to_user") else None
    return Reply(chat, ReplyKind(data["kind"]), data["text"],
                 buttons=tuple(Button(label, item_data, url) for label, item_data, url in data["buttons"]),
                 options=tuple(data["options"]), correct=tuple(data["correct"]), explanation=data["explanation"],
                 folded=data["folded"], round_id=data["round_id"], question_id=data["question_id"],
                 to_user=user, window=data["window"], meta=dict(data.get("meta") or {}))


def push_key(replies: list[Reply]) -> tuple[int | None, str]:
    """(round, kind) a list of replies is the push of: a round's question or its reveal."""
    first = replies[0]
    if first.round_id is not None and first.kind is ReplyKind.QUESTION:
        return first.round_id, "question"
    if first.round_id is not None and first.kind is ReplyKind.REVEAL:
        return first.round_id, "reveal"
    return None, "other"


def backoff(attempts: int) -> float:
    return min(BACKOFF_FIRST * 2 ** max(0, attempts - 1), BACKOFF_MAX)


async def record_timed_reveal(db: aiosqlite.Connection, round_id: int, now: float) -> None:
    """``Rounds.close`` hook: in the reveal's transaction, record its push (only for the ticker's
    timed reveals: a /reveal or an early reveal is the answer to an event, delivered by its adapter)."""
    if timed_reveal.get():
        await db.execute(
            "INSERT OR IGNORE INTO pushes(chat_key, round_id, kind, next_at, created_at)"
            " SELECT chat_key, id, 'reveal', ?, ? FROM rounds WHERE id = ?",
            (now + GRACE, now, round_id),
        )


Rebuild = Callable[[str, int, str], Awaitable[list[Reply]]]  # (kind, round id, chat key) -> replies


class PushQueue:
    def __init__(self, store: Store, clock: Callable[[], float], messengers: Mapping[str, Messenger],
                 chat_gone: Callable[[str], Awaitable[None]], rebuild: Rebuild) -> None:
        self.store = store
        self.clock = clock
        self.messengers = messengers
        self.chat_gone = chat_gone
        self.rebuild = rebuild
        self._busy: set[int] = set()  # pushes being delivered by this process right now
        self._recovered = False

    # -- recording ------------------------------------------------------------------------------

    async def record(self, replies: list[Reply]) -> int:
        """The push for these replies: the row its round's transaction recorded (the replies are
        attached to it), or a new one. Returns its id."""
        round_id, kind = push_key(replies)
        payload = dumps([reply_to_data(r) for r in replies])
        now = self.clock()
        async with self.store.write() as db:
            if round_id is not None:
                cur = await db.execute(
                    "UPDATE pushes SET replies = ? WHERE round_id = ? AND kind = ? AND replies IS NULL"
                    " RETURNING id", (payload, round_id, kind))
                row = await cur.fetchone()
                if row is not None:
                    return int(row[0])
                cur = await db.execute("SELECT id FROM pushes WHERE round_id = ? AND kind = ?", (round_id, kind))
                row = await cur.fetchone()
                if row is not None:  # attached before (a second push of the same round's replies)
                    return int(row[0])
            cur = await db.execute(
                "INSERT INTO pushes(chat_key, round_id, kind, replies, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (replies[0].chat.key, round_id, kind, payload, now + GRACE, now))
            assert cur.lastrowid is not None
            return cur.lastrowid

    async def mark_replied(self, round_id: int, kind: str) -> None:
        """The push's replies went out as the answer to a command (``/daily``): nothing to send."""
        async with self.store.write() as db:
            await db.execute(
                "UPDATE pushes SET status = 'sent', refs = '[\"reply\"]', done_at = ? WHERE round_id = ? AND kind = ?"
                " AND status IN ('pending', 'sending')", (self.clock(), round_id, kind))

    async def undelivered_daily(self, chat_key: str) -> int | None:
        """The chat's question of the day that is recorded but has not gone out (its round still open)."""
        row = await self.store.fetchone(
            "SELECT p.id FROM pushes p JOIN rounds r ON r.id = p.round_id WHERE p.chat_key = ?"
            " AND p.kind = 'question' AND p.status IN ('pending', 'sending') AND r.kind = 'daily'"
            " AND r.status = 'open' ORDER BY p.id DESC LIMIT 1", (chat_key,))
        return int(row["id"]) if row else None

    async def take_over(self, push_id: int) -> list[Reply] | None:
        """Hand a pending push to the caller, who delivers it as a command's answer (``/daily``
        when the day's post has not gone out); None while this process is sending it."""
        if push_id in self._busy:
            return None
        self._busy.add(push_id)
        try:
            row = await self.store.fetchone("SELECT * FROM pushes WHERE id = ?", (push_id,))
            if row is None or row["status"] not in ("pending", "sending"):
                return None
            replies = (await self._replies(row))[int(row["sent"]):]
            await self._finish(push_id, "sent", None, int(row["sent"]) + len(replies),
                               json.loads(row["refs"]) + ["reply"])
            return replies
        finally:
            self._busy.discard(push_id)

    async def replies_of(self, push_id: int) -> list[Reply]:
        """What the push sends (rebuilt from its round, and stored, when nothing was attached)."""
        row = await self.store.fetchone("SELECT * FROM pushes WHERE id = ?", (push_id,))
        if row is None:
            return []
        return await self._replies(row)

    # -- delivering -----------------------------------------------------------------------------

    async def recover(self) -> None:
        """At start: pushes a crash interrupted while sending may have gone out already."""
        self._recovered = True
        rows = await self.store.fetchall("SELECT id, chat_key, kind, round_id FROM pushes WHERE status = 'sending'")
        for row in rows:
            log.warning("push %s (%s of round %s to %s) was being sent when the bot stopped: sending it again;"
                        " the chat may see it twice", row["id"], row["kind"], row["round_id"], row["chat_key"])
        if rows:
            async with self.store.write() as db:
                await db.execute("UPDATE pushes SET status = 'pending', next_at = ? WHERE status = 'sending'",
                                 (self.clock(),))

    async def deliver_due(self) -> int:
        """Deliver every push whose retry time has come; how many were completed."""
        if not self._recovered:
            await self.recover()
        rows = await self.store.fetchall(
            "SELECT id FROM pushes WHERE status = 'pending' AND next_at <= ? ORDER BY next_at LIMIT ?",
            (self.clock(), DUE_BATCH))
        if not rows:
            return 0
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(push_id: int) -> bool:
            async with gate:
                return await self.deliver(push_id)

        results = await asyncio.gather(*(one(int(r["id"])) for r in rows))
        return sum(results)

    async def deliver(self, push_id: int) -> bool:
        """Send what is left of one push; True once it is completely delivered. Never raises."""
        if push_id in self._busy:
            return False
        self._busy.add(push_id)
        try:
            return await self._deliver(push_id)
        except Exception:
            log.exception("push %s: delivery failed", push_id)
            return False
        finally:
            self._busy.discard(push_id)

    async def _deliver(self, push_id: int) -> bool:
        row = await self.store.fetchone("SELECT * FROM pushes WHERE id = ?", (push_id,))
        if row is None or row["status"] not in ("pending", "sending"):
            return False
        replies = await self._replies(row)
        if not replies:
            await self._finish(push_id, "failed", "nothing to send (the round or its question is gone)")
            log.warning("push %s (%s of round %s): nothing to send", push_id, row["kind"], row["round_id"])
            return False
        sent, refs = int(row["sent"]), json.loads(row["refs"])
        if sent == 0 and row["kind"] == "question" and await self._already_linked(row["round_id"]):
            # the platform accepted the question before a crash: its message is linked to the round
            log.info("push %s: question of round %s already sent (linked message)", push_id, row["round_id"])
            await self._finish(push_id, "sent", None, len(replies), refs + ["linked"])
            return True
        async with self.store.write() as db:
            await db.execute("UPDATE pushes SET status = 'sending' WHERE id = ?", (push_id,))
        for index in range(sent, len(replies)):
            platform = replies[index].chat.platform
            messenger = self.messengers.get(platform)
            if messenger is None:  # its adapter is not running (yet): try again later
                await self._retry(row, f"no messenger for {platform}", index, refs)
                return False
            try:
                ref = await messenger.send(replies[index])  # type: ignore[func-returns-value]
            except ChatUnavailable:
                await self._finish(push_id, "dropped", "chat unavailable", index, refs)
                await self.chat_gone(row["chat_key"])
                return False
            except Exception as exc:
                await self._retry(row, f"{type(exc).__name__}: {exc}", index, refs)
                return False
            refs.append(ref)
            async with self.store.write() as db:
                await db.execute("UPDATE pushes SET sent = ?, refs = ? WHERE id = ?", (index + 1, dumps(refs), push_id))
        await self._finish(push_id, "sent", None, len(replies), refs)
        return True

    async def _replies(self, row: Any) -> list[Reply]:
        if row["replies"] is not None:
            return [reply_from_data(d) for d in json.loads(row["replies"])]
        if row["round_id"] is None:
            return []
        replies = await self.rebuild(row["kind"], int(row["round_id"]), row["chat_key"])
        if replies:
            async with self.store.write() as db:
                await db.execute("UPDATE pushes SET replies = ? WHERE id = ? AND replies IS NULL",
                                 (dumps([reply_to_data(r) for r in replies]), row["id"]))
        return replies

    async def _already_linked(self, round_id: int | None) -> bool:
        if round_id is None:
            return False
        return await self.store.fetchone("SELECT 1 FROM links WHERE round_id = ? LIMIT 1", (round_id,)) is not None

    async def _retry(self, row: Any, error: str, sent: int | None = None, refs: list | None = None) -> None:
        attempts = int(row["attempts"]) + 1
        if attempts >= MAX_ATTEMPTS:
            log.error("push %s (%s of round %s to %s) given up after %d attempts: %s", row["id"], row["kind"],
                      row["round_id"], row["chat_key"], attempts, error)
            await self._finish(int(row["id"]), "failed", error, sent, refs)
            return
        delay = backoff(attempts)
        log.warning("push %s (%s to %s) failed (%s); attempt %d again in %.0f s", row["id"], row["kind"],
                    row["chat_key"], error, attempts + 1, delay)
        async with self.store.write() as db:
            await db.execute(
                "UPDATE pushes SET status = 'pending', attempts = ?, next_at = ?, error = ?,"
                " sent = COALESCE(?, sent), refs = COALESCE(?, refs) WHERE id = ?",
                (attempts, self.clock() + delay, error[:500], sent, None if refs is None else dumps(refs), row["id"]))

    async def _finish(self, push_id: int, status: str, error: str | None, sent: int | None = None,
                      refs: list | None = None) -> None:
        async with self.store.write() as db:
            await db.execute(
                "UPDATE pushes SET status = ?, error = ?, done_at = ?, sent = COALESCE(?, sent),"
                " refs = COALESCE(?, refs) WHERE id = ?",
                (status, error, self.clock(), sent, None if refs is None else dumps(refs), push_id))
