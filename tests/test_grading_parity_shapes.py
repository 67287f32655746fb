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
from bot.grading.matching import Answer
from bot.grading.normalise import CLAUSE, SENTENCE, Text
from bot.grading.semantic import affirmed_sentence_units
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


@pytest.mark.parametrize("en", ["the larger the model", "as the model grows", "as models get bigger"])
def test_a_trend_with_model_size_meets_its_chinese_form(en):
    assert _flat(en) == _flat("模型越大")


DOMAIN = Question(
    id="t-domain-models", topic="basics", kind=Kind.OPEN, prompt="各个专业领域是否需要各自的大模型？",
    answer="领域有自己的术语和表达规范；但一般不必从头训练，在通用模型上继续预训练或用 RAG 就够了。",
    key_points=(KeyPoint("术语与表达规范", ("术语", "jargon", "terminology")),
                KeyPoint("不必从头训练", ("不必从头", "no need to train from scratch"))),
)


@pytest.mark.parametrize("text", [
    "通用模型术语也用不准，但一般不必从头训练，继续预训练就行。",
    "通用模型的术语常常说不清，不过不必从零训练，继续预训练就够了。",
])
def test_a_potential_complement_does_not_deny_its_object(text):
    g = grade(DOMAIN, text)
    assert set(g.hit) == {"术语与表达规范", "不必从头训练"} and not g.contradicted, g


@pytest.mark.parametrize("text", [
    "General models lack the exact terminology, but you rarely need to train from scratch: continued pretraining "
    "is enough.",
    "Domain terminology matters, but you seldom need to pretrain from scratch; continued pretraining works.",
    "通用模型缺少领域术语，但很少需要从头训练，继续预训练就够了。",
])
def test_rarely_needing_something_is_not_needing_it(text):
    assert "不必从头训练" in grade(DOMAIN, text).hit


@pytest.mark.parametrize("text", ["这个领域根本没有术语。", "你必须从头训练一个领域模型。",
                                  "You always need to train a domain model from scratch."])
def test_guards_a_denial_or_the_opposite_is_still_read(text):
    g = grade(DOMAIN, text)
    assert "不必从头训练" not in g.hit and ("术语与表达规范" not in g.hit), g


def _affirmed(text: str) -> set[str]:
    answer = Answer(text)
    return set().union(*affirmed_sentence_units(answer.text, answer.cues, answer.sentence_units))


@pytest.mark.parametrize("en, kept, dropped", [
    # the advice before "so" stands; what the negated purpose says gives no soft credit
    ("Mix in some old data and use a smaller learning rate so the model does not forget.", {"old", "混入"}, {"遗忘"}),
    ("混一些旧数据，学习率调小，防止模型忘掉。", {"旧数", "学习"}, set()),
])
def test_a_negation_after_a_breaker_drops_only_its_part_of_the_clause(en, kept, dropped):
    units = _affirmed(en)
    assert kept <= units and not (dropped & units), units


@pytest.mark.parametrize("text, dropped", [
    ("The model does not mix in old data or use a smaller learning rate.", {"old", "混入"}),
    ("模型不混入旧数据，也不调小学习率。", {"旧数", "混入"}),
])
def test_a_negation_with_no_breaker_before_it_still_drops_its_whole_clause(text, dropped):
    assert not (dropped & _affirmed(text))


@pytest.mark.parametrize("en, zh", [
    ("the adapters are attached", "the adapters are 挂在"),
    ("evaluation and guardrails", "evaluation and 护栏"),
    ("convert at the boundary", "转换 at the boundary"),
    ("define your own data classes", "define your own dataclass"),
])
def test_field_words_meet_their_twins(en, zh):
    assert _flat(en) == _flat(zh), (_flat(en), _flat(zh))


def test_hung_on_and_mounted_are_one_verb():
    assert _flat("挂在哪些模块上") == _flat("挂载哪些模块上")


RMS = Question(
    id="t-rmsnorm", topic="components", kind=Kind.OPEN, prompt="什么是 RMSNorm？",
    answer="RMSNorm 只除以均方根，不减均值。不要和 LayerNorm 混淆。",
    key_points=(KeyPoint("除以均方根", ("均方根", "root mean square")),
                KeyPoint("不减均值", ("no mean subtraction", "does not subtract the mean")),
                KeyPoint("与LayerNorm的区别", ("LayerNorm", "层归一化"))),
)


@pytest.mark.parametrize("text", [
    "RMSNorm 除以均方根，不减均值；不要把它和 LayerNorm 混淆。",
    "RMSNorm 除以均方根，不减均值，别和 LayerNorm 搞混。",
    "RMSNorm divides by the root mean square and does not subtract the mean; do not confuse it with LayerNorm.",
    "RMSNorm divides by the root mean square and does not subtract the mean; it should not be confused with "
    "LayerNorm.",
    "RMSNorm divides by the root mean square and does not subtract the mean; don't forget LayerNorm does.",
    "RMSNorm 除以均方根，不减均值；别忘了 LayerNorm 会减。",
])
def test_a_warning_against_confusing_or_forgetting_denies_nothing(text):
    g = grade(RMS, text)
    assert g.score == 10 and not g.contradicted, g


@pytest.mark.parametrize("text", [
    "RMSNorm 除以均方根，不减均值，不要用 LayerNorm。",
    "RMSNorm divides by the root mean square and does not subtract the mean; do not use LayerNorm.",
])
def test_guards_a_plain_warning_still_denies(text):
    assert "与LayerNorm的区别" in grade(RMS, text).contradicted


@pytest.mark.parametrize("text", ["The model does not forget old tasks.", "模型不会忘记旧任务。"])
def test_guards_a_declared_not_forgetting_is_still_a_negation(text):
    answer = Answer(text)
    assert any(c.kind == "neg" for c in answer.cues)
