"""Bounded memory (issue 14, defect 9): the engine's per-chat and per-member caches, the
Telegram adapter's open polls and the console transcript keep at most their configured size;
a poll is closed (and forgotten) even when its reveal cannot be sent."""

from __future__ import annotations

import dataclasses
import random
from types import SimpleNamespace

from adapters.console import ConsoleAdapter
from bot.engine import QuizEngine
from bot.events import Command, TextAnswer
from bot.lru import LRU
from bot.model import ChatRef, UserRef
from bot.replies import Reply, ReplyKind

SIZE = 20


def test_lru_keeps_the_most_recently_used() -> None:
    cache: LRU[str, int] = LRU(3)
    for n, key in enumerate("abc"):
        cache[key] = n
    assert cache["a"] == 0  # read: now the most recent
    cache["d"] = 3
    assert list(cache) == ["c", "a", "d"] and "b" not in cache


async def test_engine_caches_stay_bounded(store, bank, settings, clock) -> None:
    settings = dataclasses.replace(settings, cache_entries=SIZE)
    engine = QuizEngine(store, bank, settings, clock=clock, rng=random.Random(1))
    for n in range(5 * SIZE):
        chat = ChatRef("console", f"g{n}", title=f"group {n}")
        user = UserRef("console", f"u{n}", f"member {n}", is_admin=True)
        await engine.handle(Command(chat, user, name="quiz", args=("sft", "1")))
        await engine.handle(TextAnswer(chat, user, text="catastrophic forgetting"))
    assert len(engine.chats._chats) <= SIZE
    assert len(engine.chats._names) <= SIZE
    assert len(engine.rounds._open) <= SIZE
    # an evicted chat is read again from the database: nothing is lost
    again = await engine.handle(TextAnswer(ChatRef("console", "g0"), UserRef("console", "u0", "member 0"),
                                           text="forgetting"))
    assert again[0].kind in (ReplyKind.ACK, ReplyKind.ERROR)


def test_console_transcript_is_bounded(engine: QuizEngine) -> None:
    console = ConsoleAdapter(engine, out=open("/dev/null", "w"), transcript_size=SIZE)  # noqa: SIM115
    chat = ChatRef("console", "group")
    for n in range(3 * SIZE):
        console.show(Reply(chat, ReplyKind.INFO, f"line {n}"))
    assert len(console.transcript) == SIZE
    assert console.transcript[-1].text == f"line {3 * SIZE - 1}"


async def test_polls_are_bounded_and_closed_when_the_reveal_fails(engine: QuizEngine) -> None:
    from adapters.telegram.outbox import Outbox

    stopped: list[tuple[int | str, int]] = []

    class Bot:
        async def send_message(self, *args, **kwargs):
            raise RuntimeError("platform down")

        async def stop_poll(self, chat, message_id):
            stopped.append((chat, message_id))

    engine.settings = dataclasses.replace(engine.settings, cache_entries=SIZE)
    outbox = Outbox(Bot(), engine, SimpleNamespace(), retries=0)  # type: ignore[arg-type]
    for n in range(3 * SIZE):
        outbox.polls[n] = (-100, n)
    assert len(outbox.polls) == SIZE
    reveal = Reply(ChatRef("telegram", "-100"), ReplyKind.REVEAL, "answer", round_id=3 * SIZE - 1)
    try:
        await outbox.deliver(reveal)
    except RuntimeError:
        pass
    assert (-100, 3 * SIZE - 1) in stopped  # the poll stops taking votes although the reveal failed
    assert 3 * SIZE - 1 not in outbox.polls
