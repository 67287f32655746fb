"""How long ``quizbot questions validate`` and ``QuestionBank.load`` take on hostile topic files.

Each file is written into its own temporary bank directory; the script prints, per file, the wall time
of ``validate`` and of ``QuestionBank.load`` (best of ``--repeat``) and the one-line error they give,
then the same for the shipped bank.

    python -m bench.bench_bank_hostile [--repeat 3] [--questions questions]

Target: every hostile file is refused within 2 s (in practice a few milliseconds, except the files near
the size and value limits).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.bank import BankError, QuestionBank
from bot.bank.reader import MAX_BYTES, MAX_NODES
from bot.bank.validate import validate


def _bomb() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _files() -> dict[str, Callable[[Path], None]]:
    def text(content: str) -> Callable[[Path], None]:
        return lambda p: p.write_text(content, encoding="utf-8")

    def sparse(size: int) -> Callable[[Path], None]:
        def make(p: Path) -> None:
            with open(p, "wb") as fh:
                fh.truncate(size)
        return make

    return {
        "billion laughs": text(_bomb()),
        "5,000-deep flow nesting": text("[" * 5000 + "]" * 5000),
        "5,000-deep block nesting": text("- " * 5000 + "x\n"),
        "1,300-deep mapping nesting": text("".join(" " * i + "k:\n" for i in range(1300))),
        f"{MAX_NODES + 10_000:,} flat values": text("- 1\n" * (MAX_NODES + 10_000)),
        "flat values just under 1 MB": text("- 1\n" * (MAX_BYTES // 4 - 10)),
        "binary garbage (1 MB)": lambda p: p.write_bytes(os.urandom(MAX_BYTES)),
        "50 MB file": sparse(50_000_000),
        "directory named x.yaml": lambda p: p.mkdir(),
        "recursive alias": text("topic: &a [*a]\n"),
        "4,000 questions (valid, big)": text("topic: x\ntitle: {zh: x, en: x}\nquestions:\n" + "".join(
            f"  - {{id: x-{i}, prompt: 问题{i}？, answer: 答案, answer_origin: written}}\n" for i in range(4000))),
    }


def _best(fn: Callable[[], object], repeat: int) -> tuple[float, str]:
    best, outcome = float("inf"), ""
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            result = fn()
            outcome = ("; ".join(str(p) for p in result) or "no problems") if isinstance(result, list) else "loaded"
        except BankError as exc:
            outcome = str(exc)
        best = min(best, time.perf_counter() - start)
    return best, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--questions", default="questions", help="the shipped bank, timed last")
    args = parser.parse_args()
    print(f"{'file':<30} {'validate':>10} {'load':>10}  error")
    with tempfile.TemporaryDirectory() as tmp:
        for i, (label, make) in enumerate(_files().items()):
            bank = Path(tmp) / f"bank{i}"
            bank.mkdir()
            path = bank / "x.yaml"
            make(path)
            v_time, v_out = _best(lambda bank=bank: validate(bank), args.repeat)
            l_time, _ = _best(lambda bank=bank: QuestionBank.load(bank), args.repeat)
            print(f"{label:<30} {v_time * 1000:>8.1f}ms {l_time * 1000:>8.1f}ms  {v_out.replace(str(bank) + '/', '')}")
    if Path(args.questions).is_dir():
        v_time, v_out = _best(lambda: [p for p in validate(args.questions) if p.is_error], args.repeat)
        l_time, _ = _best(lambda: QuestionBank.load(args.questions), args.repeat)
        print(f"{'shipped bank ' + args.questions:<30} {v_time * 1000:>8.1f}ms {l_time * 1000:>8.1f}ms  "
              f"{v_out or 'no errors'}")


if __name__ == "__main__":
    main()
