"""The review queue at scale: "next due card" and recording a review on a database of 5 M cards.

Fills a fresh SQLite file with 10,000 members holding 500 cards each (5,000,000 cards: every
non-discussion question of the shipped bank up to 500, with states, stabilities and due times
spread over the past month and the next half year, plus a 30-day review log of 20 reviews per
member), then measures through the real code:
  (a) p50/p99 of "next due card" (``ReviewStore.next_due``: the first entry of the (member, due)
      index) for random members, and of a whole ``/review`` (the engine's handle: next due card,
      the card shown is stored, the question built);
  (b) p50/p99 of recording a review (``ReviewCards.record`` in a write transaction: member id,
      card read, FSRS update, card upsert, review-log insert, COMMIT);
  (c) the database size per million cards, and the start-up pass that drops cards of questions
      no longer in the bank.

    python -m bench.bench_review [--members 10000] [--cards 500] [--samples 2000] [--keep PATH]

Targets (2-core machine): next due card p99 <= 10 ms, recording a review p99 <= 20 ms. The build
uses plain sqlite3 with executemany in large transactions and creates the (member, due) index
after the load; at full size it takes a minute or two.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from bot.bank import QuestionBank
from bot.config import Settings
from bot.engine import QuizEngine
from bot.events import Command
from bot.model import ChatRef, UserRef
from bot.review.store import ReviewStore
from bot.storage import Store

ROOT = Path(__file__).resolve().parent.parent
DAY = 86400.0
BATCH_MEMBERS = 200  # members per executemany batch (100,000 cards at 500 each)
LOG_PER_MEMBER = 20


def fill(path: Path, question_ids: list[str], members: int, cards: int, now: float) -> float:
    """Bulk-load members, cards and a review log; returns the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(1)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")  # a throwaway file: the load is not what is measured
    index_sql = con.execute("SELECT sql FROM sqlite_master WHERE name = 'review_cards_due'").fetchone()[0]
    con.execute("DROP INDEX review_cards_due")  # built once after the load (same definition)
    con.execute("BEGIN")
    con.executemany("INSERT INTO review_members(id, user_key) VALUES (?, ?)",
                    [(m + 1, f"bench:u{m}") for m in range(members)])
    con.execute("COMMIT")
    ids = sorted(question_ids)[:cards]
    for first in range(0, members, BATCH_MEMBERS):
        rows, log = [], []
        for m in range(first + 1, min(members, first + BATCH_MEMBERS) + 1):
            for qid in ids:
                state = rng.choices((1, 2, 3), (1, 8, 1))[0]
                stability = rng.uniform(0.5, 120.0)
                last = now - rng.uniform(0, 30 * DAY)
                due = last + (600 if state != 2 else stability * DAY)
                rows.append((m, qid, state, 0 if state != 2 else None, stability, rng.uniform(1, 10), due, last))
            for _ in range(LOG_PER_MEMBER):
                log.append((m, rng.choice(ids), rng.choice((1, 3, 3, 3, 4)), rng.randint(0, 10),
                            rng.choice((1, 2, 2, 3)), now - rng.uniform(0, 30 * DAY), rng.randint(5_000, 90_000),
                            "daily"))
        con.execute("BEGIN")
        con.executemany("INSERT INTO review_cards(member_id, question_id, state, step, stability, difficulty, due,"
                        " last_review) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.executemany("INSERT INTO review_log(member_id, question_id, rating, score, state_before, reviewed_at,"
                        " duration_ms, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", log)
        con.execute("COMMIT")
    con.execute(index_sql)
    con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return time.perf_counter() - started


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def show(label: str, samples: list[float], target: float | None = None) -> None:
    p50, p99 = pct(samples, 50), pct(samples, 99)
    verdict = "" if target is None else ("  ok" if p99 <= target else f"  OVER the {target:g} ms target")
    print(f"{label:<44} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   (n={len(samples)}){verdict}")


def table_sizes(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        rows = con.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    except sqlite3.OperationalError:  # SQLite built without the dbstat table
        rows = []
    con.close()
    return dict(rows)


async def measure(path: Path, bank: QuestionBank, members: int, samples: int, now: float) -> None:
    store = await Store.open(path)
    try:
        settings = Settings(db_path=path, questions_dir=ROOT / "questions", default_lang="en")
        engine = QuizEngine(store, bank, settings, clock=lambda: now, rng=random.Random(2))
        queue = ReviewStore(store)
        rng = random.Random(3)
        pool = [q for q in bank.by_id.values() if not q.is_discussion]

        await queue.next_due(1)  # warm the connection
        lookups = []
        for _ in range(samples):
            member = rng.randint(1, members)
            t = time.perf_counter()
            await queue.next_due(member)
            lookups.append(time.perf_counter() - t)
        show("next due card (ReviewStore.next_due)", lookups, 10)

        reviews = []
        for _ in range(samples):
            m = rng.randrange(members)
            question = rng.choice(pool)
            t = time.perf_counter()
            async with store.write() as db:
                await engine.review_cards.record(db, f"bench:u{m}", question, rng.randint(0, 10), now, 42.0, "review")
            reviews.append(time.perf_counter() - t)
        show("recording a review (FSRS + upsert + log)", reviews, 20)

        starts = []
        for _ in range(min(samples, 500)):
            m = rng.randrange(members)
            chat = ChatRef("bench", f"u{m}", private=True)
            t = time.perf_counter()
            await engine.handle(Command(chat, UserRef("bench", f"u{m}", f"member {m}"), name="review"))
            starts.append(time.perf_counter() - t)
        show("/review through the engine (next card shown)", starts)

        # the start-up clean-up runs in the background in chunks; answers recorded meanwhile wait
        # at most one chunk's transaction
        t = time.perf_counter()
        cleanup = asyncio.create_task(engine.review.drop_removed())
        during = []
        while not cleanup.done():
            m = rng.randrange(members)
            s = time.perf_counter()
            async with store.write() as db:
                await engine.review_cards.record(db, f"bench:u{m}", rng.choice(pool), 5, now, 42.0, "review")
            during.append(time.perf_counter() - s)
            await asyncio.sleep(0.01)
        print(f"start-up clean-up of removed questions' cards: {time.perf_counter() - t:.2f} s in the background "
              f"({cleanup.result()} dropped)")
        show("recording a review during the clean-up", during)
    finally:
        await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--cards", type=int, default=500, help="cards per member (at most the bank's questions)")
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--keep", type=Path, help="build the database here and keep it")
    args = parser.parse_args()
    bank = QuestionBank.load(ROOT / "questions")
    ids = [q.id for q in bank.by_id.values() if not q.is_discussion]
    cards = min(args.cards, len(ids))
    now = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "review.db"
        store = await Store.open(path)  # the real schema, by the migrations
        await store.close()
        total = args.members * cards
        print(f"building {args.members:,} members x {cards} cards = {total:,} cards ...", flush=True)
        print(f"built in {fill(path, ids, args.members, cards, now):.1f} s")
        size = os.path.getsize(path)
        sizes = table_sizes(path)
        per_million = size / total * 1_000_000
        print(f"database {size / 2**20:,.0f} MiB: {per_million / 2**20:.1f} MiB per million cards"
              + (f" (cards {sizes.get('review_cards', 0) / total * 1e6 / 2**20:.1f} + due index "
                 f"{sizes.get('review_cards_due', 0) / total * 1e6 / 2**20:.1f} MiB per million)" if sizes else ""))
        await measure(path, bank, args.members, args.samples, now)
        print(f"(python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    asyncio.run(main())
