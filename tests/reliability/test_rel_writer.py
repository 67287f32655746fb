"""The writer connection's transactions: WAL checkpoints run beside the writer, not inside its
COMMIT (``Store._maybe_checkpoint``), and a write whose task is cancelled leaves no transaction open.

SQLite's automatic checkpoint copied the WAL back into the database inside the COMMIT that crossed
1,000 pages, and held every answer of the next group-commit batch for tens of milliseconds. The
store turns it off and checkpoints from its own connection in a thread once the WAL is that large;
nothing written may be lost on the way, and the WAL must not grow without bound (``journal_size_limit``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

import pytest

from bot import storage
from bot.storage import Store


async def _fill(store: Store, rows: int) -> None:
    await store.db.execute("CREATE TABLE IF NOT EXISTS filler(id INTEGER PRIMARY KEY, body TEXT)")
    for _ in range(0, rows, 50):
        await store.submit("INSERT INTO filler(body) VALUES (?) RETURNING id", ("x" * 2000,))
        async with store.write() as db:
            await db.executemany("INSERT INTO filler(body) VALUES (?)", [("y" * 2000,)] * 49)


async def test_the_writer_never_checkpoints_in_its_commit(tmp_path: Path):
    store = await Store.open(tmp_path / "q.db")
    try:
        row = await (await store.db.execute("PRAGMA wal_autocheckpoint")).fetchone()
        assert row[0] == 0
    finally:
        await store.close()


async def test_a_large_wal_is_checkpointed_in_the_background_and_nothing_is_lost(tmp_path: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(storage, "CHECKPOINT_BYTES", 256 * 1024)
    monkeypatch.setattr(storage, "CHECKPOINT_COMMITS", 1)
    path = tmp_path / "q.db"
    store = await Store.open(path)
    try:
        await _fill(store, 1000)  # ~2 MB written: many times the threshold
        assert store._checkpoint_task is not None
        await store._checkpoint_task
        async with store.write() as db:  # the next commit starts one for what came in meanwhile
            await db.execute("PRAGMA user_version")
        await store._checkpoint_task
        # the database file itself holds the rows now, not only the WAL
        assert path.stat().st_size > 1_000_000
        rows = await store.fetchone("SELECT COUNT(*) AS n FROM filler")
        assert rows["n"] == 1000
    finally:
        await store.close()
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT COUNT(*) FROM filler").fetchone()[0] == 1000
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


async def test_a_small_wal_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(storage, "CHECKPOINT_COMMITS", 1)
    store = await Store.open(tmp_path / "q.db")
    try:
        await _fill(store, 50)
        assert store._checkpoint_task is None
    finally:
        await store.close()


async def test_the_wal_is_looked_at_only_every_so_many_commits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(storage, "CHECKPOINT_BYTES", 1)
    store = await Store.open(tmp_path / "q.db")
    try:
        for _ in range(storage.CHECKPOINT_COMMITS - 1):
            async with store.write() as db:
                await db.execute("PRAGMA user_version")
        assert store._checkpoint_task is None
        async with store.write() as db:
            await db.execute("PRAGMA user_version")
        assert store._checkpoint_task is not None
        await store._checkpoint_task
    finally:
        await store.close()


async def test_a_failed_checkpoint_is_logged_and_writing_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 caplog: pytest.LogCaptureFixture):
    monkeypatch.setattr(storage, "CHECKPOINT_BYTES", 64 * 1024)
    monkeypatch.setattr(storage, "CHECKPOINT_COMMITS", 5)
    store = await Store.open(tmp_path / "q.db")

    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(storage.sqlite3, "connect", refuse)  # only the checkpoint opens plain connections
    try:
        await _fill(store, 200)
        await store._checkpoint_task
        assert "WAL checkpoint" in caplog.text and "disk I/O error" in caplog.text
        await _fill(store, 50)
        rows = await store.fetchone("SELECT COUNT(*) AS n FROM filler")
        assert rows["n"] == 250
    finally:
        monkeypatch.undo()
        await store.close()


async def test_a_task_cancelled_while_its_transaction_begins_leaves_the_connection_usable(tmp_path: Path):
    """A job stopped mid-write (the scheduler cancelling a post at shutdown) must not leave the writer
    inside a transaction: every later write would fail with 'cannot start a transaction within a
    transaction'."""
    store = await Store.open(tmp_path / "q.db")
    try:
        await store.db.execute("CREATE TABLE t(x)")
        for delay_turns in range(6):  # cancelled at BEGIN, inside the body, and at COMMIT
            async def write_one(turns: int = delay_turns) -> None:
                async with store.write() as db:
                    await db.execute("INSERT INTO t VALUES (1)")

            task = asyncio.ensure_future(write_one())
            for _ in range(delay_turns):
                await asyncio.sleep(0)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            async with store.write() as db:  # the next write works whatever the cancelled one did
                await db.execute("INSERT INTO t VALUES (2)")
        assert not store.db._conn.in_transaction
        rows = await store.fetchone("SELECT COUNT(*) AS n FROM t WHERE x = 2")
        assert rows["n"] == 6
    finally:
        await store.close()
