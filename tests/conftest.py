"""Shared fixtures: settings on a temp database, the small fixture bank, the store, a controllable
clock, an engine wired to a console chat double, and a loopback fake LLM provider (``llm``)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from bot.bank import QuestionBank
from bot.config import Settings
from bot.engine import QuizEngine
from bot.storage import Store

FIXTURE_BANK = Path(__file__).parent / "fixtures" / "questions"
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent / "llm"))  # fake_openai, imported by name as the judge suites do

# 2026-11-18 is a Wednesday; 12:00 UTC = 20:00 in Asia/Shanghai
T0 = 1_795_003_200.0


class Clock:
    """A clock tests move by hand; the engine reads it instead of the wall clock."""

    def __init__(self, start: float = T0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
async def llm():
    """A running loopback fake of an OpenAI-compatible provider (``tests/llm/fake_openai.py``); a
    suite points the judge at it with ``judged_by(settings, llm)``."""
    from fake_openai import FakeOpenAI

    server = FakeOpenAI()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "quizbot.db", questions_dir=FIXTURE_BANK, default_lang="en",
                    default_tz="Asia/Shanghai")


@pytest.fixture
def bank() -> QuestionBank:
    return QuestionBank.load(FIXTURE_BANK)


@pytest.fixture
async def store(settings: Settings):
    store = await Store.open(settings.db_path)
    yield store
    await store.close()


@pytest.fixture
async def engine(store: Store, bank: QuestionBank, settings: Settings, clock: Clock) -> QuizEngine:
    return QuizEngine(store, bank, settings, clock=clock, rng=random.Random(7))
