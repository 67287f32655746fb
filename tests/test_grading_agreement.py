"""Agreement of the local open-question grader with human labels (tests/data/grading_labelled.yaml).

Every labelled answer is graded against the real bank with ``bot.grading.grade`` and the issue's
figures are asserted: good > partial > wrong > off_topic in >= 90% of ordered pairs, a bare term
list reaching the good answer and a negated answer reaching the partial one in <= 10% of
questions each, the paraphrase beating the partial answer in >= 60%, and the same content in
Chinese and English within 1 point in >= 90%. ``pytest -s`` prints the figures; the definitions
live in bench/grading_agreement.py so that the benchmark and the test cannot drift apart.

The labelled file itself is validated too: every id names an open, non-discussion question of
the bank, every category is present and non-empty, and the set is large and varied enough.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.grading_agreement import (
    CATEGORIES,
    TARGETS,
    LabelledSetError,
    failures,
    figures,
    load_labelled,
    problems_with_bank,
    report,
    score_all,
)
from bot.bank import QuestionBank

REPO = Path(__file__).resolve().parent.parent
LABELLED = REPO / "tests" / "data" / "grading_labelled.yaml"
MIN_QUESTIONS = 40
MIN_PER_TOPIC = 2

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")

@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return QuestionBank.load(REPO / "questions")


@pytest.fixture(scope="module")
def entries() -> list[dict[str, str]]:
    return load_labelled(LABELLED)


@pytest.fixture(scope="module")
def scored(entries, bank):
    result = score_all(entries, bank)
    print("\n" + report(result, details=True))
    return result


# --- the labelled file itself -------------------------------------------------------------------


def test_every_id_names_an_open_non_discussion_question(entries, bank):
    assert problems_with_bank(entries, bank) == []


def test_set_is_large_and_covers_every_topic(entries, bank):
    assert len(entries) >= MIN_QUESTIONS
    per_topic = {slug: 0 for slug in bank.topics}
    for e in entries:
        per_topic[bank.question(e["id"]).topic] += 1
    thin = {slug: n for slug, n in per_topic.items() if n < MIN_PER_TOPIC}
    assert thin == {}, f"topics with fewer than {MIN_PER_TOPIC} labelled questions: {thin}"


def test_good_answers_are_explanations_of_reasonable_length(entries):
    for e in entries:
        for field in ("good", "good_translated", "paraphrase"):
            assert len(e[field]) >= 80, f"{e['id']}: '{field}' is too short to be a complete explanation"
        assert len(e["partial"]) < len(e["good"]), f"{e['id']}: the partial answer is longer than the good one"


def test_translation_is_in_the_other_language(entries):
    """`good` and `good_translated` must differ in language, or the parity figure measures nothing."""
    def mostly_chinese(text: str) -> bool:
        return len(_CJK.findall(text)) > len(_LATIN_WORD.findall(text))

    for e in entries:
        assert mostly_chinese(e["good"]) != mostly_chinese(e["good_translated"]), e["id"]
    english_first = sum(1 for e in entries if not mostly_chinese(e["good"]))
    assert english_first >= len(entries) // 5, "about a quarter of the good answers should be in English"


def test_term_lists_have_no_sentences(entries):
    for e in entries:
        text = e["term_list"]
        assert not re.search(r"[。！？!?]|[.;；]\s", text), f"{e['id']}: term_list reads like sentences"
        assert len(re.split(r"[、,，/]", text)) >= 4, f"{e['id']}: term_list should list several terms"


def test_answers_are_distinct(entries):
    for e in entries:
        texts = [e[c] for c in CATEGORIES]
        assert len(set(texts)) == len(texts), f"{e['id']}: two categories share the same text"


def test_loader_names_the_entry_and_field(tmp_path):
    bad = tmp_path / "labelled.yaml"
    bad.write_text("questions:\n  - id: peft-a76ae531\n    good: ok\n", encoding="utf-8")
    with pytest.raises(LabelledSetError, match=r"entry 1 \(peft-a76ae531\).*'good_translated'"):
        load_labelled(bad)


def test_every_labelled_question_has_a_model_answer_and_key_points(entries, bank):
    bare = [e["id"] for e in entries if not (bank.question(e["id"]).answer and bank.question(e["id"]).key_points)]
    assert bare == []


# --- the grader's agreement ---------------------------------------------------------------------


def _check(scored, key: str) -> None:
    value = figures(scored)[key]
    target = TARGETS[key]
    assert target.met(value), (
        f"{target.name}: {value:.2f}, target {target.describe()}; against it: {failures(scored)[key]}"
    )


def test_ordering_good_partial_wrong_off_topic(scored):
    _check(scored, "ordering")


def test_term_list_rarely_reaches_the_good_answer(scored):
    _check(scored, "term_list_ge_good")


def test_negated_answer_rarely_reaches_the_partial_one(scored):
    _check(scored, "negated_ge_partial")


def test_paraphrase_beats_the_partial_answer(scored):
    _check(scored, "paraphrase_gt_partial")


def test_same_content_in_chinese_and_english_scores_alike(scored):
    _check(scored, "parity")
