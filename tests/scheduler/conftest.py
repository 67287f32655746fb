"""Fixtures for the scheduler tests: an engine on the real clock (time-machine moves it), the
console chat double as the messenger, and a started DailyScheduler."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import pytest

from adapters.console import ConsoleAdapter
from bot.engine import QuizEngine
from scheduler.service import DailyScheduler

# the Telegram fake lives beside its own tests; the fan-out test reuses it
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "telegram"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
async def real_engine(store, bank, settings) -> QuizEngine:
    return QuizEngine(store, bank, settings, clock=time.time)


@pytest.fixture
def console(real_engine) -> ConsoleAdapter:
    return ConsoleAdapter(real_engine, out=io.StringIO())


@pytest.fixture
async def daily(real_engine, settings, console):
    scheduler = DailyScheduler(real_engine, settings)
    await scheduler.start()
    yield scheduler
    await scheduler.stop()
