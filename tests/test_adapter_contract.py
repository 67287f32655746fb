"""The adapter contract (``adapters.base.Adapter``): every adapter satisfies it, and the runtime
that types its adapters against it imports no platform SDK until a token asks for one."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from adapters.base import Adapter
from adapters.console import ConsoleAdapter
from bot.engine import QuizEngine
from tests.conftest import REPO


def test_console_adapter_satisfies_the_contract(engine: QuizEngine):
    adapter = ConsoleAdapter(engine)
    assert isinstance(adapter, Adapter)
    assert engine.messengers["console"] is adapter


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_platform_adapters_satisfy_the_contract(engine: QuizEngine, settings):
    from adapters.discord.adapter import DiscordAdapter
    from adapters.telegram.adapter import TelegramAdapter

    tokens = dataclasses.replace(settings, telegram_token="123:abc", discord_token="x.y.z")
    for adapter in (TelegramAdapter(engine, tokens), DiscordAdapter(engine, tokens)):
        assert isinstance(adapter, Adapter)
        assert adapter.fatal_errors and all(issubclass(e, BaseException) for e in adapter.fatal_errors)
        assert engine.messengers[adapter.platform] is adapter


def test_runtime_imports_no_platform_sdk():
    code = ("import sys, bot.runtime, bot.engine, scheduler.service; "
            "print(sorted(m for m in ('telegram', 'discord') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
