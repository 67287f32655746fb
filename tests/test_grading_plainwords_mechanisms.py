"""Everyday phrasings of mechanisms (``bot.grading.plainwords_mechanisms``): merged into ``PLAIN`` after the
other two tables (a concept named before keeps its rank and gains phrasings), each one naming its concept where
a question's key point needs it, in Chinese and in English, and nowhere else; never when denied or when only
its words are scattered over a sentence. A key point that states an absence ("不减均值") may be explained by
an answer's denial of the same thing, and a concept said with a negation word ("原来的模型一点都不动" for 冻结,
``PLAIN_DENIED``) is read in denied clauses. Deterministic, no network."""

from __future__ import annotations

import pickle

import pytest

from bot.grading import grade
from bot.grading.local import LocalGrader
from bot.grading.matching import Answer
from bot.grading.negation import NEGATIVE_KINDS
from bot.grading.plainwords import PLAIN
from bot.grading.plainwords_bank import PLAIN_BANK
from bot.grading.plainwords_mechanisms import PLAIN_DENIED, PLAIN_MECHANISMS
from bot.grading.semantic import soft_credit, with_plain_words
from bot.model import KeyPoint, Kind, Question
from tests.test_grading_plainwords import _concept, _sentences

CHAIN = Question(
    id="t-chain-mech", topic="rag", kind=Kind.OPEN, prompt="LangChain 里的 Chain 是什么？",
    answer="链把多个组件按顺序串联起来，前一步的输出作为下一步的输入。记忆保存多轮对话历史。",
    key_points=(KeyPoint("链按顺序串联组件", ("chain of components",)),
                KeyPoint("前一步输出作下一步输入", ("output feeds the next step",)),
                KeyPoint("记忆保存对话历史", ("memory",))),
)
GATE = Question(
    id="t-gate-mech", topic="components", kind=Kind.OPEN, prompt="SwiGLU 怎么计算？",
    answer="输入分两路投影，一路过 Swish 作门控，两路逐元素相乘，再经 W2 投影回原维度。",
    key_points=(KeyPoint("两路投影逐元素相乘", ("element-wise product",)),
                KeyPoint("再经W2投影回原维度", ("down projection",))),
)
STOP = Question(
    id="t-stop-mech", topic="sft", kind=Kind.OPEN, prompt="SFT 数据里有哪些坑？",
    answer="回答被截断、缺少 EOS 结束符的样本，会让模型停不下来或回答变短。错误答案会导致幻觉。",
    key_points=(KeyPoint("截断缺EOS致停不下或变短", ("missing EOS",)), KeyPoint("错误答案导致幻觉", ("hallucination",))),
)

NORM = Question(
    id="t-norm-mech", topic="components", kind=Kind.OPEN, prompt="RMSNorm 怎么计算？",
    answer="先计算输入的均方根 RMS，x 除以 RMS 再乘可学习的缩放 g；分母里加 ε 防止除零。",
    key_points=(KeyPoint("计算均方根", ("root mean square",)), KeyPoint("ε防止除零", ("epsilon",))),
)
GROUNDED = Question(
    id="t-grounded-mech", topic="rag", kind=Kind.OPEN, prompt="怎么让 RAG 的回答更忠实？",
    answer="提示里要求先列出证据再推理；关键内容放在开头或结尾。",
    key_points=(KeyPoint("先列证据或分步推理", ("evidence first",)), KeyPoint("关键内容放开头或结尾", ("start or end",))),
)


def test_the_mechanisms_table_is_merged_after_the_others():
    for concept, plains in PLAIN_MECHANISMS.items():
        assert concept in PLAIN, concept
        assert _concept(concept), concept
        assert set(plains) <= set(PLAIN[concept]), concept
    order = list(PLAIN)
    # a concept named by the first two tables keeps its place and its own phrasings come first
    assert order.index("冻结") < order.index(next(iter(PLAIN_BANK)))
    assert PLAIN["冻结"][0] == "一动不动"
    assert "leave the model alone" in PLAIN["冻结"]


