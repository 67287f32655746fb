"""Graders: key-point coverage for open questions (Chinese and English), exact match for choices.

An open answer scores 0..10 by the share of the question's key points it mentions. A key point is
"mentioned" when its text or one of its aliases appears in the answer after normalisation
(full-width -> half-width, case, punctuation and spaces removed), or when most of it appears:
Chinese is compared by character bigrams and English by lightly stemmed words, and a phrase whose
characters appear in order within a short span counts too, so small wording differences
("数据分布偏移" vs "数据的分布发生偏移", "distribution shifts") still count.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.model import Grade, KeyPoint, Question

PARTICIPATION_POINTS = 2  # a discussion question rewards taking part, not content
FUZZY_THRESHOLD = 0.75  # share of a phrase's units that must appear in the answer

_WORD = re.compile(r"[a-z0-9]+(?:[.+#-][a-z0-9]+)*")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KEEP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def normalise(text: str) -> str:
    """NFKC (folds full-width letters and digits), case-folded, punctuation and spaces removed."""
    return _KEEP.sub("", unicodedata.normalize("NFKC", text).casefold())


def has_words(text: str) -> bool:
    """False for empty, punctuation- or emoji-only text: nothing a grader could read."""
    return bool(normalise(text))


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def units(text: str) -> set[str]:
    """Comparable units of a text: lightly stemmed English words plus Chinese character bigrams."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    out = {_stem(w) for w in _WORD.findall(folded)}
    cjk_runs = re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", folded)
    for run in cjk_runs:
        if len(run) == 1:
            out.add(run)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


class AnswerText:
    """An answer prepared once so that each key point is checked cheaply."""

    __slots__ = ("flat", "units")

    def __init__(self, text: str) -> None:
        self.flat = normalise(text)
        self.units = units(text)


@lru_cache(maxsize=65536)
def _phrase(phrase: str) -> tuple[str, frozenset[str]]:
    """Key-point phrases are few and fixed: prepare each once, not once per answer."""
    return normalise(phrase), frozenset(units(phrase))


def phrase_hit(phrase: str, answer: AnswerText) -> bool:
    flat, need = _phrase(phrase)
    if not flat:
        return False
    if flat in answer.flat:
        return True
    if len(need) < 3:  # too short to judge by overlap: only an exact mention counts
        return False
    if len(need & answer.units) / len(need) >= FUZZY_THRESHOLD:
        return True
    return _spread_match(flat, answer.flat)


def _spread_match(phrase: str, text: str) -> bool:
    """The phrase's characters in order within a short span: "数据的分布发生偏移" mentions
    "数据分布偏移" with particles in between. The span may be at most twice the phrase."""
    limit = 2 * len(phrase)
    start = text.find(phrase[0])
    while start != -1:
        pos, ok = start, True
        for ch in phrase[1:]:
            pos = text.find(ch, pos + 1, start + limit)
            if pos == -1:
                ok = False
                break
        if ok:
            return True
        start = text.find(phrase[0], start + 1)
    return False


def point_hit(point: KeyPoint, answer: AnswerText) -> bool:
    return any(phrase_hit(p, answer) for p in (point.text, *point.aliases))


def grade_open(question: Question, text: str) -> Grade:
    if question.is_discussion or not question.key_points:
        return Grade(PARTICIPATION_POINTS if has_words(text) else 0)
    answer = AnswerText(text)
    hit = tuple(p.text for p in question.key_points if point_hit(p, answer))
    missed = tuple(p.text for p in question.key_points if p.text not in hit)
    score = round(10 * len(hit) / len(question.key_points))
    return Grade(score, hit, missed)


def grade_choice(question: Question, option: int) -> Grade:
    correct = option in question.correct
    return Grade(10 if correct else 0, correct=correct)


def grade(question: Question, text: str | None = None, option: int | None = None) -> Grade:
    if option is not None:
        return grade_choice(question, option)
    return grade_open(question, text or "")
