"""The bank schema: the loader refuses exactly what ``quizbot questions validate`` calls an error, with the
same file, line and message; strict types; the new fields (answer_origin, correction, discussion, rubric);
the poll limits of choice questions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bank import BankError, QuestionBank
from bot.bank.schema import TopicFile
from bot.bank.validate import Problem, validate
from bot.model import Kind

HEAD = "topic: t\ntitle: {zh: 测试, en: Test}\nquestions:\n"
OPEN = "  - id: t-1\n    prompt: 问题？\n    answer: 答案。\n    answer_origin: written\n"


def write_bank(tmp_path: Path, body: str, name: str = "t.yaml") -> Path:
    bank = tmp_path / "bank"
    bank.mkdir(exist_ok=True)
    (bank / name).write_text(body, encoding="utf-8")
    return bank


def errors(path: Path) -> list[Problem]:
    return [p for p in validate(path) if p.is_error]


def assert_agree(bank: Path) -> list[Problem]:
    """validate's first error is exactly the loader's BankError (file, line, message); no error -> it loads."""
    errs = errors(bank)
    if not errs:
        QuestionBank.load(bank)
        return errs
    with pytest.raises(BankError) as caught:
        QuestionBank.load(bank)
    first = errs[0]
    assert (caught.value.file, caught.value.line, caught.value.message) == (first.file, first.line, first.message)
    return errs


# (question YAML appended to HEAD, line of the expected error, a piece of its message)
CASES = [
    ("  - id: t-1\n    prompt: 问题？\n    answer: 42\n", 6, "answer must be a string (Markdown)"),
    ("  - id: t-1\n    prompt: 问题？\n    difficulty: true\n", 6, "difficulty must be 1, 2 or 3"),
    ("  - id: t-1\n    prompt: 问题？\n    difficulty: 2.0\n", 6, "difficulty must be 1, 2 or 3"),
    ("  - id: t-1\n    kind: choice\n    prompt: 选？\n    options: [a, b, c]\n    correct: true\n", 8,
     "'correct' must hold option indexes (0-based integers), not True"),
    ("  - id: t-1\n    kind: choice\n    prompt: 选？\n    options: [a, b, c]\n    correct: [5]\n", 8,
     "correct index 5 is out of range (options 0..2)"),
    ("  - id: t-1\n    kind: choice\n    prompt: 选？\n    options: [a, b, c, d, e, f, g, h, i, j, k, l, m]\n"
     "    correct: 0\n", 7, "13 options; a poll takes 2 to 12"),
    ("  - id: t-1\n    kind: choice\n    prompt: 选？\n    options: [a]\n    correct: 0\n", 7,
     "1 options; a poll takes 2 to 12"),
    ("  - id: t-1\n    kind: choice\n    prompt: 选？\n    options: [a, 1.10, c]\n    correct: 0\n", 7,
     "option 2 must be a non-empty string (YAML read 1.1;"),
    ("  - id: t-1\n    kind: choice\n    prompt: 选？\n    options:\n      - a\n      - " + "x" * 101 +
     "\n    correct: 0\n", 9, "option 2 has 101 characters; a Telegram poll option takes at most 100"),
    ("  - id: t-1\n    kind: choice\n    prompt: " + "问" * 301 + "\n    options: [a, b]\n    correct: 0\n", 6,
     "prompt has 301 characters"),
    ("  - id: t-1\n    kind: choice\n    prompt: 选？\n    options: [a, b]\n    correct: 0\n"
     "    explanation: \"1\\n2\\n3\\n4\"\n", 9, "explanation has more than 2 line feeds"),
    ("  - id: t-1\n    kind: choice\n    prompt: 选？\n    options: [a, b]\n", 4,
     "a choice question needs 'correct' (option indexes)"),
    ("  - id: t-1\n    kind: poll\n    prompt: 选？\n", 5, "kind must be 'open' or 'choice', not 'poll'"),
    ("  - id: 7\n    prompt: 问题？\n", 4, "question needs a non-empty string 'id'"),
    ("  - id: t-1\n    prompt: 问题？\n    anwser: x\n", 6, "unknown key 'anwser' in a question"),
    ("  - id: t-1\n    prompt: 问题？\n    answer_origin: written\n    answer: x\n    answer: y\n", 8,
     "duplicate key 'answer' (first at line 7)"),
    ("  - id: t-1\n    prompt: 问题？\n    key_points:\n      - text: a\n        aliases: [b, 2024-01-01]\n", 8,
     "key point aliases must be a list of non-empty strings (YAML read datetime.date(2024, 1, 1)"),
    ("  - id: t-1\n    prompt: 问题？\n    source: {file: a.txt, section: 1.10}\n", 6,
     "source section must be a string (YAML read 1.1;"),
    ("  - id: t-1\n    prompt: 问题？\n    source: [{file: a.txt}, {page: 3}]\n", 6,
     "source must be {file: ..., section: ...} or a list of them"),
    # the fields of the answer rewrite
    ("  - id: t-1\n    prompt: 问题？\n    answer: x\n    answer_origin: book\n", 7,
     "answer_origin must be 'notes' or 'written'"),
    ("  - id: t-1\n    prompt: 问题？\n    answer: x\n    answer_origin: written\n    correction: fixed\n", 8,
     "'correction' describes a fix of a notes answer; it needs 'answer_origin: notes'"),
    ("  - id: t-1\n    prompt: 问题？\n    answer: x\n    correction: fixed\n", 7, "needs 'answer_origin: notes'"),
    ("  - id: t-1\n    prompt: 问题？\n    answer: x\n    discussion: true\n    rubric: [a, b, c]\n", 7,
     "a discussion question has no 'answer'"),
    ("  - id: t-1\n    prompt: 问题？\n    discussion: true\n    rubric: [a, b]\n", 7,
     "a discussion question needs a 'rubric' of 3 to 5 points, not 2"),
    ("  - id: t-1\n    prompt: 问题？\n    discussion: true\n", 4,
     "a discussion question needs a 'rubric' of 3 to 5 points, not 0"),
    ("  - id: t-1\n    prompt: 问题？\n    discussion: yes please\n    rubric: [a, b, c]\n", 6,
     "discussion must be true or false"),
]


@pytest.mark.parametrize(("question", "line", "message"), CASES, ids=[c[2][:40] for c in CASES])
def test_loader_refuses_what_the_validator_rejects_with_the_same_file_and_line(tmp_path, question, line, message):
    bank = write_bank(tmp_path, HEAD + question)
    errs = assert_agree(bank)
    assert errs, "expected an error"
    assert (Path(errs[0].file).name, errs[0].line) == ("t.yaml", line), str(errs[0])
    assert message in errs[0].message, str(errs[0])


def test_bank_wide_errors_are_refused_by_the_loader_too(tmp_path):
    bank = write_bank(tmp_path, HEAD + OPEN, "a.yaml")
    write_bank(tmp_path, "topic: u\ntitle: {zh: 测试, en: Other}\nquestions:\n" + OPEN, "b.yaml")
    errs = assert_agree(bank)
    assert [str(p).split(": ", 1)[1] for p in errs] == [
        f"duplicate id 't-1' (first used at {bank / 'a.yaml'}:4)",
        f"topic name/alias '测试' of 'u' collides with topic 't' ({bank / 'a.yaml'}:2)",
    ]


def test_discussion_and_answered_questions_load_with_the_new_fields(tmp_path):
    bank = write_bank(tmp_path, HEAD + """\
  - id: t-notes
    prompt: 问题一？
    answer: 改过的答案
    answer_origin: notes
    correction: EWC 是弹性权重巩固
    source:
      - {file: a.txt, section: 一}
      - {file: b.txt}
  - id: t-talk
    prompt: 介绍一个你做过的项目
    discussion: true
    rubric: [背景, 职责, 结果]
  - id: t-bare
    prompt: 问题二？
    answer: 答案
