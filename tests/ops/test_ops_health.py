"""``quizbot health`` (the Docker HEALTHCHECK): the database must open and the running bot's
heartbeat must be fresh with every adapter connected; checked against hand-made heartbeats and
against a running ``quizbot run``."""

from __future__ import annotations

import json
import signal
import sqlite3
import time

import pytest
from ops_support import BotProcess, bot_env, quizbot


def make_db(path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()


def beat(db, age: float, adapters: dict | None = None, raw: str | None = None) -> None:
    path = db.with_name(db.name + ".heartbeat")
    path.write_text(raw if raw is not None else json.dumps({"time": time.time() - age, "pid": 1,
                                                             "adapters": adapters or {}}))


def health(db, *args: str):
    return quizbot("--db", str(db), "health", *args)


def test_fresh_heartbeat_is_healthy(tmp_path):
    db = tmp_path / "q.db"
    make_db(db)
    beat(db, 2)
    result = health(db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("healthy: heartbeat 2 s old")


def test_stale_heartbeat_is_unhealthy(tmp_path):
    db = tmp_path / "q.db"
    make_db(db)
    beat(db, 200)  # default limit: 3 x heartbeat_seconds (30 s) = 90 s
    result = health(db)
    assert result.returncode == 1
    assert "heartbeat is 200 s old (limit 90 s)" in result.stderr
    assert health(db, "--max-age", "300").returncode == 0


@pytest.mark.parametrize("case, message", [
    ("no-db", "no database at"),
    ("no-heartbeat", "no readable heartbeat"),
    ("garbage-heartbeat", "no readable heartbeat"),
    ("not-a-db", "unhealthy: database"),
    ("adapter-down", "not connected: telegram (retrying)"),
])
def test_unhealthy_cases(tmp_path, case, message):
    db = tmp_path / "q.db"
    if case == "not-a-db":
        db.write_bytes(b"this is not SQLite" * 100)
    elif case != "no-db":
        make_db(db)
    if case == "garbage-heartbeat":
        beat(db, 0, raw="{not json")
    elif case == "adapter-down":
        beat(db, 1, adapters={"telegram": "retrying", "discord": "running"})
    elif case in ("no-db", "not-a-db"):
        beat(db, 1)
    result = health(db)
    assert result.returncode == 1
    assert message in result.stderr
    assert not (tmp_path / "q.db").exists() or case != "no-db"  # health never creates a database


def test_the_first_heartbeat_format_still_reads(tmp_path):
    db = tmp_path / "q.db"
    make_db(db)
    beat(db, 0, raw=f"{time.time():.0f}\n")
    assert health(db).returncode == 0


def test_a_running_bot_keeps_its_heartbeat_fresh_and_removes_it_on_exit(tmp_path):
    config = tmp_path / "quizbot.yaml"
    config.write_text("heartbeat_seconds: 1\n")
    db = tmp_path / "live.db"
    with BotProcess(db, "--config", str(config)) as bot:
        bot.wait_stderr("ready in")
        first = json.loads(db.with_name("live.db.heartbeat").read_text())
        assert first["pid"] == bot.proc.pid and first["adapters"] == {}
        result = quizbot("--config", str(config), "--db", str(db), "health", "--max-age", "3")
        assert result.returncode == 0, result.stderr
        assert "console" in result.stdout
        deadline = time.monotonic() + 10
        while json.loads(db.with_name("live.db.heartbeat").read_text())["time"] <= first["time"]:
            assert time.monotonic() < deadline, "the heartbeat was not refreshed"
            time.sleep(0.2)
        bot.signal(signal.SIGTERM)
        assert bot.wait(12) == 0
    result = quizbot("--db", str(db), "health")
    assert result.returncode == 1 and "no readable heartbeat" in result.stderr


def test_health_reads_the_same_configuration_as_the_bot(tmp_path):
    """In Docker the HEALTHCHECK only has the container's environment: QUIZBOT_CONFIG / QUIZBOT_DB."""
    db = tmp_path / "data" / "q.db"
    db.parent.mkdir()
    make_db(db)
    beat(db, 1)
    config = tmp_path / "quizbot.yaml"
    config.write_text(f"database:\n  path: {db}\n")
    result = quizbot("health", cwd=tmp_path, env=bot_env(QUIZBOT_CONFIG=str(config)))
    assert result.returncode == 0, result.stderr
    result = quizbot("health", cwd=tmp_path, env=bot_env(QUIZBOT_DB=str(db)))
    assert result.returncode == 0, result.stderr
