"""Shapes and words that one language says differently from the other, read alike.

"可学习的表不能超过训练时的最大长度" and "a learned table can't go past the maximum length" state a limit:
the negation is about going past it, so a key point on that limit is met, in both languages. A plain
denial of the limit ("没有最大长度限制", "there is no maximum length") still contradicts it.
Everyday words where the same content in the two languages met different key points are folded
together ("treated as" and 当成, "future" and 未来, "by time" and 按时间).
"""

from __future__ import annotations

import pytest

from bot.grading import grade
from bot.grading.normalise import CLAUSE, SENTENCE, Text
from bot.model import KeyPoint, Kind, Question

ABSOLUTE = Question(
    id="t-absolute-position", topic="components", kind=Kind.OPEN, prompt="什么是绝对位置编码？",
    answer="给每个位置一个向量，加到词嵌入上。可学习的位置表长度受限，超过最大长度就没法用，外推差。",
    key_points=(KeyPoint("每个位置一个向量", ("位置向量", "position embedding")),
                KeyPoint("长度受限、外推差", ("外推差", "最大长度", "长度受限", "超过最大长度"))),
)


@pytest.mark.parametrize("text", [
    "给每个位置学一个位置向量，缺点是这张表不能超过训练时的最大长度。",
    "每个位置一个位置向量，但输入长度不能超出最大长度。",
    "Each position gets a position embedding; a learned table can't go past the maximum length it was trained on.",
    "Each position gets a position embedding, and the input cannot exceed the maximum length.",
    "Each position gets a position embedding, and it does not work for inputs longer than the maximum length.",
])
def test_a_negated_going_past_states_the_limit(text):
    g = grade(ABSOLUTE, text)
    assert "长度受限、外推差" in g.hit and not g.contradicted, g


@pytest.mark.parametrize("text", [
    "给每个位置一个位置向量，没有最大长度的限制，多长都行。",
    "Each position gets a position embedding; there is no maximum length at all.",
])
def test_a_denied_limit_still_contradicts(text):
    g = grade(ABSOLUTE, text)
    assert "长度受限、外推差" in g.contradicted, g


def _flat(text: str) -> str:
    return Text(text).flat.strip(CLAUSE + SENTENCE).replace(" ", "")


@pytest.mark.parametrize("en, zh", [
    ("whitespace is treated as an ordinary symbol", "whitespace is 当成 an ordinary symbol"),
    ("it is regarded as noise", "it is 视为 noise"),
    ("so no future information leaks", "so no 未来信息泄露"),
    ("split train and validation by time", "切分训练 and 验证按时间"),
    ("learns to ignore irrelevant content", "学会 to 忽略 irrelevant 内容"),
    ("a steep learning curve", "a steep 学习曲线"),
    ("Chinese punctuation", "中文标点"),
])
def test_everyday_words_meet_their_chinese_twins(en, zh):
    assert _flat(en) == _flat(zh), (_flat(en), _flat(zh))


@pytest.mark.parametrize("zh, same", [("看作", "视为"), ("当成", "当作"), ("从零训练", "从头训练"), ("学会", "学习")])
def test_chinese_variants_of_one_verb_fold_together(zh, same):
    assert _flat(zh) == _flat(same)


@pytest.mark.parametrize("word", ["time", "times", "timely", "point", "treat", "treatment"])
def test_words_with_other_senses_stay_plain(word):
    # "time" alone has many senses (次, 时间, 倍); only "by time" is a way of splitting data
    assert _flat(word).isascii()
