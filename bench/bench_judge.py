"""LLM judge throughput through the real engine, against a loopback fake OpenAI-compatible server.

Scenario: 200 chats (console platform), each running back-to-back on-demand rounds of 120 s with a
question from the shipped bank; 2,000 answers arrive at random moments over 10 minutes (a fifth of
them repeat an answer already given to the same question, as copied answers and common phrasings
do). The fake answers after 800 ms and allows 120 requests per minute (a sliding 60-second window;
beyond it 429 with Retry-After). The judge is configured as an operator would for that provider:
118 requests/minute (a small margin below the provider's limit), concurrency 4, reveal wait 10 s.
Answers go through ``engine.handle`` (graded locally, committed, acknowledged, queued for the
judge); a ticker reveals rounds as their window ends, as ``bot.runtime`` does.

Printed: answers judged per minute as a fraction of the 120/min limit (target >= 0.95), the share
of answers judged before their reveal, HTTP calls per distinct answer judged (target 1.0), 429s
received, acknowledgement latency (it must not depend on the model), and the memory added.

Time: ``--speed K`` (default 10) runs the 10 minutes in 10/K minutes. Every duration is divided
by K together: the engine's clock runs K times faster than the wall clock (virtual seconds), and
the fake's latency (0.8/K s), its rate-limit window (60/K s), the judge's request spacing
(configured at 118*K per real minute = 118 per virtual minute), the reveal wait (10/K s) and the
round windows all shrink by K. So the limiter and the latency behave exactly as in real time
relative to the engine's clock; only Python's own CPU time is not scaled, which makes a faster
run a harder test, not an easier one. ``--speed 1`` runs the real 10 minutes.

Memory: the process's resident set size (VmRSS, VmHWM) just before the judge is built (bank,
database and fake server already loaded) and its peak during the run; the difference includes
the openai/httpx import, the queue, the tasks and SQLite's cache growth, so it is an upper bound.

    python -m bench.bench_judge [--speed 10] [--answers 2000] [--chats 200] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "llm"))

from fake_openai import MODEL, FakeOpenAI  # noqa: E402

from bot.bank import QuestionBank  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.engine import QuizEngine  # noqa: E402
from bot.events import TextAnswer  # noqa: E402
from bot.judge.cache import answer_hash  # noqa: E402
from bot.model import ChatRef, Kind, RoundKind, UserRef  # noqa: E402
from bot.replies import Reply, ReplyKind  # noqa: E402
from bot.storage import Store  # noqa: E402

MINUTES = 10.0
WINDOW = 120.0  # seconds of a round
LATENCY = 0.8
LIMIT = 120  # requests per 60 s at the provider
CONFIGURED_RPM = 118
REVEAL_WAIT = 10.0
REPEAT_SHARE = 0.2
T0 = 1_795_003_200.0


def rss_kb() -> tuple[int, int]:
    """(current, peak) resident set size of this process in kB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields.get("VmRSS", 0), fields.get("VmHWM", 0)


class Reveals:
    """The console messenger of the bench: counts the reveals pushed."""

    def __init__(self) -> None:
        self.count = 0

    async def send(self, reply: Reply) -> None:
        if reply.kind is ReplyKind.REVEAL:
            self.count += 1


def answer_text(rng: random.Random, question, n: int) -> str:
    points = [kp.text for kp in question.key_points]
    chosen = rng.sample(points, k=rng.randint(1, len(points)))
    return f"我认为主要是{'，并且'.join(chosen)}，因为训练时会这样（{n}）。"


