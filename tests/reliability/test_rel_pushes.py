"""Durable pushes (issue 14, defect 3): the question of the day and timed reveals survive platform
outages and restarts, are delivered exactly once, and stop for a chat that is gone.

A scripted messenger stands in for a platform: it can be down (every send raises a network-style
error), or say the chat is gone (``ChatUnavailable``, Telegram's 403). The clock is moved by hand,
so the retry backoff is exercised without waiting.
"""

from __future__ import annotations

import logging
import random

from bot.engine import QuizEngine
from bot.events import Command
from bot.messenger import ChatUnavailable
from bot.model import ChatRef, UserRef
from bot.pushes import BACKOFF_MAX, GRACE
from bot.replies import Reply, ReplyKind
from bot.storage import Store

GROUP = ChatRef("console", "group-1", title="study group")
ADMIN = UserRef("console", "admin", "Admin", is_admin=True)


class Platform:
    """A messenger that is up, down (ConnectionError), or has lost the chat (ChatUnavailable)."""

    def __init__(self) -> None:
        self.delivered: list[Reply] = []
        self.down = False
        self.gone: set[str] = set()
        self.attempts = 0

    async def send(self, reply: Reply) -> str:
        self.attempts += 1
        if reply.chat.key in self.gone:
            raise ChatUnavailable(reply.chat.key)
        if self.down:
            raise ConnectionError("connection reset by peer")
        self.delivered.append(reply)
        return f"msg-{len(self.delivered)}"

    def kinds(self) -> list[ReplyKind]:
        return [r.kind for r in self.delivered]


async def new_engine(settings, bank, clock, platform: Platform) -> QuizEngine:
    store = await Store.open(settings.db_path)
    engine = QuizEngine(store, bank, settings, clock=clock, rng=random.Random(3))
    engine.add_messenger("console", platform)
    return engine


async def drain(engine: QuizEngine, clock, rounds: int = 12) -> None:
    """Let the ticker run through every backoff step."""
    for _ in range(rounds):
        clock.advance(BACKOFF_MAX)
        await engine.deliver_pushes()


async def post_daily(engine: QuizEngine) -> list[Reply]:
    replies = await engine.post_daily(GROUP, reveal_at=engine.clock() + 3600)
    await engine.push(replies)
    return replies


async def test_daily_lost_in_an_outage_is_sent_once_after_it(settings, bank, clock) -> None:
    platform = Platform()
    engine = await new_engine(settings, bank, clock, platform)
    try:
        platform.down = True
        [question] = await post_daily(engine)
        assert platform.delivered == []
        for _ in range(5):  # the outage lasts: each retry fails, later and later
            clock.advance(BACKOFF_MAX)
            await engine.deliver_pushes()
        assert platform.delivered == [] and platform.attempts == 6
        platform.down = False
        await drain(engine, clock)
        assert [r.round_id for r in platform.delivered] == [question.round_id]
        assert platform.kinds() == [ReplyKind.QUESTION]
    finally:
        await engine.store.close()


async def test_daily_pending_across_a_restart_is_sent_after_it(settings, bank, clock) -> None:
    platform = Platform()
    engine = await new_engine(settings, bank, clock, platform)
    platform.down = True
    [question] = await post_daily(engine)
    await engine.store.close()  # the bot stops while the platform is still unreachable

    platform.down = False
    engine = await new_engine(settings, bank, clock, platform)
    try:
        await drain(engine, clock)
        assert [r.round_id for r in platform.delivered] == [question.round_id]
    finally:
        await engine.store.close()


async def test_slash_daily_does_not_claim_posted_when_it_was_not(engine: QuizEngine, clock) -> None:
    platform = Platform()
    engine.add_messenger("console", platform)
    platform.down = True
    [question] = await post_daily(engine)
    replies = await engine.handle(Command(GROUP, ADMIN, name="daily"))
    assert [r.kind for r in replies] == [ReplyKind.QUESTION] and replies[0].round_id == question.round_id
    platform.down = False
    await drain(engine, clock)
    assert platform.delivered == []  # handed to the command's answer: not sent a second time
    [again] = await engine.handle(Command(GROUP, ADMIN, name="daily"))
    assert again.kind is ReplyKind.INFO and "already" in again.text


