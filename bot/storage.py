"""SQLite store over aiosqlite: schema, forward migrations, and every query the engine needs.

The storage rules of docs/architecture.md: WAL, ``synchronous=NORMAL``, ``foreign_keys=ON``, a busy timeout, one long-lived
writer connection whose write transactions open with ``BEGIN IMMEDIATE``, schema version in
``PRAGMA user_version``. Reads go through a second connection so a slow leaderboard never waits
behind the writer. Answers are written through a small group-commit queue: many concurrent
answers share one transaction, and each caller is only resumed after its COMMIT (so a member is
never told "received" before the answer is durable). The writer connection's thread drains that
queue batch after batch on its own; the event loop only queues writes and learns the outcomes.
For a database file, the loop commits a batch itself, on a third connection of its own thread, when it
can take SQLite's write lock at once (``_commit_here``); the thread drain is then the fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import threading
from collections.abc import Iterable
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.storage_schema import MIGRATIONS

log = logging.getLogger(__name__)

CHECKPOINT_BYTES = 4 * 1024 * 1024  # WAL size that starts a checkpoint (SQLite's default: 1,000 pages)
# ... looked at every this many commits: the WAL file keeps its size when SQLite starts writing it
# from the beginning again after a checkpoint, so its size alone would start one after every commit
CHECKPOINT_COMMITS = 100
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    # no checkpoint inside a COMMIT: copying the WAL back into the database there held every answer
    # of the next batch for up to tens of milliseconds. ``Store`` checkpoints on its own connection
    # in a thread instead, which writers do not wait for (``_maybe_checkpoint``)
    "PRAGMA wal_autocheckpoint=0",
    "PRAGMA journal_size_limit=67108864",  # a WAL that grew in a burst is cut back to 64 MB when it restarts
    # a bigger page cache (32 MB) and memory-mapped reads keep index pages of a large answer
    # history in memory: the answer inserts and board queries stop waiting on page faults
    "PRAGMA cache_size=-32768",
    "PRAGMA mmap_size=268435456",
)


class StoreUnavailable(Exception):
    """The database cannot be opened or written; the message names the file and what to do."""

    def __init__(self, path: Path, problem: str, advice: str) -> None:
        super().__init__(f"database {path}: {problem}; {advice}")
        self.path = path


RESTORE = "restore it from a backup (quizbot backup makes one) or move it away to start afresh"
PERMISSIONS = "fix the permissions so the bot's user can write the file and its directory"


def unavailable(path: Path, exc: BaseException) -> StoreUnavailable:
    """The operator's view of why SQLite refused the file: damaged, or not writable."""
    name = getattr(exc, "sqlite_errorname", "")
    message = str(exc)
    if "READONLY" in name or "readonly" in message or "read-only" in message:
        return StoreUnavailable(path, "cannot be written (read-only file or directory)", PERMISSIONS)
    if "CANTOPEN" in name or "PERM" in name or "unable to open" in message or isinstance(exc, PermissionError):
        return StoreUnavailable(path, f"cannot be opened ({message})", PERMISSIONS)
    if name in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        return StoreUnavailable(path, f"is locked ({message})", "stop the other process using it, then retry")
    return StoreUnavailable(path, f"is damaged or not a quizbot database ({message})", RESTORE)


async def _connect(path: Path) -> aiosqlite.Connection:
    # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves.
    db = await aiosqlite.connect(str(path), isolation_level=None)
    try:
        db.row_factory = sqlite3.Row
        for pragma in PRAGMAS:
            await db.execute(pragma)
    except BaseException:
        # the connection's worker thread is not a daemon: left open, it keeps the interpreter
        # alive after the error has been reported, and the command never exits
        await db.close()
        raise
    return db


