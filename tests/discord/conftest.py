"""Fixtures for the Discord adapter tests: the fake Discord server, a running DiscordAdapter on the
real discord.py client pointed at it, and a guard that turns logged errors into test failures.

The engine, store, settings and controllable clock come from ``tests/conftest.py``. discord.py logs
exceptions inside event handlers instead of raising them, so a broken handler would only show as a
timeout: ``log_errors`` collects every ERROR record and fails the test at teardown unless the test
took (``.clear()``-ed) the ones it expected. The fake's ``violations`` (requests the real Discord
would refuse, including a late or double acknowledgement) are checked the same way, and so is that
every injected interaction was acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging

import pytest
from fake_discord import TOKEN, FakeDiscord

from adapters.discord.adapter import DiscordAdapter
from bot.command_registry import declared
from scheduler.service import DailyScheduler


class ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self) -> list[str]:
        return [r.getMessage() for r in self.records]

    def clear(self) -> None:
        self.records.clear()


@pytest.fixture
def log_errors():
    handler = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
    details = [f"{r.name}: {r.getMessage()}\n{r.exc_text or ''}" for r in handler.records]
    assert not details, "errors were logged:\n" + "\n".join(details)


@pytest.fixture
def engine(engine):
    """The shared engine with the scheduler's commands declared, as ``bot.runtime`` has them before
    any adapter starts (the platform menus are built from the registry at start-up)."""
    engine.commands.declare(*(spec for spec, _handler in declared(DailyScheduler)))
    return engine


@pytest.fixture
async def fake(monkeypatch, log_errors):
    server = FakeDiscord()
    await server.start()
    server.patch(monkeypatch)
    try:
        yield server
    finally:
        await server.stop()
    assert not server.violations, f"requests Discord would refuse: {server.violations}"
    unanswered = [r.payload["data"] for r in server.interactions.values() if not r.done]
    assert not unanswered, f"interactions never acknowledged: {unanswered}"


@pytest.fixture
def dc_settings(settings, fake: FakeDiscord):
    return dataclasses.replace(settings, discord_token=TOKEN, discord_api_base_url=fake.api_url,
                               discord_gateway_url=fake.gateway_url)


@pytest.fixture
async def make_bot(engine, dc_settings):
    """Start DiscordAdapters on the fake (several in a row for restart tests); all stopped at the end."""
    started: list[DiscordAdapter] = []

    async def make(settings=None, **kw) -> DiscordAdapter:
        kw.setdefault("ready_timeout", 5.0)
        kw.setdefault("guild_ready_timeout", 0.05)
        adapter = DiscordAdapter(engine, settings or dc_settings, **kw)
        await asyncio.wait_for(adapter.start(), 10)
        started.append(adapter)
        return adapter

    yield make
    for adapter in started:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(adapter.stop(), 10)


@pytest.fixture
async def bot(make_bot):
    return await make_bot()
