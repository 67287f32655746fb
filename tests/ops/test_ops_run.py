"""``quizbot run`` as the operator runs it: the console with no token, graceful shutdown on SIGTERM
and SIGINT during a burst of answers, the second signal, the shutdown watchdog, and secrets that
never reach the output (an unreachable API and a rejected token)."""

from __future__ import annotations

import re
import signal
import sqlite3
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from ops_support import FAKE_DISCORD_TOKEN, FAKE_TG_TOKEN, BotProcess, bot_env, closed_port

ACKED = re.compile(r"Got your answer, (u\d+)\.")


def answered_users(db) -> set[str]:
    con = sqlite3.connect(db)
    try:
        return {row[0] for row in con.execute("SELECT user_key FROM answers")}
    finally:
        con.close()


def test_run_without_a_token_serves_the_console_and_says_how_to_add_one(tmp_path):
    with BotProcess(tmp_path / "q.db") as bot:
        bot.send("/lang en", "/quiz sft 1", "/as Alice", "数据分布偏移，灾难性遗忘", "/as Me", "/reveal")
        bot.wait_stdout(r"\(reveal\)")
        assert "Got your answer, Alice." in bot.stdout
        bot.wait_stderr("ready in")
        assert (tmp_path / "q.db.heartbeat").is_file()  # written at start, refreshed by the ticker
        bot.proc.stdin.close()  # end of input: a clean stop
        assert bot.wait(15) == 0
    err = bot.stderr
    assert "no TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN" in err and ".env" in err
    assert "Traceback" not in err
    for line in err.splitlines():  # one line per event: time, level, logger
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: ", line), line
    assert not (tmp_path / "q.db.heartbeat").exists()  # not running any more: health must fail


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_during_a_burst_keeps_every_acknowledged_answer(tmp_path, sig):
    db = tmp_path / "burst.db"
    members = 1500
    with BotProcess(db) as bot:
        bot.send("/lang en", "/quiz sft 1")
        bot.wait_stdout(r"\(question\)")
        lines = []
        for i in range(members):
            lines += [f"/as u{i}", f"数据分布偏移 {i}"]
        bot.feed_in_background(lines)
        bot.wait_stdout(ACKED, count=50)
        sent = bot.signal(sig)
        rc = bot.wait(12)
        took = bot.exited_at - sent
        acked = set(ACKED.findall(bot.stdout))
    assert rc == 0, bot.stderr[-2000:]
    assert took < 10, f"exit took {took:.1f} s"
    assert 50 <= len(acked) < members, "the signal should land in the middle of the burst"
    stored = answered_users(db)
    missing = {f"console:{u}" for u in acked} - stored
    assert not missing, f"{len(missing)} acknowledged answers are not in the database"
    assert f"{signal.Signals(sig).name} received" in bot.stderr
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


SLOW_STOP = """
import asyncio, sys, time
import bot.runtime as runtime
from bot.cli import main

class SlowScheduler:
    def __init__(self, engine, settings):
        pass
    async def start(self):
        pass
    async def rebuild(self):
        print("scheduler rebuilt", file=sys.stderr, flush=True)
    async def stop(self):
        print("scheduler stopping", file=sys.stderr, flush=True)
        {how}

runtime.build_scheduler = SlowScheduler
raise SystemExit(main(sys.argv[1:]))
"""


def _slow_bot(tmp_path, how: str) -> BotProcess:
    script = tmp_path / "slow_bot.py"
    script.write_text(SLOW_STOP.replace("{how}", how))
    return BotProcess(tmp_path / "slow.db", entry=[sys.executable, str(script)])


def test_a_second_signal_exits_at_once(tmp_path):
    with _slow_bot(tmp_path, "await asyncio.sleep(30)") as bot:
        bot.wait_stderr("scheduler rebuilt")
        bot.signal(signal.SIGTERM)
        bot.wait_stderr("scheduler stopping")
        sent = bot.signal(signal.SIGTERM)
        rc = bot.wait(5)
        assert bot.exited_at - sent < 2
    assert rc == 128 + signal.SIGTERM
    assert "second SIGTERM: exiting immediately" in bot.stderr


def test_a_part_that_will_not_stop_is_cut_off_in_time(tmp_path):
    """A stop that ignores cancellation costs at most its 5 s; the database still closes cleanly."""
    with _slow_bot(tmp_path, "await asyncio.shield(asyncio.sleep(30))") as bot:
        bot.wait_stderr("scheduler rebuilt")
        sent = bot.signal(signal.SIGTERM)
        rc = bot.wait(12)
        assert bot.exited_at - sent < 10
    assert rc == 0
    assert "stopping the scheduler took longer than" in bot.stderr


def test_a_hung_event_loop_is_ended_by_the_watchdog(tmp_path):
    """Something blocks the loop itself: the watchdog thread still ends the process before Docker's 10 s."""
    with _slow_bot(tmp_path, "time.sleep(60)") as bot:
        bot.wait_stderr("scheduler rebuilt")
        sent = bot.signal(signal.SIGTERM)
        rc = bot.wait(15)
        assert bot.exited_at - sent < 10.5
    assert rc == 1
    assert "shutdown took longer than" in bot.stderr


@pytest.mark.parametrize("platform", ["telegram", "discord"])
def test_the_token_never_appears_while_the_api_is_unreachable(tmp_path, platform):
    port = closed_port()
    if platform == "telegram":
        token = FAKE_TG_TOKEN
        env = bot_env(TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}")
    else:
        token = FAKE_DISCORD_TOKEN
        env = bot_env(DISCORD_BOT_TOKEN=token, DISCORD_API_BASE_URL=f"http://127.0.0.1:{port}",
                      DISCORD_GATEWAY_URL=f"ws://127.0.0.1:{port}")
    env["QUIZBOT_LOG_LEVEL"] = "DEBUG"
    with BotProcess(tmp_path / "tg.db", env=env) as bot:
        bot.wait_stderr(f"{platform}: start failed", timeout=30)
        bot.wait_stderr("retrying in 2 s", timeout=30)  # a second attempt: the bot keeps trying
        sent = bot.signal(signal.SIGTERM)
        rc = bot.wait(12)
        assert bot.exited_at - sent < 10
    output = bot.stdout + bot.stderr
    assert rc == 0, output[-2000:]
    assert "DEBUG" in output  # the noisiest level was on
    for part in (token, *re.split(r"[:.]", token)):  # not the token, nor any part of it
        assert part not in output


class _Reject(BaseHTTPRequestHandler):
    """A Bot API that refuses every token, the way api.telegram.org does."""

    def do_POST(self) -> None:  # noqa: N802 (the http.server API)
        body = b'{"ok":false,"error_code":401,"description":"Unauthorized"}'
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args) -> None:
        pass


def test_a_rejected_token_stops_the_bot_with_exit_2_and_is_not_shown(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Reject)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = bot_env(TELEGRAM_BOT_TOKEN=FAKE_TG_TOKEN,
                      TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{server.server_address[1]}")
        started = time.monotonic()
        with BotProcess(tmp_path / "tg.db", env=env) as bot:
            rc = bot.wait(20)
    finally:
        server.shutdown()
        server.server_close()
    output = bot.stdout + bot.stderr
    assert rc == 2, output[-2000:]
    assert time.monotonic() - started < 20
    assert "rejected the bot token" in output and "TELEGRAM_BOT_TOKEN" in output
    assert FAKE_TG_TOKEN not in output and FAKE_TG_TOKEN.split(":")[1] not in output
