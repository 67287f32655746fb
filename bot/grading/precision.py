"""Precision of hits: key points named only inside claims about other things of the field earn nothing.

A confident misconception names the right terms inside false claims ("Chains are the building blocks,
Components the workflows that call them", "KMeans 对离群点特别稳健，复杂度是立方级，所以改用层次聚类",
"LLaMA 是 Google 发布的"): its hits are real mentions, so coverage alone ranks it with a correct
partial answer or above. What sets it apart is what stands *around* the hit. A correct sentence about
a point mostly uses the words of the question's own material (its prompt, model answer, key points and
aliases); a correct explanation in plain words uses everyday words; a false claim says other things
*of the field* (another mechanism, other methods, models and numbers) that the question's material
never says.

So, for an answer that is not short (one correct sentence keeps the short-answer floor), each hit key
point is located in the sentence of the answer that shares the most of its phrases' units, and that
sentence is *foreign* when, of its content units (no function word, none of the field's generic
words),

* at least ``NOVEL_SHARE`` are novel: outside the question's known units (its vocabulary plus the
  everyday phrasings, ``bot.grading.plainwords``, of the concepts its key points are about), and
* less than ``EVERYDAY_SHARE`` are everyday words: novel and not in the field's written vocabulary
  (``bot.grading.fieldwords``), which is what a paraphrase is made of.

When every hit point of the answer sits in a foreign sentence and the answer explains no other point
in other words (no soft credit), its hits earn nothing: it names the question's terms only while
saying something else. An answer with one hit in a sentence of the question's own words, or with any
point explained, is graded as before, so a good answer (most hits in the question's words) and a
paraphrase (novel words, but everyday ones, and points explained in them) are left alone. Exact hits
only: soft credit, contradictions and the floors are untouched. Measured per hit over the tuning sets,
the foreign test holds for 36% of wrong answers' hits, 5% of good and partial ones and 27% of
paraphrases' (whose soft credit then keeps the rule off); discounting each foreign hit on its own,
without the all-hits and soft-credit conditions, split good answers from their translations.

The grade says why at the reveal: ``capped == "foreign"`` and ``FEEDBACK["foreign"]`` in
``bot.grading.local``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet

from bot.grading.fieldwords import FIELD_UNITS
from bot.grading.matching import Answer, Phrase
from bot.grading.semantic import plain_units

NOVEL_SHARE = 0.65  # share of a sentence's content units outside the question's known units
EVERYDAY_SHARE = 0.35  # ... below this share of them everyday words (not the field's): a claim, not a paraphrase
# The same shares for a sentence of English words. A Chinese sentence's units are character bigrams, and those
# that straddle two words ("段变", "成一") are seldom the question's or the field's: they add to both shares
# wherever the sentence's words come from. An English word is one unit, with no such straddlers. Measured on
# the tuning sets' good answers and their translations (the same content in both languages), the novel share
# of a sentence in English is 0.8 of the Chinese one (0.31 against 0.39) and its everyday share about half of it
# (0.09 against 0.16); with the Chinese thresholds, a claim about other things was foreign in 36% of the
# wrong answers' hits written in Chinese and 12% of those written in English. A sentence that mixes both
# languages takes the thresholds in proportion to its English units.
NOVEL_SHARE_EN = 0.50
EVERYDAY_SHARE_EN = 0.175
MIN_SENTENCE_UNITS = 4  # a shorter sentence says too little to tell what it claims


def known_units(vocab: frozenset[str], supports: tuple[frozenset[str], ...]) -> frozenset[str]:
    """The question's vocabulary and the units of the everyday phrasings of its concepts."""
    return vocab | plain_units(supports) if supports else vocab


def point_units(points: Iterable[tuple[str, tuple[Phrase, ...]]]) -> tuple[frozenset[str], ...]:
    """Per key point, the units of all its phrases (to locate the sentence that names it)."""
    return tuple(frozenset().union(*(p.units for p in phrases)) for _text, phrases in points)


def foreign(units: AbstractSet[str], known: frozenset[str], content: Callable[[str], bool],
            field: frozenset[str] = FIELD_UNITS) -> bool:
    """Is a sentence with these units a claim about other things of the field (see the module docstring)?"""
    own = [u for u in units if content(u)]
    words = len(own)
    if words < MIN_SENTENCE_UNITS:
        return False
    novel = [u for u in units - known if content(u)]  # the set difference at C level, the test on the rest
    english = sum(map(str.isascii, own))  # English units; the rest are Chinese bigrams
    chinese = words - english
    if len(novel) < NOVEL_SHARE * chinese + NOVEL_SHARE_EN * english:
        return False
    return sum(u not in field for u in novel) < EVERYDAY_SHARE * chinese + EVERYDAY_SHARE_EN * english


def all_foreign(known: frozenset[str], content: Callable[[str], bool], points: tuple[frozenset[str], ...],
                answer: Answer, hit: list[bool]) -> bool:
    """Does every hit point sit in a foreign sentence of the answer? ``content(unit)``: is the unit a
    content unit (``bot.grading.local``'s test, the field's generic words excluded)."""
    sentences = [found for _s, _e, found in answer.sentence_units]
    if not sentences or not any(hit):
        return False
    seen: dict[int, bool] = {}
    for was_hit, own in zip(hit, points, strict=True):
        if not was_hit:
            continue
        # the sentence that names the point: the one holding the most of its phrases' units
        best = 0 if len(sentences) == 1 else max(range(len(sentences)),
                                                 key=lambda i: sum(map(sentences[i].__contains__, own)))
        if best not in seen:
            seen[best] = foreign(sentences[best].keys(), known, content)
        if not seen[best]:
            return False
    return True
