"""Answer throughput and leaderboard latency on a realistically full database.

Fills a fresh SQLite file with 10,000 members and 1,000,000 answers (and their scores) across 100
chats, then measures through the real engine:
  (a) graded answers per second with 100 concurrent submitters, and p50/p99 latency per answer
      (each answer is graded, committed, then acknowledged — the same path a chat message takes);
  (b) p50/p99 of /leaderboard (week and all time) for the busiest chat.

    python -m bench.bench_answers [--answers 1000000] [--members 10000] [--chats 100] [--submit 20000]

Targets (2-core machine): >= 3,000 answers/s, answer p99 <= 20 ms, leaderboard p99 <= 20 ms.
Throughput is measured flat out (each submitter sends its next answer as soon as the last one was
acknowledged); latency is reported both flat out and with the same 100 submitters paced to the
3,000 answers/s target, since with 100 submitters always waiting, Little's law ties the flat-out
latency to 100 / throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bot.bank import QuestionBank
from bot.config import Settings
from bot.engine import QuizEngine
from bot.events import Command, TextAnswer
from bot.model import ChatRef, RoundKind, UserRef
from bot.runtime import freeze_startup_objects
from bot.storage import Store

ROOT = Path(__file__).resolve().parent.parent


def fill(path: Path, bank: QuestionBank, members: int, answers: int, chats: int, now: float) -> str:
    """Bulk-load history with plain sqlite3 (one transaction). Chat 0 is the busiest (Zipf-ish)."""
    rng = random.Random(1)
    questions = [q for q in bank.all_questions() if q.kind.value == "open"]
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("BEGIN")
    con.executemany("INSERT INTO chats(key, platform, private, title, lang, tz, created_at) VALUES (?,?,?,?,?,?,?)",
                    [(f"bench:{c}", "bench", 0, f"chat {c}", "en", "Asia/Shanghai", now) for c in range(chats)])
    con.executemany("INSERT INTO users(key, name, updated_at) VALUES (?,?,?)",
                    [(f"bench:u{u}", f"member {u}", now) for u in range(members)])
    per_round = 25
    rounds = answers // per_round
    weights = [1 / (c + 1) for c in range(chats)]
    chat_of_round = rng.choices(range(chats), weights=weights, k=rounds)
    round_rows, answer_rows, score_rows = [], [], []
    for r in range(rounds):
        chat = chat_of_round[r]
        q = questions[r % len(questions)]
        opened = now - rng.uniform(0, 365 * 86400)
        round_rows.append((r + 1, f"bench:{chat}", q.id, q.topic, "daily", "closed", None, opened, opened + 3600,
                           opened + 3600, None, 1, None, 0))
        # members of a chat: a slice of the member list, so each chat has its own regulars
        base = (chat * 997) % members
        for offset in rng.sample(range(400), per_round):  # distinct members: one answer each per round
            user = f"bench:u{(base + offset) % members}"
            score = rng.randrange(11)
            day = time.strftime("%Y-%m-%d", time.gmtime(opened))
            answer_rows.append((r + 1, user, f"bench:{chat}", "", "answer", None, score, "[]", opened, opened,
                                day, q.topic, 0))
            score_rows.append((r + 1, user, f"bench:{chat}", score, q.topic, opened + 3600))
    # columns named: later migrations add columns (with defaults) that this history does not fill
    con.executemany("INSERT INTO rounds(id, chat_key, question_id, topic, kind, status, started_by, opened_at,"
                    " closes_at, closed_at, session_id, seq, local_date, skipped)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", round_rows)
    con.executemany("INSERT INTO answers(round_id, user_key, chat_key, user_name, text, choice, score, hits,"
                    " submitted_at, updated_at, local_date, topic, revisions)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", answer_rows)
    con.executemany("INSERT INTO scores(round_id, user_key, chat_key, score, topic, scored_at)"
                    " VALUES (?,?,?,?,?,?)", score_rows)
    con.execute("INSERT INTO totals SELECT chat_key, user_key, SUM(score), COUNT(*) FROM scores"
                " GROUP BY chat_key, user_key")
    con.execute("COMMIT")
    n = con.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    con.execute("ANALYZE")
    con.close()
    return f"{n:,} answers in {rounds:,} rounds"


def _workers(value: str) -> str:
    if value != "auto" and not value.isdigit():
        raise argparse.ArgumentTypeError("expected auto or a number of worker processes")
    return value


def children_cpu(pids: list[int]) -> float:
    """CPU seconds used so far by the grading worker processes (Linux /proc; 0 elsewhere)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return total


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--submit", type=int, default=20_000, help="answers to submit in the timed run")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--questions", default=str(ROOT / "questions"))
    parser.add_argument("--grading-workers", default="auto", type=_workers,
                        help="grading worker processes: auto (as the bot does), a number, 0 = on the event loop")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="quizbot-bench-"))
    settings = Settings(db_path=tmp / "bench.db", questions_dir=Path(args.questions))
    bank = QuestionBank.load(settings.questions_dir)
    store = await Store.open(settings.db_path)
    await store.close()
    now = time.time()
    t = time.perf_counter()
    summary = fill(settings.db_path, bank, args.members, args.answers, args.chats, now)
    print(f"filled {summary} for {args.members:,} members in {args.chats} chats ({time.perf_counter() - t:.1f} s)")

    store = await Store.open(settings.db_path)
    settings = replace(settings, grading_workers=args.grading_workers)
    engine = QuizEngine(store, bank, settings)
    worker = await engine.start_grading()  # as ``quizbot run`` does
    where = f"in {engine.grading.running} worker process(es)" if worker else "on the event loop"
    print(f"grading: {where} (grading.workers: {args.grading_workers})")
    chats = [ChatRef("bench", str(c)) for c in range(args.chats)]
    graded = [q for q in bank.all_questions() if q.kind.value == "open" and q.key_points]
    for i, chat in enumerate(chats):  # an open question of the day in every chat
        await engine.chat_settings(chat)
        await engine.rounds.create(chat.key, graded[i % len(graded)], RoundKind.DAILY, None, now, now + 86400)

    texts = [kp.text for q in bank.all_questions() for kp in q.key_points] or ["answer"]
    freeze_startup_objects()  # as ``quizbot run`` does once it has started
    rng = random.Random(2)
    latencies: list[float] = []
    acks = 0
    per_worker = args.submit // args.concurrency

    async def submitter(w: int) -> None:
        nonlocal acks
        for i in range(per_worker):
            chat = chats[(w * per_worker + i) % len(chats)]
            uid = rng.randrange(args.members)
            user = UserRef("bench", f"u{uid}", f"member {uid}")
            text = "，".join(rng.sample(texts, k=min(3, len(texts)))) + " 以及一些解释"
            start = time.perf_counter()
            replies = await engine.handle(TextAnswer(chat, user, text=text))
            latencies.append(time.perf_counter() - start)
            acks += replies[0].kind.value == "ack"

    pids = engine.grading.pids()
    cpu, wall, wcpu = time.process_time(), time.perf_counter(), children_cpu(pids)
    await asyncio.gather(*(submitter(w) for w in range(args.concurrency)))
    wall, cpu, wcpu = time.perf_counter() - wall, time.process_time() - cpu, children_cpu(pids) - wcpu
    print(f"(a) {len(latencies):,} answers from {args.concurrency} concurrent submitters: "
          f"{len(latencies) / wall:,.0f} answers/s (acknowledged {acks:,}; CPU {cpu:.1f} s in the bot process"
          f" + {wcpu:.1f} s in grading workers over {wall:.1f} s: "
          f"{(cpu + wcpu) / max(1, len(latencies)) * 1e6:.0f} µs per answer)")
    print(f"    latency per answer: p50 {pct(latencies, 0.5):.1f} ms, p99 {pct(latencies, 0.99):.1f} ms")

    # the same submitters, paced to the 3,000 answers/s target (open loop): latency at that load
    rate = 3000
    paced: list[float] = []

    async def paced_submitter(w: int) -> None:
        interval = args.concurrency / rate
        start_at = time.perf_counter() + w * interval / args.concurrency
        for i in range(per_worker):
            delay = start_at + i * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            chat = chats[(w * per_worker + i) % len(chats)]
            uid = rng.randrange(args.members)
            text = "，".join(rng.sample(texts, k=min(3, len(texts)))) + " 再补充一点"
            t0 = time.perf_counter()
            await engine.handle(TextAnswer(chat, UserRef("bench", f"u{uid}", f"member {uid}"), text=text))
            paced.append(time.perf_counter() - t0)

    wall = time.perf_counter()
    await asyncio.gather(*(paced_submitter(w) for w in range(args.concurrency)))
    wall = time.perf_counter() - wall
    print(f"    paced at {rate:,}/s offered: {len(paced) / wall:,.0f} answers/s, "
          f"latency p50 {pct(paced, 0.5):.1f} ms, p99 {pct(paced, 0.99):.1f} ms")

    busiest = await store.fetchone("SELECT chat_key, COUNT(*) AS n FROM scores GROUP BY chat_key ORDER BY n DESC LIMIT 1")
    chat = ChatRef(*busiest["chat_key"].split(":", 1))
    admin = UserRef("bench", "admin", "admin")
    for period in ("week", "month", "all"):
        samples = []
        for _ in range(200):
            start = time.perf_counter()
            await engine.handle(Command(chat, admin, name="leaderboard", args=(period,)))
            samples.append(time.perf_counter() - start)
        print(f"(b) /leaderboard {period} for the busiest chat ({busiest['n']:,} scores): "
              f"p50 {pct(samples, 0.5):.1f} ms, p99 {pct(samples, 0.99):.1f} ms")
    await engine.stop_grading()
    await store.close()
    print(f"database: {settings.db_path.stat().st_size / 1e6:.0f} MB at {tmp}")


if __name__ == "__main__":
    asyncio.run(main())
