"""Fixtures for the Telegram adapter tests: the fake Bot API, a running adapter on the real PTB
Application pointed at it, and small helpers to drive a conversation.

The engine, store, settings and controllable clock come from ``tests/conftest.py``. The adapter's
flood limiter keeps its logic but gets no waiting budget (tests must not sleep), and its ``sleep``
records what it was asked to wait (a 429's ``retry_after``) while waiting only milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging

import pytest
from fake_bot_api import FakeBotAPI
from tg_support import SleepRecorder

from adapters.telegram.adapter import TelegramAdapter
from adapters.telegram.limiter import FloodLimiter
from bot.command_registry import declared
from scheduler.service import DailyScheduler

log = logging.getLogger(__name__)


@pytest.fixture
def engine(engine):
    """The shared engine with the scheduler's commands declared, as ``bot.runtime`` has them before
    any adapter starts (the platform menus are built from the registry at start-up)."""
    engine.commands.declare(*(spec for spec, _handler in declared(DailyScheduler)))
    return engine


@pytest.fixture
async def fake():
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
async def tg(fake: FakeBotAPI, engine, settings, sleeps: SleepRecorder):
    """A started TelegramAdapter on the fake; stopped (and checked for clean shutdown) afterwards."""
    limiter = FloodLimiter(overall_rate=0, group_rate=0, chat_interval=0, sleep=sleeps)
    tg_settings = dataclasses.replace(settings, telegram_token=fake.token, telegram_api_base_url=fake.root_url)
    adapter = TelegramAdapter(engine, tg_settings, limiter=limiter, poll_timeout=1, retry_backoff=0.01)
    await asyncio.wait_for(adapter.start(), 10)
    try:
        yield adapter
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(adapter.stop(), 10)
