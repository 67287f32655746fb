"""Figures with a magnitude read alike in either language: "3.7M", "3.7 million", "370万", "三百七十万".

``bot.grading.normalise`` rewrites such a figure into one Chinese-unit form, so that a key point worded
"约370万参数" is met by "about 3.7M parameters", and "7B" by "70亿"; bare numbers, vague amounts
("几十亿", "数万") and words with digits ("fp16", "q4_k_m") are left as they were.
"""

from __future__ import annotations

import pytest

from bot.grading import grade
from bot.grading.normalise import CLAUSE, SENTENCE, Text, fold, render
from bot.model import KeyPoint, Kind, Question


def _flat(text: str) -> str:
    return render(fold(text)).strip(CLAUSE + SENTENCE)


@pytest.mark.parametrize("forms", [
    ("3.7M", "3.7 million", "370万", "370 万", "三百七十万"),
    ("7B", "7 billion", "70亿", "七十亿"),
    ("175B", "1750亿", "一千七百五十亿", "175 billion"),
    ("1.2T", "1.2万亿", "1.2 trillion"),
    ("131,072", "13万", "十三万", "131k"),
    ("10B", "百亿", "一百亿", "10 billion"),
    ("1B", "十亿", "10亿"),
    ("1 万", "一万", "10k", "10,000", "10 thousand"),
    ("8K", "8000"),
])
def test_one_figure_written_many_ways_is_one_form(forms):
    assert len({_flat(form) for form in forms}) == 1, {form: _flat(form) for form in forms}


@pytest.mark.parametrize("first, second", [
    ("7B", "70B"),  # a tenfold difference is another model
    ("13B", "10B"),
    ("130B", "175B"),
    ("3.7M", "37M"),
    ("一万", "十万"),
])
def test_different_figures_stay_apart(first, second):
    assert _flat(first) != _flat(second)


@pytest.mark.parametrize("text", ["4096", "3.5", "几十亿", "数万", "十几MB", "千分之一", "fp16", "r=8", "GPT-3.5",
                                  "30 m", "q4_k_m"])
def test_bare_numbers_vague_amounts_and_names_are_left_alone(text):
    # the same tokens as before folding numbers: nothing here states a figure with a magnitude
    assert " ".join(Text(text).tokens) == " ".join(Text(text + " ").tokens)
    assert "万" not in _flat(text).replace("数万", "") and "亿" not in _flat(text).replace("几十亿", "")


def test_more_than_reads_as_its_lower_bound():
    assert _flat("三百多万") == _flat("300多万") == _flat("3M") == _flat("300万")


LORA_SIZE = Question(
    id="t-lora-size", topic="peft", kind=Kind.OPEN, prompt="ChatGLM-6B 的 LoRA 权重有多大？",
    answer="r=8 只挂 query_key_value 时，每层约 13 万参数，总共约 370 万参数，fp16 下约 7MB。",
    key_points=(KeyPoint("约370万参数", ("370万", "3.7M")), KeyPoint("每层约13万参数", ("13万参数",))),
)


def test_a_figure_in_english_meets_a_point_worded_in_chinese():
    zh = grade(LORA_SIZE, "r=8 只挂 query_key_value，每层大约 13 万参数，一共约 370 万参数。")
    en = grade(LORA_SIZE, "With r=8 on query_key_value only, each layer adds about 131,072 parameters, "
                          "roughly 3.7 million in total.")
    assert set(zh.hit) == set(en.hit) == {"约370万参数", "每层约13万参数"}
    assert abs(zh.score - en.score) <= 1


def test_another_figure_does_not_meet_the_point():
    g = grade(LORA_SIZE, "每层大约 50 万参数，一共约 3700 万参数。")
    assert "约370万参数" not in g.hit
