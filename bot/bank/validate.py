"""``quizbot questions validate``: every problem of the question bank, each with its file and line.

``QuestionBank.load`` stops at the first file with an error; this reads every file and reports all
it finds, through the same checks (``bot.bank.checks``), so an error here is exactly what keeps the
bot from loading the bank:

- unreadable or hostile files (a directory named ``x.yaml``, binary data, more than 1 MB, alias
  bombs, deep nesting), YAML syntax, duplicate keys;
- the schema of ``bot.bank.schema``: required fields, strict types, unknown keys, ``correct`` indexes
  out of range, discussion questions with an answer or without a 3-5 point rubric, a ``correction``
  without ``answer_origin: notes``, and choice questions that would not fit a Telegram quiz poll
  (question <= 300 characters, 2..12 options of <= 100 characters, explanation <= 200 characters with
  at most 2 line feeds);
- across the bank: ids unique, topic slugs unique, topic names/aliases that collide between topics.

Warnings (reported, never fatal): Discord's 80-character button labels, 3-6 options reading best,
several correct options, an answered open question without ``answer_origin``, repeated options or
key points, slug and file name style.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.bank.checks import Problem, bank_problems, check_file, topic_files
from bot.bank.reader import ReadError, read_yaml

log = logging.getLogger(__name__)

__all__ = ["Problem", "summary", "validate"]


def _files(path: Path) -> list[Path]:
    return topic_files(path) if path.is_dir() else [path]


def validate(path: str | Path) -> list[Problem]:
    """Every problem of a bank directory or one topic file, in file order."""
    path = Path(path)
    if not path.exists():
        return [Problem(str(path), None, "no such file or directory")]
    files = _files(path)
    if not files:
        return [Problem(str(path), None, "no topic files (*.yaml) found", "warning")]
    checks = [check_file(f, str(f)) for f in files]
    problems = [p for c in checks for p in c.problems]
    problems.extend(bank_problems(checks))
    log.debug("validated %d file(s): %d problem(s)", len(files), len(problems))
    return problems


def summary(path: str | Path, problems: list[Problem]) -> str:
    """One line for a clean bank: files, topics, questions, warnings."""
    files = _files(Path(path))
    topics, questions = 0, 0
    for f in files:
        try:
            doc = read_yaml(f).data
        except ReadError:
            continue
        if isinstance(doc, dict):
            topics += 1
            questions += len(doc["questions"]) if isinstance(doc.get("questions"), list) else 0
    warnings = sum(1 for p in problems if not p.is_error)
    return (f"OK: {len(files)} file(s), {topics} topic(s), {questions} question(s)"
            + (f", {warnings} warning(s)" if warnings else ""))
