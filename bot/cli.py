"""``quizbot`` command line: run, console, grade, backup, config check, health, export, and the
question-bank commands (import, questions validate/stats) from ``bot.bank.cli``.

Exit codes: 0 ok; 1 failure (unhealthy, bank errors, missing database, unexpected errors);
2 configuration errors (a bad key or value, a rejected token) — systemd units use
``RestartPreventExitStatus=2`` so a misconfiguration does not restart in a loop.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sqlite3
import sys
import time
from pathlib import Path

from bot import __version__
from bot.config import LOG_LEVELS, SECRET_ENV, ConfigError, Settings, load_config, mask, yaml_key
from bot.logs import redact

log = logging.getLogger(__name__)
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE


def setup_logging(level: str, settings: Settings | None = None) -> None:
    from bot.logs import configure

    secrets = [os.environ.get(var) for var in SECRET_ENV]
    if settings is not None:
        secrets += [settings.telegram_token, settings.discord_token, settings.llm_api_key]
    configure(level, secrets=tuple(secrets))


def load_dotenv_file() -> None:
    """Read ``./.env`` into the environment; variables that are really set win (never overridden)."""
    path = Path.cwd() / ".env"
    if path.is_file():
        from dotenv import load_dotenv

        load_dotenv(path, override=False)


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "db", None):
        overrides["db_path"] = Path(args.db)
    if getattr(args, "questions", None):
        overrides["questions_dir"] = Path(args.questions)
    settings, _ = load_config(args.config, None, **overrides)
    # tools stay quiet unless a level is asked for in the environment; `run` sets its own level
    setup_logging(settings.log_level if os.environ.get("QUIZBOT_LOG_LEVEL") else "WARNING", settings)
    return settings


def _existing_db(settings: Settings) -> Path | None:
    """The database path if it exists; otherwise say so (a tool must not create an empty one)."""
    if settings.db_path.is_file():
        return settings.db_path
    print(f"error: no database at {settings.db_path} (set --db, QUIZBOT_DB or database.path)", file=sys.stderr)
    return None


def cmd_run(args: argparse.Namespace, console: bool | None = None) -> int:
    from bot.runtime import HARD_EXIT_AFTER, serve

    settings = _settings(args)
    setup_logging(settings.log_level, settings)
    return asyncio.run(serve(settings, console=console, hard_exit_after=HARD_EXIT_AFTER))


def cmd_console(args: argparse.Namespace) -> int:
    return cmd_run(args, console=True)


def cmd_grade(args: argparse.Namespace) -> int:
    from bot.bank import QuestionBank
    from bot.grading import LocalGrader, grade_choice

    settings = _settings(args)
    bank = QuestionBank.load(settings.questions_dir)
    question = bank.question(args.question)
    if question is None:
        print(f"unknown question id {args.question!r}", file=sys.stderr)
        return 2
    lang = args.lang or settings.default_lang
    error = None
    if question.kind.value != "open":
        print(f"{args.question} is a choice question; grade an option index with --answer N", file=sys.stderr)
        if not args.answer.strip().isdigit():
            return 2
        result = grade_choice(question, int(args.answer))
    elif args.judge == "llm":
        if not settings.llm_enabled:
            print("error: --judge llm needs QUIZBOT_LLM_BASE_URL and QUIZBOT_LLM_MODEL (or llm.base_url and "
                  "llm.model in the config); QUIZBOT_LLM_API_KEY if the provider wants a key", file=sys.stderr)
            return 2
        result, error = asyncio.run(_judge_once(settings, question, args.answer, lang))
    else:
        result = LocalGrader().grade(question, args.answer, lang)
    if args.json:
        out = {"question": question.id, "score": result.score, "hits": list(result.hit),
               "missed": list(result.missed), "contradicted": list(result.contradicted),
               "feedback": result.feedback, "judge": result.judge, "capped": result.capped,
               "hit": list(result.hit)}  # "hit": the name of the first versions of this output
        if error:
            out["judge_error"] = error
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"score: {result.score}/10 ({result.judge})")
        for kp in question.key_points:
            mark = "x" if kp.text in result.hit else "!" if kp.text in result.contradicted else " "
            print(f"  [{mark}] {kp.text}")
        if result.feedback:
            print(f"feedback: {result.feedback}")
        if error:
            print(f"the LLM judge failed ({error}): this is the local grade", file=sys.stderr)
    return 0


async def _judge_once(settings: Settings, question, text: str, lang: str):
    """One judgement by the configured model, without the bot's cache or budget (a maintainer
    trying a model wants a fresh call); on failure the local grade and the reason."""
    from bot.grading import LocalGrader
    from bot.judge.client import JudgeFailure, LLMJudge
    from bot.judge.grader import to_grade

    judge = LLMJudge(settings, None)
    try:
        return to_grade(question, await judge.judgement(question, text, lang), judge.name), None
    except JudgeFailure as exc:
        return LocalGrader().grade(question, text, lang), str(exc)
    finally:
        await judge.close()


def cmd_backup(args: argparse.Namespace) -> int:
    from bot.storage import Store

    settings = _settings(args)
    db = _existing_db(settings)
    if db is None:
        return 1
    target = Path(args.path)
    if target.exists() and target.resolve() == db.resolve():
        print("error: the backup path is the database itself", file=sys.stderr)
        return 1

    async def run() -> None:
        store = await Store.open(db)
        try:
            await store.backup(target)
        finally:
            await store.close()

    started = time.monotonic()
    asyncio.run(run())
    print(f"backup written to {target} ({target.stat().st_size} bytes in {time.monotonic() - started:.1f} s)")
    return 0


def cmd_config_check(args: argparse.Namespace) -> int:
    overrides = {}
    if args.db:
        overrides["db_path"] = Path(args.db)
    if args.questions:
        overrides["questions_dir"] = Path(args.questions)
    settings, where = load_config(args.config, None, **overrides)
    masked = settings.masked()
    if args.json:
        print(json.dumps(masked, ensure_ascii=False, indent=2))
    else:
        source = args.config or os.environ.get("QUIZBOT_CONFIG")
        print(f"# quizbot {__version__}: effective configuration ({'file ' + source if source else 'no config file'})")
        for name, value in masked.items():
            if name in SECRET_ENV.values():
                continue
            shown = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
            print(f"{yaml_key(name)}: {shown}    # {where.get(name, 'default')}")
        print("# secrets (from the environment only)")
        for var, name in SECRET_ENV.items():
            print(f"{var}: {mask(getattr(settings, name)) or '(not set)'}")
        print(f"# adapters: {', '.join(settings.platforms) or 'none: quizbot run serves the console'}")
        if settings.llm_enabled:
            print(f"# judge: llm:{settings.llm_model} at {settings.llm_base_url} (key {mask(settings.llm_api_key) or 'not set'}), "
                  f"{settings.llm_requests_per_minute:g}/min, {settings.llm_concurrency} at once, "
                  f"{settings.llm_daily_budget or 'no'} calls/day budget, reveals wait {settings.llm_reveal_wait:g} s")
        else:
            print("# judge: local (set QUIZBOT_LLM_BASE_URL and QUIZBOT_LLM_MODEL for the LLM judge)")
    if not settings.questions_dir.is_dir():
        print(f"warning: questions directory {settings.questions_dir} does not exist", file=sys.stderr)
    print("config ok", file=sys.stderr)
    return 0


def write_problem(db: Path, version: int) -> str | None:
    """Why the database cannot be written, or None. A header write in a transaction that is
    rolled back: it takes the write lock (waiting up to 5 s behind the running bot) and changes
    nothing."""
    try:
        con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=rw", uri=True, timeout=5, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                con.execute(f"PRAGMA user_version={int(version)}")
            finally:
                con.execute("ROLLBACK")
        finally:
            con.close()
    except sqlite3.Error as exc:
        return str(exc)
    return None


def cmd_health(args: argparse.Namespace) -> int:
    from bot.heartbeat import read_heartbeat

    settings = _settings(args)
    db = settings.db_path
    if not db.is_file():
        print(f"unhealthy: no database at {db}", file=sys.stderr)
        return 1
    try:
        con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=rw", uri=True, timeout=5, isolation_level=None)
        try:
            con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            (version,) = con.execute("PRAGMA user_version").fetchone()
        finally:
            con.close()
    except sqlite3.Error as exc:
        print(f"unhealthy: database {db}: {exc}", file=sys.stderr)
        return 1
    problem = write_problem(db, version)
    if problem:
        print(f"unhealthy: database {db} cannot be written ({problem}): the bot cannot store answers",
              file=sys.stderr)
        return 1
    try:
        beat = read_heartbeat(settings)
    except (OSError, ValueError) as exc:
        print(f"unhealthy: no readable heartbeat at {settings.heartbeat_path} ({type(exc).__name__}): "
              "is quizbot run running on this database?", file=sys.stderr)
        return 1
    age = time.time() - float(beat["time"])
    limit = args.max_age or settings.heartbeat_seconds * 3
    if age > limit:
        print(f"unhealthy: heartbeat is {age:.0f} s old (limit {limit:.0f} s)", file=sys.stderr)
        return 1
    adapters = beat.get("adapters") or {}
    down = sorted(name for name, state in adapters.items() if state != "running")
    if down:
        print(f"unhealthy: not connected: {', '.join(f'{n} ({adapters[n]})' for n in down)}", file=sys.stderr)
        return 1
    shown = ", ".join(f"{n} {s}" for n, s in sorted(adapters.items())) or "console"
    print(f"healthy: heartbeat {age:.0f} s old, schema v{version}, {shown}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from bot.export import export_chat

    settings = _settings(args)
    if ":" not in args.chat:
        print(f"error: --chat takes a chat key like telegram:-100123 or discord:12345 (got {args.chat!r})",
              file=sys.stderr)
        return 2
    if _existing_db(settings) is None:
        return 1
    return asyncio.run(export_chat(settings, args.chat, args.format, args.output))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizbot", description="Quiz bot for LLM/ML interview study groups.")
    parser.add_argument("--version", action="version", version=f"quizbot {__version__}")
    parser.add_argument("--config", help="path to quizbot.yaml (default: $QUIZBOT_CONFIG); like --db and "
                        "--questions it may also follow the command")
    parser.add_argument("--db", help="SQLite database path (default: $QUIZBOT_DB or data/quizbot.db)")
    parser.add_argument("--questions", help="questions directory (default: $QUIZBOT_QUESTIONS or questions)")
    sub = parser.add_subparsers(dest="command")

    sub.add_parser("run", help="run every configured adapter (console when no token)").set_defaults(func=cmd_run)
    sub.add_parser("console", help="play in the terminal (reads stdin; works with a pipe)").set_defaults(
        func=cmd_console)
    p = sub.add_parser("grade", help="score an answer against a question's key points")
    p.add_argument("--question", required=True)
    p.add_argument("--answer", required=True)
    p.add_argument("--json", action="store_true")
    p.add_argument("--judge", choices=["local", "llm"], default="local",
                   help="local: the offline grader (default); llm: the configured LLM judge (QUIZBOT_LLM_*)")
    p.add_argument("--lang", choices=["zh", "en"], help="language of the feedback (default: the configured language)")
    p.set_defaults(func=cmd_grade)
    p = sub.add_parser("backup", help="consistent online copy of the database (safe while the bot runs)")
    p.add_argument("path")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("config", help="configuration tools")
    csub = p.add_subparsers(dest="config_command", required=True)
    p = csub.add_parser("check", help="validate and print the effective configuration, secrets masked")
    p.add_argument("--json", action="store_true", help="print the settings as JSON")
    p.set_defaults(func=cmd_config_check)
    p = sub.add_parser("health", help="exit 0 when the database opens and the heartbeat is fresh")
    p.add_argument("--max-age", type=float, help="seconds (default: 3 x heartbeat_seconds)")
    p.set_defaults(func=cmd_health)
    p = sub.add_parser("export", help="export a chat's answers and scores")
    p.add_argument("--chat", required=True, help="chat key, e.g. telegram:-100123")
    p.add_argument("--format", choices=["csv"], default="csv")
    p.add_argument("--output", "-o", help="file to write (default: stdout)")
    p.set_defaults(func=cmd_export)
    from bot.bank import cli as bank_cli

    bank_cli.register(sub)
    return parser


GLOBAL_OPTIONS = ("--config", "--db", "--questions")


def hoist_global_options(argv: list[str]) -> list[str]:
    """Move ``--config/--db/--questions`` in front of the command, so ``quizbot config check
    --config quizbot.yaml`` works as well as ``quizbot --config quizbot.yaml config check``."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest += argv[i:]
            break
        if arg.split("=", 1)[0] in GLOBAL_OPTIONS:
            take = 1 if "=" in arg else 2
            front += argv[i:i + take]
            i += take
            continue
        rest.append(arg)
        i += 1
    return front + rest


