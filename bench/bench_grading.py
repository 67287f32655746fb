"""CPU time of the local grader per open answer, on the labelled answer set against the real bank.

Every labelled answer (all categories) is graded repeatedly with a warm per-question cache, and the
CPU time (``time.process_time``, so other load on the machine does not count) is divided by the
number of answers graded, per pass over the set; the best pass is the figure least disturbed by
other processes sharing the cores (caches, frequency), the mean is printed beside it. Also printed: the one-off cost of preparing a question (first grade).

    python -m bench.bench_grading [--rounds 20]

What it means for the answer path: at bench.bench_answers' 3,000 answers/s one grading worker has
333 µs of a core per answer. The labelled answers are whole explanations (most of them 100-300
characters) and cost about two to three times a chat-length answer of one or two sentences, which is
what bench.bench_answers sends; that bench, not this one, holds the answer path's targets.
"""

from __future__ import annotations

import argparse
import time

from bench.grading_agreement import BANK, CATEGORIES, LABELLED, load_labelled
from bot.bank import QuestionBank
from bot.grading import LocalGrader


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="passes over the labelled answers")
    args = parser.parse_args()
    bank = QuestionBank.load(BANK)
    work = [(bank.question(e["id"]), e[c]) for e in load_labelled(LABELLED) for c in CATEGORIES]
    grader = LocalGrader()
    start = time.process_time()
    for q, _text in work:
        grader.prepared(q)
    prepare = (time.process_time() - start) / len({q.id for q, _ in work})
    passes = []
    for _ in range(args.rounds):
        start = time.process_time()
        for q, text in work:
            grader.grade(q, text)
        passes.append((time.process_time() - start) / len(work))
    best, mean = min(passes), sum(passes) / len(passes)
    print(f"answers graded: {args.rounds * len(work)} ({len(work)} distinct)")
    print(f"prepare a question (once): {prepare * 1e3:.2f} ms CPU")
    print(f"grade an answer: {best * 1e6:.0f} µs CPU best pass, {mean * 1e6:.0f} µs mean of {args.rounds} "
          f"-> {1 / best:,.0f} answers/s per core")

if __name__ == "__main__":
    main()
