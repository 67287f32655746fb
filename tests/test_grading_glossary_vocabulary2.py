"""The field vocabulary drawn from the content words of the whole bank's key points (both languages).

A key point says 小模型, 原权重, 自动, 瓶颈, 写死 ...; a member writing in English says "small model",
"original weights", "automatically", "bottleneck", "hard-coded". These tests check that each such
word folds into the form the key points use, that words with another everyday sense or read by the cue
rules stay as they are ("spaces" is whitespace, not 空间; "except" shares a stem with "exception"), and that
the same content written in either language grades within a point.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bank import QuestionBank
from bot.grading import grade
from bot.grading.normalise import Text

BANK = QuestionBank.load(Path(__file__).resolve().parent.parent / "questions")


def _flat(text: str) -> str:
    return Text(text).flat.strip()


@pytest.mark.parametrize("en, zh", [
    ("small models", "小模型"),
    ("a larger model", "a 大模型"),
    ("original weights", "原权重"),
    ("retraining", "重新训练"),
    ("automatically", "自动"),
    ("billions", "十亿"),
    ("bottleneck", "瓶颈"),
    ("hard-coded", "写死"),
    ("fine-grained", "细粒度"),
    ("interference", "干扰"),
    ("restored", "恢复"),
    ("multimodal", "多模态"),
    ("conflicting", "冲突"),
])
def test_english_words_of_the_key_points_fold_into_their_chinese_form(en, zh):
    assert _flat(en) == zh


@pytest.mark.parametrize("zh, form", [("底座", "基座模型"), ("定制", "自定义"), ("两两", "成对")])
def test_chinese_synonyms_of_the_field_fold_into_one_form(zh, form):
    assert _flat(zh) == form


@pytest.mark.parametrize("word", ["spaces", "except", "exception", "effect", "proven", "replace", "unchanged",
                                  "irrelevant"])
def test_words_with_another_sense_or_read_by_the_cue_rules_stay_plain(word):
    # "split on spaces" is whitespace (空格), not 空间; "except" shares the stem of "exception"; "replace",
    # "unchanged" and "irrelevant" are read by the removal and negation rules in their English form
    assert _flat(word).isascii()


PAIRS = [
    ("peft-a76ae531",
     "LoRA 冻结原权重，只训练两个低秩矩阵；A 随机初始化，B 初始化为零，所以一开始增量为零，输出等于原模型；"
     "如果两者都是零就没有梯度；增量按 α/r 缩放。",
     "LoRA freezes the original weights and trains only two low-rank matrices; A is randomly initialised and B "
     "is initialised to zero, so the initial delta is zero and the output equals the original model; if both were "
     "zero there would be no gradient; the delta is scaled by alpha/r."),
    ("peft-bf215962",
     "Adapter 在每层串行插入一个小模块，是瓶颈结构：先降维、过非线性、再升维；内部有残差连接，初始化接近恒等；"
     "冻结原模型，只训练 Adapter。",
     "An adapter inserts a small module in series into every layer with a bottleneck structure: project down, a "
     "non-linearity, project up; it has a residual connection inside and a near-identity initialisation; the "
     "original model is frozen and only the adapters are trained."),
    ("peft-0afe45de",
     "Prefix tuning 在每层的 Key/Value 前拼接可训练的前缀，冻结语言模型只训练前缀；用 MLP 重参数化让训练稳定，"
     "训练完丢弃 MLP，只存前缀。",
     "Prefix tuning prepends trainable prefixes to the keys and values of every layer, freezes the language model "
     "and trains only the prefixes; an MLP reparameterization stabilises training, and after training the MLP is "
     "discarded and only the prefixes are stored."),
    ("evaluation-7764f8b8",
     "评估大模型可以用客观基准自动评测；人工评估最可靠；也可以让 LLM 作裁判打分；用成对比较和 Elo 排名；"
     "评流畅、连贯和事实准确；还要评安全和有用性。",
     "You can evaluate an LLM automatically on objective benchmarks; human evaluation is the most reliable; an LLM "
     "can act as a judge and score answers; use pairwise comparison with Elo rankings; rate fluency, coherence and "
     "factual accuracy; and assess safety and helpfulness."),
    ("inference-2009ed08",
     "量化后效果差，通常是激活里有离群值；逐层和基线对比定位出错的层；检查校准数据和 scale；用细粒度量化；"
     "用 SmoothQuant 等方法处理离群值；敏感层保持高精度。",
     "Accuracy drops after quantization usually because activations have outliers; compare each layer with the "
     "baseline to locate the faulty layer; check the calibration data and the scale; use fine-grained "
     "quantization; handle outliers with SmoothQuant and the like; keep sensitive layers in high precision."),
    ("rag-712611b2",
     "PromptTemplate 是带占位变量的模板，可以复用；ChatPromptTemplate 由不同角色的消息组成；填入变量后得到 "
     "PromptValue；PromptValue 可以转成字符串或消息列表。",
     "A PromptTemplate is a template with placeholder variables that can be reused; a ChatPromptTemplate is made of "
     "messages with different roles; filling in the variables gives a PromptValue, which can be turned into a "
     "string or a list of messages."),
    ("alignment-c967fec7",
     "构造偏好数据时，同一个 prompt 采样多个回复；调温度或者用多个模型增加差异；打分后取最好和最差的组成一对；"
     "丢弃分差太小的对；prompt 本身也要多样、均衡；最好是 on-policy 采样。",
     "To build preference data, sample multiple replies for the same prompt; raise the temperature or use several "
     "models to get more variety; score them and pair the best with the worst; discard pairs whose score gap is "
     "too small; keep the prompts diverse and balanced; ideally sample on-policy."),
]


@pytest.mark.parametrize("qid, zh, en", PAIRS, ids=[p[0] for p in PAIRS])
def test_the_same_content_in_either_language_grades_within_a_point(qid, zh, en):
    question = BANK.question(qid)
    assert question is not None
    zh_grade, en_grade = grade(question, zh), grade(question, en)
    assert zh_grade.score >= 7, zh_grade
    assert abs(zh_grade.score - en_grade.score) <= 1, (zh_grade, en_grade)
