"""Swapped roles (bot.grading.roles): in a question comparing named things, a point said of the other
compared thing is contradicted; said of its own (also after 比/than, unlike, or with both joined), it is hit.

A made-up question keeps the rule on its own; the figures on the labelled sets live in
tests/test_grading_agreement.py.
"""

from __future__ import annotations

import pytest

from bot.grading import grade
from bot.grading.roles import compared_heads
from bot.model import KeyPoint, Kind, Question

POINTS = (KeyPoint("BPE按频次合并", ("频次最高", "most frequent pair")),
          KeyPoint("WordPiece按似然增益合并", ("似然增益", "likelihood gain")),
          KeyPoint("都从字符开始合并", ("从字符开始", "start from characters")))
MODEL = "两者都从字符开始合并子词。BPE 每次合并频次最高的一对；WordPiece 合并让语言模型似然增益最大的一对。"
COMPARE = Question(id="t-roles", topic="components", kind=Kind.OPEN, prompt="BPE 和 WordPiece 的区别是什么？",
                   answer=MODEL, key_points=POINTS)
# the same points in a question that compares nothing: no roles to swap
SINGLE = Question(id="t-roles-single", topic="components", kind=Kind.OPEN, prompt="子词分词是怎么构建词表的？",
                  answer=MODEL, key_points=POINTS)
BPE = "BPE按频次合并"
WORDPIECE = "WordPiece按似然增益合并"


@pytest.mark.parametrize("prompt, heads", [
    ("BPE 和 WordPiece 的区别是什么？", (" bpe ", " wordpiec ")),
    ("指示微调（Prompt-tuning）与 Prefix-tuning 区别 是什么？", ("提示", "前缀")),  # "tuning" names neither
    ("RQ-VAE和VQ-VAE有什么不同？", (" rq ", " vq ")),
    ("进行SFT操作的时候，基座模型选用Chat还是Base?", (" chat ", " base ")),  # SFT is context, not compared
    ("WordPiece 是怎么构建词表的？", ()),  # no comparison asked
    # fine-tuning folds to 微调, which every mention of Prompt tuning (提示微调) holds too: unreadable
    ("指示微调（Prompt-tuning）与 fine-tuning 区别 是什么？", ()),
])
def test_compared_heads(prompt, heads):
    assert compared_heads(prompt) == heads


@pytest.mark.parametrize("text", [
    "WordPiece 每次合并频次最高的一对，BPE 则选让似然增益最大的一对。",
    "WordPiece merges the most frequent pair, while BPE merges the pair with the largest likelihood gain.",
])
def test_swapped_roles_are_contradicted(text):
    g = grade(COMPARE, text)
    assert {BPE, WORDPIECE} <= set(g.contradicted)
    assert grade(SINGLE, text).contradicted == ()  # the same words where nothing is compared


@pytest.mark.parametrize("text", [
    "BPE 每次合并频次最高的一对，WordPiece 则选让似然增益最大的一对。",
    "BPE 比 WordPiece 简单：它合并频次最高的一对。",  # after 比: the baseline, not the subject
    "与 WordPiece 不同，BPE 合并频次最高的一对。",
    "Unlike WordPiece, BPE merges the most frequent pair.",
    "BPE merges the most frequent pair, which is simpler than WordPiece.",
    "BPE 和 WordPiece 都从字符开始合并；BPE 合并频次最高的一对。",
])
def test_a_point_said_of_its_own_thing_is_hit(text):
    g = grade(COMPARE, text)
    assert BPE in g.hit and BPE not in g.contradicted


def test_a_shared_point_is_not_bound():
    g = grade(COMPARE, "WordPiece 和 BPE 都从字符开始合并。")
    assert "都从字符开始合并" in g.hit


def test_a_clause_without_a_compared_name_is_left_alone():
    # the subject stands in an earlier clause (or a table's header): not read, the hit stays
    g = grade(COMPARE, "先说 WordPiece（BERT 用的那种），合并频次最高的一对。")
    assert BPE in g.hit


def test_a_name_inside_the_other_name_binds_nothing():
    # "fine-tuning 更新全部参数" is said of fine-tuning; its 微调 is also the tail of 提示微调 (Prompt tuning)
    q = Question(id="t-roles-ft", topic="peft", kind=Kind.OPEN,
                 prompt="指示微调（Prompt-tuning）与 fine-tuning 区别 是什么？",
                 answer="Prompt Tuning 只训练软提示；fine-tuning 更新全部参数。",
                 key_points=(KeyPoint("只训软提示 vs 更新全部参数", ("更新全部参数", "update all weights")),
                             KeyPoint("存储小", ("存储小",))))
    for text in ("Prompt Tuning 把模型全部冻结，只训练一段软提示；fine-tuning 更新全部参数。",
                 "Prompt tuning freezes the whole model and trains a soft prompt; fine-tuning updates all weights."):
        assert not grade(q, text).contradicted
