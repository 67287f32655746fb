"""Key-point matching of Chinese amount predicates said with another adjective or a degree mark, and of
phrases that would start on the second character of a common word."""

from __future__ import annotations

import pytest

from bot.grading.matching import Answer, Verdict, assess_point, phrases_of


def verdict(point: str, answer: str) -> Verdict:
    return assess_point(phrases_of(point), Answer(answer))


@pytest.mark.parametrize(("point", "answer"), [
    ("计算量少", "这样计算量更小"),
    ("计算量少", "计算量小得多"),
    ("计算量少", "计算量大幅降低了"),
    ("计算量少", "计算量较少"),
    ("参数少", "LoRA 的参数更少"),
    ("参数少", "可训练参数较小"),
    ("成本高", "全参微调成本很大"),
    ("显存占用多", "显存占用更大"),
    ("显存占用多", "显存占用高得多"),
    ("微调收敛快但资源高", "微调收敛快，但是资源多"),
    ("the compute is small", "the compute is small"),
])
def test_an_amount_is_met_by_any_adjective_of_its_direction(point: str, answer: str) -> None:
    assert verdict(point, answer) is Verdict.HIT


@pytest.mark.parametrize(("point", "answer"), [
    ("计算量少", "计算量更大"),
    ("计算量少", "计算量高得多"),
    ("参数多", "参数大幅减少"),
    ("参数少", "参数更多"),
    ("成本高", "成本较低"),
    ("计算量高", "计算量大大降低"),
    ("计算量多", "计算量大幅减少"),
])
def test_a_direction_never_flips(point: str, answer: str) -> None:
    assert verdict(point, answer) is not Verdict.HIT


def test_a_denied_amount_stays_denied() -> None:
    assert verdict("计算量少", "计算量不会更小") is Verdict.CONTRADICTED


@pytest.mark.parametrize("point", ["目标词表大小", "学习率调小", "差不多", "频次最高"])
def test_words_holding_an_adjective_are_not_predicates(point: str) -> None:
    assert [p.source for p in phrases_of(point)] == [point]


@pytest.mark.parametrize(("point", "answer"), [
    ("后训练", "先预训练，然后训练一个奖励模型"),
    ("后训练", "预训练结束之后训练奖励模型"),
    ("前向计算", "之前向量已经算好了"),
    ("后训练", "最后训练一个分类头"),
])
def test_no_mention_starts_inside_a_common_word(point: str, answer: str) -> None:
    assert verdict(point, answer) is Verdict.MISSED


@pytest.mark.parametrize(("point", "answer"), [
    ("后训练", "预训练之后还要做后训练"),
    ("后训练", "然后做后训练"),
    ("后训练", "虽然后训练成本低，但很重要"),
    ("前向计算", "一次前向计算就够了"),
    ("post-training", "then post-training follows"),
])
def test_the_phrase_itself_is_still_met(point: str, answer: str) -> None:
    assert verdict(point, answer) is Verdict.HIT
