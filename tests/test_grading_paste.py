"""Length is no weapon: one text made of the whole bank's key points must score low on every question.

The attack from the issue: paste a fixed ~1,800-character text assembled from key-point phrases of
the shipped bank. Here it is built per question in its strongest form: the question's own key
points first, then other key points of the bank up to 1,800 characters; once as a bare list and
once glued into sentences ("X是关键。") so that the term-list rule cannot be what stops it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bank import QuestionBank
from bot.grading import grade

BANK = QuestionBank.load(Path(__file__).resolve().parent.parent / "questions")
GRADED = [q for q in BANK.all_questions() if q.kind.value == "open" and q.key_points and not q.discussion]
ALL_POINTS = list(dict.fromkeys(kp.text for q in GRADED for kp in q.key_points))
LIMIT = 1800
LOW = 3


def paste(question, sep: str, suffix: str) -> str:
    own = [kp.text for kp in question.key_points]
    parts, size = [], 0
    for text in own + [t for t in ALL_POINTS if t not in own]:
        piece = text + suffix
        if size + len(piece) + len(sep) > LIMIT:
            break
        parts.append(piece)
        size += len(piece) + len(sep)
    return sep.join(parts)


def test_the_bank_has_graded_questions():
    assert len(GRADED) >= 40 and sum(map(len, ALL_POINTS)) > LIMIT


@pytest.mark.parametrize("sep, suffix", [("，", ""), ("", "是关键。")], ids=["list", "sentences"])
def test_pasting_every_key_point_scores_low_everywhere(sep, suffix):
    high = []
    for q in GRADED:
        text = paste(q, sep, suffix)
        assert len(text) > LIMIT - 100
        result = grade(q, text)
        focused = grade(q, q.answer or "").score
        if result.score > LOW or (focused > LOW and result.score >= focused):
            high.append((q.id, result.score, focused))
        assert result.capped in ("length", "term_list")
    assert not high, f"pasted text scored high on {high[:10]}"
