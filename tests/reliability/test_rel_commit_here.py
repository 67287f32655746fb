"""Answer batches committed on the event loop's own connection, and the writer's thread as the fallback.

For a database file the store commits a group-commit batch on the loop (``Store._commit_here``) when it
can take SQLite's write lock at once. The loop must never wait for that lock: when another process (a
backup, a maintainer's ``sqlite3`` shell) holds it, the batch goes to the writer connection's thread,
which waits for the lock on its own while the loop goes on, and nothing queued is lost or reordered.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from bot import storage
from bot.storage import Store

INSERT = "INSERT INTO log(who, n) VALUES (?, ?) RETURNING id, n"


async def _open(path: Path) -> Store:
    store = await Store.open(path)
    async with store.write() as db:
        await db.execute("CREATE TABLE log(id INTEGER PRIMARY KEY, who TEXT NOT NULL, n INTEGER NOT NULL)")
    return store


async def test_a_batch_is_committed_on_the_loop_when_the_lock_is_free(tmp_path: Path, monkeypatch):
    store = await _open(tmp_path / "q.db")
    used: list[tuple[object, str]] = []
    real = storage._run_batch

    def spy(con, statements):
        import threading
        used.append((con, threading.current_thread().name))
        return real(con, statements)

    monkeypatch.setattr(storage, "_run_batch", spy)
    try:
        rows = await asyncio.gather(*(store.submit(INSERT, ("m", i)) for i in range(50)))
        assert [r[0]["n"] for r in rows] == list(range(50))
        assert used and all(con is store._here for con, _ in used)
        assert {name for _, name in used} == {"MainThread"}
        assert len(used) == 1  # queued in one turn of the loop: one batch, one COMMIT
    finally:
        await store.close()
    with sqlite3.connect(tmp_path / "q.db") as con:
        assert con.execute("SELECT COUNT(*) FROM log").fetchone()[0] == 50


async def test_a_lock_held_by_another_process_sends_the_batch_to_the_thread_and_the_loop_goes_on(tmp_path: Path):
    path = tmp_path / "q.db"
    store = await _open(path)
    other = sqlite3.connect(path, isolation_level=None)  # another process's connection, as far as SQLite knows
    try:
        other.execute("BEGIN IMMEDIATE")  # holds the write lock
        first = store.enqueue(INSERT, ("m", 1))
        second = store.enqueue(INSERT, ("m", 2))
        started = time.monotonic()
        await asyncio.sleep(0.2)  # the loop is free while the writer's thread waits for the lock
        assert time.monotonic() - started < 1.0
        assert not first.done() and not second.done()  # nothing is acknowledged before its COMMIT
        other.execute("COMMIT")
        rows = await asyncio.wait_for(asyncio.gather(first, second), 5)
        assert [r[0]["n"] for r in rows] == [1, 2]  # in the order queued
        third = await store.submit(INSERT, ("m", 3))  # and the loop's own connection is used again
        assert third[0]["n"] == 3
    finally:
        other.close()
        await store.close()
    with sqlite3.connect(path) as con:
        assert [n for (n,) in con.execute("SELECT n FROM log ORDER BY id")] == [1, 2, 3]


async def test_an_in_memory_store_commits_on_the_writer_thread(tmp_path: Path):
    store = await Store.open(":memory:")
    try:
        assert store._here is None  # a second connection would be another, empty database
        async with store.write() as db:
            await db.execute("CREATE TABLE log(id INTEGER PRIMARY KEY, who TEXT NOT NULL, n INTEGER NOT NULL)")
        rows = await asyncio.gather(*(store.submit(INSERT, ("m", i)) for i in range(10)))
        assert [r[0]["n"] for r in rows] == list(range(10))
    finally:
        await store.close()
