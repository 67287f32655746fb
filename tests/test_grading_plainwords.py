"""Soft credit for key points explained in plain words (``bot.grading.plainwords``, ``bot.grading.semantic``):
an everyday phrasing counts as its concept's units for soft credit only, and only towards a key point whose
support holds that concept. Deterministic, no network."""

from __future__ import annotations

import pytest

from bot.grading import grade
from bot.grading.local import LocalGrader
from bot.grading.matching import Answer
from bot.grading.normalise import Text, units
from bot.grading.plainwords import PLAIN
from bot.grading.semantic import affirmed_sentence_units, soft_credit, with_plain_words
from bot.model import KeyPoint, Kind, Question

RAG = Question(
    id="t-rag-plain", topic="rag", kind=Kind.OPEN, prompt="RAG 的基本流程是什么？",
    answer=("先加载文档并切块，块之间留一些重叠。用嵌入模型把每个块编码成向量，存入向量数据库。"
            "查询时把问题也编码成向量，做相似度检索取回 top-k 个块。"
            "最后把检索到的内容和问题一起放进提示词，让模型生成回答并注明出处。"),
    key_points=(KeyPoint("加载文档并切块", ("chunking",)),
                KeyPoint("嵌入向量存入向量数据库", ("embedding", "vector database")),
                KeyPoint("相似度检索top-k", ("similarity search",)),
                KeyPoint("检索内容拼进提示词生成", ("augment the prompt",))),
)
RLHF = Question(
    id="t-rlhf-plain", topic="alignment", kind=Kind.OPEN, prompt="RLHF 是怎么工作的？",
    answer="先 SFT，再用人类偏好排序数据训练奖励模型，最后用 PPO 最大化奖励并加 KL 惩罚，防止偏离参考模型。",
    key_points=(KeyPoint("奖励模型", ("reward model",)), KeyPoint("PPO", ("近端策略优化",)),
                KeyPoint("人类偏好", ("human preference",)), KeyPoint("KL惩罚", ("KL penalty",))),
)


def _sentences(question: Question, text: str) -> tuple[tuple[frozenset[str], ...], list[set[str]]]:
    supports = LocalGrader().prepared(question).supports
    answer = Answer(text)
    return supports, affirmed_sentence_units(answer.text, answer.cues, answer.sentence_units)


def _concept(name: str) -> set[str]:
    return units(Text(name).tokens)


def test_every_entry_is_a_nonempty_tuple_of_phrasings_with_units():
    for concept, plains in PLAIN.items():
        assert isinstance(plains, tuple) and plains, concept
        assert _concept(concept), concept
        for plain in plains:
            assert units(Text(plain).tokens), (concept, plain)


@pytest.mark.parametrize("text, concept", [
    ("再把每一段都变成一串数字存好。", "嵌入"),
    ("Turn every piece into a list of numbers and keep them.", "嵌入"),
    ("先把文件切成小段。", "切块"),
    ("First chop the files into small pieces.", "切块"),
    ("找出意思最接近的几段。", "相似"),
])
def test_a_plain_phrasing_adds_its_concept_where_the_question_needs_it(text, concept):
    supports, sentences = _sentences(RAG, text)
    assert not _concept(concept) <= sentences[0]
    named = with_plain_words(supports, sentences)
    assert named[:len(sentences)] == sentences  # the sentences themselves are left as they are
    assert any(_concept(concept) & extra for extra in named[len(sentences):])


@pytest.mark.parametrize("question, text", [
    (RAG, "我们周末去看了一场电影，人很多。"),  # no phrasing at all
    (RLHF, "先把文件切成小段，再变成一串数字。"),  # phrasings of concepts this question's points never use
    (RLHF, "Chop the files into small pieces and turn them into a list of numbers."),
])
def test_nothing_is_added_without_a_phrasing_or_for_another_topic(question, text):
    supports, sentences = _sentences(question, text)
    assert with_plain_words(supports, sentences) == sentences


