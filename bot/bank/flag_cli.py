"""``quizbot questions flags`` and ``quizbot questions unflag ID``: members' reports for maintainers.

``flags`` lists every open report grouped by question (members, chats, reasons, times) and marks the
questions out of rotation; ``unflag ID`` clears a question's reports so it is asked again. Both read
the bot's database (``--db``, ``QUIZBOT_DB`` or ``database.path``); the bank, when it loads, adds each
question's prompt. Reasons are members' text: control characters are shown escaped so a report
cannot move the terminal's cursor or change its colours.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from bot.config import ConfigError, Settings, load_config


def _settings(args: argparse.Namespace) -> Settings | None:
    overrides: dict[str, object] = {}
    if getattr(args, "db", None):
        overrides["db_path"] = Path(args.db)
    if getattr(args, "questions", None):
        overrides["questions_dir"] = Path(args.questions)
    try:
        settings, _ = load_config(getattr(args, "config", None), None, **overrides)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    if not settings.db_path.is_file():
        print(f"error: no database at {settings.db_path} (set --db, QUIZBOT_DB or database.path)", file=sys.stderr)
        return None
    return settings


def terminal_safe(text: str) -> str:
    """Member text for a terminal: control characters (escape sequences, carriage returns) escaped."""
    return "".join(ch if ch.isprintable() or ch == " " else ascii(ch)[1:-1] for ch in text)


def _prompts(settings: Settings) -> dict[str, str]:
    from bot.bank.loader import BankError, QuestionBank

    try:
        bank = QuestionBank.load(settings.questions_dir)
    except BankError:
        return {}
    return {q.id: q.prompt for q in bank.all_questions()}


async def _list(settings: Settings) -> list[str]:
    from bot.flags import FLAG_LIMIT, Flags
    from bot.storage import Store

    store = await Store.open(settings.db_path)
    try:
        rows = await Flags(store).open_flags()
    finally:
        await store.close()
    if not rows:
        return ["no open reports"]
    prompts = _prompts(settings)
    by_question: dict[str, list] = defaultdict(list)
    for row in rows:
        by_question[row.question_id].append(row)
    order = sorted(by_question, key=lambda q: (-len({r.user_key for r in by_question[q]}), q))
    lines = []
    for qid in order:
        reports = by_question[qid]
        members = len({r.user_key for r in reports})
        state = "OUT OF ROTATION" if members >= FLAG_LIMIT else "in rotation"
        prompt = prompts.get(qid)
        lines.append(f"{qid}  {members}/{FLAG_LIMIT} member(s), {state}"
                     + (f"  — {terminal_safe(prompt[:80])}" if prompt else "  (not in the bank)"))
        for r in reports:
            when = datetime.fromtimestamp(r.flagged_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
            who = terminal_safe(r.user_name or r.user_key)
            reason = terminal_safe(r.reason) if r.reason else "(no reason given)"
            lines.append(f"  {when}  {who} ({r.user_key}) in {r.chat_key}: {reason}")
    out_n = sum(1 for q in order if len({r.user_key for r in by_question[q]}) >= FLAG_LIMIT)
    lines.append(f"{len(rows)} open report(s) on {len(order)} question(s); {out_n} out of rotation "
                 f"(`quizbot questions unflag ID` returns one)")
    return lines


async def _clear(settings: Settings, question_id: str) -> int:
    from bot.flags import Flags
    from bot.storage import Store

    store = await Store.open(settings.db_path)
    try:
        return await Flags(store).clear(question_id, time.time())
    finally:
        await store.close()


def cmd_flags(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings is None:
        return 1
    for line in asyncio.run(_list(settings)):
        print(line)
    return 0


def cmd_unflag(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings is None:
        return 1
    cleared = asyncio.run(_clear(settings, args.id))
    if not cleared:
        print(f"error: question {terminal_safe(args.id)} has no open reports (see `quizbot questions flags`)",
              file=sys.stderr)
        return 1
    print(f"cleared {cleared} report(s) on {args.id}: it is back in rotation")
    return 0


def register(qsub) -> None:
    """Add ``flags`` and ``unflag`` to the ``questions`` subcommands."""
    f = qsub.add_parser("flags", help="members' open reports of faulty questions")
    f.set_defaults(func=cmd_flags)
    u = qsub.add_parser("unflag", help="clear a question's reports: it returns to the rotation")
    u.add_argument("id", metavar="ID", help="question id")
    u.set_defaults(func=cmd_unflag)
