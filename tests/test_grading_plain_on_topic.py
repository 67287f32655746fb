"""A paraphrase that names several of the question's concepts in everyday words is on topic.

A paraphrase avoids the question's terms by design, so it can share too few of the question's words to
pass the on-topic test, and an answer taken for another topic earns no soft credit: a correct
explanation of prompting methods in plain words scored 0. Naming ``PLAIN_ON_TOPIC_CONCEPTS`` distinct
concepts of the question's key points in everyday words now makes it on topic; one everyday phrase in
an answer about something else does not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bank import QuestionBank
from bot.grading import local
from bot.grading.local import LocalGrader
from bot.grading.matching import Answer

ROOT = Path(__file__).resolve().parent.parent
PROMPTING = "peft-530a46b2"  # 提示学习（Prompting）有哪些方法，能不能稍微介绍一下它们？


@pytest.fixture(scope="module")
def question():
    bank = QuestionBank.load(ROOT / "questions")
    return next(q for q in bank.all_questions() if q.id == PROMPTING)


PLAIN = [
    "一种是人手写开头，先给几个例子让模型照着做；另一种是让机器自己学一段开头，有的在每一层都塞一段可学习的东西，"
    "有的只在最前面输入处加一小段。",
    "One way is to write the opening by hand and give a few examples first; the other lets the machine learn the "
    "opening itself: some stuff a learnable piece into every layer, some only add a short piece at the very start "
    "of the input.",
]


@pytest.mark.parametrize("text", PLAIN)
def test_a_paraphrase_naming_several_concepts_in_plain_words_is_on_topic_and_earns_credit(question, text,
                                                                                        monkeypatch):
    grader = LocalGrader()
    assert grader._on_topic(grader.prepared(question), Answer(text))
    assert grader.grade(question, text).score >= 5
    # without the rule the same answer was taken for another topic and earned nothing
    monkeypatch.setattr(local, "PLAIN_ON_TOPIC_CONCEPTS", 99)
    assert LocalGrader().grade(question, text).score == 0


@pytest.mark.parametrize("text", [
    "FlashAttention 把注意力切成小块放在片上算，少读写显存，速度更快。",
    "Gradient checkpointing throws away activations and recomputes them in the backward pass to save memory.",
])
def test_an_answer_about_another_topic_stays_off_topic(question, text):
    grader = LocalGrader()
    assert not grader._on_topic(grader.prepared(question), Answer(text))
    assert grader.grade(question, text).score == 0
