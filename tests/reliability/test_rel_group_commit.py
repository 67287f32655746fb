"""The group-commit queue (``Store.submit`` / ``Store.enqueue``): the writer connection's thread
drains it batch after batch, and every caller learns its own outcome.

What must hold: every queued write is committed once, in the order it was queued, and its caller gets
its own rows; a ``write()`` transaction is not starved by a steady stream of answers (the drain
stops for it after the batch in hand); a statement that fails (a constraint, a value that cannot be
bound) fails its caller alone, and the statements around it in the batch are committed; a batch that
fails as a whole fails each of its callers and the queue goes on working; ``close()`` commits what is
still queued.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot import storage
from bot.storage import Store

INSERT = "INSERT INTO log(who, n) VALUES (?, ?) RETURNING id, who, n"


async def _open(tmp_path: Path) -> Store:
    store = await Store.open(tmp_path / "q.db")
    async with store.write() as db:
        await db.execute("CREATE TABLE log(id INTEGER PRIMARY KEY, who TEXT NOT NULL, n INTEGER NOT NULL)")
    return store


async def test_every_queued_write_is_committed_once_in_order_and_its_caller_gets_its_rows(tmp_path: Path):
    store = await _open(tmp_path)
    try:
        futures = [store.enqueue(INSERT, (f"m{i % 7}", i)) for i in range(500)]  # queued in one turn
        more = await asyncio.gather(*(store.submit(INSERT, ("late", 500 + i)) for i in range(100)))
        rows = [r[0] for r in await asyncio.gather(*futures)] + [r[0] for r in more]
        assert [(r["who"], r["n"]) for r in rows[:500]] == [(f"m{i % 7}", i) for i in range(500)]
        assert [r["n"] for r in rows[500:]] == list(range(500, 600))
        stored = await store.fetchall("SELECT id, n FROM log ORDER BY id")
        assert [r["n"] for r in stored[:500]] == list(range(500))  # committed in the order queued
        assert sorted(r["n"] for r in stored) == list(range(600))  # each exactly once
        assert [r["id"] for r in rows] == [r["id"] for r in sorted(stored, key=lambda r: r["n"])]
    finally:
        await store.close()


async def test_a_failing_statement_fails_its_caller_alone_and_the_rest_of_its_batch_is_committed(tmp_path: Path):
    store = await _open(tmp_path)
    try:
        async with store.write() as db:
            await db.execute("CREATE UNIQUE INDEX one_n ON log(n)")
        # one batch: a constraint failure (n 1 again), a value SQLite cannot take (a lone surrogate)
        # and a multi-row statement that fails half-way (SQLite undoes its first row too)
        futures = [store.enqueue(INSERT, ("a", 1)), store.enqueue(INSERT, ("dup", 1)),
                   store.enqueue(INSERT, ("bad\udc80", 2)), store.enqueue(INSERT, ("b", 3)),
                   store.enqueue("INSERT INTO log(who, n) VALUES ('c', 4), ('d', 3) RETURNING id", ()),
                   store.enqueue(INSERT, ("e", 5))]
        outcomes = await asyncio.gather(*futures, return_exceptions=True)
        assert isinstance(outcomes[1], sqlite3.IntegrityError)
        # the driver cannot encode it; right after a failed statement, Python's sqlite3 reports that
        # statement's error again instead of the encoding error: either way it stores nothing
        assert isinstance(outcomes[2], (UnicodeEncodeError, sqlite3.IntegrityError))
        assert isinstance(outcomes[4], sqlite3.IntegrityError)
        assert [o[0]["who"] for o in (outcomes[0], outcomes[3], outcomes[5])] == ["a", "b", "e"]
        stored = await store.fetchall("SELECT who, n FROM log ORDER BY n")
        assert [(r["who"], r["n"]) for r in stored] == [("a", 1), ("b", 3), ("e", 5)]
    finally:
        await store.close()


async def test_a_write_transaction_is_not_starved_by_a_stream_of_answers(tmp_path: Path):
    store = await _open(tmp_path)
    committed = 0
    try:
        async def member(who: int) -> None:
            nonlocal committed
            for n in range(150):
                await store.submit(INSERT, (f"m{who}", n))
                committed += 1

        members = [asyncio.create_task(member(w)) for w in range(30)]
        while committed < 300:  # the stream is flowing: the drain has work after every batch
            await asyncio.sleep(0.001)
        async with store.write() as db:
            await db.execute("INSERT INTO log(who, n) VALUES ('admin', -1)")
        at_write = committed
        await asyncio.gather(*members)
        assert at_write < 30 * 150  # the transaction got its turn while answers were still coming
        rows = await store.fetchone("SELECT COUNT(*) AS n FROM log")
        assert rows["n"] == 30 * 150 + 1
    finally:
        await store.close()


async def test_a_batch_that_fails_as_a_whole_fails_each_caller_and_the_queue_goes_on(tmp_path: Path,
                                                                                  monkeypatch: pytest.MonkeyPatch):
    store = await _open(tmp_path)
    try:
        real = storage._run_batch

        def disk_full(con, statements):
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(storage, "_run_batch", disk_full)
        outcomes = await asyncio.gather(*(store.submit(INSERT, ("m", i)) for i in range(20)), return_exceptions=True)
        assert all(isinstance(o, sqlite3.OperationalError) for o in outcomes)
        monkeypatch.setattr(storage, "_run_batch", real)
        rows = await store.submit(INSERT, ("m", 99))  # the queue was not left thinking a drain runs
        assert rows[0]["n"] == 99
        count = await store.fetchone("SELECT COUNT(*) AS n FROM log")
        assert count["n"] == 1
    finally:
        await store.close()


async def test_close_commits_what_is_still_queued(tmp_path: Path):
    store = await _open(tmp_path)
    futures = [store.enqueue(INSERT, ("m", i)) for i in range(200)]
    await store.close()
    assert all(f.done() and not f.exception() for f in futures)
    with sqlite3.connect(tmp_path / "q.db") as con:
        assert con.execute("SELECT COUNT(*) FROM log").fetchone()[0] == 200


async def test_a_drain_stopped_before_it_began_leaves_the_queue_to_the_next_one(tmp_path: Path):
    store = await _open(tmp_path)
    try:
        async with store.write():  # the drain waits for this transaction's lock
            first = store.enqueue(INSERT, ("m", 1))
            await asyncio.sleep(0)
            store._flush_task.cancel()  # a shutdown stops it while it waits
            await asyncio.sleep(0)
        second = await store.submit(INSERT, ("m", 2))
        assert (await first)[0]["n"] == 1 and second[0]["n"] == 2  # both committed, in order
    finally:
        await store.close()
