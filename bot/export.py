"""``quizbot export``: one chat's answers and scores as CSV, for the group's own records."""

from __future__ import annotations

import csv
import sys
from datetime import UTC, datetime

from bot.config import Settings
from bot.storage import Store

COLUMNS = ["round_id", "kind", "question_id", "topic", "opened_at", "user_key", "user_name", "answer",
           "choice", "score", "counted", "submitted_at"]


# OWASP "CSV injection": a cell starting with one of these is run as a formula by spreadsheet
# programs; a leading apostrophe makes it text (and is not shown by them)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """A value safe to open in a spreadsheet: text that would start a formula is prefixed with '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _iso(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds") if ts else ""


async def export_chat(settings: Settings, chat_key: str, fmt: str, output: str | None) -> int:
    store = await Store.open(settings.db_path)
    try:
        rows = await store.fetchall(
            "SELECT r.id, r.kind, r.question_id, r.topic, r.opened_at, a.user_key,"
            " COALESCE(u.name, a.user_name) AS name, a.text, a.choice, a.score,"
            " s.round_id IS NOT NULL AS counted, a.submitted_at"
            " FROM answers a JOIN rounds r ON r.id = a.round_id LEFT JOIN users u ON u.key = a.user_key"
            " LEFT JOIN scores s ON s.round_id = a.round_id AND s.user_key = a.user_key"
            " WHERE a.chat_key = ? ORDER BY r.id, a.submitted_at",
            (chat_key,),
        )
    finally:
        await store.close()
    if not rows:
        print(f"no answers stored for chat {chat_key!r} (keys look like telegram:-100123)", file=sys.stderr)
    out = open(output, "w", newline="", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for r in rows:
            writer.writerow([cell(v) for v in (r[0], r[1], r[2], r[3], _iso(r[4]), r[5], r[6], r[7] or "",
                                               "" if r[8] is None else r[8], r[9], int(r[10]), _iso(r[11]))])
    finally:
        if output:
            out.close()
    return 0
