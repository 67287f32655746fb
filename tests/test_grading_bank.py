"""Every model answer in the bank, graded against its own question, earns at least 8/10 and is not capped.

Model answers are written as prose, Markdown tables, bullet lists, equations and code; none of these
may be mistaken for a bare term list, and the key points must be reachable from the answer's wording.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bank import QuestionBank
from bot.grading import grade
from bot.model import Kind

REPO = Path(__file__).resolve().parent.parent
MIN_SCORE = 8


@pytest.fixture(scope="module")
def graded():
    bank = QuestionBank.load(REPO / "questions")
    out = []
    for q in bank.all_questions():
        if q.kind is Kind.OPEN and not q.discussion and q.answer and q.key_points:
            out.append((q.id, grade(q, q.answer)))
    return out


def test_bank_has_model_answers_to_check(graded):
    assert len(graded) >= 100


def test_every_model_answer_scores_well_against_its_own_question(graded):
    low = [(qid, g.score, g.missed) for qid, g in graded if g.score < MIN_SCORE]
    assert low == []


def test_no_model_answer_is_capped(graded):
    capped = [(qid, g.capped) for qid, g in graded if g.capped]
    assert capped == []
