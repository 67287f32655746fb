"""Precision of hits (bot.grading.precision): key points named only inside claims about other things of the
field earn nothing; answers in the question's own words, plain-words explanations and short answers are
left alone. And the field's vocabulary table it reads (bot.grading.fieldwords).

A made-up question keeps the rule on its own; the figures on the labelled sets live in
tests/test_grading_agreement.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.grading import grade
from bot.grading.fieldwords import FIELD_UNITS, bank_units, main, render
from bot.grading.local import FEEDBACK, ON_TOPIC_POINTS, SHORT_HIT_FLOOR
from bot.grading.precision import foreign
from bot.model import KeyPoint, Kind, Question

ROOT = Path(__file__).resolve().parents[1]

LORA = Question(
    id="t-precision", topic="peft", kind=Kind.OPEN, prompt="LoRA 的原理是什么？",
    answer="LoRA 冻结预训练模型的原权重，在旁边加两个低秩矩阵 A 和 B，只训练这两个小矩阵，B 初始化为零；"
           "推理时可以把 BA 合并回原权重，不增加推理延迟。",
    key_points=(KeyPoint("冻结原权重", ("freeze the original weights",)),
                KeyPoint("训练低秩矩阵", ("低秩矩阵", "low-rank matrices")),
                KeyPoint("合并回原权重无额外延迟", ("合并回原权重", "merged back"))),
)
LOW_RANK = "训练低秩矩阵"

# the right term inside a claim about another method of the field (distillation, full fine-tuning)
WRONG_ZH = "LoRA 的核心是低秩矩阵：它先用知识蒸馏把大模型压缩成一个小的学生模型，再对学生模型做全量微调，所以显存占用和教师模型一样大。"
WRONG_EN = ("LoRA relies on low-rank matrices: knowledge distillation compresses the teacher model into a student "
            "model, then full fine-tuning updates every student parameter, so GPU memory matches the teacher.")


@pytest.mark.parametrize("text, lang", [(WRONG_ZH, "zh"), (WRONG_EN, "en")])
def test_a_point_named_inside_claims_about_other_things_earns_nothing(text, lang):
    g = grade(LORA, text, lang=lang)
    assert g.hit == (LOW_RANK,) and g.capped == "foreign"
    # still a misconception about this question: it ranks above another topic, below a correct partial
    assert g.score == ON_TOPIC_POINTS
    assert FEEDBACK["foreign"][lang] in g.feedback


@pytest.mark.parametrize("text", [
    # everyday words around the term: a paraphrase, not a claim about something else
    "LoRA 的核心是低秩矩阵：它在每一层旁边多挂两个很窄的小表，训练的时候只改这两张小表，原来那一大堆数字一点都不动。",
    "LoRA relies on low-rank matrices: next to each layer it hangs two very thin little tables, and training only "
    "changes those two tables while the big original numbers stay exactly as they were.",
    # the question's own words around every hit
    "LoRA 冻结原权重，只训练旁边的两个低秩矩阵，推理前把它们合并回原权重，所以没有额外延迟。",
    "LoRA freezes the original weights and only trains two low-rank matrices beside them; they are merged back "
    "before inference, so there is no extra latency.",
])
def test_answers_in_the_questions_words_or_in_plain_words_are_left_alone(text):
    g = grade(LORA, text)
    assert g.capped != "foreign" and LOW_RANK in g.hit
    assert g.score > grade(LORA, WRONG_ZH).score


@pytest.mark.parametrize("text", ["LoRA 在旁边加了两个低秩矩阵。", "LoRA adds two low-rank matrices beside a layer."])
def test_one_short_correct_sentence_keeps_its_floor(text):
    g = grade(LORA, text)
    assert g.capped is None and g.score >= SHORT_HIT_FLOOR > grade(LORA, WRONG_EN).score


def test_one_point_in_the_questions_words_keeps_every_hit():
    # the first sentence is foreign, the second states a point in the model answer's words
    text = WRONG_ZH + "推理时把 BA 合并回原权重，不增加推理延迟。"
    g = grade(LORA, text)
    assert g.capped != "foreign" and len(g.hit) == 2 and g.score > ON_TOPIC_POINTS


KNOWN = frozenset({"冻结", "权重", "低秩", "矩阵"})
FIELD = frozenset({"蒸馏", "学生", "教师", "全量", "微调", "显存", "压缩"})


def _is_unit(unit: str) -> bool:
    return len(unit) == 2


@pytest.mark.parametrize("units, expected", [
    ({"低秩", "矩阵", "蒸馏", "学生", "教师", "全量", "压缩"}, True),  # mostly the field's other words
    ({"低秩", "矩阵", "冻结", "权重", "蒸馏", "学生"}, False),  # mostly the question's own words
    ({"低秩", "矩阵", "小表", "一堆", "数字", "窄的", "挂两"}, False),  # novel, but everyday words
    ({"低秩", "蒸馏", "学生"}, False),  # too short to tell (fewer than MIN_SENTENCE_UNITS)
    ({"低秩", "蒸馏", "学生", "x", "y", "z"}, False),  # units that say nothing do not count towards the length
])
def test_foreign_sentence(units, expected):
    assert foreign(frozenset(units), KNOWN, _is_unit, FIELD) is expected


KNOWN_EN = frozenset({"freez", "weight", "lowrank", "matric"})
FIELD_EN = frozenset({"distil", "student", "teacher", "compress", "full"})


@pytest.mark.parametrize("units, expected", [
    # half of it the field's other words: in English (one unit a word) a claim about something else ...
    ({"freez", "weight", "lowrank", "matric", "distil", "student", "teacher", "compress"}, True),
    # ... in Chinese, whose bigrams that straddle two words make every sentence look more novel, not yet
    ({"冻结", "权重", "低秩", "矩阵", "蒸馏", "学生", "教师", "压缩"}, False),
    # guards: mostly the question's own words, or novel everyday words, are no claim in English either
    ({"freez", "weight", "lowrank", "matric", "distil", "student", "teacher"}, False),
    ({"freez", "weight", "lowrank", "matric", "thin", "littl", "tabl", "hang"}, False),
])
def test_english_sentences_take_english_shares(units, expected):
    assert foreign(frozenset(units), KNOWN | KNOWN_EN, _is_unit_or_word, FIELD | FIELD_EN) is expected


def _is_unit_or_word(unit: str) -> bool:
    return len(unit) >= 2


def test_the_field_table_covers_the_bank():
    found = bank_units(ROOT / "questions")
    assert FIELD_UNITS, "bot/grading/fieldwords.txt is missing"
    # a few edits to the bank since the table was written are fine; many mean: regenerate it
    assert len(found & FIELD_UNITS) >= 0.95 * len(found)
    assert {"蒸馏", "全量", "教师"} <= FIELD_UNITS and "圆滚" not in FIELD_UNITS


def test_the_field_table_renders_sorted_lines_that_read_back():
    text = render(frozenset({"蒸馏", "lora", "全量"}))
    assert text.endswith("\n") and frozenset(text.split()) == {"蒸馏", "lora", "全量"}
    assert text.split() == sorted(text.split())


def test_regenerating_from_a_missing_directory_is_refused(tmp_path, capsys):
    assert main([str(tmp_path / "nowhere")]) == 2
    assert "nowhere" in capsys.readouterr().err


@pytest.mark.parametrize("lang, said", [("zh", "参考答案没有的内容"), ("en", "claims the model answer does not make")])
def test_the_reveal_says_why_and_credits_no_point(lang, said):
    """A 1/10 beside "✅ 训练低秩矩阵" reads as a grading error: the reveal names the reason instead."""
    from bot.feedback import result_text
    from bot.views import ScoredAnswer, reveal_text

    g = grade(LORA, WRONG_ZH if lang == "zh" else WRONG_EN, lang=lang)
    wrong = ScoredAnswer("Bob", g.score, list(g.hit), "x", None, capped=g.capped)
    right = ScoredAnswer("Ann", 7, [LOW_RANK], "y", None)
    text = reveal_text(LORA, [right, wrong], lang)
    assert f"✅ {LOW_RANK} (1/2)" in text and said in text
    assert said in result_text(LORA, wrong, lang, LORA.prompt)
