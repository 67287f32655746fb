"""The contradiction readings applied to the sentences that earn a point its soft credit.

A hit key point is contradicted when its sentence reverses the model answer's direction about it
(``bot.grading.contradiction``). A point explained in other words (``bot.grading.semantic``) earns soft
credit from the answer sentence closest to what supports it; a wrong answer often explains a point's
mechanism in plain words and then says it goes the other way ("旁边加两个小矩阵，训练时要更新的参数反而更多",
"the small matrices make training use more memory"). Such a sentence explains nothing: it misstates the point.

``SoftReader`` answers, for a missed point and an answer sentence, whether the sentence reverses the
model answer's direction about that point: a direction cue of the sentence has the opposite sign of one
of the point's model cues on the same axis about a shared object, and the answer states that model cue
nowhere (the same test as for a hit: an answer that says "减小 batch" somewhere is not contradicting it).
The reader is built only when the answer holds a cue word opposite to one of the question's model cues
(a set test), and a sentence's cues are read once.
"""

from __future__ import annotations

from bot.grading.contradiction import (
    _KIND,
    CUE_UNITS,
    DirectionCue,
    ModelDirections,
    _about_other,
    _agrees,
    _opposed,
    direction_cues,
)
from bot.grading.matching import Answer


class SoftReader:
    """Which (missed point, answer sentence) pairs reverse the model answer's direction (see the module)."""

    __slots__ = ("_answer", "_directions", "_cues", "_everywhere")

    def __init__(self, directions: ModelDirections, answer: Answer) -> None:
        self._answer = answer
        self._directions = directions
        self._cues: dict[int, list[DirectionCue]] = {}
        self._everywhere: list[DirectionCue] | None = None

    @classmethod
    def of(cls, directions: ModelDirections | None, answer: Answer) -> SoftReader | None:
        """A reader for this answer, or None when no sentence of it can reverse a model cue (most answers:
        set tests first)."""
        if directions is None or not directions.axes:
            return None
        present = answer.all_units & CUE_UNITS
        if not present:
            return None
        kinds = {_KIND[w] for w in present}
        if not any((m.axis, -m.sign) in kinds for cues in directions.points for m in cues):
            return None
        return cls(directions, answer)

    def reverses(self, point: int, sentence: int) -> bool:
        """Does answer sentence ``sentence`` reverse the model answer's direction about key point ``point``?"""
        model = self._directions.points[point]
        if not model:
            return False
        text = self._answer.text
        s, e = text.sentences[sentence]
        said = self._cues.get(sentence)
        if said is None:
            said = self._cues[sentence] = direction_cues(text, s, e)
        if not said:
            return False
        own, other = self._directions.compared[point]
        said = [c for c in said if not _about_other(text, s, e, c, own, other)]
        opposed = _opposed(said, model) if said else []
        if not opposed:
            return False
        if self._everywhere is None:
            self._everywhere = direction_cues(text)
        return not all(_agrees(self._everywhere, m) for m in opposed)
