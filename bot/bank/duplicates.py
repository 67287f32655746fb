"""``quizbot questions duplicates``: candidate near-duplicate questions, for a maintainer to check.

Prompts are normalised (NFKC, case folded, punctuation, whitespace and filler words such as 请/简述/
一下 removed) and compared two ways: the Jaccard similarity of their character bigrams, and
difflib's ratio. A pair is listed when either reaches the threshold. By default only pairs in
different topics are listed (duplicates within a topic are the importer's business); ``--within``
lists those too. Choice questions are compared with choice questions and open with open.

The tool only lists; merging is a curation decision (the kept entry lists every source and the
removed id in ``merged_ids``).
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import unicodedata
from dataclasses import dataclass
from itertools import combinations

from bot.model import Question

_FILLER = re.compile(r"请|简述|简要|介绍一下|说一下|讲一下|谈谈|一下|什么是|是什么|有哪些|哪些|吗|呢|的|了")
_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def normalise(prompt: str) -> str:
    text = unicodedata.normalize("NFKC", prompt).casefold()
    text = _FILLER.sub("", text)
    return _NOISE.sub("", text)


def bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


@dataclass(frozen=True)
class Pair:
    a: Question
    b: Question
    jaccard: float
    ratio: float

    @property
    def score(self) -> float:
        return max(self.jaccard, self.ratio)


def candidates(questions: list[Question], threshold: float = 0.6, within: bool = False) -> list[Pair]:
    """Pairs of questions whose normalised prompts are at least ``threshold`` similar, best first."""
    prepared = [(q, normalise(q.prompt)) for q in questions]
    grams = {q.id: bigrams(n) for q, n in prepared}
    out = []
    for (qa, na), (qb, nb) in combinations(prepared, 2):
        if qa.kind is not qb.kind or (qa.topic == qb.topic and not within):
            continue
        j = jaccard(grams[qa.id], grams[qb.id])
        if j < threshold / 2:  # cheap filter: the ratio rarely reaches the threshold from here
            continue
        r = difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio()
        if max(j, r) >= threshold:
            out.append(Pair(qa, qb, j, r))
    return sorted(out, key=lambda p: (-p.score, p.a.id, p.b.id))


def cmd_duplicates(args: argparse.Namespace) -> int:
    from bot.bank.cli import _bank_dir
    from bot.bank.loader import BankError, QuestionBank

    try:
        bank = QuestionBank.load(_bank_dir(args, args.path))
    except BankError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    pairs = candidates(bank.all_questions(), args.threshold, args.within)
    for p in pairs:
        print(f"{p.score:.2f} (jaccard {p.jaccard:.2f}, ratio {p.ratio:.2f})  {p.a.kind.value}")
        for q in (p.a, p.b):
            answered = "answered" if q.answer else "discussion" if q.is_discussion else "choice"
            print(f"    {q.id} [{q.topic}, {answered}]: {q.prompt}")
    print(f"{len(pairs)} candidate pair(s) at threshold {args.threshold}"
          + ("" if args.within else " across topics"))
    return 0


def register(qsub) -> None:
    d = qsub.add_parser("duplicates", help="candidate near-duplicate questions (normalised prompt similarity)")
    d.add_argument("path", nargs="?", metavar="PATH", help="bank directory")
    d.add_argument("--threshold", type=float, default=0.6, help="similarity from 0 to 1 (default 0.6)")
    d.add_argument("--within", action="store_true", help="also pairs within one topic")
    d.set_defaults(func=cmd_duplicates)
