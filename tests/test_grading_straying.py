"""Answer-level precision (bot.grading.straying): of two answers naming the same points, the one whose claims
stray from the question's material loses a point; correct answers in the question's words or in other words,
short answers and answers covering most points are left alone.

A made-up question keeps the rule on its own; the figures on the labelled sets live in
tests/test_grading_agreement.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.grading import grade
from bot.grading.local import _FUNCTION_EN, _FUNCTION_ZH, FEEDBACK, GENERIC_UNITS, _is_novel_candidate
from bot.grading.matching import Answer
from bot.grading.straying import STRAY_COST, Material
from bot.model import KeyPoint, Kind, Question

ROOT = Path(__file__).resolve().parents[1]

LORA = Question(
    id="t-straying", topic="peft", kind=Kind.OPEN, prompt="LoRA 的原理是什么？A、B 矩阵怎么初始化？",
    answer="LoRA 冻结预训练模型的原权重，在旁边加两个低秩矩阵 A 和 B，只训练这两个小矩阵。A 随机初始化，B 初始化为零，"
           "所以训练开始时旁路输出为零，模型和原来一样。推理时可以把 BA 合并回原权重，不增加推理延迟。",
    key_points=(KeyPoint("冻结原权重", ("freeze the original weights",)),
                KeyPoint("训练低秩矩阵", ("低秩矩阵", "low-rank matrices")),
                KeyPoint("B初始化为零、A随机", ("B 初始化为零", "B is initialised to zero")),
                KeyPoint("合并回原权重无额外延迟", ("合并回原权重", "merged back"))),
)

# two points named right, inside a text of claims about other things of the field (pruning, quantisation,
# distillation): not every hit sits in a foreign sentence, so bot.grading.precision
# leaves it alone
STRAYING = {
    "zh": "LoRA 冻结原权重，只训练低秩矩阵，它其实是一种剪枝加量化的方法，会把 KV cache 压缩到 int4。"
          "A 和 B 都来自知识蒸馏，学生模型学习教师的 logits，所以它总要一个教师模型。",
    "en": "LoRA freezes the original weights and trains only low-rank matrices, so it is really a pruning plus "
          "quantization method. It compresses the KV cache to int4. A and B come from knowledge distillation, "
          "where a student model learns the teacher's logits, so it always needs a teacher model.",
}
# the same two points, said correctly: in one sentence, and explained at more length in other words
PARTIAL = {
    "zh": "LoRA 冻结原权重，只训练旁边加的低秩矩阵。",
    "en": "LoRA freezes the original weights and trains only the low-rank matrices added beside them.",
}
EXPLAINED = {
    "zh": "LoRA 冻结原权重，只训练低秩矩阵，这样要更新的参数少很多，显存也省下来了。"
          "推理时可以把 A 和 B 乘起来合并进原来的矩阵，和原模型一样快。",
    "en": "LoRA freezes the original weights and trains only low-rank matrices, so far fewer parameters are "
          "updated and GPU memory is saved. At inference A and B can be multiplied and folded into the original "
          "matrix, as fast as the original model.",
}
# most points named, with the same stray claims around them: judged by its points
MOST_POINTS_ZH = ("LoRA 冻结原权重，只训练低秩矩阵，B 初始化为零，推理时合并回原权重，它其实是一种剪枝加量化的方法，"
                  "会把 KV cache 压缩到 int4。A 和 B 都来自知识蒸馏，学生模型学习教师的 logits。")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_answer_whose_claims_stray_ranks_below_a_correct_one_naming_the_same_points(lang):
    g = grade(LORA, STRAYING[lang], lang=lang)
    assert g.capped == "stray" and len(g.hit) == 2 and not g.contradicted
    assert g.feedback == FEEDBACK["stray"][lang]
    for correct in (PARTIAL[lang], EXPLAINED[lang]):
        right = grade(LORA, correct, lang=lang)
        assert right.hit == g.hit and right.capped is None
        assert right.score == g.score + STRAY_COST


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_correct_answers_in_the_question_s_words_or_other_words_are_left_alone(lang):
    for text in (PARTIAL[lang], EXPLAINED[lang]):
        assert grade(LORA, text, lang=lang).capped is None


def test_the_model_answer_and_an_answer_naming_most_points_are_left_alone():
    assert grade(LORA, LORA.answer).capped is None
    g = grade(LORA, MOST_POINTS_ZH)
    assert len(g.hit) > len(LORA.key_points) / 2 and g.capped is None


def test_a_short_answer_keeps_its_floor():
    g = grade(LORA, "LoRA 只训练低秩矩阵，其实就是剪枝加量化。")
    assert g.capped is None and g.hit


def test_the_content_test_done_with_sets_is_the_grader_s():
    """Material counts content units by set operations and one regular expression; it must agree with
    bot.grading.local's unit-by-unit test on real answers of every labelled set."""
    material = Material(frozenset(), GENERIC_UNITS | _FUNCTION_EN, _FUNCTION_ZH)
    checked = 0
    for name in ("grading_labelled.yaml", "grading_heldout.yaml", "grading_heldout2.yaml"):
        for entry in yaml.safe_load((ROOT / "tests" / "data" / name).read_text(encoding="utf-8"))["questions"]:
            for key, text in entry.items():
                if key != "id":
                    found = Answer(text).all_units
                    assert material.content_count(found) == sum(map(_is_novel_candidate, found)), text
                    checked += 1
    assert checked > 500
    assert material.content_count(set()) == 0 and material.stray_share(set()) == 0.0