@pytest.mark.parametrize("text", [
    "不要切成小段，也不用变成一串数字。",
    "You do not chop the files into small pieces or turn them into a list of numbers.",
])
def test_a_denied_phrasing_adds_nothing(text):
    supports, sentences = _sentences(RAG, text)
    assert with_plain_words(supports, sentences) == sentences


def test_plain_words_never_make_an_exact_hit():
    result = grade(RAG, "先把文件读进来，切成小段；再把每一段变成一串数字存好。提问时找出意思最接近的几段，和问题一起交给模型写回答。")
    assert result.hit == () and result.contradicted == ()


@pytest.mark.parametrize("paraphrase", [
    "先把文件读进来，切成小段；再把每一段变成一串数字存好。提问时找出意思最接近的几段，和问题一起交给模型写回答。",
    ("Load the documents and chop them into small pieces, turn each piece into a list of numbers and store them. "
     "For a question, search for the most similar pieces and hand them to the model together with the question."),
])
def test_a_plain_words_explanation_beats_a_partial_answer_that_names_one_point(paraphrase):
    partial = grade(RAG, "RAG 就是先加载文档并切块。").score
    assert grade(RAG, paraphrase).score > partial


@pytest.mark.parametrize("wrong", [
    "不用切成小段，也不用变成一串数字，把所有文件一次塞给模型，让它凭记忆回答。",
    "Load the documents into the model in one go; there is no need to chop them into small pieces or to turn them "
    "into numbers.",
])
def test_denying_the_steps_in_plain_words_earns_nothing_from_them(wrong):
    assert grade(RAG, wrong).score <= 1


@pytest.mark.parametrize("one_step, two_steps", [
    ("先把文件读进来并切成小段。", "先把文件读进来并切成小段，再把每一段变成一串数字存好。"),
    ("Load the files and chop them into small pieces.",
     "Load the files, chop them into small pieces and turn every piece into a list of numbers."),
])
def test_one_sentence_that_names_two_concepts_plainly_explains_two_points(one_step, two_steps):
    credits = []
    for text in (one_step, two_steps):
        supports, sentences = _sentences(RAG, text)
        assert len(sentences) == 1
        credits.append(soft_credit(list(supports), [False] * len(supports), sentences))
    assert 0 < credits[0] < credits[1]


DPO = Question(
    id="t-dpo-plain", topic="alignment", kind=Kind.OPEN, prompt="DPO 是怎么训练的？",
    answer="DPO 直接用偏好对（一个更好的回答和一个更差的回答）训练策略，不需要单独的奖励模型，数据是离线准备好的。",
    key_points=(KeyPoint("直接用偏好对训练", ("preference pairs",)), KeyPoint("离线数据", ("offline data",))),
)


@pytest.mark.parametrize("text, concept", [
    ("每道题准备一好一坏两个回答，直接拿来训练。", "偏好对"),
    ("For every prompt you keep a better and a worse answer and train on them directly.", "偏好对"),
    ("这些回答都是事先准备好的。", "离线"),
    ("The answers were all prepared in advance.", "离线"),
])
def test_everyday_words_for_alignment_data(text, concept):
    supports, sentences = _sentences(DPO, text)
    assert not _concept(concept) <= set().union(*sentences)
    assert any(_concept(concept) & extra for extra in with_plain_words(supports, sentences)[len(sentences):])


@pytest.mark.parametrize("text", [
    "每道题准备两个回答，直接拿来训练。",  # two answers, but nothing says one is better
    "The answers were written by hand.",
])
def test_near_misses_of_a_phrasing_add_nothing(text):
    supports, sentences = _sentences(DPO, text)
    assert with_plain_words(supports, sentences) == sentences


@pytest.mark.parametrize("text, credit", [
    ("训练一个专门打分的模型。", 1.0),  # 奖励模型 in plain words: both of its units (模型 is generic)
    ("Train a separate scoring model.", 1.0),
    ("训练一个模型。", 0.0),  # says no concept of the question
    ("Train another model.", 0.0),
])
def test_a_concept_named_in_plain_words_explains_a_point_as_its_term_would(text, credit):
    supports, sentences = _sentences(RLHF, text)
    assert soft_credit(list(supports), [False] * len(supports), sentences) == pytest.approx(credit)
