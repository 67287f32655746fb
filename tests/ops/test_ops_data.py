"""Data an operator takes out: ``quizbot backup`` of a database the running bot is writing (a valid
database holding every answer acknowledged before the backup began) and ``quizbot export`` CSV."""

from __future__ import annotations

import csv
import io
import re
import signal
import sqlite3

from ops_support import BotProcess, quizbot

from bot.export import COLUMNS

ACKED = re.compile(r"Got your answer, (u\d+)\.")


def test_backup_while_the_bot_writes_holds_every_acknowledged_answer(tmp_path):
    db = tmp_path / "live.db"
    copy = tmp_path / "backups" / "copy.db"
    with BotProcess(db) as bot:
        bot.send("/lang en", "/quiz sft 1")
        bot.wait_stdout(r"\(question\)")
        lines = []
        for i in range(3000):
            lines += [f"/as u{i}", f"灾难性遗忘 {i}"]
        bot.feed_in_background(lines)
        bot.wait_stdout(ACKED, count=100)
        acked_before = set(ACKED.findall(bot.stdout))  # committed before the backup starts
        result = quizbot("--db", str(db), "backup", str(copy))
        acked_after = set(ACKED.findall(bot.stdout))
        bot.signal(signal.SIGTERM)
        assert bot.wait(12) == 0
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"backup written to {copy}")
    assert len(acked_after) > len(acked_before), "the bot should still be writing during the backup"
    con = sqlite3.connect(copy)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        in_copy = {row[0] for row in con.execute("SELECT user_key FROM answers")}
        assert con.execute("PRAGMA user_version").fetchone()[0] >= 1
    finally:
        con.close()
    assert {f"console:{u}" for u in acked_before} <= in_copy
    assert not list(copy.parent.glob("*.partial"))


def test_backup_of_a_missing_database_fails_and_creates_nothing(tmp_path):
    result = quizbot("--db", str(tmp_path / "nope.db"), "backup", str(tmp_path / "copy.db"))
    assert result.returncode == 1 and "no database at" in result.stderr
    assert not (tmp_path / "nope.db").exists() and not (tmp_path / "copy.db").exists()


def test_export_writes_the_chat_answers_as_csv(tmp_path):
    from ops_support import FIXTURE_BANK

    db = tmp_path / "played.db"
    script = "\n".join(["/lang en", "/quiz sft 1", "/as Alice", '数据分布偏移，灾难性遗忘, "quoted",',
                        "/as Bob", "灾难性遗忘", "/as Me", "/reveal", ""])
    played = quizbot("--questions", str(FIXTURE_BANK), "--db", str(db), "console", stdin=script)
    assert played.returncode == 0 and "(reveal)" in played.stdout, played.stderr
    result = quizbot("--db", str(db), "export", "--chat", "console:group", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == COLUMNS
    by_user = {row["user_name"]: row for row in rows}
    assert set(by_user) == {"Alice", "Bob"}
    alice = by_user["Alice"]
    assert alice["user_key"] == "console:alice" and alice["kind"] == "quiz" and alice["topic"] == "sft"
    assert alice["answer"] == '数据分布偏移，灾难性遗忘, "quoted",'  # CSV quoting round-trips
    for name, row in by_user.items():  # the scores the reveal announced (the question is drawn at random)
        assert re.search(rf"\d\. {name} {row['score']}/10", played.stdout), (name, row["score"])
        assert row["counted"] == "1" and row["question_id"].startswith("sft-")
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", alice["submitted_at"])
    out = tmp_path / "export.csv"
    result = quizbot("--db", str(db), "export", "--chat", "console:group", "-o", str(out))
    assert result.returncode == 0 and out.read_text(encoding="utf-8").splitlines()[0] == ",".join(COLUMNS)


def test_export_of_an_unknown_chat_or_bad_key_or_missing_database(tmp_path):
    from ops_support import FIXTURE_BANK

    db = tmp_path / "q.db"
    quizbot("--questions", str(FIXTURE_BANK), "--db", str(db), "console", stdin="/help\n")
    result = quizbot("--db", str(db), "export", "--chat", "telegram:-100999")
    assert result.returncode == 0 and result.stdout.strip() == ",".join(COLUMNS)
    assert "no answers stored for chat 'telegram:-100999'" in result.stderr
    result = quizbot("--db", str(db), "export", "--chat", "-100999")
    assert result.returncode == 2 and "chat key like telegram:-100123" in result.stderr
    result = quizbot("--db", str(tmp_path / "missing.db"), "export", "--chat", "telegram:1")
    assert result.returncode == 1 and not (tmp_path / "missing.db").exists()
