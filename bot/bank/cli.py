"""Question-bank commands of the ``quizbot`` CLI: ``import``, ``questions validate``, ``questions stats``.

``bot.cli`` calls ``register(subparsers)`` and then ``args.func(args)``; every handler here is a plain
synchronous function returning the exit code. Handlers import what they need, so registering the
commands (done for every ``quizbot`` invocation) stays cheap. The bank directory defaults to ``args.questions_dir``
when the main parser set it, else ``questions``.

    quizbot import NOTES.md... [--out DIR] [--dry-run] [--format yaml|json]
    quizbot questions validate [PATH]
    quizbot questions stats [PATH]
    quizbot questions flags | unflag ID     (bot.bank.flag_cli: members' reports)
    quizbot questions duplicates [PATH]     (bot.bank.duplicates: near-duplicate candidates)
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.bank import duplicates, flag_cli

if TYPE_CHECKING:
    from bot.bank.importer.entries import ImportResult

log = logging.getLogger(__name__)


def _bank_dir(args: argparse.Namespace, explicit: str | None = None) -> Path:
    if explicit:
        return Path(explicit)
    configured = getattr(args, "questions_dir", None)
    return Path(configured) if configured else Path("questions")


def register(subparsers) -> None:
    """Add ``import`` and ``questions {validate,stats}`` to an argparse subparsers object."""
    p = subparsers.add_parser("import", help="turn study notes (Markdown or text) into bank entries",
                              description="Parse notes into questions and merge them into the bank "
                                          "(existing entries are never overwritten).")
    p.add_argument("files", nargs="+", metavar="FILE", help="notes to import (.md, .txt)")
    p.add_argument("--out", metavar="DIR", help="bank directory (default: the questions directory)")
    p.add_argument("--dry-run", action="store_true", help="print the entries instead of writing them")
    p.add_argument("--format", choices=["yaml", "json"], default="yaml", help="--dry-run output format")
    p.set_defaults(func=cmd_import)

    q = subparsers.add_parser("questions", help="question bank tools")
    qsub = q.add_subparsers(dest="questions_command", metavar="{validate,stats,flags,unflag,duplicates}")
    qsub.required = True
    v = qsub.add_parser("validate", help="report every problem of the bank with file and line")
    v.add_argument("path", nargs="?", metavar="PATH", help="bank directory or one topic file")
    v.set_defaults(func=cmd_validate)
    s = qsub.add_parser("stats", help="answered/discussion/origin per topic, choice-bank balance, sources")
    s.add_argument("path", nargs="?", metavar="PATH", help="bank directory")
    s.set_defaults(func=cmd_stats)
    flag_cli.register(qsub)
    duplicates.register(qsub)


# --- import ------------------------------------------------------------------------------------


def _grouped(result: ImportResult) -> list[dict]:
    from bot.bank.importer.enrich import TOPICS

    order = list(TOPICS)
    topics = sorted({e.topic for e in result.entries}, key=lambda t: (order.index(t) if t in order else 99, t))
    return [{"topic": t, "questions": [e.to_dict() for e in result.entries if e.topic == t]} for t in topics]


def cmd_import(args: argparse.Namespace) -> int:
    from bot.bank.importer import BankWriteError, import_files, merge_into_bank
    from bot.bank.importer.writer import dump, styled

    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        print(f"error: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    result = import_files(args.files)
    report = result.report_lines()
    if args.dry_run:
        groups = _grouped(result)
        if args.format == "json":
            sys.stdout.write(json.dumps(groups, ensure_ascii=False, indent=2) + "\n")
        else:
            docs = [{"topic": g["topic"], "questions": [styled(e) for e in g["questions"]]} for g in groups]
            sys.stdout.write(dump(docs))
        for line in report:
            print(line, file=sys.stderr)
        return 0
    out = _bank_dir(args, args.out)
    try:
        merged = merge_into_bank(result.entries, out)
    except BankWriteError as exc:
        for line in report:
            print(line, file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for line in report + merged.lines():
        print(line)
    return 0


# --- validate ----------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from bot.bank.validate import summary, validate

    path = _bank_dir(args, args.path)
    problems = validate(path)
    for p in problems:
        print(p)
    errors = sum(1 for p in problems if p.is_error)
    if errors:
        print(f"{errors} error(s), {len(problems) - errors} warning(s) in {path}", file=sys.stderr)
        return 1
    print(summary(path, problems))
    return 0


# --- stats -------------------------------------------------------------------------------------


def cmd_stats(args: argparse.Namespace) -> int:
    from bot.bank.loader import BankError, QuestionBank
    from bot.bank.stats import stats_lines

    path = _bank_dir(args, args.path)
    try:
        bank = QuestionBank.load(path)
    except BankError as exc:
        print(f"error: {exc} (run `quizbot questions validate` for every problem)", file=sys.stderr)
        return 1
    for line in stats_lines(bank):
        print(line)
    return 0
