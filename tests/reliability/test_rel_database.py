"""A database that cannot be opened or written (issue 14, defects 1 and 2), and a closed stdout.

Every command that opens the database must leave quickly, non-zero, with one line that names the
file and says what to do; a database that cannot be written is refused at start-up and makes
``quizbot health`` fail. These run the real CLI in a subprocess with a timeout: the bug was a hang
(aiosqlite's worker thread kept the interpreter alive after a failed PRAGMA).

Read-only cases need file permissions to apply (root may write anything): when the tests run as
root the subprocess runs without the capabilities that override them (``setpriv``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURE_BANK = REPO / "tests" / "fixtures" / "questions"
EXIT_BUDGET = 5.0  # seconds: the limit for leaving on a broken database
# root without these capabilities is bound by file modes like anyone else
UNPRIVILEGED = ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search,-fowner"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.endswith("_BOT_TOKEN") and not k.startswith(("QUIZBOT_", "TELEGRAM_", "DISCORD_"))}
    env["PYTHONPATH"] = str(REPO)
    return env


def run_cli(*args: str, cwd: Path, stdin: str = "", unprivileged_run: bool = False) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``quizbot ARGS``; (result, seconds). A hang fails the test at the budget's double."""
    started = time.monotonic()
    proc = subprocess.run([*(unprivileged() if unprivileged_run else []), sys.executable, "-m", "bot",
                           "--questions", str(FIXTURE_BANK), *args],
                          input=stdin, capture_output=True, text=True, cwd=cwd, env=_env(), timeout=EXIT_BUDGET * 2)
    return proc, time.monotonic() - started


def unprivileged() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file permissions cannot be made to apply")
    return UNPRIVILEGED


def good_db(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    return path


@pytest.fixture
def shared_dir():
    """A directory every user may enter (pytest's tmp_path is private to its owner)."""
    path = Path(tempfile.mkdtemp(prefix="quizbot-rel-"))
    path.chmod(0o777)
    yield path
    for p in path.rglob("*"):
        p.chmod(0o777)
    shutil.rmtree(path, ignore_errors=True)


def corrupt(path: Path) -> Path:
    path.write_bytes(b"this is no database at all\n" * 400)
    return path


def bad_version_byte(path: Path) -> Path:
    """A real database whose header's read-version byte (offset 19) is one no SQLite knows."""
    good_db(path)
    data = bytearray(path.read_bytes())
    data[19] = 9
    path.write_bytes(bytes(data))
    for side in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        side.unlink(missing_ok=True)
    return path


BROKEN = {"corrupt": corrupt, "bad_version": bad_version_byte}
COMMANDS = {
    "run": ("run",),
    "console": ("console",),
    "backup": ("backup", "copy.db"),
    "export": ("export", "--chat", "telegram:1"),
}


def assert_clear_exit(proc: subprocess.CompletedProcess, seconds: float, db: Path) -> None:
    assert seconds < EXIT_BUDGET, f"took {seconds:.1f} s to give up"
    assert proc.returncode not in (0, None)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert str(db) in lines[0]
    assert "Traceback" not in proc.stderr and "CRITICAL" not in proc.stderr
    assert any(word in lines[0] for word in ("backup", "permission")), lines[0]


@pytest.mark.parametrize("breakage", sorted(BROKEN))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_broken_database_exits_fast_with_one_clear_line(tmp_path: Path, breakage: str, command: str) -> None:
    db = BROKEN[breakage](tmp_path / "quizbot.db")
    proc, seconds = run_cli("--db", str(db), *COMMANDS[command], cwd=tmp_path)
    assert_clear_exit(proc, seconds, db)
    assert "restore" in proc.stderr.lower()


@pytest.mark.parametrize("command", ["run", "console", "backup", "export"])
def test_wal_database_in_unwritable_directory_exits_fast(shared_dir: Path, command: str) -> None:
    folder = shared_dir / "data"
    folder.mkdir()
    db = good_db(folder / "quizbot.db")
    db.chmod(0o666)
    folder.chmod(0o555)
    proc, seconds = run_cli("--db", str(db), *COMMANDS[command], cwd=shared_dir, unprivileged_run=True)
    assert_clear_exit(proc, seconds, db)
    assert "permission" in proc.stderr.lower()


def test_read_only_database_refuses_to_start(shared_dir: Path) -> None:
    db = good_db(shared_dir / "quizbot.db")
    db.chmod(0o444)
    proc, seconds = run_cli("--db", str(db), "console", cwd=shared_dir, stdin="/help\n", unprivileged_run=True)
    assert_clear_exit(proc, seconds, db)
    assert "read-only" in proc.stderr.lower() or "cannot be written" in proc.stderr.lower()
    assert "/help" not in proc.stdout and "quiz" not in proc.stdout.lower()


def test_health_fails_when_writes_fail(shared_dir: Path) -> None:
    db = good_db(shared_dir / "quizbot.db")
    heartbeat = shared_dir / "quizbot.db.heartbeat"
    heartbeat.write_text(f"{time.time():.3f}\n")  # a fresh beat: only the write check can fail
    db.chmod(0o444)
    proc = subprocess.run([*unprivileged(), sys.executable, "-m", "bot", "--db", str(db), "health"],
                          capture_output=True, text=True, cwd=shared_dir, env=_env(), timeout=EXIT_BUDGET * 2)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "unhealthy" in proc.stderr and "writ" in proc.stderr


def test_grade_into_a_closed_pipe_is_quiet(tmp_path: Path) -> None:
    """``quizbot grade … | head -1``: the reader is gone before the output is written (here: its
    end of the pipe is closed at once, so the write always fails); no CRITICAL traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run([sys.executable, "-m", "bot", "--questions", str(FIXTURE_BANK), "grade",
                               "--question", "sft-why-dumber", "--answer", "catastrophic forgetting"],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=_env(),
                              timeout=30)
    finally:
        os.close(write_end)
    assert "CRITICAL" not in proc.stderr and "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, \
        proc.stderr
    assert proc.stderr.strip() == ""
    assert proc.returncode == 141  # 128 + SIGPIPE, like any Unix tool whose reader left