@pytest.mark.parametrize("question, text, concept", [
    (CHAIN, "把这几个部件串成一条流水线。", "串联"),
    (CHAIN, "You hook the parts up in a row.", "串联"),
    (CHAIN, "出来的直接交给下一步。", "下一步输入"),
    (CHAIN, "Whatever comes out of one goes straight into the next.", "下一步输入"),
    (CHAIN, "它能记住前面聊过什么。", "对话历史"),
    (CHAIN, "It can remember the conversation.", "对话历史"),
    (GATE, "两路对应位置相乘。", "逐元素相乘"),
    (GATE, "The two are multiplied position by position.", "逐元素相乘"),
    (GATE, "最后再乘一个矩阵变回原来的宽度。", "投影回"),
    (GATE, "A third matrix brings it back to the original width.", "投影回"),
    (STOP, "答案写一半断掉的，模型就学会说一半就停。", "结束符"),
    (STOP, "With answers cut off halfway, it learns to stop halfway.", "结束符"),
    (STOP, "答案本身错了，它就会瞎编。", "幻觉"),
    (STOP, "Wrong answers teach it to state things with a straight face.", "幻觉"),
    (NORM, "把平方的平均再开根号，拿它去除。", "均方根"),
    (NORM, "Divide by the square root of the mean of squares.", "均方根"),
    (NORM, "分母上加一个很小的数。", "除零"),
    (NORM, "Add a tiny number to the bottom.", "除零"),
    (GROUNDED, "让模型先把依据摆出来再下结论。", "证据"),
    (GROUNDED, "Have it quote the supporting lines first.", "证据"),
    (GROUNDED, "最要紧的材料放最前或最后。", "开头"),
    (GROUNDED, "Put the key passages at the start or the end.", "开头"),
])
def test_a_mechanism_phrasing_adds_its_concept_where_a_point_needs_it(question, text, concept):
    supports, sentences = _sentences(question, text)
    extra = set().union(*with_plain_words(supports, sentences)[len(sentences):])
    assert _concept(concept) & extra - set().union(*sentences)


@pytest.mark.parametrize("question, text", [
    (GATE, "把这几个部件串成一条流水线。"),  # a framework's concept: no point of the gate question needs it
    (GATE, "You hook the parts up in a row."),
    (CHAIN, "两路对应位置相乘，最后变回原来的宽度。"),
    (CHAIN, "Multiply the two position by position and go back to the original width."),
    (STOP, "两路对应位置相乘。"),
])
def test_a_mechanism_phrasing_helps_no_point_of_another_topic(question, text):
    supports, sentences = _sentences(question, text)
    assert with_plain_words(supports, sentences) == sentences


@pytest.mark.parametrize("question, text", [
    (CHAIN, "它不会串成一条流水线，也记不住前面聊过什么。"),
    (CHAIN, "It does not hook the parts up in a row and never remembers the conversation."),
    (GATE, "两路并不是对应位置相乘。"),
    (CHAIN, "一条消息，流水账，串门。"),  # the characters of a phrasing, not the phrasing
    (GATE, "The row of positions is multiplied by two."),
])
def test_mechanism_phrasings_denied_or_broken_add_nothing(question, text):
    supports, sentences = _sentences(question, text)
    assert with_plain_words(supports, sentences) == sentences


@pytest.mark.parametrize("text, points", [
    ("把几个部件串成一条流水线。上一步的结果交给下一步。它能记住前面聊过什么。", 3),
    ("You hook the parts up in a row. Whatever comes out of one goes straight into the next. "
     "It can remember the conversation.", 3),
    ("显卡比处理器快得多。", 0),
    ("GPUs are much faster than CPUs.", 0),
])
def test_plain_explanations_of_every_point_earn_each_point(text, points):
    supports, sentences = _sentences(CHAIN, text)
    assert soft_credit(list(supports), [False] * len(supports), sentences) == pytest.approx(points)


@pytest.mark.parametrize("paraphrase, named", [
    ("两路对应位置相乘，最后再乘一个矩阵变回原来的宽度。", "两路逐元素相乘。"),
])
def test_a_plain_explanation_of_every_point_beats_naming_one(paraphrase, named):
    assert grade(GATE, paraphrase).score > grade(GATE, named).score


def test_an_english_plain_explanation_beats_naming_one_point():
    paraphrase = ("LangChain hooks the parts up in a row: whatever comes out of one goes straight into the next. "
                  "It can remember the conversation.")
    assert grade(CHAIN, paraphrase).score > grade(CHAIN, "A LangChain chain of components.").score


@pytest.mark.parametrize("text", [
    "上一步的结果直接交给下一步。",  # a word slipped into a long phrasing breaks one bigram
    "Whatever comes out of one goes right into the next.",  # one word of a long phrasing said otherwise
])
def test_a_long_phrasing_still_names_its_concept_with_one_unit_missing(text):
    supports, sentences = _sentences(CHAIN, text)
    extra = set().union(*with_plain_words(supports, sentences)[len(sentences):])
    assert _concept("下一步输入") & extra - set().union(*sentences)


