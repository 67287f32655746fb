"""Hostile input (issue 14, defects 5-8): a lone surrogate in a group-commit batch, undecodable
bytes on the console, odd deep-link and button ids, spreadsheet formulas in an export."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine import QuizEngine
from bot.events import ButtonPress, ChoicePick, Command, TextAnswer
from bot.export import export_chat
from bot.model import ChatRef, UserRef
from bot.replies import ReplyKind
from bot.storage import Store

REPO = Path(__file__).resolve().parents[2]
FIXTURE_BANK = REPO / "tests" / "fixtures" / "questions"
GROUP = ChatRef("console", "g1", title="study group")
PRIVATE = ChatRef("console", "dm-ann", private=True)
ANN = UserRef("console", "ann", "Ann")
BOB = UserRef("console", "bob", "Bob")
ADMIN = UserRef("console", "root", "Root", is_admin=True)
LONE = "\udc80"  # what surrogateescape makes of the byte 0x80


# -- 5: one bad statement must not roll back the batch -------------------------------------------

async def open_question(engine: QuizEngine) -> int:
    [q] = [r for r in await engine.handle(Command(GROUP, ADMIN, name="quiz", args=("sft", "1")))
           if r.kind is ReplyKind.QUESTION]
    assert q.round_id is not None
    return q.round_id


async def test_lone_surrogate_answer_does_not_sink_a_concurrent_one(engine: QuizEngine, caplog) -> None:
    round_id = await open_question(engine)
    good = TextAnswer(GROUP, ANN, text="catastrophic forgetting and data distribution shift", round_id=round_id)
    bad = TextAnswer(GROUP, UserRef("console", "bob", f"Bob{LONE}"), text=f"forgetting {LONE} overfitting",
                     round_id=round_id)
    with caplog.at_level(logging.ERROR):
        ok, odd = await asyncio.gather(engine.handle(good), engine.handle(bad))
    assert ok[0].kind is ReplyKind.ACK and odd[0].kind is ReplyKind.ACK
    rows = await engine.store.fetchall("SELECT user_key, text FROM answers ORDER BY user_key")
    assert [r["user_key"] for r in rows] == ["console:ann", "console:bob"]
    assert "\ufffd" in rows[1]["text"]
    assert "error handling" not in caplog.text


async def test_a_failing_statement_is_retried_out_of_its_batch(store: Store) -> None:
    await store.submit("CREATE TABLE t(x TEXT NOT NULL)", ())
    results = await asyncio.gather(
        store.submit("INSERT INTO t(x) VALUES (?) RETURNING x", ("a",)),
        store.submit("INSERT INTO t(x) VALUES (?) RETURNING x", (None,)),  # NOT NULL fails
        store.submit("INSERT INTO t(x) VALUES (?) RETURNING x", ("c",)),
        return_exceptions=True,
    )
    assert [tuple(r[0]) for r in results[0]] == [("a",)] and [tuple(r[0]) for r in results[2]] == [("c",)]
    assert isinstance(results[1], Exception)
    rows = await store.fetchall("SELECT x FROM t ORDER BY x")
    assert [r["x"] for r in rows] == ["a", "c"]


# -- 6: undecodable bytes on the console's stdin -------------------------------------------------

def test_console_survives_undecodable_stdin(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.endswith("_BOT_TOKEN") and not k.startswith(("QUIZBOT_", "TELEGRAM_", "DISCORD_"))}
    env.update(PYTHONPATH=str(REPO), PYTHONIOENCODING="utf-8")
    lines = [b"/quiz sft 1\n", b"forgetting \xff\xfe and \x80 overfitting\n", b"/as Ma\xffry\n",
             b"catastrophic forgetting\n", b"/topics\n"]
    proc = subprocess.run([sys.executable, "-m", "bot", "--questions", str(FIXTURE_BANK), "--db",
                           str(tmp_path / "q.db"), "console"], input=b"".join(lines), capture_output=True,
                          cwd=tmp_path, env=env, timeout=60)
    out = proc.stdout.decode("utf-8", "replace")
    assert proc.returncode == 0, proc.stderr.decode()
    assert out.count("(ack)") == 2, out  # both answers taken: the one with bad bytes, then Ma�ry's
    assert "Ma\ufffdry" in out
    assert "sft" in out.split("(ack)")[-1]  # /topics after them still answered
    assert b"Traceback" not in proc.stderr and b"ERROR" not in proc.stderr


# -- 7: odd deep-link and button ids ------------------------------------------------------------

ODD_IDS = ["²", "٣", "99999999999999999999", "-1", "0", "1e3", " 1", "1" * 5000]


@pytest.mark.parametrize("odd", ODD_IDS)
async def test_odd_ids_get_a_clear_reply_not_a_traceback(engine: QuizEngine, caplog, odd: str) -> None:
    events = [
        Command(PRIVATE, ANN, name="start", args=(f"ans_{odd}",)),
        Command(GROUP, ADMIN, name="quiz", args=("sft", odd)),
        ButtonPress(GROUP, ANN, data=f"qb:ans:{odd}"[:64]),
        ButtonPress(GROUP, ANN, data=f"qb:pick:{odd}:1"[:64]),
        ButtonPress(GROUP, ANN, data=f"qb:pick:1:{odd}"[:64]),
    ]
    if odd.lstrip("-").isascii() and odd.lstrip("-").isdigit() and len(odd) < 30:
        number = int(odd)
        events += [ChoicePick(GROUP, ANN, round_id=number, option=0), ChoicePick(GROUP, ANN, round_id=1, option=number),
                   TextAnswer(GROUP, ANN, text="forgetting", round_id=number)]
    with caplog.at_level(logging.ERROR):
        for event in events:
            replies = await engine.handle(event)
            assert replies, event
            assert all(r.kind is not ReplyKind.ERROR or "went wrong" not in r.text for r in replies), replies
    assert "Traceback" not in caplog.text and "error handling" not in caplog.text


def test_telegram_button_with_odd_ids_is_not_a_pick() -> None:
    from datetime import UTC, datetime

    from telegram import CallbackQuery, Chat, Message, Update, User

    from adapters.telegram.handlers import Handlers

    user = User(id=7, first_name="Ann", is_bot=False)
    chat = Chat(id=-100, type=Chat.SUPERGROUP)
    for data in ("qb:pick:²:1", "qb:pick:99999999999999999999:1", "qb:pick:1:٣"):
        query = CallbackQuery("1", user, "inst", data=data, message=Message(5, datetime.now(UTC), chat))
        event = Handlers._button_event(None, Update(1, callback_query=query), query)  # type: ignore[arg-type]
        assert not isinstance(event, ChoicePick), data


# -- 8: spreadsheet formulas in the CSV export ---------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "=1"]


async def test_export_neutralises_formulas(engine: QuizEngine, settings, tmp_path: Path) -> None:
    round_id = await open_question(engine)
    for n, text in enumerate(FORMULAS):
        member = UserRef("console", f"m{n}", text)
        replies = await engine.handle(TextAnswer(GROUP, member, text=f"{text} forgetting", round_id=round_id))
        assert replies[0].kind is ReplyKind.ACK
    target = tmp_path / "out.csv"
    assert await export_chat(settings, GROUP.key, "csv", str(target)) == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == len(FORMULAS)
    for row in rows:
        for column in ("user_name", "answer"):
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), row[column]
        assert row["user_name"].startswith("'")
    assert rows[0]["round_id"].isdigit()  # numbers stay numbers
