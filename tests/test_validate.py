"""Tests of ``bot.bank.validate`` and the ``questions validate`` / ``questions stats`` commands.

Broken bank files live in tests/fixtures/broken/; the last test runs the validator over the repo's own
questions/ directory and requires it to be free of errors.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bot.bank.cli import register
from bot.bank.validate import Problem, validate

HERE = Path(__file__).resolve().parent
BROKEN = HERE / "fixtures" / "broken"
REPO_QUESTIONS = HERE.parent / "questions"


def errors(path) -> list[Problem]:
    return [p for p in validate(path) if p.is_error]


def where(problems: list[Problem]) -> list[tuple[str, int | None]]:
    return [(Path(p.file).name, p.line) for p in problems]


def test_problem_str_is_file_line_message():
    assert str(Problem("questions/sft.yaml", 12, "boom")) == "questions/sft.yaml:12: boom"
    assert str(Problem("questions/sft.yaml", None, "boom")) == "questions/sft.yaml: boom"
    assert str(Problem("a.yaml", 3, "long", "warning")) == "a.yaml:3: warning: long"


def test_bad_indentation_is_a_yaml_syntax_error_with_its_line():
    [p] = errors(BROKEN / "bad_indent.yaml")
    assert (Path(p.file).name, p.line) == ("bad_indent.yaml", 7)
    assert p.message.startswith("YAML syntax:")


def test_duplicate_ids_and_colliding_aliases_across_files():
    problems = errors(BROKEN / "dup_bank")
    assert where(problems) == [("b.yaml", 8), ("b.yaml", 3)]
    assert "duplicate id 'q-1'" in problems[0].message and "a.yaml:5" in problems[0].message
    assert "'Shared-Alias' of 'b' collides with topic 'a'" in problems[1].message


def test_correct_index_out_of_range():
    [p] = errors(BROKEN / "correct_out_of_range.yaml")
    assert p.line == 8 and "correct index 3 is out of range (options 0..2)" in p.message


def test_option_too_long_for_a_poll_and_explanation_with_too_many_line_feeds():
    problems = errors(BROKEN / "option_too_long.yaml")
    assert where(problems) == [("option_too_long.yaml", 9), ("option_too_long.yaml", 12)]
    assert "option 2 has 104 characters" in problems[0].message
    assert "more than 2 line feeds" in problems[1].message


def test_schema_errors_each_with_a_line():
    problems = errors(BROKEN / "schema_errors.yaml")
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (7, "question evaluation-empty-answer"),
        (11, "unknown key 'anwser' in a question"),
        (12, "question evaluation-typo"),
        (13, "question needs a non-empty string 'id'"),
        (13, "question"),
    ]
    assert "answer is empty" in problems[0].message and "difficulty must be 1, 2 or 3" in problems[2].message


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_choice_question_limits_and_warnings(tmp_path):
    long_prompt = "问" * 301
    write(tmp_path, "quiz.yaml", f"""topic: quiz
title: {{zh: 测验, en: Quiz}}
questions:
  - id: q-prompt
    kind: choice
    prompt: {long_prompt}
    options: [a, b, c]
    correct: 0
  - id: q-options
    kind: choice
    prompt: 选项太多？
    options: [a, b, c, d, e, f, g, h, i, j, k, l, m]
    correct: [0]
  - id: q-label
    kind: choice
    prompt: 按钮标签？
    options: [a, b, "{'x' * 90}"]
    correct: [true]
    explanation: {'解' * 201}
  - id: q-two
    kind: choice
    prompt: 两个选项？
    options: [a, b]
    correct: [0, 1]
""")
    problems = validate(tmp_path)
    errs = [(p.line, p.message) for p in problems if p.is_error]
    warns = [(p.line, p.message) for p in problems if not p.is_error]
    assert any(line == 6 and "takes at most 300" in m for line, m in errs)
    assert any(line == 12 and "13 options" in m for line, m in errs)
    assert any(line == 18 and "not True" in m for line, m in errs)
    assert any(line == 19 and "201 characters" in m for line, m in errs)
    assert any(line == 17 and "Discord button labels" in m for line, m in warns)
    assert any(line == 23 and "2 options; 3 to 6 read best" in m for line, m in warns)
    assert any(line == 24 and "takes exactly one" in m for line, m in warns)


def test_topic_slug_defined_twice_and_clean_bank(tmp_path):
    header = ("topic: sft\ntitle: {zh: 微调, en: SFT}\nquestions:\n  - id: %s\n    prompt: 问题？\n"
              "    answer: 答案。\n    answer_origin: written\n")
    write(tmp_path, "sft.yaml", header % "a")
    assert validate(tmp_path) == []
    write(tmp_path, "sft2.yaml", header % "b")
    assert [p.message for p in errors(tmp_path)] == ["topic 'sft' is also defined in " + str(tmp_path / "sft.yaml")]


# --- CLI --------------------------------------------------------------------------------------


def run(argv: list[str], questions_dir: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog="quizbot")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    args.questions_dir = questions_dir
    return args.func(args)


def test_cli_validate_exit_codes(capsys):
    assert run(["questions", "validate", str(BROKEN / "dup_bank")]) == 1
    out = capsys.readouterr().out
    assert "b.yaml:8: duplicate id 'q-1'" in out
    assert run(["questions", "validate"], questions_dir=str(HERE / "fixtures" / "questions")) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("OK: 2 file(s), 2 topic(s)")


def test_cli_stats(capsys):
    assert run(["questions", "stats", str(HERE / "fixtures" / "questions")]) == 0
    out = capsys.readouterr().out
    assert "questions: 8 in 2 topic(s)" in out and "choice 3" in out
    assert "key points per answered open question: avg" in out
    assert "004_f9240c2c746bdf46.txt: 6" in out
    assert run(["questions", "stats", str(BROKEN / "dup_bank")]) == 1


def test_repo_question_bank_has_no_errors():
    if not REPO_QUESTIONS.is_dir() or not any(REPO_QUESTIONS.glob("*.y*ml")):
        pytest.skip("questions/ has no topic files yet")
    problems = errors(REPO_QUESTIONS)
    assert problems == [], "\n".join(str(p) for p in problems)