async def run(args: argparse.Namespace) -> None:
    k = args.speed
    rng = random.Random(args.seed)
    # one warning per round revealed before all its answers were judged is expected under overload
    logging.getLogger("bot.judge.background").setLevel(logging.ERROR)
    bank = QuestionBank.load(ROOT / "questions")
    pool = [q for q in bank.by_id.values() if q.kind is Kind.OPEN and q.key_points and not q.is_discussion]
    tmp = Path(tempfile.mkdtemp(prefix="bench-judge-"))
    loop = asyncio.get_running_loop()
    start = loop.time()

    def clock() -> float:  # the engine's clock: virtual seconds, K times the wall clock
        return T0 + (loop.time() - start) * k

    fake = FakeOpenAI(latency=LATENCY / k, rpm_limit=LIMIT, window=60.0 / k, clock=loop.time)
    await fake.start()
    settings = Settings(db_path=tmp / "bench.db", questions_dir=ROOT / "questions", default_lang="zh",
                        llm_base_url=fake.base_url, llm_model=MODEL, llm_api_key="bench-key-not-secret",
                        llm_timeout=20.0 / k, llm_concurrency=4, llm_requests_per_minute=CONFIGURED_RPM * k,
                        llm_daily_budget=0, llm_reveal_wait=REVEAL_WAIT / k)
    store = await Store.open(settings.db_path)
    rss_before, _ = rss_kb()
    engine = QuizEngine(store, bank, settings, clock=clock, rng=random.Random(args.seed))
    messenger = Reveals()
    engine.add_messenger("console", messenger)
    await engine.start_judging()

    # the rounds: per chat, back-to-back windows of 120 s from a random offset, covering 0..10 min
    windows: dict[int, list[tuple[float, float, int]]] = {}
    questions_of: dict[int, object] = {}
    for c in range(args.chats):
        chat_key = f"console:bench{c}"
        await engine.chat_settings(ChatRef("console", f"bench{c}", private=False))  # the chat row
        offset = rng.uniform(0, WINDOW)
        t = offset - WINDOW
        while t < MINUTES * 60:
            q = rng.choice(pool)
            rnd = await engine.rounds.create(chat_key, q, RoundKind.QUIZ, None, T0, T0 + max(t + WINDOW, 1.0))
            assert rnd is not None
            windows.setdefault(c, []).append((t, t + WINDOW, rnd.id))
            questions_of[rnd.id] = q
            t += WINDOW
    # the answers: a random chat and moment each; a fifth repeat an earlier answer to that question
    given: dict[str, list[str]] = {}
    arrivals = []
    for n in range(args.answers):
        c = rng.randrange(args.chats)
        at = rng.uniform(0, MINUTES * 60)
        _, _, round_id = next(w for w in windows[c] if w[0] <= at < w[1])
        q = questions_of[round_id]
        earlier = given.get(q.id)
        text = rng.choice(earlier) if earlier and rng.random() < REPEAT_SHARE else answer_text(rng, q, n)
        given.setdefault(q.id, []).append(text)
        arrivals.append((at, c, round_id, text, n))
    arrivals.sort()

    acks: list[float] = []
    peak = [0]

    async def deliver(at: float, c: int, round_id: int, text: str, n: int) -> None:
        chat = ChatRef("console", f"bench{c}", private=False)
        user = UserRef("console", f"m{n}", f"member {n}")
        sent = loop.time()
        replies = await engine.handle(TextAnswer(chat, user, text=text, round_id=round_id))
        if replies and replies[0].kind is ReplyKind.ACK:
            acks.append((loop.time() - sent) * 1000)

    async def ticker(stop: asyncio.Event) -> None:
        while not stop.is_set():
            await engine.expire_due()
            peak[0] = max(peak[0], rss_kb()[1])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0 / k)

    stop = asyncio.Event()
    tick = asyncio.create_task(ticker(stop))
    tasks = []
    wall = time.monotonic()
    for at, c, round_id, text, n in arrivals:
        delay = start + at / k - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(deliver(at, c, round_id, text, n)))
    await asyncio.gather(*tasks)
    last_close = max(w[1] for ws in windows.values() for w in ws)
    while clock() < T0 + last_close + REVEAL_WAIT + 2:
        await asyncio.sleep(0.5 / k)
    while await store.fetchone("SELECT 1 FROM rounds WHERE status = 'open' LIMIT 1"):
        await asyncio.sleep(0.5 / k)
    stop.set()
    await tick
    wall = time.monotonic() - wall

    states = {r["judge_state"]: r["n"] for r in await store.fetchall(
        "SELECT judge_state, COUNT(*) AS n FROM answers GROUP BY judge_state")}
    rows = await store.fetchall("SELECT a.text, r.question_id FROM answers a JOIN rounds r ON r.id = a.round_id")
    distinct_all = len({(r["question_id"], answer_hash(r["text"])) for r in rows})
    cached = (await store.fetchone("SELECT COUNT(*) AS n FROM judge_cache"))["n"]
    total = sum(states.values())
    judged_before = states.get("done", 0)
    served = fake.served
    judged_in_arrival = engine.judgements.judged  # answers whose judgement was written (cache hits included)
    await engine.stop_judging()
    await store.close()
    await fake.stop()
    _, hwm = rss_kb()
    acks.sort()

    def pct(p: float) -> float:
        return acks[min(len(acks) - 1, int(p * len(acks)))] if acks else float("nan")

    print(f"bench_judge: {total} answers in {args.chats} chats over {MINUTES:g} min (virtual), "
          f"{len(windows) and sum(len(w) for w in windows.values())} rounds of {WINDOW:g} s; speed x{k:g} "
          f"({wall:.0f} s of wall time)")
    print(f"  fake provider: {LATENCY * 1000:.0f} ms latency, {LIMIT} requests/min; judge configured at "
          f"{CONFIGURED_RPM}/min, concurrency 4, reveal wait {REVEAL_WAIT:g} s")
    print(f"  judgements served by the model: {served} (+{fake.limited} answered 429)")
    span = (fake.served_at[-1] - fake.served_at[0]) * k / 60 if served > 1 else float("nan")
    rate = (served - 1) / span if served > 1 else 0.0
    print(f"  judged answers per minute while judging (first to last judgement, {span:.1f} virtual min): "
          f"{rate:.1f} = {rate / LIMIT:.3f} of the {LIMIT}/min limit")
    print(f"  answers judged before their reveal: {judged_before}/{total} = {judged_before / total:.3f} "
          f"(local grade at the reveal: {states.get('failed', 0)}); written judgements incl. cache hits: "
          f"{judged_in_arrival}")
    print(f"  distinct answers: {distinct_all}; judged distinct answers (cache rows): {cached}; "
          f"HTTP calls per judged distinct answer: {len(fake.requests) / max(cached, 1):.3f}")
    print(f"  acknowledgement latency: p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, max {acks[-1]:.1f} ms")
    print(f"  memory: RSS {rss_before / 1024:.1f} MB before the judge was built, peak {max(peak[0], hwm) / 1024:.1f} MB"
          f" -> added at most {(max(peak[0], hwm) - rss_before) / 1024:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--speed", type=float, default=10.0, help="time compression factor (1 = real time)")
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
