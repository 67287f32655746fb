"""Helpers for the operations tests: a hermetic environment and the real ``quizbot`` as a subprocess.

``BotProcess`` starts ``python -m bot ... run`` with stdin, stdout and stderr on pipes; reader threads
collect the output so a test can wait for a line (``wait_stdout``/``wait_stderr``) instead of
sleeping, feed console lines, send signals and time the exit.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURE_BANK = REPO / "tests" / "fixtures" / "questions"
# a token-shaped Telegram token that is nobody's: the tests assert it never appears in any output
FAKE_TG_TOKEN = "7012345678:AAFq3xVbT9kLmZ_pQr8sUvWx2yZa4bCdEfG"
FAKE_DISCORD_TOKEN = "MTE4NzY1NDMyMTAxMjM0NTY3OA.GaBcDe.q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8"


def bot_env(**extra: str) -> dict[str, str]:
    """The parent's environment minus anything that configures quizbot (tokens, config, paths)."""
    env = {k: v for k, v in os.environ.items()
           if not k.endswith("_BOT_TOKEN") and not k.startswith(("QUIZBOT_", "TELEGRAM_", "DISCORD_"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def quizbot(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, stdin: str = "",
            timeout: float = 60) -> subprocess.CompletedProcess:
    """Run one ``quizbot`` command to completion."""
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd or REPO, env=env or bot_env(), timeout=timeout)


def closed_port() -> int:
    """A localhost port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BotProcess:
    """``quizbot --questions FIXTURE --db DB <command>`` running in the background."""

    def __init__(self, db: Path, *args: str, command: str = "run", env: dict[str, str] | None = None,
                 cwd: Path | None = None, entry: list[str] | None = None) -> None:
        """``entry``: how to start the CLI (default ``python -m bot``; a test may run a script that
        patches one part of the runtime and then calls ``bot.cli.main``)."""
        self.db = db
        entry = entry or [sys.executable, "-m", "bot"]
        self.proc = subprocess.Popen(
            [*entry, "--questions", str(FIXTURE_BANK), "--db", str(db), *args, command],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
            cwd=cwd or db.parent, env=env or bot_env(), bufsize=1,
        )
        self._out: list[str] = []
        self._err: list[str] = []
        self._changed = threading.Condition()
        self.exited_at: float | None = None
        for stream, sink in ((self.proc.stdout, self._out), (self.proc.stderr, self._err)):
            threading.Thread(target=self._pump, args=(stream, sink), daemon=True).start()

    def _pump(self, stream, sink: list[str]) -> None:
        for line in iter(stream.readline, ""):
            with self._changed:
                sink.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def stdout(self) -> str:
        with self._changed:
            return "".join(self._out)

    @property
    def stderr(self) -> str:
        with self._changed:
            return "".join(self._err)

    def _wait(self, sink: list[str], pattern: str | re.Pattern, timeout: float, count: int = 1) -> str:
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                text = "".join(sink)
                if len(rx.findall(text)) >= count:
                    return text
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._changed.wait(0.2)):
                    raise AssertionError(f"no {count} x {rx.pattern!r} within {timeout} s (exit {self.proc.poll()})"
                                         f"\n--- stdout\n{''.join(self._out)[-3000:]}\n--- stderr\n"
                                         f"{''.join(self._err)[-3000:]}")
                self._changed.wait(min(left, 0.2))

    def wait_stdout(self, pattern: str | re.Pattern, timeout: float = 30, count: int = 1) -> str:
        return self._wait(self._out, pattern, timeout, count)

    def wait_stderr(self, pattern: str | re.Pattern, timeout: float = 30, count: int = 1) -> str:
        return self._wait(self._err, pattern, timeout, count)

    def send(self, *lines: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("".join(line + "\n" for line in lines))
        self.proc.stdin.flush()

    def feed_in_background(self, lines: list[str]) -> threading.Thread:
        """Write lines from a thread (a pipe holds only 64 KiB); stops quietly when the bot exits."""
        def run() -> None:
            try:
                for line in lines:
                    self.proc.stdin.write(line + "\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                pass

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def signal(self, sig: int = signal.SIGTERM) -> float:
        self.proc.send_signal(sig)
        return time.monotonic()

    def wait(self, timeout: float = 15) -> int:
        try:
            rc = self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(5)
        self.exited_at = time.monotonic()
        time.sleep(0.05)  # let the pump threads take the last lines
        return rc

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except (OSError, ValueError):
                pass

    def __enter__(self) -> BotProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
