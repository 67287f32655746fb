"""How far the local open-question grader agrees with a human reader, on the labelled answer set.

The labelled set (tests/data/grading_labelled.yaml) gives, for each of 40+ questions of the shipped
bank, a good answer, the same content in the other language, a plain-words paraphrase, a partial,
a wrong, an off-topic answer, a bare term list and a negated answer. Every one is graded with
``bot.grading.grade`` and the figures below are computed from the scores:

- ordering: share of the 6 ordered pairs good > partial > wrong > off_topic (strictly greater)
  that hold, over all questions                                             target >= 0.90
- term list >= good: share of questions where the term list scores at least the good answer
                                                                            target <= 0.10
- negated >= partial: share of questions where the negated answer scores at least the partial one
                                                                            target <= 0.10
- paraphrase > partial: share of questions where the paraphrase beats the partial answer
                                                                            target >= 0.60
- zh/en parity: share of questions whose good answer and its translation are within 1 point
                                                                            target >= 0.90

    python -m bench.grading_agreement [--labelled tests/data/grading_labelled.yaml] [--bank questions]
                                      [--details]

tests/test_grading_agreement.py asserts the same targets; this script prints the figures and a
per-category mean score table for the README.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from statistics import mean

import yaml

from bot.bank import BankError, QuestionBank
from bot.grading import grade
from bot.model import Kind, Question

REPO = Path(__file__).resolve().parent.parent
LABELLED = REPO / "tests" / "data" / "grading_labelled.yaml"
BANK = REPO / "questions"

CATEGORIES = ("good", "good_translated", "paraphrase", "partial", "wrong", "off_topic", "term_list", "negated")
ORDER = ("good", "partial", "wrong", "off_topic")  # best to worst, as a human grader ranks them
ORDERED_PAIRS = tuple(combinations(ORDER, 2))  # (better, worse): 6 pairs per question


@dataclass(frozen=True)
class Target:
    name: str
    value: float
    minimum: bool  # True: the figure must be at least `value`; False: at most

    def met(self, figure: float) -> bool:
        return figure >= self.value if self.minimum else figure <= self.value

    def describe(self) -> str:
        return f"{'>=' if self.minimum else '<='} {self.value:.2f}"


TARGETS = {
    "ordering": Target("pairwise ordering good > partial > wrong > off_topic", 0.90, True),
    "term_list_ge_good": Target("term list >= good", 0.10, False),
    "negated_ge_partial": Target("negated >= partial", 0.10, False),
    "paraphrase_gt_partial": Target("paraphrase > partial", 0.60, True),
    "parity": Target("zh/en same content within 1 point", 0.90, True),
}


class LabelledSetError(Exception):
    """The labelled file is unreadable or malformed; the message names the entry and field."""


def load_labelled(path: Path = LABELLED) -> list[dict[str, str]]:
    """The labelled entries, checked for shape: an id and every category as a non-empty string."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LabelledSetError(f"{path}: cannot read: {exc}") from None
    entries = doc.get("questions") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise LabelledSetError(f"{path}: expected a mapping with a 'questions' list")
    out = []
    for i, entry in enumerate(entries, 1):
        where = f"{path.name}: entry {i} ({entry.get('id', '?') if isinstance(entry, dict) else '?'})"
        if not isinstance(entry, dict):
            raise LabelledSetError(f"{where}: must be a mapping")
        for field in ("id", *CATEGORIES):
            value = entry.get(field)
            if not isinstance(value, str) or not value.strip():
                raise LabelledSetError(f"{where}: '{field}' must be a non-empty string")
        unknown = set(entry) - {"id", *CATEGORIES}
        if unknown:
            raise LabelledSetError(f"{where}: unknown fields {sorted(unknown)}")
        out.append({k: entry[k].strip() for k in ("id", *CATEGORIES)})
    return out


def problems_with_bank(entries: list[dict[str, str]], bank: QuestionBank) -> list[str]:
    """Entries that do not name a gradable question: unknown, choice or experience questions, repeats."""
    problems, seen = [], set()
    for entry in entries:
        qid = entry["id"]
        q = bank.question(qid)
        if qid in seen:
            problems.append(f"{qid}: listed twice")
        seen.add(qid)
        if q is None:
            problems.append(f"{qid}: not in the bank")
        elif q.kind is not Kind.OPEN:
            problems.append(f"{qid}: is a {q.kind} question, not an open one")
        elif q.discussion:
            problems.append(f"{qid}: is a discussion (experience) question, graded for taking part")
    return problems


