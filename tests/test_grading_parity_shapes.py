"""Sentence shapes that one language says with a negation and the other without, read alike.

"可学习的表不能超过训练时的最大长度" and "a learned table can't go past the maximum length" state a limit:
the negation is about going past it, so a key point on that limit is met, in both languages. A plain
denial of the limit ("没有最大长度限制", "there is no maximum length") still contradicts it.
"""

from __future__ import annotations

import pytest

from bot.grading import grade
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
