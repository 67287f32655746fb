"""The bank-wide everyday phrasings (``bot.grading.plainwords_bank``): merged into ``PLAIN`` without
replacing its entries, each one naming its concept where a question's key point needs it and nowhere
else, and never when denied. Deterministic, no network."""

from __future__ import annotations

import pytest

from bot.grading import grade
from bot.grading.matching import Answer
from bot.grading.negation import NEGATIVE_KINDS
from bot.grading.normalise import Text, units
from bot.grading.plainwords import PLAIN
from bot.grading.plainwords_bank import PLAIN_BANK
from bot.grading.semantic import soft_credit, with_plain_words
from bot.model import KeyPoint, Kind, Question
from tests.test_grading_plainwords import _concept, _sentences

LORA = Question(
    id="t-lora-bank", topic="peft", kind=Kind.OPEN, prompt="LoRA 有哪些优点？",
    answer="LoRA 可训练参数少、显存低；训练后可合并回原权重，无推理延迟；每个任务只存一个小文件，便于多任务切换。",
    key_points=(KeyPoint("可训练参数少", ("few trainable parameters",)),
                KeyPoint("可合并，无推理延迟", ("no inference latency",)),
                KeyPoint("多任务切换", ("task switching",))),
)
AGENT = Question(
    id="t-agent-bank", topic="agents", kind=Kind.OPEN, prompt="Agent 出错时怎么兜底？",
    answer="限制最大步数，超出上限就转人工；复杂问题先拆分成子问题。",
    key_points=(KeyPoint("最大步数上限", ("step limit",)), KeyPoint("转人工介入", ("human handoff",)),
                KeyPoint("拆分子问题", ("sub-questions",))),
)


def test_the_bank_table_is_merged_and_never_replaces_an_entry():
    for concept, plains in PLAIN_BANK.items():
        assert concept in PLAIN, concept
        assert plains, concept
        assert _concept(concept), concept
        for plain in plains:
            assert units(Text(plain).tokens), (concept, plain)
    assert PLAIN["嵌入向量"][0] == "一串数字"  # the first table's entries keep their phrasings


def test_no_phrasing_reads_as_a_denial():
    # a phrasing holding a negation cue ("停不下来") would only ever appear in a denied clause, whose units
    # soft credit skips, so it could never fire: problems are worded affirmatively instead
    for concept, plains in PLAIN.items():
        for plain in plains:
            assert not any(cue.kind in NEGATIVE_KINDS for cue in Answer(plain).cues), (concept, plain)


@pytest.mark.parametrize("question, text, concept", [
    (LORA, "训练完可以加回原来的权重里，推理不变慢。", "合并"),
    (LORA, "After training you merge back into the weights, and serving stays just as fast.", "无推理延迟"),
    (LORA, "只训练一小部分参数。", "可训练参数少"),
    (LORA, "You only train a tiny fraction of the weights.", "可训练参数少"),
    (AGENT, "先把问题拆成几个小问题。", "子问题"),
    (AGENT, "First break the question into smaller ones.", "子问题"),
    (AGENT, "最后交给人处理。", "介入"),
    (AGENT, "If it keeps failing, hand it to a person.", "介入"),
])
def test_a_bank_phrasing_adds_its_concept_where_a_point_needs_it(question, text, concept):
    supports, sentences = _sentences(question, text)
    extra = set().union(*with_plain_words(supports, sentences)[len(sentences):])
    assert _concept(concept) & extra - set().union(*sentences)


@pytest.mark.parametrize("question, text", [
    (AGENT, "训练完可以加回原来的权重里，推理不变慢。"),  # a LoRA concept, and no point of this question needs it
    (AGENT, "After training you merge back into the weights."),
    (LORA, "先把问题拆成几个小问题，实在不行就交给人处理。"),
    (LORA, "Break the question into smaller ones and hand it to a person."),
])
def test_a_bank_phrasing_helps_no_point_of_another_topic(question, text):
    supports, sentences = _sentences(question, text)
    assert with_plain_words(supports, sentences) == sentences


@pytest.mark.parametrize("text", [
    "不要把问题拆成几个小问题，也不交给人处理。",
    "Do not break the question into smaller ones and never hand it to a person.",
])
def test_a_denied_bank_phrasing_adds_nothing(text):
    supports, sentences = _sentences(AGENT, text)
    assert with_plain_words(supports, sentences) == sentences


def test_a_plain_explanation_of_every_point_beats_naming_one():
    paraphrase = "只训练一小部分参数；训练完可以加回原来的权重里，推理速度一样；每个任务一个小文件。"
    assert grade(LORA, paraphrase).score > grade(LORA, "LoRA 可训练参数少。").score


@pytest.mark.parametrize("text, points", [
    ("You only train a tiny fraction of the weights; afterwards you merge back into the weights, so serving "
     "stays just as fast, and you swap a small file per task.", 3),
    ("You train the whole model again for every task.", 0),
])
def test_english_plain_words_explain_the_points_they_name(text, points):
    supports, sentences = _sentences(LORA, text)
    assert soft_credit(list(supports), [False] * len(supports), sentences) == pytest.approx(points)


SERVE = Question(
    id="t-serve-bank", topic="inference", kind=Kind.OPEN, prompt="线上推理服务要关注什么？",
    answer="延迟是用户等待的时间。吞吐是每秒处理的请求数。",
    key_points=(KeyPoint("延迟", ("latency",)), KeyPoint("吞吐", ("throughput",))),
)


@pytest.mark.parametrize("text, credit", [
    ("响应快慢很关键。", 1.0),  # 延迟 is one unit: its plain phrasing explains the point as fully as the term
    ("Response time matters most.", 1.0),
    ("模型大小很关键。", 0.0),
    ("The size of the model matters most.", 0.0),
])
def test_a_one_unit_concept_named_plainly_earns_a_full_point(text, credit):
    supports, sentences = _sentences(SERVE, text)
    assert soft_credit(list(supports), [False] * len(supports), sentences) == pytest.approx(credit)


SEARCH = Question(
    id="t-search-bank", topic="rag", kind=Kind.OPEN, prompt="怎么提升检索效果？",
    answer="用 BM25 与向量的混合检索。再用交叉编码器重排。问题含糊时先澄清。",
    key_points=(KeyPoint("混合检索", ("hybrid search",)), KeyPoint("交叉编码器重排", ("cross-encoder",)),
                KeyPoint("澄清", ("clarify",))),
)


@pytest.mark.parametrize("text, concept", [
    ("关键词和语义一起查。", "混合检索"),
    ("Search by keywords and by meaning.", "混合检索"),
    ("把问题和文档一起输入打分。", "交叉编码器"),
    ("Score the question and passage together.", "交叉编码器"),
    ("先反问用户。", "澄清"),
    ("First ask the user what they mean.", "澄清"),
])
def test_retrieval_words_in_plain_language(text, concept):
    supports, sentences = _sentences(SEARCH, text)
    extra = set().union(*with_plain_words(supports, sentences)[len(sentences):])
    assert _concept(concept) & extra - set().union(*sentences)


@pytest.mark.parametrize("text", [
    "不要反问用户，也别把问题和文档一起输入打分。",
    "Never ask the user what they mean.",
    "用户很多，文档也很多。",  # the words of a phrasing, not the phrasing
    "There are many users and many passages.",
])
def test_retrieval_phrasings_denied_or_broken_add_nothing(text):
    supports, sentences = _sentences(SEARCH, text)
    assert with_plain_words(supports, sentences) == sentences
