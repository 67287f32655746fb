"""Key-point grading for Chinese and English answers, the public API, and the choice/discussion graders."""

from __future__ import annotations

import asyncio

import pytest

from bot.grading import PARTICIPATION_POINTS, Grader, LocalGrader, grade, has_words, normalise
from bot.grading.local import SHORT_HIT_FLOOR, coverage_score
from bot.model import Grade, KeyPoint, Kind, Question

Q = Question(
    id="t-q", topic="t", kind=Kind.OPEN, prompt="为什么SFT之后感觉LLM傻了？", answer="SFT 数据分布窄，模型会遗忘通用能力。",
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
    ("主要是因为数据分布偏移，还有灾难性遗忘的问题", {"数据分布偏移", "灾难性遗忘"}),
    ("It is mostly distribution shifts, and the model suffers CATASTROPHIC forgetting.", {"数据分布偏移", "灾难性遗忘"}),
    ("可以用ｌｏｒａ来训练，并且混入一些通用数据", {"LoRA", "混入通用数据"}),
    ("问题在于数据的分布发生偏移了", {"数据分布偏移"}),  # small wording difference: tokens in order
])
def test_key_points_hit(text, hit):
    result = grade(Q, text)
    assert set(result.hit) == hit
    # each is one short sentence: one point alone scores the short-answer floor rather than its share
    assert result.score == max(coverage_score(len(hit) / 4), SHORT_HIT_FLOOR)
    assert set(result.missed) == {kp.text for kp in Q.key_points} - hit
    assert result.judge == "local" and result.capped is None and not result.contradicted


def test_short_key_points_need_an_exact_mention():
    # "LoRA" is too short for fuzzy matching: "low" or "lo ra" must not count, nor "qlora"
    assert "LoRA" not in grade(Q, "we could use a low rank method here").hit
    assert "LoRA" not in grade(Q, "我们可以用 QLoRA 来做这个").hit


@pytest.mark.parametrize("text", ["不知道", "完全不知道", "不清楚。", "I don't know", "idk", "sorry, no idea",
                                  "这题我真的不会"])
def test_dont_know_scores_zero(text):
    assert grade(Q, text).score == 0


def test_dont_know_inside_a_real_answer_is_graded():
    assert grade(Q, "不太清楚，但我觉得是数据分布偏移导致的，模型出现了灾难性遗忘").score == 6


def test_choice_and_discussion_without_rubric():
    choice = Question("c", "t", Kind.CHOICE, "?", options=("a", "b", "c"), correct=(2,))
    assert grade(choice, option=2).score == 10 and grade(choice, option=0).score == 0
    assert grade(choice, option=2).correct is True
    discussion = Question("d", "t", Kind.OPEN, "聊聊你的项目")
    assert discussion.is_discussion
    assert grade(discussion, "我做过一个 RAG 项目").score == PARTICIPATION_POINTS
    assert grade(discussion, "🙂").score == 0
    assert grade(discussion, "不知道").score == 0


def test_has_words():
    assert not has_words("😀🎉 ！！")
    assert has_words("ok") and has_words("好")


def test_grade_keeps_its_old_constructor():
    assert Grade(7) == Grade(7, (), (), None, (), None, "local", "")


def test_local_grader_is_a_grader_and_judge_equals_grade():
    grader = LocalGrader()
    assert isinstance(grader, Grader) and grader.name == "local"
    text = "SFT 后变傻主要是灾难性遗忘：数据分布偏移太大，可以混入通用数据缓解。"
    assert asyncio.run(grader.judge(Q, text, "zh")) == grader.grade(Q, text, "zh") == grade(Q, text)


def test_prepared_question_is_rebuilt_when_the_question_changes():
    grader = LocalGrader()
    text = "因为数据分布偏移，模型会灾难性遗忘。"
    assert grader.grade(Q, text).score == 6  # two points of four
    changed = Question(Q.id, Q.topic, Q.kind, Q.prompt, Q.answer, key_points=Q.key_points[:2])
    assert grader.grade(changed, text).score == 10


def test_score_curve_flattens_near_full_coverage():
    # the score is the share of points up to the knee, so partial and wrong answers are told apart as before
    assert [coverage_score(k / 10) for k in range(5)] == [0, 1, 2, 3, 4]
    # of five or six points, one left unsaid costs 1, not 2: a translation that misses one stays within 1
    assert [coverage_score(k / 5) for k in range(6)] == [0, 2, 4, 7, 9, 10]
    assert [coverage_score(k / 6) for k in range(7)] == [0, 2, 3, 6, 8, 9, 10]
    assert [coverage_score(k / 4) for k in range(5)] == [0, 3, 6, 9, 10]
    shares = [k / 100 for k in range(-10, 111)]
    scores = [coverage_score(c) for c in shares]
    assert scores == sorted(scores) and scores[0] == 0 and scores[-1] == 10
