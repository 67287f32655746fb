"""Fault injection (issue 14): the database failing mid-batch, the platform failing during a
1,000-chat daily fan-out and during reveals. Afterwards every daily and every reveal was delivered
exactly once and no acknowledged answer was lost.

* Database: a wrapper around the writer's sqlite3 connection makes a seeded share of statements
  (COMMIT included) fail with "database or disk is full", "database is locked" or "disk I/O
  error" while members answer concurrently; afterwards (new connection) every answer that was
  acknowledged is stored.
* Platform, engine level: 1,000 chats get their question of the day and its reveal through a
  messenger that fails a seeded share of sends (429 storms, 5xx, timeouts, connection resets),
  with a restart in the middle; every chat ends with exactly one question and one reveal.
* Platform, end to end: the real Telegram adapter against the loopback fake Bot API, which
  answers a share of sends with 429, 500, 502 or a dropped connection.

Each test prints its figures (faults injected, pushes lost, duplicates, answers lost).
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.engine import QuizEngine
from bot.events import Command, TextAnswer
from bot.model import ChatRef, UserRef
from bot.pushes import BACKOFF_MAX
from bot.replies import Reply, ReplyKind
from bot.storage import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "telegram"))  # the loopback fake Bot API

WAVES = 30
DB_FAULTS = ("database or disk is full", "database is locked", "disk I/O error")


# -- the database failing mid-batch --------------------------------------------------------------

class FaultyConnection:
    """Wraps a sqlite3.Connection; fails a seeded share of writes and COMMITs like a sick disk."""

    def __init__(self, con: sqlite3.Connection, rng: random.Random, share: float) -> None:
        self._con = con
        self._rng = rng
        self.share = share
        self.injected = Counter()

    def execute(self, sql: str, params=()):
        verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if verb in ("INSERT", "UPDATE", "DELETE", "COMMIT") and self._rng.random() < self.share:
            fault = self._rng.choice(DB_FAULTS)
            self.injected[fault] += 1
            raise sqlite3.OperationalError(fault)
        return self._con.execute(sql, params)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


async def test_database_faults_lose_no_acknowledged_answer(settings, bank, clock) -> None:
    store = await Store.open(settings.db_path)
    engine = QuizEngine(store, bank, settings, clock=clock, rng=random.Random(2))
    admin = UserRef("console", "root", "Root", is_admin=True)
    faulty = FaultyConnection(store.db._connection, random.Random(11), share=0.03)  # type: ignore[arg-type]
    store.db._connection = faulty  # type: ignore[assignment]
    acked: set[tuple[str, str]] = set()
    apologies = 0
    try:
        for wave in range(WAVES):
            groups = [ChatRef("console", f"w{wave}g{n}", title=f"group {n}") for n in range(6)]
            for chat in groups:  # a question in each (the admin retries when the database refused)
                for _ in range(5):
                    if any(r.kind is ReplyKind.QUESTION for r in
                           await engine.handle(Command(chat, admin, name="quiz", args=("sft", "1")))):
                        break
            events = [TextAnswer(chat, UserRef("console", f"m{m}", f"Member {m}"), text="catastrophic forgetting")
                      for chat in groups for m in range(8)]
            results = await asyncio.gather(*(engine.handle(e) for e in events))
            for event, replies in zip(events, results, strict=True):
                if replies and replies[0].kind is ReplyKind.ACK:
                    acked.add((event.chat.key, event.user.key))
                else:
                    apologies += 1
            clock.advance(400)
            await engine.expire_due()  # reveals write scores and totals under the same faults
    finally:
        store.db._connection = faulty._con  # type: ignore[assignment]
        await store.close()

    store = await Store.open(settings.db_path)  # a fresh process reads what is durable
    try:
        stored = {(r["chat_key"], r["user_key"]) for r in await store.fetchall("SELECT chat_key, user_key FROM answers")}
        uneven = await store.fetchall(
            "SELECT t.chat_key FROM totals t JOIN (SELECT chat_key, user_key, SUM(score) AS s FROM scores"
            " GROUP BY chat_key, user_key) x USING (chat_key, user_key) WHERE x.s != t.total")
    finally:
        await store.close()
    lost = acked - stored
    injected = sum(faulty.injected.values())
    print(f"\ndatabase faults: {injected} injected {dict(faulty.injected)}, {len(acked)} answers acknowledged,"
          f" {apologies} apologies, {len(lost)} acknowledged answers lost")
    assert injected >= 20 and len(acked) > 500
    assert not lost and not uneven


# -- the platform failing during a 1,000-chat fan-out and the reveals ----------------------------

class RetryAfter(Exception):
    """Stands in for a platform's 429 after its client gave up waiting it out."""


