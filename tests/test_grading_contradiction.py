"""Direction contradictions (bot.grading.contradiction): a key point named in a sentence that reverses the
model answer's direction (更快/更慢, 增加/降低, more/less, before/after) is contradicted, not hit.

The checks use a made-up question whose model answer states directions, so that each rule is seen on
its own; the figures on the labelled set live in tests/test_grading_agreement.py.
"""

from __future__ import annotations

import pytest

from bot.grading import grade
from bot.grading.contradiction import direction_cues
from bot.grading.local import LocalGrader
from bot.grading.normalise import Text
from bot.model import KeyPoint, Kind, Question

CKPT = Question(
    id="t-ckpt", topic="infra", kind=Kind.OPEN, prompt="梯度检查点（gradient checkpointing）是怎么省显存的？",
    answer="前向时只保存少数检查点的激活值，反向传播时重新计算其余激活。这样显存占用大幅降低。"
           "代价是多做一次前向计算，训练速度变慢约三成。",
    key_points=(KeyPoint("只保存部分激活", ("只保存少数激活", "save only some activations")),
                KeyPoint("反向时重算激活", ("重新计算激活", "recompute activations", "recomputes the activations")),
                KeyPoint("显存占用降低", ("显存降低", "降低显存", "reduces memory usage", "lower memory usage")),
                KeyPoint("训练速度变慢", ("速度变慢", "slower training", "training is slower"))),
)


def _cues(text: str) -> set[tuple[str, int]]:
    return {(c.axis, c.sign) for c in direction_cues(Text(text))}


@pytest.mark.parametrize("text, expected", [
    ("训练速度变快", {("speed", 1)}),
    ("训练速度变慢", {("speed", -1)}),
    ("显存占用降低", {("amount", -1)}),
    ("样本变多不会让显存变大", {("amount", 1), ("amount", -1)}),  # 变多 (+), 变大 under 不会 (-)
    ("It uses more memory", {("amount", 1)}),
    ("training is not faster", {("speed", -1)}),
    ("apply it before the residual", {("order", 1)}),
    ("apply it after the residual", {("order", -1)}),
    ("显存不随长度增长", {("amount", -1)}),  # growth words, negated
    ("the cache grows longer", {("amount", 1)}),
    ("注意力随距离变弱", {("quality", -1)}),
])
def test_direction_cues_and_negation_flip(text, expected):
    assert _cues(text) == expected


def test_cue_objects_are_content_words():
    (cue,) = direction_cues(Text("显存占用降低"))
    assert "显存" in cue.objects and "降低" not in cue.objects
    (cue,) = direction_cues(Text("training is much faster"))
    assert "训练" in cue.objects and "is" not in cue.objects and "much" not in cue.objects


@pytest.mark.parametrize("text, degree", [
    ("效果急剧下降", "急剧"), ("困惑度显著上升", "显著"), ("the loss rises sharply", "sharpli"),
])
def test_adverbs_of_degree_are_no_objects(text, degree):
    # "效果急剧下降" and "困惑度急剧上升" are about different things: the adverb must not join them
    (cue,) = direction_cues(Text(text))
    assert degree not in cue.objects and cue.objects


@pytest.mark.parametrize("text, own, other", [
    ("可用更大 batch 或更少的卡", "卡", "批处理"), ("allows larger batches or fewer GPUs", "gpu", "批处理"),
])
def test_a_coordinator_ends_a_cues_reach(text, own, other):
    cues = direction_cues(Text(text))
    fewer = next(c for c in cues if c.sign == -1)
    assert any(own in o for o in fewer.objects) and not any(other in o for o in fewer.objects)


@pytest.mark.parametrize("text", [
    "前向时只保存少数激活，反向时重新计算激活，所以显存占用降低，但训练速度变慢。",
    "It saves only some activations in the forward pass and recomputes the activations during "
    "backpropagation, which reduces memory usage; training is slower.",
])
def test_the_model_answers_directions_are_hits(text):
    result = grade(CKPT, text)
    assert result.score == 10 and not result.contradicted


def test_a_hit_that_reverses_the_direction_is_contradicted():
    text = "前向时只保存少数激活，反向时重新计算激活，所以显存占用增加，训练速度变快。"
    result = grade(CKPT, text)
    assert "训练速度变慢" in result.contradicted and "训练速度变慢" not in result.hit
    assert "否定" in result.feedback
    right = grade(CKPT, "前向时只保存少数激活，反向时重新计算激活，所以显存占用降低，训练速度变慢。")
    assert result.score < right.score


def test_stating_the_models_direction_anywhere_is_not_a_contradiction():
    # the opposite direction appears as a cause, the model's direction as the claim
    text = "不开检查点时训练速度变快，但显存放不下；开了以后反向时重新计算激活，训练速度变慢，显存占用降低。"
    result = grade(CKPT, text)
    assert not result.contradicted
    assert {"反向时重算激活", "训练速度变慢", "显存占用降低"} <= set(result.hit)


def test_an_answer_without_direction_words_is_left_alone():
    text = "前向时只保存少数激活，反向时重新计算激活。"
    assert set(grade(CKPT, text).hit) == {"只保存部分激活", "反向时重算激活"}


