"""Monotone claims (bot.grading.monotone): "r 越大越好", "the larger the rank, the better" cost an answer a
point; a denied claim, a claim weighed by its cost, a trend, a short answer and a question whose model
answer makes such a claim itself are left alone.

The question is the made-up LoRA question of tests/test_grading_straying.py.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.grading import grade
from bot.grading.local import FEEDBACK
from bot.grading.monotone import MONOTONE_COST, claims, overclaims
from tests.test_grading_straying import LORA

BASE = {
    "zh": "LoRA 冻结原权重，只训练旁边的低秩矩阵 A 和 B，",
    "en": "LoRA freezes the original weights and trains only the low-rank matrices A and B beside them; ",
}
CLAIM = {
    "zh": "秩 r 越大越好，所以一般直接设成和原矩阵一样大。",
    "en": "the larger the rank r, the better, so it is usually set as large as the original matrix.",
}
# the same answer, right about the rank: denied, or weighed by its cost in the same sentence
DENIED = {
    "zh": "秩 r 并不是越大越好，一般设成 8 或 16 就够了。",
    "en": "the rank r is not the more the better, 8 or 16 is usually enough.",
}
WEIGHED = {
    "zh": "秩 r 越大表达能力越强，但显存和计算也更多。",
    "en": "the larger the rank r, the stronger it gets, but it also costs more memory and compute.",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_one_way_claim_costs_a_point(lang):
    g = grade(LORA, BASE[lang] + CLAIM[lang], lang=lang)
    right = grade(LORA, BASE[lang] + DENIED[lang], lang=lang)
    assert g.capped == "monotone" and g.feedback == FEEDBACK["monotone"][lang]
    assert g.hit == right.hit and right.capped is None
    assert g.score == right.score - MONOTONE_COST


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_denied_or_weighed_claim_is_no_claim(lang):
    for tail in (DENIED[lang], WEIGHED[lang]):
        assert grade(LORA, BASE[lang] + tail, lang=lang).capped is None
        assert claims(BASE[lang] + tail) == []


def test_a_trend_is_no_claim_and_english_forms_are_read():
    assert claims("模型越来越强，大家都在用") == []
    assert claims("set the batch as large as possible") == ["as large as possible"]
    assert claims("more is always better here") == ["more is always better"]
    assert claims("the more data, the better the model") == ["the more data, the better"]


def test_a_short_answer_keeps_its_floor():
    g = grade(LORA, "LoRA 只训练低秩矩阵，r 越大越好。")
    assert g.capped is None and g.hit


def test_a_model_answer_making_such_a_claim_lets_it_pass():
    more = replace(LORA, id="t-monotone", answer=LORA.answer + "数据越多越好。")
    assert not overclaims(BASE["zh"] + CLAIM["zh"], more.answer)
    assert grade(more, BASE["zh"] + CLAIM["zh"]).capped is None