class ChaosPlatform:
    """A messenger failing a seeded share of sends, in storms, before they reach the chat."""

    def __init__(self, rng: random.Random, share: float) -> None:
        self.rng = rng
        self.share = share
        self.delivered: Counter[tuple[str, str, int | None]] = Counter()
        self.injected: Counter[str] = Counter()
        self.storm = 0

    async def send(self, reply: Reply) -> str:
        await asyncio.sleep(0)
        if self.storm or self.rng.random() < self.share:
            kind = "429" if self.storm else self.rng.choice(["429", "500", "502", "timeout", "reset"])
            self.storm = self.storm - 1 if self.storm else (self.rng.randrange(5, 40) if kind == "429" else 0)
            self.injected[kind] += 1
            raise {"429": RetryAfter("Too Many Requests: retry after 3"), "500": RuntimeError("500 Internal Server"),
                   "502": RuntimeError("502 Bad Gateway"), "timeout": TimeoutError("timed out"),
                   "reset": ConnectionResetError("connection reset by peer")}[kind]
        self.delivered[(reply.chat.key, reply.kind.value, reply.round_id)] += 1
        return f"m{sum(self.delivered.values())}"


async def test_fanout_and_reveals_delivered_exactly_once_through_outages(settings, bank, clock) -> None:
    chats = [ChatRef("telegram", str(-1_000_000_000_000 - i), title=f"group {i}") for i in range(1000)]
    platform = ChaosPlatform(random.Random(5), share=0.3)

    async def open_engine() -> QuizEngine:
        engine = QuizEngine(await Store.open(settings.db_path), bank, settings, clock=clock, rng=random.Random(9))
        engine.add_messenger("telegram", platform)
        return engine

    engine = await open_engine()
    gate = asyncio.Semaphore(64)

    async def post(chat: ChatRef) -> None:
        async with gate:
            await engine.push(await engine.post_daily(chat, reveal_at=clock() + 3600))

    await asyncio.gather(*(post(c) for c in chats[:600]))
    await engine.store.close()  # a restart in the middle of the fan-out, with pushes pending
    engine = await open_engine()
    await asyncio.gather(*(post(c) for c in chats))  # the slot runs again: claimed chats post nothing
    for _ in range(15):
        clock.advance(BACKOFF_MAX)
        await engine.deliver_pushes()
        if clock() >= 1_795_003_200.0 + 3600 and not await engine.store.fetchone(
                "SELECT 1 FROM rounds WHERE status = 'open'"):
            break
        await engine.expire_due()  # the reveals fall due meanwhile, with the platform still failing
    for _ in range(60):  # the outage goes on for a while: the ticker keeps retrying
        clock.advance(BACKOFF_MAX)
        await engine.expire_due()
        await engine.deliver_pushes()
        if not await engine.store.fetchone("SELECT 1 FROM pushes WHERE status != 'sent'") and \
                not await engine.store.fetchone("SELECT 1 FROM rounds WHERE status = 'open'"):
            break
    try:
        questions = Counter(chat for (chat, kind, _), n in platform.delivered.items() if kind == "question"
                            for _ in range(n))
        reveals = Counter(chat for (chat, kind, _), n in platform.delivered.items() if kind == "reveal"
                          for _ in range(n))
        pending = await engine.store.fetchone("SELECT COUNT(*) AS n FROM pushes WHERE status != 'sent'")
    finally:
        await engine.store.close()
    lost = sum(1 for c in chats if questions[c.key] == 0) + sum(1 for c in chats if reveals[c.key] == 0)
    duplicates = sum(n - 1 for n in questions.values() if n > 1) + sum(n - 1 for n in reveals.values() if n > 1)
    print(f"\nplatform faults (1,000-chat fan-out + reveals, one restart): {sum(platform.injected.values())} injected"
          f" {dict(platform.injected)}, pushes lost {lost}, duplicates {duplicates}, unsent {pending['n']}")
    assert sum(platform.injected.values()) > 300
    assert lost == 0 and duplicates == 0 and pending["n"] == 0