@pytest.mark.parametrize("text", [
    "把部件串成了一条。",  # a short phrasing ("串成一条") must match whole
    "上一步产出结果之后交给下一步。",  # a long one may lack one unit, not three
    "The output of the first tool differs from the next one.",
])
def test_a_short_phrasing_or_one_missing_several_units_names_nothing(text):
    supports, sentences = _sentences(CHAIN, text)
    assert with_plain_words(supports, sentences) == sentences


RMS = Question(
    id="t-rms-denied", topic="components", kind=Kind.OPEN, prompt="RMSNorm 和 LayerNorm 有什么不同？",
    answer="RMSNorm 不减均值，只除以均方根；没有偏置 β，参数更少。",
    key_points=(KeyPoint("不减均值", ("no mean subtraction",)), KeyPoint("没有偏置β", ("no bias",))),
)
LAYERNORM = Question(
    id="t-ln-affirmed", topic="components", kind=Kind.OPEN, prompt="LayerNorm 怎么计算？",
    answer="LayerNorm 先减均值，再除以标准差。",
    key_points=(KeyPoint("减均值", ("subtract the mean",)), KeyPoint("除以标准差", ("divide by std",))),
)


def _credit(question: Question, text: str) -> float:
    supports, sentences = _sentences(question, text)
    return soft_credit(list(supports), [False] * len(supports), sentences)


@pytest.mark.parametrize("text", [
    "它不会先减去均值。",
    "It does not subtract the mean first.",
])
def test_a_denial_explains_a_point_that_states_the_same_absence(text):
    # "不减均值" is said by denying: an answer that denies subtracting the mean agrees with it
    assert _credit(RMS, text) > 0
    # ... and explains nothing of a point that affirms it, nor of a point that denies something else
    assert _credit(LAYERNORM, text) == 0
    assert _credit(RMS, "It does not need a GPU." if text.isascii() else "它不需要显卡。") == 0


def test_a_point_keeps_what_it_denies_when_prepared_in_another_process():
    supports = LocalGrader().prepared(RMS).supports
    again = pickle.loads(pickle.dumps(supports))
    assert again == supports
    assert [s.denied for s in again] == [s.denied for s in supports]
    assert "均值" in supports[0].denied


FROZEN = Question(
    id="t-frozen-denied", topic="peft", kind=Kind.OPEN, prompt="LoRA 训练时原模型怎么处理？",
    answer="原模型的权重全部冻结，只训练旁路的两个低秩矩阵。拒答：检索不到就说不知道。",
    key_points=(KeyPoint("冻结原权重", ("freeze the base weights",)), KeyPoint("检索不到时拒答", ("refuse",))),
)


def test_every_denied_form_phrasing_holds_its_negation_cue():
    # a phrasing of PLAIN_DENIED is read in denied clauses only: without a cue of its own it could never be there
    for concept, plains in PLAIN_DENIED.items():
        assert _concept(concept), concept
        for plain in plains:
            assert any(cue.kind in NEGATIVE_KINDS for cue in Answer(plain).cues), (concept, plain)


@pytest.mark.parametrize("text, concept", [
    ("原来的模型一点都不动，只训练旁边的小矩阵。", "冻结"),
    ("It never touches the original weights.", "冻结"),
    ("资料里找不到就直说不知道。", "拒答"),
    ("If nothing relevant is found, it should admit it does not know.", "拒答"),
])
def test_a_concept_said_with_a_negation_word_names_it(text, concept):
    supports, sentences = _sentences(FROZEN, text)
    extra = set().union(*with_plain_words(supports, sentences)[len(sentences):])
    assert _concept(concept) & extra - set().union(*sentences)


@pytest.mark.parametrize("question, text", [
    (CHAIN, "原来的模型一点都不动。"),  # no point of this question is about freezing
    (CHAIN, "It never touches the original weights."),
    (FROZEN, "原来的模型一点都动了。"),  # the words without the negation: the phrasing is not there
    (FROZEN, "It touches the original weights."),
])
def test_a_denied_form_phrasing_names_nothing_elsewhere(question, text):
    supports, sentences = _sentences(question, text)
    assert with_plain_words(supports, sentences) == sentences