@dataclass(frozen=True)
class Scored:
    question: Question
    scores: dict[str, int]  # category -> score 0..10


def score_all(entries: list[dict[str, str]], bank: QuestionBank) -> list[Scored]:
    out = []
    for entry in entries:
        q = bank.question(entry["id"])
        if q is None:
            raise LabelledSetError(f"{entry['id']}: not in the bank")
        out.append(Scored(q, {c: grade(q, entry[c]).score for c in CATEGORIES}))
    return out


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def figures(scored: list[Scored]) -> dict[str, float]:
    pairs = [s.scores[a] > s.scores[b] for s in scored for a, b in ORDERED_PAIRS]
    return {
        "ordering": _share(pairs),
        "term_list_ge_good": _share([s.scores["term_list"] >= s.scores["good"] for s in scored]),
        "negated_ge_partial": _share([s.scores["negated"] >= s.scores["partial"] for s in scored]),
        "paraphrase_gt_partial": _share([s.scores["paraphrase"] > s.scores["partial"] for s in scored]),
        "parity": _share([abs(s.scores["good"] - s.scores["good_translated"]) <= 1 for s in scored]),
    }


def failures(scored: list[Scored]) -> dict[str, list[str]]:
    """Per figure, the question ids (with their scores) that count against it: where to look first."""
    out: dict[str, list[str]] = {k: [] for k in TARGETS}
    for s in scored:
        sc, qid = s.scores, s.question.id
        broken = [f"{a}>{b}" for a, b in ORDERED_PAIRS if not sc[a] > sc[b]]
        if broken:
            out["ordering"].append(f"{qid} ({', '.join(broken)})")
        if sc["term_list"] >= sc["good"]:
            out["term_list_ge_good"].append(f"{qid} (term_list {sc['term_list']}, good {sc['good']})")
        if sc["negated"] >= sc["partial"]:
            out["negated_ge_partial"].append(f"{qid} (negated {sc['negated']}, partial {sc['partial']})")
        if not sc["paraphrase"] > sc["partial"]:
            out["paraphrase_gt_partial"].append(f"{qid} (paraphrase {sc['paraphrase']}, partial {sc['partial']})")
        if abs(sc["good"] - sc["good_translated"]) > 1:
            out["parity"].append(f"{qid} (good {sc['good']}, translated {sc['good_translated']})")
    return out


def report(scored: list[Scored], details: bool = False) -> str:
    figs = figures(scored)
    with_points = sum(1 for s in scored if s.question.answer and s.question.key_points)
    lines = [
        f"labelled questions: {len(scored)} over {len({s.question.topic for s in scored})} topics "
        f"({with_points} with a model answer and key points in the bank)",
        "",
        f"{'figure':<55} {'value':>6}  {'target':>8}  met",
    ]
    for key, target in TARGETS.items():
        value = figs[key]
        lines.append(f"{target.name:<55} {value:>6.2f}  {target.describe():>8}  {'yes' if target.met(value) else 'NO'}")
    lines += ["", f"{'category':<16} {'mean':>5}  {'min':>3}  {'max':>3}"]
    for c in CATEGORIES:
        values = [s.scores[c] for s in scored]
        lines.append(f"{c:<16} {mean(values):>5.2f}  {min(values):>3}  {max(values):>3}")
    if details:
        for key, ids in failures(scored).items():
            if ids:
                lines += ["", f"against '{TARGETS[key].name}' ({len(ids)}):", *(f"  {i}" for i in ids)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labelled", type=Path, default=LABELLED, help="labelled answer set (YAML)")
    parser.add_argument("--bank", type=Path, default=BANK, help="questions directory")
    parser.add_argument("--details", action="store_true", help="list the questions that count against each figure")
    args = parser.parse_args(argv)
    try:
        entries = load_labelled(args.labelled)
        bank = QuestionBank.load(args.bank)
        problems = problems_with_bank(entries, bank)
        if problems:
            raise LabelledSetError("; ".join(problems))
        print(report(score_all(entries, bank), details=args.details))
    except (LabelledSetError, BankError) as exc:
        parser.exit(2, f"error: {exc}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