# -- end to end: the Telegram adapter against the loopback fake, failing --------------------------

@pytest.fixture
async def chaos_api():
    from fake_bot_api import Failure, FakeBotAPI

    class ChaosBotAPI(FakeBotAPI):
        def __post_init__(self) -> None:
            super().__post_init__()
            self.rng = random.Random(3)
            self.injected: Counter[str] = Counter()

        def _take_failure(self, method: str, params: dict) -> Failure | None:
            if method in ("sendMessage", "sendPoll") and self.rng.random() < 0.35:
                status = self.rng.choice([429, 500, 502])
                self.injected[str(status)] += 1
                return Failure(status, {429: "Too Many Requests: retry after 1", 500: "Internal Server Error",
                                        502: "Bad Gateway"}[status], {"retry_after": 1} if status == 429 else None)
            return super()._take_failure(method, params)

    fake = ChaosBotAPI()
    await fake.start()
    yield fake
    await fake.stop()


async def test_telegram_daily_and_reveal_exactly_once_through_api_failures(settings, bank, clock, chaos_api) -> None:
    from adapters.telegram.adapter import TelegramAdapter
    from adapters.telegram.limiter import FloodLimiter

    store = await Store.open(settings.db_path)
    engine = QuizEngine(store, bank, settings, clock=clock, rng=random.Random(4))
    tg_settings = dataclasses.replace(settings, telegram_token=chaos_api.token,
                                      telegram_api_base_url=chaos_api.root_url)
    adapter = TelegramAdapter(engine, tg_settings, poll_timeout=1, retry_backoff=0.01,
                              limiter=FloodLimiter(overall_rate=1000, group_rate=1000, chat_interval=0, max_retries=1))
    await adapter.start()
    chats = [ChatRef("telegram", str(-1_000_000_000_100 - i), title=f"g{i}") for i in range(40)]
    async def post(chat: ChatRef) -> None:
        await engine.push(await engine.post_daily(chat, topics=["sft"], reveal_at=clock() + 600))

    try:
        await asyncio.gather(*(post(c) for c in chats))
        clock.advance(601)
        await engine.expire_due()
        for _ in range(12):
            clock.advance(BACKOFF_MAX)
            await engine.deliver_pushes()
        pending = await store.fetchone("SELECT COUNT(*) AS n FROM pushes WHERE status != 'sent'")
    finally:
        await adapter.stop()
        await store.close()
    sent = [c for c in chaos_api.calls if c.method in ("sendMessage", "sendPoll") and c.status in (None, 200)]
    per_chat: Counter[tuple[int, str]] = Counter()
    for call in sent:
        text = call.params.get("text", "") or call.params.get("question", "")
        per_chat[(int(call.params["chat_id"]), "reveal" if "Key points" in text or "Answer" in text[:40] else "q")] += 1
    ids = [int(c.id) for c in chats]
    lost = sum(1 for i in ids for kind in ("q", "reveal") if per_chat[(i, kind)] == 0)
    duplicates = sum(n - 1 for n in per_chat.values() if n > 1)
    print(f"\ntelegram API faults: {sum(chaos_api.injected.values())} injected {dict(chaos_api.injected)},"
          f" pushes lost {lost}, duplicates {duplicates}, unsent {pending['n']}")
    assert sum(chaos_api.injected.values()) > 10
    assert pending["n"] == 0 and lost == 0 and duplicates == 0
