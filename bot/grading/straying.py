"""Answer-level precision: an answer whose claims mostly stray from the question's material ranks lower.

A confident misconception ("QLoRA quantises the LoRA adapters to int4 while the base model stays in fp16
and is fully updated") names the question's terms inside claims about other things of the field, and
earns the points those terms meet: it ties with or beats a correct partial answer that names the same
points and says nothing else. ``bot.grading.precision`` takes every hit back when *all* of them sit in
such claims; this is the milder reading of the whole answer, a tie-breaker a reader would accept: of two
answers covering the same points, the one whose claims stay on the question's material ranks higher.

The measure is the answer's *stray share*: of its content units (no function word, none of the
field's generic words; counted once each), the share that are words of the field
(``bot.grading.fieldwords``) and yet outside the question's known units (its vocabulary, its model
answer and the everyday phrasings of its concepts, ``bot.grading.precision.known_units``). Everyday
words are not counted, so a paraphrase in plain words does not pay for avoiding the terms; the share is
taken per answer, so a Chinese answer and its English translation (bigrams against stems) land close:
measured over the seven tuning sets, the median share is 0.27 for good answers and their translations
alike, 0.31 for paraphrases and 0.43 for wrong answers.

Good answers go beyond their model answer too (citations, models that use a method, a formula): what
sets a misconception apart is that the sentences naming its hit points are themselves such claims, and
that it names few of the points. So the rule reads an answer that names at most ``MAX_HIT_SHARE`` of
the points (one naming more is judged by them), and it strays when its whole stray share is at least
``STRAY_SHARE`` and the sentences that name its hit points (each point located, as in
``bot.grading.precision``, in the sentence sharing most of its phrases' units) have, together, at
least ``HIT_STRAY_SHARE``. Measured over the seven tuning sets (304 questions), the rule holds for 44
wrong answers, 6 paraphrases, 5 term lists, 3 good answers or translations and 1 partial answer (the
whole-answer share alone, on every answer: 82 wrong, 35 good or translated, 17 paraphrases).

An answer that is not short (one sentence keeps the short-answer floor of ``bot.grading.local``) and
strays loses ``STRAY_COST`` points, never below ``STRAY_FLOOR`` (a misconception about this question
still beats another topic); the grade says why at the reveal (``capped == "stray"`` and a zh/en
feedback line in ``bot.grading.local``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet

from bot.grading.fieldwords import FIELD_UNITS
from bot.grading.matching import Answer

STRAY_SHARE = 0.45  # of the whole answer: 6% of good answers reach it, 27% of wrong ones
HIT_STRAY_SHARE = 0.4  # of the sentences naming the hit points
MAX_HIT_SHARE = 0.5  # an answer naming more of the points is judged by them: it is not a tie to break
STRAY_COST = 1  # points: a tie-breaker between answers covering the same points, not a verdict
STRAY_FLOOR = 1  # an answer held down by this rule keeps at least this (the on-topic floor)


class Material:
    """What the shares need from one question, built once with it: its known units and the test of a
    content unit, done at C level. Testing every unit of an answer (a hundred or more) in Python, or
    remembering the test for every unit seen (a set too large to stay in the processor's cache), cost
    ~7% of grading; here a unit is no content unit when it is one of ``non_content`` (the field's generic
    words, English function words), a single character, or a unit with one of ``function_chars`` among
    its first two characters (a Chinese bigram holding a function word: "的候", "和参"), the test of
    ``bot.grading.local``. The field's words are all content units, so the novel ones are counted by
    set operations alone."""

    __slots__ = ("known", "non_content", "function")

    def __init__(self, known: frozenset[str], non_content: frozenset[str], function_chars: Iterable[str]) -> None:
        self.known = known
        self.non_content = non_content
        chars = re.escape("".join(sorted(set(function_chars))))
        self.function = re.compile(rf"^(?:[^\n]?|[{chars}][^\n]*|[^\n][{chars}][^\n]*)$", re.M)

    def content_count(self, units: AbstractSet[str]) -> int:
        """How many of ``units`` are content units."""
        rest = units - self.non_content
        # (an empty text would be one empty line, which the expression counts as a unit)
        return len(rest) - len(self.function.findall("\n".join(rest))) if rest else 0

    def stray_share(self, units: AbstractSet[str], field: frozenset[str] = FIELD_UNITS) -> float:
        """The share of some units' content units that are field words outside the question's known units."""
        words = self.content_count(units)
        if not words:
            return 0.0
        return len((units - self.known) & field) / words


def hit_sentence_units(answer: Answer, points: Sequence[frozenset[str]], hit: Sequence[bool]) -> set[str]:
    """The units of the sentences that name the hit points (per point, the sentence holding most of its units)."""
    sentences = [found for _s, _e, found in answer.sentence_units]
    if not sentences:
        return set()
    at = set()
    for was_hit, own in zip(hit, points, strict=True):
        if was_hit:
            at.add(0 if len(sentences) == 1 else max(range(len(sentences)),
                                                     key=lambda i: sum(map(sentences[i].__contains__, own))))
    return set().union(*(sentences[i].keys() for i in at))


def strays(answer: Answer, material: Material, points: Sequence[frozenset[str]], hit: Sequence[bool]) -> bool:
    """Does the answer, and do the sentences naming its hits, say mostly things of the field the question's
    material does not? (see the module docstring)"""
    # the sentences naming the hits first: fewer units than the whole answer, and the rarer condition
    if not any(hit) or sum(hit) > MAX_HIT_SHARE * len(hit):
        return False
    if material.stray_share(hit_sentence_units(answer, points, hit)) < HIT_STRAY_SHARE:
        return False
    return material.stray_share(answer.all_units) >= STRAY_SHARE
