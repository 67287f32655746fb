"""False removals of correct answers: removing what a cleaning point names agrees with it, and a point
the answer also states in full elsewhere is not removed by a loose mention next to a removal verb.

A point about cleaning data ("清洗去重去有害", "filter toxic text") is met when the answer removes the
duplicates or the harmful text ("删掉重复的、有害的", "remove the toxic samples"); removing the cleaning
step itself ("跳过去重", "skip dedup") still contradicts it, and so does removing what a point keeps
("把 KV cache 去掉")."""

from __future__ import annotations

import pytest

from bot.grading import grade
from bot.model import KeyPoint, Kind, Question

DATA_Q = Question(
    id="t-sft-data", topic="sft", kind=Kind.OPEN, prompt="微调数据怎么准备？",
    answer="先定任务目标；多来源收集；统一格式；清洗：去重、过滤低质和有害文本、处理隐私信息；按任务配比。",
    key_points=(KeyPoint("明确任务目标", ("任务目标", "define the goal")),
                KeyPoint("统一数据格式", ("统一格式", "consistent format")),
                KeyPoint("清洗去重去有害", ("清洗", "去重", "过滤低质", "有害文本", "隐私", "cleaning")),
                KeyPoint("按任务配比", ("配比", "data mixture"))),
)


@pytest.mark.parametrize("text", [
    "先定好任务目标，把格式统一，删掉重复的、有害文本和质量差的样本，再按任务配比。",
    "先定好任务目标，收集业务里的真实对话（去掉隐私），统一格式后按任务配比。",
    "Define the goal first, use a consistent format, remove the toxic text and duplicates, then set the data mixture.",
])
def test_removing_what_a_cleaning_point_names_agrees_with_it(text):
    result = grade(DATA_Q, text)
    assert "清洗去重去有害" in result.hit and not result.contradicted


@pytest.mark.parametrize("text", [
    "先定好任务目标，统一格式，跳过去重，数据越多越好，再按任务配比。",
    "Define the goal, use a consistent format, skip dedup to keep every sample, then set the data mixture.",
])
def test_removing_the_cleaning_step_itself_still_contradicts_it(text):
    assert "清洗去重去有害" in grade(DATA_Q, text).contradicted


CACHE_Q = Question(
    id="t-kv-cache", topic="infra", kind=Kind.OPEN, prompt="推理时怎么提速？",
    answer="保留 KV cache 复用历史的键值；多个请求同时推理时批处理共享计算。",
    key_points=(KeyPoint("复用 KV cache", ("KV cache", "键值缓存")),
                KeyPoint("多请求同时推理共享计算", ("同时推理", "共享计算", "同时处理多个请求"))),
)


def test_a_loose_mention_by_a_removal_verb_does_not_undo_a_full_one():
    text = "同一个输入同时给多个请求处理时，低层的激活可以复用，去掉前 5 层时推理快约四成。"
    result = grade(CACHE_Q, text)
    assert "多请求同时推理共享计算" in result.hit and not result.contradicted


@pytest.mark.parametrize("text", [
    "为了省显存，把 KV cache 去掉，每步重新算。",
    "To save memory, remove the KV cache and recompute every step.",
])
def test_removing_a_kept_point_is_still_a_contradiction(text):
    assert "复用 KV cache" in grade(CACHE_Q, text).contradicted
