"""Soft credit reads direction (bot.grading.softreading): a point explained in other words by a sentence that
says it goes the other way ("优化器状态占用的显存随之增加" where the model answer says 减少) earns no soft
credit; the same sentence stating the model answer's direction keeps it, and so does an answer that states
the model's direction elsewhere.
"""

from __future__ import annotations

import pytest

from bot.grading import grade
from bot.grading.local import LocalGrader, coverage_score
from bot.grading.matching import Answer
from bot.grading.softreading import SoftReader
from bot.model import KeyPoint, Kind, Question

MEMORY = Question(
    id="t-soft-reading", topic="peft", kind=Kind.OPEN, prompt="LoRA 为什么能省显存？",
    answer="LoRA 冻结原权重，只训练旁边两个很小的低秩矩阵。要更新的参数只有原来的千分之一，梯度和优化器状态占用的显存"
           "因此减少。推理时把低秩矩阵合并回原权重，不增加推理延迟。",
    key_points=(KeyPoint("冻结原权重", ("freeze the original weights",)),
                KeyPoint("可训练参数少", ("trainable parameters are few",)),
                KeyPoint("优化器状态显存少", ("optimizer memory",)),
                KeyPoint("合并回原权重无额外延迟", ("合并回原权重", "merged back"))),
)
FROZEN = {
    "zh": "LoRA 冻结原权重，只训练很小的低秩矩阵。",
    "en": "LoRA freezes the original weights and trains only small low-rank matrices. ",
}
RIGHT = {
    "zh": "梯度和优化器状态占用的显存随之减少。",
    "en": "Gradients and optimizer states then take less memory.",
}
REVERSED = {
    "zh": "梯度和优化器状态占用的显存随之增加。",
    "en": "Gradients and optimizer states then take more memory.",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_sentence_reversing_the_point_earns_no_soft_credit(lang):
    right = grade(MEMORY, FROZEN[lang] + RIGHT[lang], lang=lang)
    wrong = grade(MEMORY, FROZEN[lang] + REVERSED[lang], lang=lang)
    assert "优化器状态显存少" not in wrong.hit and "优化器状态显存少" not in wrong.contradicted
    # the reversed sentence adds nothing to what the first sentence's hit earns; the right one does
    # (the first sentence alone would be raised to the one-sentence floor, so the hit's share is the measure)
    assert wrong.score == coverage_score(len(wrong.hit) / len(MEMORY.key_points)) < right.score


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_reader_names_the_reversing_sentence_only(lang):
    prep = LocalGrader().prepared(MEMORY)
    answer = Answer(FROZEN[lang] + REVERSED[lang])
    reader = SoftReader.of(prep.directions, answer)
    assert reader is not None
    assert [reader.reverses(2, i) for i in range(len(answer.text.sentences))] == [False, True]
    # a point whose model sentences state no direction is never reversed
    assert not reader.reverses(0, 1)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_guards_no_cue_or_the_models_direction_stated_elsewhere(lang):
    prep = LocalGrader().prepared(MEMORY)
    # no opposite cue word at all: no reader (the set test of most answers)
    assert SoftReader.of(prep.directions, Answer(FROZEN[lang] + RIGHT[lang])) is None
    # the answer states the model's direction too: the reversed clause is read as a cause, not the claim
    answer = Answer(FROZEN[lang] + REVERSED[lang] + RIGHT[lang])
    reader = SoftReader.of(prep.directions, answer)
    assert reader is not None and not reader.reverses(2, 1)