def test_question_without_model_answer_or_with_rubric_is_graded_without_directions():
    bare = Question(id="t-bare", topic="infra", kind=Kind.OPEN, prompt="梯度检查点是什么？", answer=None,
                    key_points=(KeyPoint("训练速度变慢", ("slower training",)),))
    assert not grade(bare, "训练速度变快，因为少算了。").contradicted  # nothing to compare the direction with
    rubric = Question(id="t-rub", topic="projects", kind=Kind.OPEN, prompt="讲讲你做过的一个优化。",
                      discussion=True, rubric=("背景", "速度变快"))
    assert LocalGrader().grade(rubric, "背景是训练太慢，优化后速度变快了一倍。").score > 0


CACHE_Q = Question(
    id="t-latency", topic="agents", kind=Kind.OPEN, prompt="高频请求下 Agent 延迟高，怎么优化？",
    answer="先测量各段耗时找瓶颈；无依赖的工具并行调用；对重复请求做结果缓存；GRPO 式的做法是去掉不必要的校验步骤。",
    key_points=(KeyPoint("分段测量找瓶颈", ("找瓶颈",)), KeyPoint("工具并行调用", ("并行",)),
                KeyPoint("结果缓存", ("缓存", "cache")), KeyPoint("去掉不必要的校验", ("去掉校验",))),
)


@pytest.mark.parametrize("text", [
    "最好把缓存全部去掉，结果才新鲜。",
    "缓存去掉之后结果才新鲜。",  # a time word after the verb: it still removes what precedes it
    "用实时查询代替缓存，结果才新鲜。",
    "We should drop the cache so that results stay fresh.",
    "The cache is removed so that results stay fresh.",
])
def test_removing_or_replacing_a_point_the_model_answer_keeps_is_a_contradiction(text):
    result = grade(CACHE_Q, text)
    assert "结果缓存" in result.contradicted and "结果缓存" not in result.hit


@pytest.mark.parametrize("text", [
    "对重复请求做缓存，不要去掉缓存。",  # the removal is negated
    "用缓存代替重复的工具调用。",  # the cache replaces something else
    "A cache replaces repeated tool calls.",  # active English: the thing before the verb is its subject
    "缓存会过时，有人干脆把缓存去掉，其实设过期时间就好。",  # one mention is not removed
    "去掉不必要的校验，工具并行调用。",  # the model answer removes it too
    "用缓存省掉重复的工具调用。",  # a Chinese removal verb with an object of its own removes that object
    "结果缓存删掉了大部分重复请求。",
])
def test_removal_that_is_not_a_denial(text):
    result = grade(CACHE_Q, text)
    assert not result.contradicted


PARALLEL_Q = Question(
    id="t-parallel", topic="agents", kind=Kind.OPEN, prompt="三个工具的 Agent 延迟高，怎么优化？",
    answer="互不依赖的工具并行执行；重复请求做缓存；简单步骤交给小模型。",
    key_points=(KeyPoint("无依赖工具并行执行", ("并行", "parallel tool calls")), KeyPoint("结果缓存", ("缓存",)),
                KeyPoint("小模型路由", ("小模型",))),
)


@pytest.mark.parametrize("text", [
    "工具调用改成一个个串行执行更稳，重复请求做缓存。",
    "Run the tools sequentially so the cache stays warm.",
])
def test_saying_the_opposite_term_of_a_point_contradicts_it(text):
    assert "无依赖工具并行执行" in grade(PARALLEL_Q, text).contradicted


@pytest.mark.parametrize("text", [
    "互不依赖的工具并行执行，不要串行等待，重复请求做缓存。",  # both terms: a contrast
    "如果串行执行，延迟是三个工具之和，所以要并行。",  # a conditional explains by contrast
    "工具不要串行调用，重复请求做缓存。",  # the opposite is denied
    "重复请求做缓存，简单步骤交给小模型。",  # neither term
])
def test_opposite_term_that_is_not_a_contradiction(text):
    assert "无依赖工具并行执行" not in grade(PARALLEL_Q, text).contradicted


def test_a_question_that_contrasts_both_terms_does_not_use_them_as_opposites():
    lm = Question(id="t-lm", topic="basics", kind=Kind.OPEN, prompt="prefix LM 和 causal LM 的区别？",
                  answer="causal LM 全程单向；prefix LM 的前缀部分双向可见。",
                  key_points=(KeyPoint("Causal LM单向"), KeyPoint("Prefix LM前缀双向可见")))
    assert not grade(lm, "causal LM 只能看到前面的 token，是单向的。").contradicted


def test_characters_across_two_glossary_terms_are_no_word():
    # "rejected log-probabilities" folds into 拒绝 + 对数概率, which holds 绝对 across the two terms
    q = Question(id="t-rel", topic="alignment", kind=Kind.OPEN, prompt="DPO 优化什么？",
                 answer="DPO 只优化 chosen 和 rejected 的相对差值。",
                 key_points=(KeyPoint("只优化相对差值", ("相对差",)),))
    assert not grade(q, "The loss only looks at the chosen minus the rejected log-probabilities.").contradicted