""")
    problems = validate(bank)
    assert [(p.line, p.message) for p in problems] == [
        (18, "question t-bare: an answered question needs 'answer_origin: notes' (from the study notes) or "
             "'written' (written for the bank)")]
    assert problems[0].is_error
    with (bank / "t.yaml").open("a", encoding="utf-8") as f:
        f.write("    answer_origin: written\n")
    assert validate(bank) == []
    loaded = QuestionBank.load(bank)
    notes, talk = loaded.question("t-notes"), loaded.question("t-talk")
    assert (notes.answer_origin, notes.correction) == ("notes", "EWC 是弹性权重巩固")
    assert [s.file for s in notes.sources] == ["a.txt", "b.txt"]
    assert talk.is_discussion and talk.rubric == ("背景", "职责", "结果") and talk.answer is None


def test_a_13_option_question_never_reaches_a_round(tmp_path):
    options = ", ".join(f"o{i}" for i in range(13))
    bank = write_bank(tmp_path, HEAD + f"  - id: t-1\n    kind: choice\n    prompt: 选？\n    options: [{options}]\n"
                                      "    correct: 0\n")
    with pytest.raises(BankError, match=r"t\.yaml:7: question t-1: 13 options"):
        QuestionBank.load(bank)


def test_choice_question_loads_with_its_poll_fields(tmp_path):
    bank = write_bank(tmp_path, HEAD + "  - id: t-1\n    kind: choice\n    prompt: 选？\n    options: [a, b, c]\n"
                                       "    correct: 2\n    explanation: '  因为 c。 '\n")
    q = QuestionBank.load(bank).question("t-1")
    assert (q.kind, q.options, q.correct, q.explanation) == (Kind.CHOICE, ("a", "b", "c"), (2,), "因为 c。")


def test_the_json_schema_of_a_topic_file_is_available():
    schema = TopicFile.model_json_schema()
    assert {"topic", "title", "aliases", "questions"} <= set(schema["properties"])


# --- property: whatever a question holds, loader and validator agree -------------------------------

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 15), st.floats(allow_nan=False, width=16),
                    st.sampled_from(["", " ", "x", "notes", "written", "open", "choice", "问", "a" * 120]))
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=14),
                   st.dictionaries(st.sampled_from(["text", "aliases", "file", "section", "zh"]), SCALARS,
                                   max_size=3))
KEYS = ["id", "kind", "prompt", "answer", "key_points", "options", "correct", "explanation", "difficulty", "tags",
        "source", "answer_origin", "correction", "discussion", "rubric", "bogus"]


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(base=st.sampled_from(["open", "choice"]), changes=st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=4))
def test_property_loader_and_validator_agree(tmp_path, base, changes):
    question = {"id": "t-1", "prompt": "问题？", "answer": "答案", "answer_origin": "written"}
    if base == "choice":
        question = {"id": "t-1", "kind": "choice", "prompt": "选？", "options": ["a", "b", "c"], "correct": [0]}
    question.update(changes)
    doc = {"topic": "t", "title": {"zh": "测试", "en": "Test"}, "questions": [question]}
    bank = write_bank(tmp_path, yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    assert_agree(bank)
