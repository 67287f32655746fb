"""The running bot: start-up in order, one event loop, graceful shutdown in reverse.

Order: config (the caller) -> store (migrations) -> bank -> engine -> scheduler -> adapters, then
the scheduler's ``rebuild`` (catch-up posts need the adapters) and the ticker; stop in reverse.
Adapters are imported only when their token is configured, so ``import bot`` never pulls in a
platform SDK. With no token the console adapter serves stdin.

An adapter that cannot reach its platform at start-up (network down, API unreachable) is retried
in the background with backoff while the rest of the bot runs; a token the platform *rejects*
stops the bot with exit code 2, because retrying cannot fix it. A background ticker reveals
rounds whose window ended and writes the heartbeat file that ``quizbot health`` reads.

Shutdown (SIGTERM, SIGINT, or end of console input): the ticker finishes its tick (a reveal in
progress is still delivered), adapters stop taking updates (PTB finishes the updates it is
processing), the console finishes the line it is handling, the scheduler stops, and
``Store.close`` drains the group-commit queue: every answer that was acknowledged is already
committed, and every answer in flight is committed before the database closes. All of it within
``SHUTDOWN_BUDGET`` so Docker's 10 s grace period is never hit; a second signal exits at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib.util
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from bot import __version__
from bot.bank import QuestionBank
from bot.config import Settings
from bot.engine import QuizEngine
from bot.heartbeat import write_heartbeat
from bot.logs import OneLineFormatter
from bot.storage import Store

if TYPE_CHECKING:  # the contract only: adapters themselves are imported when their token is set
    from adapters.base import Adapter
    from adapters.console import ConsoleAdapter
    from scheduler.service import DailyScheduler

log = logging.getLogger(__name__)

TICK_SECONDS = 1.0
SHUTDOWN_BUDGET = 8.0  # seconds for the whole orderly stop (Docker kills after 10 s)
PART_TIMEOUT = 5.0  # seconds any one part may take to stop
HARD_EXIT_AFTER = 9.5  # the CLI's watchdog: leave even if something hangs past the budget
RETRY_FIRST, RETRY_MAX = 1.0, 60.0  # adapter start-up retry backoff, seconds
EXIT_TOKEN_REJECTED = 2
TOKEN_VARS = {"telegram": "TELEGRAM_BOT_TOKEN", "discord": "DISCORD_BOT_TOKEN"}


async def ticker(engine: QuizEngine, settings: Settings, stop: asyncio.Event | None = None,
                 status=lambda: {}) -> None:
    """Reveal due rounds every second; refresh the heartbeat every ``heartbeat_seconds``.
    Returns after the tick in progress when ``stop`` is set (a reveal is never cut in half)."""
    stop = stop or asyncio.Event()
    last_beat = float("-inf")
    while not stop.is_set():
        try:
            await engine.expire_due()
        except Exception:
            log.exception("expire_due failed")
        try:  # pushes that could not be sent yet (an outage, a restart): retried with backoff
            await engine.deliver_pushes()
        except Exception:
            log.exception("delivering pushes failed")
        now = time.monotonic()
        if now - last_beat >= settings.heartbeat_seconds:
            try:
                write_heartbeat(settings, status())
            except OSError as exc:
                log.warning("cannot write the heartbeat %s: %s", settings.heartbeat_path, exc)
            last_beat = now
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), TICK_SECONDS)


# -- the parts ------------------------------------------------------------------------------------

def freeze_startup_objects() -> None:
    """Move everything loaded at start-up (the question bank, the grader's prepared questions, the
    modules) out of the garbage collector's reach: they live as long as the process, and a full
    collection that walks them held the event loop for ~20 ms at a time, every answer in flight
    with it. Objects made later are collected as usual."""
    gc.collect()
    gc.freeze()


def build_adapters(engine: QuizEngine, settings: Settings) -> list[Adapter]:
    """One adapter per configured token (each registers itself as the engine's messenger)."""
    adapters: list[Adapter] = []
    if settings.telegram_token:
        from adapters.telegram.adapter import TelegramAdapter

        adapters.append(TelegramAdapter(engine, settings))
    if settings.discord_token:
        from adapters.discord.adapter import DiscordAdapter

        adapters.append(DiscordAdapter(engine, settings))
    return adapters


def build_scheduler(engine: QuizEngine, settings: Settings) -> DailyScheduler | None:
    """The daily-question scheduler, if that package is installed (an error inside it is not hidden)."""
    try:
        spec = importlib.util.find_spec("scheduler.service")
    except ModuleNotFoundError:
        spec = None
    if spec is None:
        log.warning("scheduler package not available: no question of the day")
        return None
    from scheduler.service import DailyScheduler

    return DailyScheduler(engine, settings)


def token_rejected(exc: BaseException, adapter: Adapter) -> bool:
    """True when the platform refused the token: retrying cannot help. Each adapter names its
    SDK's fatal errors (``fatal_errors``), so the core never imports a platform SDK."""
    return isinstance(exc, adapter.fatal_errors)


@dataclass
class Slot:
    """An adapter and its start-up state, as shown in the heartbeat."""

    adapter: Adapter
    state: str = "starting"  # starting | running | retrying | stopped
    settled: asyncio.Event = field(default_factory=asyncio.Event)  # up, or failed once
    task: asyncio.Task | None = None

    @property
    def name(self) -> str:
        return self.adapter.platform


class Runtime:
    def __init__(self, settings: Settings, stdin: TextIO | None, out: TextIO | None, console: bool | None,
                 stop: asyncio.Event | None, hard_exit_after: float | None) -> None:
        self.settings = settings
        self.stdin = stdin
        self.out = out
        self.console_mode = console
        self.stop = stop or asyncio.Event()
        self.hard_exit_after = hard_exit_after
        self.exit_code = 0
        self.slots: list[Slot] = []
        self.signals_seen = 0
        self.console: ConsoleAdapter | None = None
        self._console_busy = False
        self._watchdog: threading.Timer | None = None

    # -- stopping -----------------------------------------------------------------------------

    def request_stop(self, exit_code: int = 0) -> None:
        if exit_code and not self.exit_code:
            self.exit_code = exit_code
        if self.stop.is_set():
            return
        self.stop.set()
        if self.hard_exit_after is not None:
            self._watchdog = threading.Timer(self.hard_exit_after, self._hard_exit)
            self._watchdog.daemon = True
            self._watchdog.start()

    def _hard_exit(self) -> None:
        # straight to fd 2, formatted like every other line: the loop thread may be stuck holding
        # the logging handler's lock, and this must not wait for it
        record = logging.LogRecord(log.name, logging.ERROR, __file__, 0,
                                   "shutdown took longer than %.1f s: exiting now", (self.hard_exit_after,), None)
        with contextlib.suppress(OSError):
            os.write(2, (OneLineFormatter().format(record) + "\n").encode())
        os._exit(1)

    def on_signal(self, signum: int) -> None:
        self.signals_seen += 1
        name = signal.Signals(signum).name
        if self.signals_seen > 1:  # the operator insists: leave at once
            log.warning("second %s: exiting immediately", name)
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(128 + signum)
        log.info("%s received: shutting down (send it again to exit at once)", name)
        self.request_stop()

    def install_signals(self, loop: asyncio.AbstractEventLoop) -> list[int]:
        installed: list[int] = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self.on_signal, sig)
                installed.append(sig)
        return installed

    async def _bounded(self, what: str, awaitable, deadline: float) -> None:
        """Await one shutdown step within the part limit and what is left of the budget."""
        loop = asyncio.get_running_loop()
        timeout = max(0.05, min(PART_TIMEOUT, deadline - loop.time()))
        try:
            await asyncio.wait_for(awaitable, timeout)
        except TimeoutError:
            log.error("stopping %s took longer than %.1f s; moving on", what, timeout)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("stopping %s failed", what)

    # -- adapters -----------------------------------------------------------------------------

    async def _keep_starting(self, slot: Slot) -> None:
        """Start the adapter; on a network error retry with backoff until it works or we stop."""
        delay = RETRY_FIRST
        while not self.stop.is_set():
            slot.state = "starting"
            try:
                await slot.adapter.start()
            except Exception as exc:
                if token_rejected(exc, slot.adapter):
                    var = TOKEN_VARS.get(slot.name, "the token")
                    log.error("%s rejected the bot token (%s): check %s", slot.name, exc, var,
                              extra={"adapter": slot.name})
                    slot.state = "stopped"
                    slot.settled.set()
                    self.request_stop(EXIT_TOKEN_REJECTED)
                    return
                slot.state = "retrying"
                slot.settled.set()
                log.warning("%s: start failed (%s: %s); retrying in %g s", slot.name, type(exc).__name__,
                            exc, delay, extra={"adapter": slot.name})
                with contextlib.suppress(Exception):  # release what the failed attempt opened
                    await asyncio.wait_for(slot.adapter.stop(), PART_TIMEOUT)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), delay)
                delay = min(delay * 2, RETRY_MAX)
                continue
            slot.state = "running"
            slot.settled.set()
            log.info("%s adapter running", slot.name, extra={"adapter": slot.name})
            return

    async def _stop_adapter(self, slot: Slot, deadline: float) -> None:
        if slot.task is not None and not slot.task.done():
            slot.task.cancel()  # still trying to start: give up
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await slot.task
        if slot.state != "stopped":
            await self._bounded(f"the {slot.name} adapter", slot.adapter.stop(), deadline)
            slot.state = "stopped"
            log.info("%s adapter stopped", slot.name, extra={"adapter": slot.name})

    def status(self) -> dict[str, str]:
        return {slot.name: slot.state for slot in self.slots}

    # -- console ------------------------------------------------------------------------------

    async def _read_console(self) -> None:
        """Feed stdin lines to the console adapter until EOF or shutdown. A line being handled is
        finished (its answer committed and acknowledged) before shutdown goes on."""
        console = self.console
        assert console is not None, "the console adapter is built before its reader starts"
        stream = self.stdin if self.stdin is not None else sys.stdin
        # undecodable bytes become U+FFFD: with strict decoding the error reads as end of input
        # (the session ends, losing the rest of the chunk); with surrogateescape a lone surrogate
        # reaches the engine
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        out = console.out
        if stream.isatty():
            out.write("quizbot console: type /help, /as NAME to switch member, Ctrl-D to quit.\n")
            out.flush()
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str | None] = asyncio.Queue()

        def read() -> None:  # a daemon thread: a blocked terminal read never holds up the exit
            try:
                for line in iter(stream.readline, ""):
                    loop.call_soon_threadsafe(lines.put_nowait, line)
            except (OSError, ValueError):
                pass
            with contextlib.suppress(RuntimeError):  # the loop may be gone already
                loop.call_soon_threadsafe(lines.put_nowait, None)

        threading.Thread(target=read, name="console-stdin", daemon=True).start()
        while not self.stop.is_set():
            line = await lines.get()
            if line is None:
                log.info("console input closed: shutting down")
                self.request_stop()
                return
            if self.stop.is_set():
                return
            self._console_busy = True
            try:
                await console.feed(line)
            finally:
                self._console_busy = False

    async def _stop_console(self, reader: asyncio.Task, deadline: float) -> None:
        if reader.done():
            return
        if not self._console_busy:
            reader.cancel()  # waiting for input: nothing in flight
        await self._bounded("the console", reader, deadline)

    # -- the whole life -----------------------------------------------------------------------

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        started = loop.time()
        settings = self.settings
        store = await Store.open(settings.db_path)  # runs the migrations
        scheduler = tick = reader = engine = None
        try:
            bank = QuestionBank.load(settings.questions_dir)
            engine = QuizEngine(store, bank, settings)
            await engine.start_grading()  # a worker process grades answers on the second core (grading.worker)
            await engine.start_judging()  # answers still waiting for the LLM judge before a restart
            engine.review.start_dropping_removed()  # cards of questions gone from the bank, in the background
            freeze_startup_objects()
            scheduler = build_scheduler(engine, settings)
            if scheduler is not None:
                await scheduler.start()
            adapters = [] if self.console_mode else build_adapters(engine, settings)
            self.slots = [Slot(a) for a in adapters]
            log.info("quizbot %s starting: database %s, %d questions in %d topics, adapters: %s", __version__,
                     settings.db_path, len(bank.by_id), len(bank.topics),
                     ", ".join(s.name for s in self.slots) or "console")
            for slot in self.slots:
                slot.task = asyncio.create_task(self._keep_starting(slot), name=f"start-{slot.name}")
            if self.slots:  # wait until each is up or has failed once (then it retries in the background)
                settled: asyncio.Future[Any] = asyncio.ensure_future(
                    asyncio.gather(*(s.settled.wait() for s in self.slots)))
                stopping: asyncio.Future[Any] = asyncio.ensure_future(self.stop.wait())
                await asyncio.wait({settled, stopping}, return_when=asyncio.FIRST_COMPLETED)
                settled.cancel()
                stopping.cancel()
            if self.stop.is_set():
                return self.exit_code
            if self.console_mode or (self.console_mode is None and not self.slots):
                from adapters.console import ConsoleAdapter

                self.console = ConsoleAdapter(engine, out=self.out)
                if not self.slots and not self.console_mode:
                    log.warning("no TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN in the environment: serving the "
                                "console on stdin. To serve a chat platform, set a token in the environment "
                                "or in a .env file in the working directory (see docs/deploy.md).")
            if scheduler is not None:
                await scheduler.rebuild()
            write_heartbeat(settings, self.status())
            tick = asyncio.create_task(ticker(engine, settings, self.stop, self.status), name="ticker")
            if self.console is not None:
                reader = asyncio.create_task(self._read_console(), name="console")
            log.info("ready in %.1f s", loop.time() - started)
            await self.stop.wait()
            return self.exit_code
        finally:
            self.request_stop()  # also on an error: retry loops end, the CLI's watchdog is armed
            deadline = loop.time() + SHUTDOWN_BUDGET
            if tick is not None:  # started last: a reveal in progress still reaches a running adapter
                await self._bounded("the ticker", tick, deadline)
            for slot in reversed(self.slots):
                await self._stop_adapter(slot, deadline)
            if reader is not None:
                await self._stop_console(reader, deadline)
            if scheduler is not None:
                await self._bounded("the scheduler", scheduler.stop(), deadline)
            if engine is not None:  # pending judgements stay pending in the database for the next start
                await self._bounded("the judge", engine.stop_judging(), deadline)
                await self._bounded("the review clean-up", engine.review.stop_dropping_removed(), deadline)
                await self._bounded("the grading worker", engine.stop_grading(), deadline)
            await self._bounded("the database", store.close(), deadline)
            with contextlib.suppress(OSError):
                settings.heartbeat_path.unlink(missing_ok=True)  # not running: health must fail
            log.info("stopped")


async def serve(settings: Settings, stdin: TextIO | None = None, out: TextIO | None = None,
                console: bool | None = None, *, stop: asyncio.Event | None = None,
                handle_signals: bool = True, hard_exit_after: float | None = None) -> int:
    """Run the bot until a signal, the end of console input, or ``stop`` is set; the exit code.

    ``console``: None = the console only when no token is configured; True = the console alone
    (no platform adapters, e.g. ``quizbot console`` on a machine that has a token in .env);
    False = never the console. ``hard_exit_after``: arm a watchdog that ends the process that many
    seconds after shutdown began (the CLI does; in-process tests do not).
    """
    runtime = Runtime(settings, stdin, out, console, stop, hard_exit_after)
    loop = asyncio.get_running_loop()
    installed = runtime.install_signals(loop) if handle_signals else []
    try:
        return await runtime.run()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
