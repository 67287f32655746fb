"""A mention that differs from a phrase by the opposite term of a field pair is no mention of it.

"单向注意力" shares three of the four units of "双向注意力" and says the reverse; "稀疏检索" is no
"稠密检索", "串行调用工具" no "并行调用工具", "编码器架构" no "解码器架构", "Post-LN" no "Pre-LN". A fuzzy mention that holds the phrase's own term, or other
small wording differences, still counts."""

from __future__ import annotations

import pytest

from bot.grading import grade
from bot.grading.matching import Answer, Phrase, Verdict, assess
from bot.model import KeyPoint, Kind, Question


def verdict(point: str, answer: str) -> Verdict:
    phrase = Phrase.of(point)
    assert phrase is not None
    return assess(phrase, Answer(answer))


@pytest.mark.parametrize("point, answer", [
    ("双向注意力", "Causal Decoder 是单向注意力，比如 GPT。"),
    ("双向注意力", "GPT uses unidirectional attention over the sequence."),
    ("稠密检索召回", "第一步用稀疏检索召回候选。"),
    ("并行调用工具", "它会串行调用工具，一个接一个。"),
    ("在线强化学习", "这是离线强化学习，只用固定数据。"),
    ("解码器架构", "BERT 用的是编码器架构。"),
    ("decoder stack", "BERT keeps only the encoder stack."),
    ("Pre-LN 梯度稳定", "Post-LN 梯度稳定，所以原版用它。"),
])
def test_the_opposite_term_swapped_in_is_no_mention(point, answer):
    assert verdict(point, answer) is Verdict.MISSED


@pytest.mark.parametrize("point, answer", [
    ("双向注意力", "编码器用的是双向的注意力。"),
    ("双向注意力", "BERT uses bidirectional self attention."),
    ("稠密检索召回", "第一步用稠密的检索召回候选。"),
    ("并行调用工具", "互相独立时可以并行调用这些工具。"),
    ("解码器架构", "GPT 是解码器的架构。"),
    ("编码器解码器架构", "T5 是编码器-解码器架构。"),
    ("Pre-LN 梯度稳定", "Pre-LN 的梯度更稳定。"),
])
def test_a_fuzzy_mention_with_the_phrase_own_term_still_counts(point, answer):
    assert verdict(point, answer) is Verdict.HIT


LM_Q = Question(
    id="t-lm-arch", topic="basics", kind=Kind.OPEN, prompt="Causal Decoder 和 Encoder-Decoder 区别是什么？",
    answer="Encoder-Decoder 的编码器是双向注意力，解码器单向；Causal Decoder 全程单向自回归。",
    key_points=(KeyPoint("Encoder-Decoder输入双向", ("编码器双向", "双向注意力", "bidirectional")),
                KeyPoint("Causal全程单向自回归", ("单向", "自回归", "autoregressive"))),
)


@pytest.mark.parametrize("text", [
    "Causal Decoder 是单向注意力，比如 GPT。",
    "A causal decoder has unidirectional attention, like GPT.",
])
def test_a_point_on_the_opposite_term_is_not_earned_by_a_near_spelling(text):
    result = grade(LM_Q, text)
    assert "Encoder-Decoder输入双向" not in result.hit and "Causal全程单向自回归" in result.hit
