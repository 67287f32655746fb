"""Fixtures of the LLM judge tests: a loopback fake OpenAI-compatible server, judge settings
pointing at it, and a controllable sleep that records the waits instead of waiting."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_openai import FakeOpenAI, Sleeps, judged_by  # noqa: E402

from bot.config import Settings  # noqa: E402


@pytest.fixture
def fake(llm: FakeOpenAI) -> FakeOpenAI:
    """The shared fake provider (``tests/conftest.py``), by the name these tests use."""
    return llm


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def judge_settings(settings: Settings, fake: FakeOpenAI) -> Settings:
    return judged_by(settings, fake, llm_api_key="sk-test-0123456789abcdefghij", llm_timeout=5.0,
                     llm_reveal_wait=2.0)
