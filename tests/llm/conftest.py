"""Fixtures of the LLM judge tests: a loopback fake OpenAI-compatible server, judge settings
pointing at it, and a controllable sleep that records the waits instead of waiting."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_openai import MODEL, FakeOpenAI, Sleeps  # noqa: E402

from bot.config import Settings  # noqa: E402


@pytest.fixture
async def fake():
    server = FakeOpenAI()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def judge_settings(settings: Settings, fake: FakeOpenAI) -> Settings:
    return dataclasses.replace(settings, llm_base_url=fake.base_url, llm_model=MODEL,
                               llm_api_key="sk-test-0123456789abcdefghij", llm_timeout=5.0,
                               llm_requests_per_minute=60_000, llm_reveal_wait=2.0)
