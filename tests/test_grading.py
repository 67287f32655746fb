"""Key-point grading for Chinese and English answers, and the choice/discussion graders."""

from __future__ import annotations

import pytest

from bot.grading import PARTICIPATION_POINTS, grade, has_words, normalise
from bot.model import KeyPoint, Kind, Question

Q = Question(
    id="t-q", topic="t", kind=Kind.OPEN, prompt="为什么SFT之后感觉LLM傻了？", answer="…",
    key_points=(
        KeyPoint("数据分布偏移", ("分布不同", "distribution shift")),
        KeyPoint("灾难性遗忘", ("catastrophic forgetting",)),
        KeyPoint("LoRA", ("低秩适配",)),
        KeyPoint("混入通用数据", ("mix in general data",)),
    ),
)


def test_normalise_width_case_punctuation():
    assert normalise("ＬｏＲＡ， Ｑ-LoRA！") == normalise("lora qlora")
    assert normalise("  数据 分布、偏移。") == "数据分布偏移"


@pytest.mark.parametrize("text, hit", [
    ("主要是数据分布偏移和灾难性遗忘", {"数据分布偏移", "灾难性遗忘"}),
    ("Distribution shifts plus CATASTROPHIC forgetting", {"数据分布偏移", "灾难性遗忘"}),
    ("用ｌｏｒａ，并且混入一些通用数据", {"LoRA", "混入通用数据"}),
    ("数据的分布发生偏移", {"数据分布偏移"}),  # small wording difference: bigram overlap
    ("完全不知道", set()),
])
def test_key_points_hit(text, hit):
    result = grade(Q, text)
    assert set(result.hit) == hit
    assert result.score == round(10 * len(hit) / 4)
    assert set(result.missed) == {kp.text for kp in Q.key_points} - hit


def test_short_key_points_need_an_exact_mention():
    # "LoRA" is too short for fuzzy matching: "low" or "lo ra" must not count
    assert "LoRA" not in grade(Q, "low rank").hit


def test_choice_and_discussion():
    choice = Question("c", "t", Kind.CHOICE, "?", options=("a", "b", "c"), correct=(2,))
    assert grade(choice, option=2).score == 10 and grade(choice, option=0).score == 0
    discussion = Question("d", "t", Kind.OPEN, "聊聊你的项目")
    assert discussion.is_discussion
    assert grade(discussion, "我做过一个 RAG 项目").score == PARTICIPATION_POINTS
    assert grade(discussion, "🙂").score == 0


def test_has_words():
    assert not has_words("😀🎉 ！！")
    assert has_words("ok") and has_words("好")