def closed_stdout() -> int:
    """The reader of our output left (``quizbot grade … | head -1``): nothing is wrong with us.
    Point stdout at /dev/null so the interpreter's final flush does not fail again, and exit like
    any Unix tool killed by SIGPIPE."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return EXIT_BROKEN_PIPE


def main(argv: list[str] | None = None) -> int:
    # redacting logs from the first line on: even a complaint about .env or the config is scrubbed
    setup_logging("WARNING")
    load_dotenv_file()
    level = os.environ.get("QUIZBOT_LOG_LEVEL", "").upper()
    setup_logging(level if level in LOG_LEVELS else "WARNING")  # now also knows the tokens from .env
    parser = build_parser()
    args = parser.parse_args(hoist_global_options(sys.argv[1:] if argv is None else list(argv)))
    if not getattr(args, "func", None):
        args.func = cmd_run
    try:
        if not hasattr(args, "questions_dir"):  # the bank commands: --questions, else the configuration
            args.questions_dir = args.questions or str(load_config(args.config)[0].questions_dir)
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"error: {redact(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return closed_stdout()
    except Exception as exc:  # a clear one-line error for operators; the traceback goes to the log
        from bot.bank import BankError
        from bot.storage import StoreUnavailable

        if isinstance(exc, (BankError, StoreUnavailable)):
            print(f"error: {redact(str(exc))}", file=sys.stderr)
            return 1
        log.critical("quizbot %s failed", getattr(args, "command", None) or "run", exc_info=True)
        print(f"error: {type(exc).__name__}: {redact(str(exc))}", file=sys.stderr)
        return 1
