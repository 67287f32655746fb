"""zh/en parity over the whole bank: the same content scores alike in Chinese and in English.

``tests/data/parity/<topic>.yaml`` holds, for every open question of the bank that the local grader
grades by key points, two member-style answers written for this check: ``zh`` (Chinese as study-group
members write it, English terms mixed in) and ``en`` (the same content in English). Both state every
key point in their own words, so both should score high and within a point of each other. They were
used to find the phrasings key points lacked in one language (aliases in questions/*.yaml); the
labelled sets (tests/data/grading_*.yaml) measure the grader on answers nobody tuned it on.

    pytest -s tests/test_grading_parity_bank.py     # prints the figures
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.bank import QuestionBank
from bot.grading import grade
from bot.model import Kind, Question

REPO = Path(__file__).resolve().parent.parent
PARITY = REPO / "tests" / "data" / "parity"
WITHIN_ONE = 0.90  # share of questions whose zh and en answers are within 1 point
BOTH_HIGH = 0.90  # share of questions where both score at least HIGH
HIGH = 7


def graded_by_points(q: Question) -> bool:
    return q.kind is Kind.OPEN and not q.discussion and bool(q.key_points)


@pytest.fixture(scope="module")
def shipped() -> QuestionBank:
    return QuestionBank.load(REPO / "questions")


@pytest.fixture(scope="module")
def entries() -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for path in sorted(PARITY.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i, entry in enumerate(doc["questions"]):
            for field in ("id", "zh", "en"):
                value = entry.get(field)
                assert isinstance(value, str) and value.strip(), f"{path.name}: entry {i}: '{field}' missing or empty"
            found.append(entry)
    return found


@pytest.fixture(scope="module")
def scores(entries, shipped: QuestionBank) -> dict[str, tuple[int, int]]:
    out = {}
    for e in entries:
        q = shipped.question(e["id"])
        out[e["id"]] = (grade(q, e["zh"], lang="zh").score, grade(q, e["en"], lang="en").score)
    return out


def test_every_question_graded_by_key_points_has_a_pair_and_nothing_else(entries, shipped: QuestionBank):
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids)), "an id appears twice"
    for qid in ids:
        q = shipped.question(qid)
        assert q is not None, f"{qid}: not in the bank"
        assert graded_by_points(q), f"{qid}: not an open question graded by key points"
    expected = {q.id for q in shipped.all_questions() if graded_by_points(q)}
    assert expected - set(ids) == set(), "open questions without a zh/en pair"


def test_the_same_content_scores_alike_in_chinese_and_english(scores):
    n = len(scores)
    within = [qid for qid, (zh, en) in scores.items() if abs(zh - en) <= 1]
    high = [qid for qid, (zh, en) in scores.items() if zh >= HIGH and en >= HIGH]
    apart = sorted((abs(zh - en), qid, zh, en) for qid, (zh, en) in scores.items() if abs(zh - en) > 1)
    print(f"\n{n} questions: zh/en within 1 point {len(within) / n:.2f} (target >= {WITHIN_ONE}); "
          f"both >= {HIGH} {len(high) / n:.2f} (target >= {BOTH_HIGH})")
    for _gap, qid, zh, en in reversed(apart):
        print(f"  {qid}: zh {zh}, en {en}")
    assert len(within) / n >= WITHIN_ONE
    assert len(high) / n >= BOTH_HIGH
