"""Grading: open answers by the local key-point grader, choice answers by exact match.

Public API: ``grade(question, text=None, option=None, lang="zh") -> Grade`` (the module-level
``LocalGrader`` for open answers), ``has_words`` (is there anything to grade), ``normalise``,
the ``Grader`` protocol an engine calls, and ``LocalGrader`` implementing it.

The package's modules:

* ``normalise``: one canonical token stream for zh/en/mixed text (the Snowball stemmer, the glossary);
* ``glossary``: the bilingual vocabulary of the field that folds English and variant terms into one form;
* ``vocabulary``: the field's everyday working words in both languages, merged into the glossary;
* ``trie``: many literal words compiled into one prefix-tree regular expression (glossary, cues);
* ``matching``: where a key point is mentioned in an answer;
* ``negation``: whether a mention affirms the point or denies it;
* ``contradiction``: a mention whose sentence reverses the model answer's direction for that point;
* ``rejection``: a point the answer names and then dismisses ("意义不大", "a waste of time");
* ``roles``: in a question comparing named methods, a claim said of the wrong one (swapped roles);
* ``semantic``: partial credit for a point explained in other words (unit overlap with its support);
* ``precision``: hits named only inside claims about other things of the field earn nothing;
* ``fieldwords``: the field's written vocabulary (every content unit of the bank), for that rule;
* ``plainwords``: everyday phrasings of the field's concepts, for that partial credit only;
* ``sentences``: explanations vs term lists, "I don't know", the answer's length;
* ``local``: ``LocalGrader``, the scoring that combines them (caps, length, the reveal's checklist);
* ``interface``: the ``Grader`` protocol the engine calls (``bot.judge`` implements it too).
"""

from __future__ import annotations

from bot.grading.interface import Grader
from bot.grading.local import PARTICIPATION_POINTS, TERM_LIST_CAP, LocalGrader
from bot.grading.normalise import has_words, normalise
from bot.model import Grade, Question

__all__ = ["PARTICIPATION_POINTS", "TERM_LIST_CAP", "Grader", "LocalGrader", "grade", "grade_choice", "has_words",
           "normalise"]

_LOCAL = LocalGrader()


def grade_choice(question: Question, option: int) -> Grade:
    correct = option in question.correct
    return Grade(10 if correct else 0, correct=correct)


def grade(question: Question, text: str | None = None, option: int | None = None, lang: str = "zh") -> Grade:
    """Grade a choice (``option``) or an open answer (``text``) with the default local grader."""
    if option is not None:
        return grade_choice(question, option)
    return _LOCAL.grade(question, text or "", lang)
