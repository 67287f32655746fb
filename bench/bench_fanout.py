"""Question-of-the-day fan-out: N chats scheduled for the same minute, delivered through the real
python-telegram-bot client (the Telegram adapter and its flood limiter) to a loopback fake Bot API
that enforces 30 messages/s and answers 429 with retry_after beyond it.

    python -m bench.bench_fanout [--chats 10000]

Prints the achieved messages/s as a fraction of 30 (target >= 0.95), 429s received, duplicates
(must be 0), missing (must be 0) and the bot's CPU seconds per 1,000 posts.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "telegram"), str(ROOT / "tests" / "scheduler")]

from fanout import run_fanout  # noqa: E402

from bot.bank import QuestionBank  # noqa: E402
from bot.config import Settings  # noqa: E402


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=30)
    parser.add_argument("--questions", default=str(ROOT / "questions"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="quizbot-fanout-"))
    settings = Settings(db_path=tmp / "fanout.db", questions_dir=Path(args.questions))
    bank = QuestionBank.load(settings.questions_dir)
    f = await run_fanout(args.chats, settings, bank, rate=args.rate)
    print(f"{f['chats']:,} chats due in the same minute: {f['delivered']:,} delivered in {f['seconds']:.1f} s")
    print(f"achieved {f['rate']:.2f} messages/s = {f['rate'] / args.rate:.3f} of {args.rate}/s")
    print(f"429s received: {f['rejected_429']}, duplicates: {f['duplicates']}, missing: {f['missing']}")
    print(f"bot CPU: {f['cpu_per_1000']:.2f} s per 1,000 posts")


if __name__ == "__main__":
    asyncio.run(main())
