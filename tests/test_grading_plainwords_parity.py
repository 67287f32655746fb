"""The everyday phrasings of the field (``bot.grading.plainwords``) exist in both languages for every
concept, so that an answer explained in plain Chinese and its English translation earn the same soft credit."""

from __future__ import annotations

import re

import pytest

from bot.grading.local import LocalGrader
from bot.grading.matching import Answer
from bot.grading.normalise import Text, units
from bot.grading.plainwords import PLAIN
from bot.grading.plainwords_mechanisms import PLAIN_DENIED
from bot.grading.semantic import affirmed_sentence_units, with_plain_words
from bot.model import KeyPoint, Kind, Question

_CJK = re.compile(r"[\u4e00-\u9fff]")

DATA = Question(
    id="t-data-plain", topic="pretrain", kind=Kind.OPEN, prompt="预训练数据要怎么处理？",
    answer="先对语料去重，再由人工标注一小部分做质量分类，测试集要做隔离防泄漏。",
    key_points=(KeyPoint("语料去重", ("deduplication",)), KeyPoint("人工标注", ("annotation",)),
                KeyPoint("测试集隔离防泄漏", ("no test leakage",))),
)


@pytest.mark.parametrize("table", [PLAIN, PLAIN_DENIED])
def test_every_concept_has_phrasings_in_both_languages(table):
    for concept, plains in table.items():
        assert any(_CJK.search(p) for p in plains), concept
        assert any(not _CJK.search(p) for p in plains), concept


def _added(text: str) -> list[set[str]]:
    supports = LocalGrader().prepared(DATA).supports
    answer = Answer(text)
    sentences = affirmed_sentence_units(answer.text, answer.cues, answer.sentence_units)
    return with_plain_words(supports, sentences)[len(sentences):]


@pytest.mark.parametrize("text, concept", [
    ("先把重复的删掉。", "去重"),
    ("First remove duplicates from the crawl.", "去重"),
    ("测试数据和训练数据分开放。", "隔离"),
    ("Keep the test out of training.", "隔离"),
])
def test_a_phrasing_in_either_language_adds_its_concept(text, concept):
    assert any(units(Text(concept).tokens) & extra for extra in _added(text))


@pytest.mark.parametrize("text", [
    "我们周末去看了一场电影，人很多。",
    "We went to see a film at the weekend; it was crowded.",
])
def test_ordinary_sentences_add_nothing(text):
    assert _added(text) == []
