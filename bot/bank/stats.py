"""``quizbot questions stats``: what the bank holds and how well its choice questions are balanced.

Per topic: open questions answered (by origin: taken from the notes, notes corrected, written for
the bank) and discussion questions; choice questions. Then the choice-bank balance figures the bank
is held to (``tests/test_bank_balance.py``):

- how often the correct option is the strictly longest one (a candidate who always picks the
  longest option should not do well);
- where the correct option sits in the bank (options are shuffled when posted, but a skewed bank
  still shows careless writing);
- how many prompts refer to the notes (笔记/面经/本节/原文) rather than asking about the subject.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bot.model import Kind, Question

NOTES_WORDS = re.compile(r"笔记|面经|本节|原文")


def strictly_longest(q: Question) -> bool:
    """Whether a choice question's (first) correct option is longer than every other option."""
    lengths = [len(o) for o in q.options]
    right = lengths[q.correct[0]]
    return all(right > n for i, n in enumerate(lengths) if i != q.correct[0])


def mentions_notes(q: Question) -> bool:
    return bool(NOTES_WORDS.search(q.prompt))


@dataclass(frozen=True)
class OpenCounts:
    total: int
    answered: int
    discussion: int
    notes: int  # answered from the study notes, unchanged
    corrected: int  # answered from the notes, with a correction
    written: int  # answered with a text written for the bank
    unknown: int  # answered, origin not recorded

    @classmethod
    def of(cls, questions: list[Question]) -> OpenCounts:
        opened = [q for q in questions if q.kind is Kind.OPEN]
        answered = [q for q in opened if not q.is_discussion]
        corrected = sum(1 for q in answered if q.answer_origin == "notes" and q.correction)
        notes = sum(1 for q in answered if q.answer_origin == "notes") - corrected
        written = sum(1 for q in answered if q.answer_origin == "written")
        return cls(len(opened), len(answered), len(opened) - len(answered), notes, corrected, written,
                   len(answered) - notes - corrected - written)


@dataclass(frozen=True)
class ChoiceBalance:
    count: int
    longest: int  # correct option strictly the longest
    positions: Counter  # bank index of the correct option -> questions
    notes_prompts: int  # prompts mentioning 笔记/面经/本节/原文

    @classmethod
    def of(cls, questions: list[Question]) -> ChoiceBalance:
        choice = [q for q in questions if q.kind is Kind.CHOICE and q.options and q.correct]
        return cls(len(choice), sum(1 for q in choice if strictly_longest(q)),
                   Counter(q.correct[0] for q in choice), sum(1 for q in choice if mentions_notes(q)))

    @property
    def longest_share(self) -> float:
        return self.longest / self.count if self.count else 0.0

    @property
    def notes_share(self) -> float:
        return self.notes_prompts / self.count if self.count else 0.0


def _pct(n: int, total: int) -> str:
    return f"{n} ({100 * n / total:.1f}%)" if total else "0"


def stats_lines(bank) -> list[str]:
    """The report, line by line (``bank`` is a loaded ``QuestionBank``)."""
    questions = bank.all_questions()
    total = OpenCounts.of(questions)
    choice_n = sum(1 for q in questions if q.kind is Kind.CHOICE)
    lines = [f"questions: {len(questions)} in {len(bank.topics)} topic(s) — open {total.total} (answered "
             f"{total.answered}, discussion {total.discussion}), choice {choice_n}", ""]
    width = max([len(s) for s in bank.topics] + [5])
    head = (f"{'topic':<{width}}  {'open':>4}  {'answered':>8}  {'notes':>5}  {'corrected':>9}  {'written':>7}  "
            f"{'discussion':>10}  {'choice':>6}")
    lines += [head, "-" * len(head)]
    for slug in sorted(bank.topics):
        qs = list(bank.topics[slug].questions)
        c = OpenCounts.of(qs)
        lines.append(f"{slug:<{width}}  {c.total:>4}  {c.answered:>8}  {c.notes:>5}  {c.corrected:>9}  "
                     f"{c.written:>7}  {c.discussion:>10}  {sum(1 for q in qs if q.kind is Kind.CHOICE):>6}")
    lines.append(f"{'all':<{width}}  {total.total:>4}  {total.answered:>8}  {total.notes:>5}  {total.corrected:>9}  "
                 f"{total.written:>7}  {total.discussion:>10}  {choice_n:>6}")
    if total.unknown:
        lines.append(f"answered without answer_origin: {total.unknown}")
    if total.total:
        lines.append(f"discussion share of open questions: {100 * total.discussion / total.total:.1f}%")
    lines.append("")
    balance = ChoiceBalance.of(questions)
    lines.append(f"choice balance ({balance.count} questions):")
    lines.append(f"  correct option strictly the longest: {_pct(balance.longest, balance.count)}")
    spread = ", ".join(f"{'ABCDEFGHIJKL'[i]} {_pct(n, balance.count)}" for i, n in sorted(balance.positions.items()))
    lines.append(f"  correct position in the bank: {spread or '-'} (shuffled when posted)")
    lines.append(f"  prompts mentioning 笔记/面经/本节/原文: {_pct(balance.notes_prompts, balance.count)}")
    lines.append("")
    answered = [q for q in questions if q.kind is Kind.OPEN and not q.is_discussion]
    if answered:
        counts = [len(q.key_points) for q in answered]
        none = sum(1 for n in counts if n == 0)
        lines.append(f"key points per answered open question: avg {sum(counts) / len(counts):.1f}, "
                     f"min {min(counts)}, max {max(counts)} ({none} without any)")
    per_file = Counter(s.file for q in questions for s in {src.file: src for src in q.sources}.values())
    no_source = sum(1 for q in questions if not q.sources)
    lines.append("questions per source file:")
    for name, n in sorted(per_file.items()):
        lines.append(f"  {name}: {n}")
    if no_source:
        lines.append(f"  (no source): {no_source}")
    return lines
