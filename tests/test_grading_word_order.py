"""Recall of key points said in other words: another word order or words between a point's words
(the matcher's order-tolerant rule inside one clause), the comparative 更 of a point, the vocabulary
that lets the same content meet the same point in Chinese and English, and a list of checks that is
no denial. Deterministic, no network."""

from __future__ import annotations

import pytest

from bot.grading import grade
from bot.grading.matching import Answer, Verdict, assess, phrases_of
from bot.grading.normalise import Text
from bot.model import KeyPoint, Kind, Question


def _verdict(phrase: str, answer: str) -> Verdict:
    found = [assess(p, Answer(answer)) for p in phrases_of(phrase)]
    if Verdict.HIT in found:
        return Verdict.HIT
    return Verdict.CONTRADICTED if Verdict.CONTRADICTED in found else Verdict.MISSED


@pytest.mark.parametrize("phrase, answer", [
    ("生成部分算loss", "loss 只算在生成部分"),  # the parts of the phrase in another order
    ("冻结模型", "冻结整个预训练模型"),  # words inserted between them
    ("调小学习率", "把学习率调小一点"),
    ("占用显存", "显存占用很大"),
    ("learning rate too high", "the learning rate is too high"),  # English: in order, small words between
])
def test_a_point_in_another_order_or_with_words_between_is_met(phrase, answer):
    assert _verdict(phrase, answer) is Verdict.HIT


@pytest.mark.parametrize("phrase, answer", [
    ("小学习率", "学习率太小"),  # a lone character moved across its noun: a remedy is no cause
    ("提示词多样", "提示词会采样多"),  # the phrase's characters scattered over other words
    ("冻结模型", "冻结了一部分参数，然后训练其他模型"),  # not in one clause
    ("model update", "updates can change the model"),  # English roles are in its word order
    ("生成部分算loss", "生成部分的长度和 loss 没关系，但是算力要够"),  # across clauses
])
def test_scattered_or_reordered_roles_are_not_a_mention(phrase, answer):
    assert _verdict(phrase, answer) is Verdict.MISSED


@pytest.mark.parametrize("phrase, answer", [
    ("冻结模型", "不冻结整个预训练模型"),
    ("冻结模型", "模型没有冻结"),
])
def test_a_denied_mention_in_another_order_is_not_affirmed(phrase, answer):
    assert _verdict(phrase, answer) is not Verdict.HIT


def test_words_between_that_deny_something_of_their_own_do_not_contradict_the_point():
    # "不存在的" is about the tool; a reordered mention is too loose to prove a denial of the call
    assert _verdict("工具调用", "调用了不存在的工具") is Verdict.MISSED


@pytest.mark.parametrize("phrase, answer, verdict", [
    ("训练更慢", "反量化让训练慢一些", Verdict.HIT),  # the plain predicate of a comparative
    ("参数更少", "它的参数少得多", Verdict.HIT),
    ("模型更新", "模型新", Verdict.MISSED),  # 更新 is a word
])
def test_a_comparative_point_is_met_by_its_plain_predicate(phrase, answer, verdict):
    assert _verdict(phrase, answer) is verdict


def test_phrases_of_keeps_words_with_geng():
    assert [p.source for p in phrases_of("参数不更新")] == ["参数不更新"]
    assert [p.source for p in phrases_of("更大的batch")] == ["更大的batch"]  # 更 qualifying a noun stays
    assert [p.source for p in phrases_of("更快")] == ["更快"]  # nothing left to say without it
    assert [p.source for p in phrases_of("训练更慢")] == ["训练更慢", "训练慢"]


@pytest.mark.parametrize("english, chinese, terms", [
    ("fast and cheap, low-latency", "又快又便宜，低延迟", ("便宜", "低延迟")),
    ("continue training in stages", "分阶段继续训练", ("分阶段", "继续训练")),
    ("continued pre-training on domain text", "在领域文本上持续预训练", ("继续预训练",)),
    ("a multi-stage recipe", "一个分阶段的方案", ("分阶段",)),
    ("discrete search is hard", "离散搜索很难", ("离散检索",)),  # 搜索 is 检索, like "search"
    ("adjust chunk size", "调整分块大小", ("调整分块",)),
    ("beam search or greedy search", "束搜索或者贪心搜索", ("束搜索", "贪心解码")),  # terms kept whole
])
def test_field_vocabulary_meets_in_both_languages(english, chinese, terms):
    en, zh = Text(english).flat, Text(chinese).flat
    for term in terms:
        assert term in en and term in zh


def test_everyday_words_near_the_new_vocabulary_stay_apart():
    assert "分阶段" not in Text("the first stage of training").flat  # a bare "stage" is no method
    assert "低延迟" not in Text("latency is low").flat  # only the fixed phrase folds


def test_continue_is_not_continuous():
    assert "连续" not in Text("it continues to grow").flat
    assert "连续" in Text("continuous batching").flat or "连续批处理" in Text("continuous batching").flat


SFT_LOSS = Question(
    id="t-order", topic="sft", kind=Kind.OPEN, prompt="SFT 的 loss 怎么算？为什么？",
    answer="SFT 通常只在回答部分算 loss，prompt 部分的 token 被 mask 掉，这样模型只学习怎么回答。",
    key_points=(KeyPoint("只对回答部分算loss", ("回答部分算loss", "loss only on the response")),
                KeyPoint("prompt部分被mask", ("mask掉prompt", "prompt is masked"))),
)


def test_the_same_content_in_either_language_meets_the_reordered_point():
    zh = grade(SFT_LOSS, "loss 只算在回答部分，prompt 那部分的 token 都被 mask 掉了，因为我们只想让模型学会回答。")
    en = grade(SFT_LOSS, "The loss is computed only on the response, and the prompt is masked, because we only want "
                      "the model to learn to answer.")
    assert "只对回答部分算loss" in zh.hit and "只对回答部分算loss" in en.hit
    assert abs(zh.score - en.score) <= 1
    denied = grade(SFT_LOSS, "loss 不会算在回答部分，而是算在 prompt 上。")  # a negation between the words
    assert "只对回答部分算loss" not in denied.hit


AGENT_EVAL = Question(
    id="t-agent-eval", topic="agents", kind=Kind.OPEN, prompt="Agent 怎么评估效果？",
    answer="看任务成功率；检查轨迹里工具调用是否正确；统计幻觉率；看延迟和成本。",
    key_points=(KeyPoint("任务成功率", ("success rate",)), KeyPoint("统计幻觉率", ("hallucination",)),
                KeyPoint("延迟与成本", ("latency", "cost"))),
)


@pytest.mark.parametrize("text", [
    "Measure the success rate, and inspect the trajectory: whether the arguments are correct, the calls succeed, "
    "and it does not loop or hallucinate tool calls.",
    "看任务成功率，再确保参数正确、调用成功，也不会幻觉出工具。",
])
def test_a_list_of_checks_reaches_the_end_of_its_sentence(text):
    assert "统计幻觉率" not in grade(AGENT_EVAL, text).contradicted


@pytest.mark.parametrize("text", [
    "Check whether the success rate is high, but the agent does not hallucinate, so hallucination is irrelevant.",
    "The agent never hallucinates. Check whether the success rate is high.",  # another sentence
])
def test_a_denial_outside_the_list_of_checks_still_denies(text):
    assert "统计幻觉率" in grade(AGENT_EVAL, text).contradicted
