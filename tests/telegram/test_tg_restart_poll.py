"""End to end: the bot restarts while a quiz poll is open. The poll -> round map lives in SQLite,
so after the restart (a new store connection, engine and adapter on the same database) a vote
still scores and the reveal still stops the poll (``stopPoll`` on the poll's message)."""

from __future__ import annotations

import asyncio
import dataclasses
import random

from fake_bot_api import FakeBotAPI
from tg_support import SleepRecorder, deadline, eventually, force_questions, visible

from adapters.telegram.adapter import TelegramAdapter
from adapters.telegram.limiter import FloodLimiter
from bot.command_registry import declared
from bot.engine import QuizEngine
from bot.storage import Store
from scheduler.service import DailyScheduler

GROUP = FakeBotAPI.group(-100610, "Restart group")


async def _restarted(fake: FakeBotAPI, settings, bank, clock) -> tuple[Store, QuizEngine, TelegramAdapter]:
    """What ``bot.runtime`` builds at start-up, on the same database and the same Bot API."""
    store = await Store.open(settings.db_path)
    engine = QuizEngine(store, bank, settings, clock=clock, rng=random.Random(11))
    engine.commands.declare(*(spec for spec, _handler in declared(DailyScheduler)))
    tg_settings = dataclasses.replace(settings, telegram_token=fake.token, telegram_api_base_url=fake.root_url)
    limiter = FloodLimiter(overall_rate=0, group_rate=0, chat_interval=0, sleep=SleepRecorder())
    adapter = TelegramAdapter(engine, tg_settings, limiter=limiter, poll_timeout=1, retry_backoff=0.01)
    await asyncio.wait_for(adapter.start(), 10)
    return store, engine, adapter


async def test_vote_and_reveal_after_a_restart_mid_poll(tg, fake, engine, settings, bank, clock, monkeypatch):
    force_questions(monkeypatch, engine, "arch-chatglm-family")
    alice, bob = fake.user(501, "Alice"), fake.user(502, "Bob")
    async with deadline():
        fake.message(GROUP, alice, "/quiz arch")
        [poll_call] = await fake.wait_for("sendPoll")
        poll_id, poll_message = poll_call.result["poll"]["id"], poll_call.result["message_id"]
        [right] = poll_call.params["correct_option_ids"]
        fake.poll_answer(poll_id, alice, [right])
        # the adapter links the poll to its round right after sendPoll returns
        round_id = await eventually(lambda: engine.round_for_message("telegram-poll", poll_id))
        await eventually(lambda: _answers(engine, round_id, 1))

        await asyncio.wait_for(tg.stop(), 10)  # the bot goes down with the poll open
        store, engine2, adapter2 = await _restarted(fake, settings, bank, clock)
        try:
            assert adapter2.outbox.polls.get(round_id) is None  # nothing about the poll in memory
            mark = fake.mark()
            fake.poll_answer(poll_id, bob, [(right + 1) % 4])  # Bob votes after the restart
            await eventually(lambda: _answers(engine2, round_id, 2))

            clock.advance(settings.choice_window + 1)  # the answer window ends: the timed reveal
            assert await engine2.expire_due() == 1
            [stopped] = await fake.wait_for("stopPoll", since=mark)
            assert (stopped.chat_id, stopped.params["message_id"]) == (GROUP["id"], poll_message)
            [reveal] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
            text = visible(reveal.text)
            assert "Alice" in text and "Bob" in text
            scores = {r["user_key"]: r["score"] for r in await store.fetchall(
                "SELECT user_key, score FROM scores WHERE round_id = ?", (round_id,))}
            assert scores["telegram:501"] > scores["telegram:502"] == 0
        finally:
            await asyncio.wait_for(adapter2.stop(), 10)
            await store.close()


async def _answers(engine, round_id: int, n: int) -> bool:
    return len(await engine.rounds.answered_users(round_id)) >= n
