"""The English side of the denial and misstatement cues says what the Chinese side says.

Chinese marks a denied list with 都 ("截断、分块和 RAG 都没用"); English marks it with a coordination and a
plural verb ("truncation, chunking and RAG do not help"), so every item is denied in either language,
while a singular verb after "and" ("... and the model does not forget") is about its own subject only.
Removal verbs (删除 delete, 省掉 omit, 取消 cancel), direction verbs (下降 decline, 缩短 shorten, 加长
lengthen), conditionals (假设 assuming) and scope breakers (因为 since, 而且 moreover) have their English
forms too. Each rule is checked in both languages, with a guard that it leaves a correct answer alone.
"""

from __future__ import annotations

import pytest

from bot.grading import grade
from bot.grading.contradiction import direction_cues
from bot.grading.normalise import Text
from bot.model import KeyPoint, Kind, Question

LONG_Q = Question(
    id="t-long-input", topic="inference", kind=Kind.OPEN, prompt="输入超过上下文窗口怎么办？",
    answer="可以截断或用滑动窗口；把长文分块处理再汇总；或者用 RAG 只检索相关片段放进上下文。",
    key_points=(KeyPoint("截断或滑动窗口", ("截断", "滑动窗口", "truncation", "sliding window")),
                KeyPoint("分块处理再汇总", ("分块", "chunking", "map-reduce")),
                KeyPoint("RAG只检索相关片段", ("RAG", "检索相关片段", "retrieve the relevant passages"))),
)
TRUNCATE = "截断或滑动窗口"
CHUNK = "分块处理再汇总"


@pytest.mark.parametrize("text", [
    "Truncation, chunking and RAG do not help; an over-long input needs a bigger model.",
    "截断、分块和 RAG 都没用，输入太长只能换模型。",
    "Truncation and chunking are not used at all; you need a bigger model.",
])
def test_a_denied_list_denies_every_item(text):
    result = grade(LONG_Q, text)
    assert {TRUNCATE, CHUNK} <= set(result.contradicted)


@pytest.mark.parametrize("text", [
    # a singular verb after "and": its own subject is denied, not the item before it
    "Use truncation or a sliding window, and the model does not see the rest of the input.",
    "先用截断或滑动窗口，模型不会看到后面的内容。",
])
def test_a_singular_predicate_after_and_leaves_the_item_before_it(text):
    result = grade(LONG_Q, text)
    assert TRUNCATE in result.hit and TRUNCATE not in result.contradicted


CACHE_Q = Question(
    id="t-kv-cache-en", topic="infra", kind=Kind.OPEN, prompt="推理时怎么提速？",
    answer="保留 KV cache 复用历史的键值；多个请求同时推理时批处理共享计算。",
    key_points=(KeyPoint("复用 KV cache", ("KV cache", "键值缓存")),
                KeyPoint("多请求同时推理共享计算", ("同时推理", "共享计算", "batching"))),
)


@pytest.mark.parametrize("text", [
    "To save memory the KV cache is deleted and every step recomputes the keys; batching shares the compute.",
    "To save memory, omit the KV cache and recompute every step; batching shares the compute.",
    "为了省显存，把 KV cache 删除，每步重新算；多个请求同时推理共享计算。",
])
def test_deleting_or_omitting_a_point_contradicts_it(text):
    assert "复用 KV cache" in grade(CACHE_Q, text).contradicted


@pytest.mark.parametrize("text", [
    "Keep the KV cache so earlier keys are reused, and delete stale logs from the disk.",
    "保留 KV cache 复用历史键值，磁盘上过期的日志删除。",
])
def test_deleting_something_else_leaves_the_point(text):
    result = grade(CACHE_Q, text)
    assert "复用 KV cache" in result.hit and not result.contradicted


@pytest.mark.parametrize("text, sign", [
    ("memory use declines", -1), ("显存占用下降", -1), ("the context lengthens", 1), ("上下文加长", 1),
    ("latency diminishes", -1), ("the prompt shortens", -1), ("a greater batch", 1),
])
def test_english_direction_verbs_have_the_sign_of_their_chinese_twins(text, sign):
    assert [c.sign for c in direction_cues(Text(text))] == [sign]


@pytest.mark.parametrize("text", [
    "Assuming no KV cache, each step recomputes the keys of the whole prefix, so batching matters.",
    "假设没有 KV cache，每一步都要重算前面所有的键值，所以同时推理共享计算很重要。",
])
def test_a_supposition_explains_by_contrast(text):
    result = grade(CACHE_Q, text)
    assert "复用 KV cache" in result.hit and not result.contradicted


@pytest.mark.parametrize("text", [
    "Decoding does not stall, since the KV cache keeps the earlier keys; batching shares the compute.",
    "解码不会卡住，因为 KV cache 存着之前的键值；多个请求同时推理共享计算。",
])
def test_a_denial_ends_where_a_reason_begins(text):
    result = grade(CACHE_Q, text)
    assert "复用 KV cache" in result.hit and not result.contradicted


ADAMW_Q = Question(
    id="t-adamw", topic="infra", kind=Kind.OPEN, prompt="AdamW 比 Adam 好在哪里？",
    answer="AdamW 把权重衰减和梯度更新解耦，直接作用在参数上；Adam 里的 L2 正则会被自适应项缩放，效果变形。",
    key_points=(KeyPoint("权重衰减解耦", ("解耦", "decoupled weight decay")),
                KeyPoint("Adam中L2正则被自适应项缩放", ("L2正则", "自适应项缩放", "L2 regularization", "scaled by"))),
)
SCALED = "Adam中L2正则被自适应项缩放"


@pytest.mark.parametrize("text", [
    "AdamW 的权重衰减是解耦的，直接作用在参数上，而不是作为 L2 正则被 Adam 的自适应项缩放。",
    "AdamW's weight decay is decoupled and applied to the weights directly, instead of an L2 regularization "
    "term that gets scaled by Adam's adaptive denominator.",
])
def test_what_an_instead_clause_says_of_the_alternative_is_no_denial(text):
    result = grade(ADAMW_Q, text)
    assert SCALED in result.hit and not result.contradicted


@pytest.mark.parametrize("text", [
    "AdamW 的权重衰减是解耦的，直接作用在参数上，而不是 L2 正则。",
    "AdamW's weight decay is decoupled and applied to the weights directly, instead of L2 regularization.",
])
def test_an_instead_clause_still_denies_the_alternative_itself(text):
    assert SCALED in grade(ADAMW_Q, text).contradicted