def _connect_here(path: Path) -> sqlite3.Connection:
    """A connection for answer batches committed on the event loop's thread. It never waits for
    SQLite's write lock (``busy_timeout=0``): when another connection or process holds it, the batch
    goes to the writer's thread, which may wait; the loop must not."""
    con = sqlite3.connect(str(path), isolation_level=None)
    con.row_factory = sqlite3.Row
    try:
        for pragma in PRAGMAS:
            con.execute(pragma)
        con.execute("PRAGMA busy_timeout=0")
    except BaseException:
        con.close()
        raise
    return con


async def _check_writable(db: aiosqlite.Connection) -> None:
    """Write to the header inside a transaction that is rolled back: a read-only file (or a
    header SQLite only allows reading) fails here, at start-up, instead of on every event."""
    row = await (await db.execute("PRAGMA user_version")).fetchone()
    await db.execute("BEGIN IMMEDIATE")
    try:
        await db.execute(f"PRAGMA user_version={int(row[0]) if row else 0}")
    finally:
        await db.execute("ROLLBACK")


class Store:
    """The database. Open with ``await Store.open(path)``; always ``await store.close()``."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection,
                 here: sqlite3.Connection | None = None) -> None:
        self.path = path
        self.db = writer
        self.reader = reader
        self._here = here  # the loop thread's own connection for answer batches (None: the thread drain only)
        self._write_lock = asyncio.Lock()
        # the group-commit queue is shared with the writer connection's thread, which drains it
        self._queue_lock = threading.Lock()
        self._answer_queue: list[tuple[str, tuple, asyncio.Future]] = []
        self._pumping = False  # a drain of the queue is scheduled or running (under _queue_lock)
        self._writes_waiting = 0  # write() callers waiting for the lock: a drain stops for them
        self._flush_task: asyncio.Task | None = None
        self._checkpoint_task: asyncio.Task | None = None
        self._commits = 0  # since the last checkpoint
        self._wal = Path(f"{path}-wal")

    @classmethod
    async def open(cls, path: str | Path) -> Store:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            writer = await _connect(path)
        except sqlite3.Error as exc:
            raise unavailable(path, exc) from exc
        try:
            await _check_writable(writer)
            await cls._migrate(writer)
            reader = await _connect(path)
        except BaseException as exc:
            await writer.close()
            if isinstance(exc, sqlite3.Error):
                raise unavailable(path, exc) from exc
            raise
        try:
            here = _connect_here(path) if str(path) != ":memory:" else None
        except sqlite3.Error as exc:  # answers are committed by the writer's thread alone
            log.warning("database %s: no connection for answer batches on the loop (%s)", path, exc)
            here = None
        return cls(path, writer, reader, here)

    @staticmethod
    async def _migrate(db: aiosqlite.Connection) -> None:
        row = await (await db.execute("PRAGMA user_version")).fetchone()
        version = row[0] if row else 0
        if version > len(MIGRATIONS):
            raise RuntimeError(f"database schema v{version} is newer than this quizbot (v{len(MIGRATIONS)})")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            await db.execute("BEGIN IMMEDIATE")
            try:
                for statement in script.split(";\n"):
                    if statement.strip():
                        await db.execute(statement)
                await db.execute(f"PRAGMA user_version={number}")
                await db.execute("COMMIT")
            except BaseException:
                await db.execute("ROLLBACK")
                raise
            log.info("database migrated to schema v%d", number)

    async def close(self) -> None:
        while self._flush_task is not None and not self._flush_task.done():  # a drain may start the next one
            await asyncio.shield(self._flush_task)
        if self._checkpoint_task is not None:
            await asyncio.shield(self._checkpoint_task)
        if self._here is not None:
            self._here.close()
        await self.reader.close()
        await self.db.close()

    # -- transactions -------------------------------------------------------------------------

    @asynccontextmanager
    async def write(self):
        """One write transaction on the writer connection (BEGIN IMMEDIATE ... COMMIT)."""
        self._writes_waiting += 1  # the writer thread's drain of queued answers stops for us
        try:
            await self._write_lock.acquire()
        finally:
            self._writes_waiting -= 1
        try:
            # BEGIN and COMMIT run on the connection's thread whatever happens to the task awaiting
            # them: a task cancelled meanwhile (a scheduler job stopped at shutdown) waits for the
            # statement to finish, so that it can leave the connection outside a transaction;
            # otherwise every later BEGIN fails with "cannot start a transaction within a transaction"
            await self._uncancelled(self.db.execute("BEGIN IMMEDIATE"))
            try:
                yield self.db
                # inside the try: a COMMIT that fails (disk full, I/O error) must not leave the
                # transaction open, or every later BEGIN on this connection fails too
                await self._uncancelled(self.db.execute("COMMIT"))
            except BaseException:
                if self.db._conn.in_transaction:
                    await asyncio.shield(self.db.execute("ROLLBACK"))
                raise
        finally:
            self._write_lock.release()
        self._maybe_checkpoint()

    async def _uncancelled(self, statement) -> None:
        """Await a statement; if the task is cancelled meanwhile, still wait for the statement to
        finish (and, for a BEGIN that went through, roll it back) before the cancellation goes on."""
        running = asyncio.ensure_future(statement)
        try:
            await asyncio.shield(running)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await asyncio.wait({running})
                if self.db._conn.in_transaction:
                    await self.db.execute("ROLLBACK")
            raise

    async def fetchall(self, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
        return list(await self.reader.execute_fetchall(sql, tuple(params)))

    async def fetchone(self, sql: str, params: Iterable = ()) -> sqlite3.Row | None:
        rows = list(await self.reader.execute_fetchall(sql, tuple(params)))
        return rows[0] if rows else None

    # -- group commit for small hot-path writes -----------------------------------------------------------

    async def submit(self, sql: str, params: tuple) -> list[sqlite3.Row]:
        """Run one small write (an answer upsert with RETURNING, a name update) in a transaction
        shared with every other write queued meanwhile; returns its rows after the COMMIT."""
        return await self.enqueue(sql, params)

    def enqueue(self, sql: str, params: tuple) -> asyncio.Future:
        """``submit`` without waiting: the future has the rows once the shared COMMIT is done. Writes
        are committed in the order they were queued."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future = loop.create_future()
        with self._queue_lock:
            self._answer_queue.append((sql, params, fut))
            if self._pumping:  # the running drain takes it with its next batch
                return fut
            self._pumping = True
        self._flush_task = loop.create_task(self._pump())
        return fut

    async def _pump(self) -> None:
        """Commit the queue: here, on the loop, when SQLite's write lock is free (``_commit_here``);
        otherwise hand it to the writer connection's thread, which commits batch after batch until
        the queue is empty. The loop is not needed between two of those batches: at a few thousand
        answers a second, waking it to start each batch and again to learn its end cost more waiting
        than the COMMIT itself. A ``write()`` transaction waiting for the lock stops the drain after
        its current batch and goes first; the drain then starts again behind it."""
        loop = asyncio.get_running_loop()
        try:
            await self._write_lock.acquire()
        except asyncio.CancelledError:  # stopped before it began: the next enqueue starts a drain
            with self._queue_lock:
                self._pumping = False
            raise
        try:
            try:
                if self._commit_here():
                    return
                # the drain runs on the connection's thread whatever happens to this task: a task
                # cancelled meanwhile waits for it, so that the lock is never released mid-batch
                running = asyncio.ensure_future(self.db._execute(self._drain, loop))
                try:
                    more = await asyncio.shield(running)
                except asyncio.CancelledError:
                    await asyncio.wait({running})
                    if not running.cancelled() and running.exception() is None and running.result():
                        with self._queue_lock:  # it stopped with answers queued: the next enqueue restarts it
                            self._pumping = False
                    raise
            finally:
                self._write_lock.release()
        except Exception as exc:  # the drain could not run at all (a closed connection)
            self._fail_queued(exc)
            return
        if more:
            self._flush_task = loop.create_task(self._pump())

    def _commit_here(self) -> bool:
        """On the loop: commit everything queued as one batch on the loop's own connection. True when
        it is done (the queue is empty: every answer queued in this turn of the loop was in it); False
        when the database has no such connection or another connection or process holds SQLite's
        write lock (the batch is back at the head of the queue, for the writer's thread, which may
        wait for the lock).

        Why here and not on the writer's thread: a batch costs a fraction of a millisecond of SQLite
        (WAL, ``synchronous=NORMAL``: no fsync in a COMMIT), but on a thread every call into SQLite
        lets go of the GIL and must take it back from the busy event loop, and its end must wake the
        loop again; under load those waits, not SQLite, were most of an answer's time to COMMIT."""
        if self._here is None:
            return False
        batch = self._take_batch()
        if not batch:
            return True
        try:
            outcome: list[list[sqlite3.Row] | Exception] | Exception = _run_batch(
                self._here, [(q, p) for q, p, _ in batch])
        except sqlite3.OperationalError as exc:
            if _locked_elsewhere(exc):
                with self._queue_lock:
                    self._answer_queue[:0] = batch
                return False
            outcome = exc
        except Exception as exc:  # the whole batch rolled back: every caller learns it
            outcome = exc
        with self._queue_lock:
            # nothing ran on the loop meanwhile, so nothing was queued: this drain is over
            self._pumping = False
        self._settle(batch, outcome)
        return True

    def _take_batch(self) -> list[tuple[str, tuple, asyncio.Future]]:
        """Everything queued, as one batch; when nothing is, the drain is over (``_pumping`` cleared)."""
        with self._queue_lock:
            batch, self._answer_queue = self._answer_queue, []
            if not batch:
                self._pumping = False
            return batch

    def _fail_queued(self, exc: Exception) -> None:
        with self._queue_lock:
            batch, self._answer_queue = self._answer_queue, []
            self._pumping = False
        for _, _, fut in batch:
            if not fut.done():
                fut.set_exception(exc)

    def _drain(self, loop: asyncio.AbstractEventLoop) -> bool:
        """On the connection's thread: commit what is queued, batch after batch, and hand each
        batch's outcome to the loop. True when it stopped for a waiting ``write()`` with answers
        still queued (the loop starts the drain again); False when the queue is empty."""
        con = self.db._conn
        while True:
            batch = self._take_batch()
            if not batch:
                return False
            try:
                outcome: list[list[sqlite3.Row] | Exception] | Exception = _run_batch(
                    con, [(q, p) for q, p, _ in batch])
            except Exception as exc:  # the whole batch rolled back: every caller learns it
                outcome = exc
            loop.call_soon_threadsafe(self._settle, batch, outcome)
            if self._writes_waiting:
                with self._queue_lock:
                    if not self._answer_queue:
                        self._pumping = False
                        return False
                return True

    def _settle(self, batch: list[tuple[str, tuple, asyncio.Future]],
                outcome: list[list[sqlite3.Row] | Exception] | Exception) -> None:
        """On the loop: every caller of a committed (or failed) batch learns its outcome."""
        if isinstance(outcome, Exception):
            for _, _, fut in batch:
                if not fut.done():
                    fut.set_exception(outcome)
            return
        self._maybe_checkpoint()
        for (_, _, fut), rows in zip(batch, outcome, strict=True):
            if fut.done():
                continue
            if isinstance(rows, Exception):  # this statement alone failed: the others are committed
                fut.set_exception(rows)
            else:
                fut.set_result(rows)

    # -- WAL checkpoints off the write path ---------------------------------------------------------

    def _maybe_checkpoint(self) -> None:
        """Once the WAL holds about as much as SQLite's own automatic checkpoint would allow (1,000
        pages), copy it back into the database from a separate connection in a thread: a PASSIVE
        checkpoint runs beside the writer instead of inside its COMMIT. One at a time."""
        self._commits += 1
        if self._commits < CHECKPOINT_COMMITS or (self._checkpoint_task is not None
                                                  and not self._checkpoint_task.done()):
            return
        try:
            if self._wal.stat().st_size < CHECKPOINT_BYTES:
                return
        except OSError:  # no WAL file (":memory:", or just checkpointed away)
            return
        self._commits = 0
        self._checkpoint_task = asyncio.get_running_loop().create_task(self._checkpoint(), name="wal-checkpoint")

    async def _checkpoint(self) -> None:
        def run() -> None:
            con = sqlite3.connect(str(self.path), timeout=5)
            try:
                con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                con.close()

        try:
            await asyncio.to_thread(run)
        except sqlite3.Error as exc:  # the next commit tries again; the data is safe in the WAL meanwhile
            log.warning("WAL checkpoint of %s failed: %s", self.path, exc)

    # -- small shared helpers -----------------------------------------------------------------

    async def claim_update(self, key: str, now: float) -> bool:
        """True the first time a platform update key is seen; False for a duplicate delivery."""
        async with self.write() as db:
            cur = await db.execute("INSERT OR IGNORE INTO seen_updates(key, seen_at) VALUES (?, ?)", (key, now))
            # keep the table small: a day of keys is plenty to catch redeliveries
            await db.execute("DELETE FROM seen_updates WHERE seen_at < ?", (now - 86400,))
            return cur.rowcount == 1

    async def backup(self, target: str | Path) -> None:
        """Consistent online copy with SQLite's backup API (safe while the bot is writing)."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".partial")

        def run() -> None:
            # a separate plain connection: the backup API copies a consistent snapshot page by
            # page while the writer keeps committing (WAL readers never block writers)
            source = sqlite3.connect(str(self.path))
            dest = sqlite3.connect(str(tmp))
            try:
                source.backup(dest)
            finally:
                dest.close()
                source.close()

        await asyncio.to_thread(run)
        tmp.replace(target)


def _locked_elsewhere(exc: sqlite3.OperationalError) -> bool:
    """Did SQLite refuse because another connection holds the lock (BEGIN IMMEDIATE without waiting)?"""
    return getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc)


def _run_batch(con: sqlite3.Connection, statements: list[tuple[str, tuple]]) -> list[list[sqlite3.Row] | Exception]:
    """BEGIN IMMEDIATE; every statement; COMMIT — on the thread of the connection (the loop's or the writer's).

    A statement that fails (a constraint, a value the driver cannot bind, a write error SQLite
    recovered from) is reported to its caller alone, and the rest of the batch is still committed.
    No savepoint is needed for that: SQLite undoes a failed statement by itself and keeps the
    transaction and the statements before it, and a value the driver cannot bind fails before
    SQLite runs anything. Each call into SQLite lets go of the GIL and must take it back from the
    event loop, so the two savepoint statements per answer tripled the waits of a batch under
    load. When SQLite has rolled back the whole transaction (disk full, I/O), or the COMMIT fails,
    every caller of the batch learns it."""
    con.execute("BEGIN IMMEDIATE")
    results: list[list[sqlite3.Row] | Exception] = []
    try:
        for sql, params in statements:
            try:
                results.append(con.execute(sql, params).fetchall())
            except (sqlite3.Error, UnicodeError, OverflowError, ValueError, TypeError) as exc:
                if not con.in_transaction:  # SQLite rolled the whole transaction back (disk full, I/O)
                    raise
                results.append(exc)
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    return results


# one encoder for every call: json.dumps with options builds a new JSONEncoder each time
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value) -> str:
    """Compact JSON that keeps non-ASCII text as it is (answers, hits, parts)."""
    return "[]" if value == [] else _ENCODER.encode(value)
