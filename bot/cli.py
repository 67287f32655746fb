"""``quizbot`` command line: run, console, grade, backup, config check, health, export, and the
question-bank commands (import, questions validate/stats) from ``bot.cli_bank``."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from pathlib import Path

from bot import __version__
from bot.config import ConfigError, Settings, load_settings

log = logging.getLogger(__name__)


def setup_logging(level: str) -> None:
    from bot.logs import configure

    configure(level)


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "db", None):
        overrides["db_path"] = Path(args.db)
    if getattr(args, "questions", None):
        overrides["questions_dir"] = Path(args.questions)
    return load_settings(args.config, **overrides)


def cmd_run(args: argparse.Namespace, console: bool | None = None) -> int:
    from bot.runtime import serve

    settings = _settings(args)
    setup_logging(settings.log_level)
    return asyncio.run(serve(settings, console=console))


def cmd_console(args: argparse.Namespace) -> int:
    return cmd_run(args, console=True)


def cmd_grade(args: argparse.Namespace) -> int:
    from bot.bank import QuestionBank
    from bot.grading import grade

    settings = _settings(args)
    bank = QuestionBank.load(settings.questions_dir)
    question = bank.question(args.question)
    if question is None:
        print(f"unknown question id {args.question!r}", file=sys.stderr)
        return 2
    result = grade(question, args.answer) if question.kind.value == "open" else None
    if result is None:
        print(f"{args.question} is a choice question; grade an option index with --answer N", file=sys.stderr)
        if not args.answer.strip().isdigit():
            return 2
        result = grade(question, option=int(args.answer))
    if args.json:
        print(json.dumps({"question": question.id, "score": result.score, "hit": list(result.hit),
                          "missed": list(result.missed)}, ensure_ascii=False))
    else:
        print(f"score: {result.score}/10")
        for kp in question.key_points:
            print(f"  [{'x' if kp.text in result.hit else ' '}] {kp.text}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from bot.storage import Store

    settings = _settings(args)

    async def run() -> None:
        store = await Store.open(settings.db_path)
        try:
            await store.backup(args.path)
        finally:
            await store.close()

    asyncio.run(run())
    print(f"backup written to {args.path}")
    return 0


def cmd_config_check(args: argparse.Namespace) -> int:
    settings = _settings(args)
    print(json.dumps(settings.masked(), ensure_ascii=False, indent=2))
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    import sqlite3

    settings = _settings(args)
    try:
        con = sqlite3.connect(f"file:{settings.db_path}?mode=ro", uri=True, timeout=5)
        con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        con.close()
    except sqlite3.Error as exc:
        print(f"unhealthy: database {settings.db_path}: {exc}", file=sys.stderr)
        return 1
    try:
        beat = float(settings.heartbeat_path.read_text().strip())
    except (OSError, ValueError):
        print(f"unhealthy: no heartbeat at {settings.heartbeat_path}", file=sys.stderr)
        return 1
    age = time.time() - beat
    limit = args.max_age or settings.heartbeat_seconds * 3
    if age > limit:
        print(f"unhealthy: heartbeat is {age:.0f}s old (limit {limit:.0f}s)", file=sys.stderr)
        return 1
    print(f"healthy: heartbeat {age:.0f}s old")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from bot.export import export_chat

    settings = _settings(args)
    return asyncio.run(export_chat(settings, args.chat, args.format, args.output))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizbot", description="Quiz bot for LLM/ML interview study groups.")
    parser.add_argument("--version", action="version", version=f"quizbot {__version__}")
    parser.add_argument("--config", help="path to quizbot.yaml (default: $QUIZBOT_CONFIG)")
    parser.add_argument("--db", help="SQLite database path (default: $QUIZBOT_DB or data/quizbot.db)")
    parser.add_argument("--questions", help="questions directory (default: questions)")
    sub = parser.add_subparsers(dest="command")

    sub.add_parser("run", help="run every configured adapter (console when no token)").set_defaults(func=cmd_run)
    sub.add_parser("console", help="play in the terminal (reads stdin; works with a pipe)").set_defaults(
        func=cmd_console)
    p = sub.add_parser("grade", help="score an answer against a question's key points")
    p.add_argument("--question", required=True)
    p.add_argument("--answer", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_grade)
    p = sub.add_parser("backup", help="consistent online copy of the database")
    p.add_argument("path")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("config", help="configuration tools")
    csub = p.add_subparsers(dest="config_command", required=True)
    csub.add_parser("check", help="validate and print the effective configuration").set_defaults(
        func=cmd_config_check)
    p = sub.add_parser("health", help="exit 0 when the database opens and the heartbeat is fresh")
    p.add_argument("--max-age", type=float, help="seconds (default: 3 x heartbeat interval)")
    p.set_defaults(func=cmd_health)
    p = sub.add_parser("export", help="export a chat's answers and scores")
    p.add_argument("--chat", required=True, help="chat key, e.g. telegram:-100123")
    p.add_argument("--format", choices=["csv"], default="csv")
    p.add_argument("--output", "-o", help="file to write (default: stdout)")
    p.set_defaults(func=cmd_export)
    try:
        from bot import cli_bank
    except ImportError:
        cli_bank = None
    if cli_bank is not None:
        cli_bank.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args.func = cmd_run
    if not hasattr(args, "questions_dir"):
        args.questions_dir = args.questions
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a clear one-line error for operators; details only with DEBUG
        from bot.bank import BankError

        if isinstance(exc, BankError):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        raise
