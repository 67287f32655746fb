"""What a direction cue, a removal verb or an opposite term is about: the noun it modifies, the thing
replaced (not its replacement), the point's own claim (not the baseline it is compared with), the
compared thing the sentence is about. Each case in Chinese and English, with a guard that the real
misstatement is still caught."""

from __future__ import annotations

import pytest

from bot.grading import grade
from bot.grading.normalise import Text
from bot.model import KeyPoint, Kind, Question

LORA = Question(
    id="t-lora-speed", topic="peft", kind=Kind.OPEN, prompt="LoRA 为什么能加速训练？",
    answer="原权重冻结，不算它们的梯度。优化器状态只存 LoRA 参数的，显存占用更少，省下的显存可以用更大的 batch。",
    key_points=(KeyPoint("显存占用更少", ("less memory", "显存更少", "memory usage")), KeyPoint("原权重冻结", ("frozen base weights",))),
)


@pytest.mark.parametrize("text", [
    "原权重冻结，显存占用更少，省下来的显存可以开更大的 batch。",
    "The base weights are frozen, so it uses less memory and the saved memory lets you use a larger batch.",
])
def test_a_cue_before_its_noun_is_about_that_noun(text):
    result = grade(LORA, text)
    assert "显存占用更少" in result.hit and not result.contradicted


@pytest.mark.parametrize("text", ["原权重冻结，但显存占用更多。", "The base weights are frozen, but memory usage is higher."])
def test_the_opposite_direction_is_still_a_contradiction(text):
    assert "显存占用更少" in grade(LORA, text).contradicted


TOKENS = Question(
    id="t-tokens", topic="rag", kind=Kind.OPEN, prompt="LangChain 为什么费 token？",
    answer="默认提示冗长。解决办法是换成自己写的精简提示，减少 token 用量。",
    key_points=(KeyPoint("精简提示", ("shorter prompts", "concise prompts")), KeyPoint("默认提示冗长", ("long default prompts",))),
)


@pytest.mark.parametrize("text", [
    "默认提示冗长，要把默认提示替换成自己写的精简提示。",
    "The default prompts are long: replace the defaults with your own shorter prompts.",
])
def test_replace_x_with_y_removes_x_not_y(text):
    result = grade(TOKENS, text)
    assert "精简提示" in result.hit and "精简提示" not in result.contradicted


def test_removing_the_point_is_still_a_contradiction():
    assert "精简提示" in grade(TOKENS, "默认提示冗长，所以把精简提示去掉。").contradicted


def test_an_identifier_is_a_name_not_its_words():
    assert Text("map_reduce").tokens == ["mapreduc"]
    assert Text("chain_type_kwargs").tokens == ["chaintypekwarg"]
    assert Text("map reduce").tokens == ["map", "reduc"]


PTUNING = Question(
    id="t-ptuning", topic="peft", kind=Kind.OPEN, prompt="P-tuning 用连续提示有什么好处？",
    answer="可学习的连续提示比离散提示更稳定，不依赖人工写模板。",
    key_points=(KeyPoint("比离散提示更稳定", ("steadier than discrete prompts",)), KeyPoint("不依赖人工模板")),
)
DEDUP = Question(
    id="t-dedup", topic="pretrain", kind=Kind.OPEN, prompt="预训练数据怎么去重？",
    answer="既做精确去重，也用 MinHash 做近似去重。", key_points=(KeyPoint("去重（含近似去重）"),),
)


@pytest.mark.parametrize("text", ["学出来的连续提示表现更稳定，不依赖人工模板。",
                                  "Learned continuous prompts are more stable than discrete prompts."])
def test_the_baseline_of_a_comparison_is_not_the_points_own_term(text):
    assert not grade(PTUNING, text).contradicted


@pytest.mark.parametrize("text", ["去重时做精确去重，用 MinHash 做近似去重。",
                                  "Deduplication is both exact and near-duplicate with MinHash."])
def test_an_answer_saying_both_terms_of_a_pair_is_not_contradicted(text):
    assert not grade(DEDUP, text).contradicted


@pytest.mark.parametrize("text", ["去重只做精确去重。", "Deduplication is exact only."])
def test_saying_only_the_other_term_is_still_a_contradiction(text):
    assert "去重（含近似去重）" in grade(DEDUP, text).contradicted


PREFIX = Question(
    id="t-prefix", topic="basics", kind=Kind.OPEN, prompt="prefix LM 和 causal LM 区别是什么？",
    answer="Prefix LM 前缀双向可见，只对生成部分算 loss。Causal LM 每个位置都算 loss，训练效率更高，因此成为主流。",
    key_points=(KeyPoint("Prefix只对生成部分算loss", ("loss only on the generated part",)),
                KeyPoint("Causal训练效率高", ("训练效率高", "trains efficiently"))),
)


@pytest.mark.parametrize("text", [
    "A prefix LM computes the loss only on the generated part, so training is less efficient. "
    "A causal LM computes the loss everywhere and trains efficiently.",
    "Prefix LM 只对生成部分算 loss，训练效率更低。Causal LM 每个位置都算，训练效率高。",
])
def test_a_direction_about_another_compared_thing_is_not_read_against_the_point(text):
    assert not grade(PREFIX, text).contradicted


@pytest.mark.parametrize("text", ["Causal LM 训练效率更低。", "A causal LM trains efficiently? No: its training efficiency is lower."])
def test_the_same_thing_in_the_other_direction_is_still_a_contradiction(text):
    assert "Causal训练效率高" in grade(PREFIX, text).contradicted
