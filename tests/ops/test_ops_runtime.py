"""bot.runtime in-process, with stand-in adapters and scheduler: start-up order and reverse
shutdown, adapters retried in the background while the rest runs, a rejected token, parts that
hang while starting or stopping, and clean-up after a failed start-up."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json

import pytest

import bot.heartbeat as heartbeat
import bot.runtime as runtime
from bot.bank import BankError
from bot.storage import Store


class Part:
    """An adapter or the scheduler; records what the runtime asks of it."""

    def __init__(self, name: str, events: list[str], failures: list[BaseException] | None = None,
                 start_hangs: bool = False, stop_hangs: bool = False) -> None:
        self.platform = name
        self.fatal_errors: tuple[type[BaseException], ...] = ()
        self.events = events
        self.failures = list(failures or [])
        self.start_hangs = start_hangs
        self.stop_hangs = stop_hangs

    async def start(self) -> None:
        self.events.append(f"{self.platform}.start")
        if self.start_hangs:
            await asyncio.sleep(3600)
        if self.failures:
            raise self.failures.pop(0)

    async def rebuild(self) -> None:
        self.events.append(f"{self.platform}.rebuild")

    async def stop(self) -> None:
        self.events.append(f"{self.platform}.stop")
        if self.stop_hangs:
            await asyncio.sleep(3600)

    async def send(self, reply) -> None:
        pass


@pytest.fixture
def events(monkeypatch) -> list[str]:
    events: list[str] = []
    close = Store.close

    async def recording_close(self) -> None:
        events.append("store.close")
        await close(self)

    monkeypatch.setattr(Store, "close", recording_close)
    monkeypatch.setattr(runtime, "TICK_SECONDS", 0.02)
    monkeypatch.setattr(runtime, "RETRY_FIRST", 0.01)
    return events


def wire(monkeypatch, events: list[str], *adapters: Part, scheduler: bool = True) -> None:
    monkeypatch.setattr(runtime, "build_adapters", lambda engine, settings: list(adapters))
    monkeypatch.setattr(runtime, "build_scheduler",
                        lambda engine, settings: Part("scheduler", events) if scheduler else None)


async def until(predicate, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


def beat(settings) -> dict:
    try:
        return json.loads(settings.heartbeat_path.read_text())
    except (OSError, ValueError):
        return {}


async def test_start_in_order_and_stop_in_reverse(settings, monkeypatch, events):
    wire(monkeypatch, events, Part("telegram", events), Part("discord", events))
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.serve(settings, stop=stop, handle_signals=False))
    await until(lambda: "scheduler.rebuild" in events)
    await until(lambda: beat(settings).get("adapters") == {"telegram": "running", "discord": "running"})
    stop.set()
    assert await asyncio.wait_for(task, 10) == 0
    assert events == ["scheduler.start", "telegram.start", "discord.start", "scheduler.rebuild",
                      "discord.stop", "telegram.stop", "scheduler.stop", "store.close"]
    assert not settings.heartbeat_path.exists()


async def test_no_adapter_serves_the_console_until_its_input_ends(settings, monkeypatch, events):
    wire(monkeypatch, events)
    out = io.StringIO()
    code = await asyncio.wait_for(runtime.serve(settings, stdin=io.StringIO("/lang en\n/topics\n"), out=out,
                                                handle_signals=False), 10)
    assert code == 0
    assert "Supervised fine-tuning" in out.getvalue()
    assert events == ["scheduler.start", "scheduler.rebuild", "scheduler.stop", "store.close"]


async def test_an_unreachable_platform_is_retried_while_the_rest_runs(settings, monkeypatch, events):
    settings = dataclasses.replace(settings, heartbeat_seconds=0.01)
    flaky = Part("telegram", events, failures=[OSError("connection refused"), OSError("connection refused")])
    wire(monkeypatch, events, flaky, Part("discord", events))
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.serve(settings, stop=stop, handle_signals=False))
    await until(lambda: beat(settings).get("adapters", {}).get("telegram") == "running")
    # the scheduler did not wait for Telegram: it was rebuilt after the first failed attempt
    assert events.index("scheduler.rebuild") < [i for i, e in enumerate(events) if e == "telegram.start"][-1]
    assert events.count("telegram.start") == 3 and events.count("discord.start") == 1
    stop.set()
    assert await asyncio.wait_for(task, 10) == 0


async def test_a_rejected_token_stops_everything_with_exit_2(settings, monkeypatch, events):
    from telegram.error import InvalidToken

    telegram = Part("telegram", events, failures=[InvalidToken("rejected")])
    telegram.fatal_errors = (InvalidToken,)  # as TelegramAdapter declares them
    wire(monkeypatch, events, telegram, Part("discord", events))
    code = await asyncio.wait_for(runtime.serve(settings, stop=asyncio.Event(), handle_signals=False), 10)
    assert code == runtime.EXIT_TOKEN_REJECTED
    assert events[-3:] == ["discord.stop", "scheduler.stop", "store.close"]
    assert "telegram.stop" not in events  # it never started
    assert "scheduler.rebuild" not in events


async def test_a_start_that_hangs_is_abandoned_on_stop(settings, monkeypatch, events):
    wire(monkeypatch, events, Part("telegram", events, start_hangs=True))
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.serve(settings, stop=stop, handle_signals=False))
    await until(lambda: "telegram.start" in events)
    stop.set()
    assert await asyncio.wait_for(task, 5) == 0
    assert events[-3:] == ["telegram.stop", "scheduler.stop", "store.close"]  # stop releases what it opened


async def test_a_stop_that_hangs_costs_only_its_time_limit(settings, monkeypatch, events):
    monkeypatch.setattr(runtime, "PART_TIMEOUT", 0.2)
    wire(monkeypatch, events, Part("telegram", events, stop_hangs=True), Part("discord", events, stop_hangs=True))
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.serve(settings, stop=stop, handle_signals=False))
    await until(lambda: "scheduler.rebuild" in events)
    loop = asyncio.get_running_loop()
    began = loop.time()
    stop.set()
    assert await asyncio.wait_for(task, 5) == 0
    assert loop.time() - began < 1.5
    assert events[-2:] == ["scheduler.stop", "store.close"]


async def test_the_whole_shutdown_keeps_to_its_budget(settings, monkeypatch, events):
    monkeypatch.setattr(runtime, "SHUTDOWN_BUDGET", 0.5)
    hanging = [Part(f"p{i}", events, stop_hangs=True) for i in range(5)]
    wire(monkeypatch, events, *hanging)
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.serve(settings, stop=stop, handle_signals=False))
    await until(lambda: "scheduler.rebuild" in events)
    loop = asyncio.get_running_loop()
    began = loop.time()
    stop.set()
    assert await asyncio.wait_for(task, 10) == 0
    assert loop.time() - began < 1.5  # five parts of 5 s each, yet the budget holds
    assert events[-1] == "store.close"


async def test_a_failed_start_up_still_closes_the_database(settings, monkeypatch, events, tmp_path):
    wire(monkeypatch, events, Part("telegram", events))
    broken = dataclasses.replace(settings, questions_dir=tmp_path / "no-such-bank")
    with pytest.raises(BankError):
        await runtime.serve(broken, stop=asyncio.Event(), handle_signals=False)
    assert events == ["store.close"]


def test_read_heartbeat_accepts_both_formats(settings):
    settings.heartbeat_path.write_text("1795003200\n")
    assert heartbeat.read_heartbeat(settings) == {"time": 1795003200.0, "adapters": {}}
    heartbeat.write_heartbeat(settings, {"telegram": "running"})
    data = heartbeat.read_heartbeat(settings)
    assert data["adapters"] == {"telegram": "running"} and data["pid"] > 0
    settings.heartbeat_path.write_text("[]")
    with pytest.raises(ValueError):
        heartbeat.read_heartbeat(settings)
