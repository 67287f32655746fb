"""English "and" joining the items a dismissal is about, as Chinese 和 does.

"Hybrid search and reranking are a waste of time" dismisses both, like "混合检索和重排都是浪费时间";
an "and" after a clause that says something of its own ("reranking helps, and hybrid search is a
waste of time") still separates what is kept from what is dismissed."""

from __future__ import annotations

import pytest

from bot.grading import grade
from bot.model import KeyPoint, Kind, Question

RAG_Q = Question(
    id="t-rag-recall", topic="rag", kind=Kind.OPEN, prompt="RAG 怎么提升召回质量？",
    answer="用混合检索（BM25 加向量检索）扩大召回，再用重排模型挑出最相关的片段。",
    key_points=(KeyPoint("混合检索", ("hybrid search",)), KeyPoint("重排", ("reranking", "rerank"))),
)


@pytest.mark.parametrize("text", [
    "Hybrid search and reranking are a waste of time.",
    "Hybrid search, BM25 and reranking are a waste of time.",
    "Hybrid search or reranking is a waste of time here.",
    "混合检索和重排都是浪费时间。",
])
def test_and_joins_the_items_of_one_dismissal(text):
    assert set(grade(RAG_Q, text).contradicted) == {"混合检索", "重排"}


@pytest.mark.parametrize("text", [
    "Reranking helps, and hybrid search is a waste of time.",
    "Reranking reduces noise and hybrid search is a waste of time.",
    "Reranking is useful and hybrid search is a waste of time.",
    "重排很有用，而混合检索纯属浪费。",
])
def test_and_after_a_clause_of_its_own_keeps_the_first_item(text):
    result = grade(RAG_Q, text)
    assert "重排" in result.hit and result.contradicted == ("混合检索",)
