"""The reveal says why the local grader held a score down, for every reason it has.

A score the grader lowered without a word at the reveal reads as an error: each reason in
``bot.grading.local`` that changes a score must have its line in the reveal (``SHOWN_CAPS``) and in
the private feedback (``bot.feedback.CAPS``), in both languages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.catalogue import say
from bot.feedback import CAPS
from bot.views import SHOWN_CAPS, ScoredAnswer, member_lines

LOCAL = Path(__file__).resolve().parent.parent / "bot" / "grading" / "local.py"


def _grader_caps() -> set[str]:
    """Every reason the local grader writes into ``capped``."""
    return set(re.findall(r'capped = [^\n]*?"(\w+)"', LOCAL.read_text())) | set(
        re.findall(r'score, capped = [^\n]*?"(\w+)"', LOCAL.read_text()))


def test_every_reason_of_the_grader_is_shown():
    reasons = _grader_caps()
    assert {"term_list", "negated", "foreign", "stray", "monotone"} <= reasons  # the scan reads the module
    assert reasons <= set(SHOWN_CAPS) and reasons <= set(CAPS)


@pytest.mark.parametrize("reason", ["stray", "monotone"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_point_off_is_said_at_the_reveal(reason, lang):
    answer = ScoredAnswer("Ann", 2, ["a point"], None, None, capped=reason)
    lines = member_lines(answer, lang)
    assert lines == [f"   _{say(lang, 'cap_' + reason)}_"]
    assert ("1 分" if lang == "zh" else "one point off") in lines[0]


def test_a_judged_score_shows_no_local_reason():
    answer = ScoredAnswer("Ann", 7, ["a point"], None, None, capped="stray", judge="llm:m")
    assert member_lines(answer, "en") == []
