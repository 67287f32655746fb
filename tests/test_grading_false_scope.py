"""False denials of correct answers: a negation that only describes a noun denies nothing else.

A negated modal with its verb closed by 的 ("不该答的问题", "不能用的工具") is an attribute of the noun after
it; a negated predicate closed by 的 after a hit ("编造不存在的调用") describes the noun after 的, not the
hit; an English "without" qualifies its own noun, and the examples after it ("languages without
spaces such as Chinese") are instances of the whole, not denied. Each with guards that a real denial
("不需要奖励模型", "does not need a reward model") is still caught."""

from __future__ import annotations

import pytest

from bot.grading.matching import Answer, Phrase, Verdict, assess


def verdict(point: str, answer: str) -> Verdict:
    phrase = Phrase.of(point)
    assert phrase is not None
    return assess(phrase, Answer(answer))


@pytest.mark.parametrize("point, answer", [
    ("礼貌拒绝", "还要教它遇到不该答的问题怎么礼貌拒绝。"),
    ("人工审核", "不能处理的请求交给人工审核。"),
    ("数据增强", "从未见过的领域样本可以靠数据增强补上。"),
    ("离线评估", "不会变的指标先做离线评估。"),
])
def test_a_negated_modal_closed_by_de_is_attributive(point, answer):
    assert verdict(point, answer) is Verdict.HIT


@pytest.mark.parametrize("point, answer", [
    ("奖励模型", "DPO 不需要奖励模型。"),
    ("奖励模型", "训练时不能用额外的奖励模型。"),
    ("显存开销", "这样做不会有额外的显存开销。"),
    ("礼貌拒绝", "模型不该礼貌拒绝用户。"),
    ("梯度", "冻结层不能把它的梯度传给优化器。"),
])
def test_a_negated_modal_before_its_object_still_denies(point, answer):
    assert verdict(point, answer) is Verdict.CONTRADICTED


@pytest.mark.parametrize("point, answer", [
    ("编造", "要看它有没有原地打转或者编造不存在的调用。"),
    ("检索", "检索没有用的段落会拖慢生成。"),
    ("cache the prefix", "We cache the prefix that is not needed by the next request."),
])
def test_a_negated_predicate_closed_by_de_describes_its_noun(point, answer):
    assert verdict(point, answer) is Verdict.HIT


@pytest.mark.parametrize("point, answer", [
    ("奖励模型", "奖励模型是不需要的。"),
    ("外推问题", "外推问题不存在。"),
    ("reward model", "The reward model is not needed."),
])
def test_a_trailing_negated_predicate_still_denies(point, answer):
    assert verdict(point, answer) is Verdict.CONTRADICTED


@pytest.mark.parametrize("point, answer", [
    ("中文", "So it works the same for languages without spaces such as 中文 or Japanese."),
    ("dropout", "Models without pretraining, for example dropout baselines, overfit quickly."),
    ("single GPU", "Teams without large clusters, including those on a single GPU, can still fine-tune."),
])
def test_examples_after_a_noun_negation_are_not_denied(point, answer):
    assert verdict(point, answer) is Verdict.HIT


@pytest.mark.parametrize("point, answer", [
    ("reward model", "DPO does not need a reward model."),
    ("reward model", "It works without a reward model."),
    ("中文", "It does not support languages such as 中文."),
    ("Adam states", "No Adam states are kept at all."),
    ("GLM-130B", "No large model such as GLM-130B uses it."),
])
def test_a_plain_english_denial_is_still_caught(point, answer):
    assert verdict(point, answer) is Verdict.CONTRADICTED