async def test_fresh_slash_daily_is_not_pushed_again(engine: QuizEngine, clock) -> None:
    platform = Platform()
    engine.add_messenger("console", platform)
    [question] = await engine.handle(Command(GROUP, ADMIN, name="daily"))
    assert question.kind is ReplyKind.QUESTION
    await drain(engine, clock)
    assert platform.delivered == []


async def test_timed_reveal_lost_in_an_outage_is_resent(engine: QuizEngine, clock) -> None:
    platform = Platform()
    engine.add_messenger("console", platform)
    [question] = await post_daily(engine)
    platform.down = True
    clock.advance(3601)
    assert await engine.expire_due() == 1
    assert platform.kinds() == [ReplyKind.QUESTION]
    platform.down = False
    await drain(engine, clock)
    assert platform.kinds() == [ReplyKind.QUESTION, ReplyKind.REVEAL]
    assert platform.delivered[1].round_id == question.round_id
    assert await engine.expire_due() == 0


async def test_reveal_recorded_with_the_round_is_rebuilt_after_a_crash(settings, bank, clock) -> None:
    """A crash between the reveal's COMMIT and the push being attached: the row written in the
    round's transaction is enough for the next process to rebuild and send the reveal."""
    platform = Platform()
    engine = await new_engine(settings, bank, clock, platform)
    [question] = await post_daily(engine)
    clock.advance(3601)

    async def crash(replies: list[Reply]) -> None:
        raise SystemExit("killed")  # the process dies before the push is attached

    engine.push = crash  # type: ignore[method-assign]
    try:
        await engine.expire_due()
    except SystemExit:
        pass
    await engine.store.close()
    engine = await new_engine(settings, bank, clock, platform)
    try:
        await drain(engine, clock)
        assert platform.kinds() == [ReplyKind.QUESTION, ReplyKind.REVEAL]
        assert platform.delivered[1].round_id == question.round_id
    finally:
        await engine.store.close()


async def test_chat_gone_drops_the_push_and_marks_the_chat(engine: QuizEngine, clock) -> None:
    platform = Platform()
    engine.add_messenger("console", platform)
    platform.gone.add(GROUP.key)
    await post_daily(engine)
    tries = platform.attempts
    await drain(engine, clock)
    assert platform.attempts == tries == 1  # no retries for a chat that is gone
    row = await engine.store.fetchone("SELECT active FROM chats WHERE key = ?", (GROUP.key,))
    assert row["active"] == 0
    push = await engine.store.fetchone("SELECT status FROM pushes")
    assert push["status"] == "dropped"


async def test_crash_while_sending_is_logged_and_a_linked_question_not_resent(settings, bank, clock,
                                                                             caplog) -> None:
    platform = Platform()
    engine = await new_engine(settings, bank, clock, platform)
    platform.down = True
    [question] = await post_daily(engine)
    # the next attempt got the message out, then the process died before marking it sent
    async with engine.store.write() as db:
        await db.execute("UPDATE pushes SET status = 'sending'")
    await engine.link_message(question.round_id, "console", "group-1:77")  # the adapter linked it
    await engine.store.close()
    platform.down = False
    engine = await new_engine(settings, bank, clock, platform)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.pushes"):
            await drain(engine, clock)
        assert "may see it twice" in caplog.text
        assert platform.delivered == []  # the linked message proves it went out
    finally:
        await engine.store.close()


async def test_a_fresh_push_is_left_to_its_poster_for_the_grace_period(engine: QuizEngine, clock) -> None:
    platform = Platform()
    engine.add_messenger("console", platform)
    await engine.post_daily(GROUP, reveal_at=clock() + 3600)  # recorded, not yet pushed by its poster
    await engine.deliver_pushes()
    assert platform.delivered == []
    clock.advance(GRACE + 1)
    await engine.deliver_pushes()
    assert platform.kinds() == [ReplyKind.QUESTION]  # rebuilt from the round and sent once
    await drain(engine, clock)
    assert platform.kinds() == [ReplyKind.QUESTION]
