"""Rejections (bot.grading.rejection): a key point named and then dismissed ("重排意义不大", "is a waste of
time") is contradicted, not hit; a dismissal of something else, a negated or conditional one is not.

A made-up question keeps each rule on its own; the figures on the labelled sets live in
tests/test_grading_agreement.py.
"""

from __future__ import annotations

import pytest

from bot.grading import grade
from bot.model import KeyPoint, Kind, Question

RETRIEVAL = Question(
    id="t-reject", topic="rag", kind=Kind.OPEN, prompt="RAG 召回的文档不相关，该怎么改进？",
    answer="先用 BM25 和向量做混合检索扩大召回，再用交叉编码器重排，把最相关的几段放进提示。"
           "上线前人工抽检一批问题的检索结果。",
    key_points=(KeyPoint("BM25与向量混合检索", ("混合检索", "hybrid search")),
                KeyPoint("交叉编码器重排", ("重排", "reranking", "rerank")),
                KeyPoint("人工抽检检索结果", ("人工抽检", "manual spot checks"))),
)
RERANK = "交叉编码器重排"
HYBRID = "BM25与向量混合检索"


@pytest.mark.parametrize("text, point", [
    ("召回之后再做重排太慢了，意义不大，直接取向量检索的前几条就行。", RERANK),
    ("混合检索已经过时了，现在都只用向量检索。", HYBRID),
    ("上线前的人工抽检可以省掉，模型自己会发现问题。", "人工抽检检索结果"),
    ("Reranking is a waste of time; plain vector search already returns the right chunks.", RERANK),
    ("Hybrid search is obsolete, since embeddings capture every keyword anyway.", HYBRID),
])
def test_a_dismissed_point_is_contradicted(text, point):
    g = grade(RETRIEVAL, text)
    assert point in g.contradicted and point not in g.hit


@pytest.mark.parametrize("text, point", [
    # a contrast or a new predicate ends the reach of the dismissal: it is about the other thing
    ("重排很有用，而单独用关键词检索意义不大。", RERANK),
    ("Reranking helps a lot, but keyword search on its own is a waste of time.", RERANK),
    # a negated dismissal affirms
    ("重排并不是浪费时间，它能明显提高前几条的准确率。", RERANK),
    ("Reranking is not a waste of time: it lifts the precision of the top results.", RERANK),
    # a conditional one explains when, it does not deny
    ("要是召回的文档本来就只有两三条，重排意义不大。", RERANK),
])
def test_a_dismissal_that_does_not_deny_the_point(text, point):
    g = grade(RETRIEVAL, text)
    assert point in g.hit and point not in g.contradicted


def test_a_dismissive_wrong_answer_ranks_below_a_short_partial():
    partial = grade(RETRIEVAL, "可以在召回之后加一个交叉编码器重排。")
    wrong = grade(RETRIEVAL, "混合检索和重排都已经过时了，人工抽检也是浪费时间，只要把 top-50 全部塞进提示就行。")
    assert wrong.score < partial.score
    assert {HYBRID, RERANK} <= set(wrong.contradicted)


def test_a_removal_with_an_object_of_its_own_dismisses_that_object():
    # "可以去掉" followed by what it removes is about that thing, not about the reranker named before
    g = grade(RETRIEVAL, "重排完的结果可以去掉重复的段落，再放进提示。")
    assert RERANK in g.hit
    g = grade(RETRIEVAL, "重排太慢，可以去掉。")
    assert RERANK in g.contradicted


CACHE = Question(
    id="t-reject-avoid", topic="inference", kind=Kind.OPEN, prompt="KV cache 为什么能加速推理？",
    answer="KV cache 把算过的 K 和 V 存下来，新 token 只算自己的那一份，避免重复计算前缀。",
    key_points=(KeyPoint("缓存已算的K和V", ("缓存 K 和 V", "cache the keys and values")),
                KeyPoint("避免重复计算前缀", ("重复计算", "recomputation"))),
)


@pytest.mark.parametrize("text", [
    "每一步都重新算一遍前缀，这种重复计算纯属浪费，所以要缓存 K 和 V。",
    "Caching the keys and values matters because recomputation of the prefix is a waste of time.",
])
def test_dismissing_what_a_point_avoids_agrees_with_it(text):
    g = grade(CACHE, text)
    assert "避免重复计算前缀" in g.hit and not g.contradicted
