"""The running bot: start-up in order, one event loop, graceful shutdown in reverse.

Order: config -> store (migrations) -> bank -> engine -> scheduler -> adapters; stop in reverse.
Adapters are imported only when their token is configured, so ``import bot`` never pulls in a
platform SDK. With no token the console adapter serves stdin. A background ticker reveals rounds
whose window ended and writes the heartbeat file that ``quizbot health`` reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from typing import TextIO

from bot.bank import QuestionBank
from bot.config import Settings
from bot.engine import QuizEngine
from bot.storage import Store

log = logging.getLogger(__name__)
TICK_SECONDS = 1.0


def write_heartbeat(settings: Settings) -> None:
    settings.heartbeat_path.parent.mkdir(parents=True, exist_ok=True)
    settings.heartbeat_path.write_text(f"{time.time():.0f}\n")


async def ticker(engine: QuizEngine, settings: Settings) -> None:
    """Reveal due rounds every second; refresh the heartbeat every ``heartbeat_seconds``."""
    last_beat = 0.0
    while True:
        try:
            await engine.expire_due()
        except Exception:
            log.exception("expire_due failed")
        now = time.monotonic()
        if now - last_beat >= settings.heartbeat_seconds:
            with contextlib.suppress(OSError):
                write_heartbeat(settings)
            last_beat = now
        await asyncio.sleep(TICK_SECONDS)


def build_adapters(engine: QuizEngine, settings: Settings) -> list:
    adapters = []
    if settings.telegram_token:
        from adapters.telegram.adapter import TelegramAdapter

        adapters.append(TelegramAdapter(engine, settings))
    if settings.discord_token:
        from adapters.discord.adapter import DiscordAdapter

        adapters.append(DiscordAdapter(engine, settings))
    return adapters


def build_scheduler(engine: QuizEngine, settings: Settings):
    """The daily-question scheduler, if that package provides one."""
    try:
        from scheduler.service import DailyScheduler
    except ImportError:
        log.warning("scheduler package not available: no question of the day")
        return None
    return DailyScheduler(engine, settings)


async def serve(settings: Settings, stdin: TextIO | None = None, out: TextIO | None = None,
                console: bool | None = None) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals_seen = 0

    def on_signal() -> None:
        nonlocal signals_seen
        signals_seen += 1
        if signals_seen > 1:  # a second signal: leave at once
            log.warning("second signal: exiting immediately")
            sys.stdout.flush()
            import os

            os._exit(1)
        log.info("shutdown requested")
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, on_signal)

    store = await Store.open(settings.db_path)
    started: list = []
    tick = None
    try:
        bank = QuestionBank.load(settings.questions_dir)
        engine = QuizEngine(store, bank, settings)
        scheduler = build_scheduler(engine, settings)
        if scheduler is not None:
            await scheduler.start()
            started.append(scheduler)
        adapters = build_adapters(engine, settings)
        use_console = console if console is not None else not adapters
        for adapter in adapters:
            await adapter.start()
            started.append(adapter)
            log.info("adapter %s started", adapter.platform)
        if use_console:
            from adapters.console import ConsoleAdapter

            console_adapter = ConsoleAdapter(engine, out=out)
            if not adapters:
                log.info("no TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN set: serving the console. "
                         "Set a token in the environment (or .env) to serve a chat platform.")
        if scheduler is not None:
            await scheduler.rebuild()
        write_heartbeat(settings)
        tick = asyncio.create_task(ticker(engine, settings))
        if use_console:
            reader = asyncio.create_task(console_adapter.run(stdin))
            waiter = asyncio.create_task(stop.wait())
            await asyncio.wait({reader, waiter}, return_when=asyncio.FIRST_COMPLETED)
            for task in (reader, waiter):
                task.cancel()
            # the reader thread may still block on stdin; it is a daemon-less executor thread, so
            # do not wait for it: the process exits after cleanup
        else:
            await stop.wait()
        return 0
    finally:
        if tick is not None:
            tick.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await tick
        for part in reversed(started):
            try:
                await asyncio.wait_for(part.stop(), timeout=5)
            except Exception:
                log.exception("stopping %s failed", type(part).__name__)
        await store.close()
        log.info("stopped")
