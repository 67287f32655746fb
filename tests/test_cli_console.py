"""The CLI as a user runs it: the console through a pipe, grading, backups, platform isolation."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import subprocess
import sys

from bot.storage import Store
from tests.conftest import FIXTURE_BANK, REPO


def quizbot(*args: str, stdin: str = "", tmp_path=None, env_extra=None) -> subprocess.CompletedProcess:
    import os

    env = {k: v for k, v in os.environ.items() if not k.endswith("_BOT_TOKEN")}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=60)


def test_importing_bot_pulls_in_no_platform_sdk():
    code = ("import sys, bot, bot.engine, bot.cli, bot.runtime, bot.storage, bot.grading, adapters.console;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('telegram', 'discord')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "[]"


def test_piped_console_plays_a_full_round(tmp_path):
    script = "\n".join([
        "/lang en",
        "/quiz sft 1",
        "/as Alice",
        "SFT 之后模型变傻，主要是因为数据分布偏移，模型过拟合到新的分布；同时会发生灾难性遗忘，学新任务时覆盖了旧知识；数据质量低也会让模型变得刻板，所以训练时要混入通用数据。SFT 阶段模型主要在学习指令遵循，也就是按照用户的要求去回答，同时学会回答格式；知识本身主要来自预训练，SFT 很少注入新知识。如果资源充足、数据量大，就选 Base 模型来做 SFT，因为它的可塑性更好；如果数据少、又希望保留对话能力，就选 Chat 模型。",
        "/as Bob",
        "灾难性遗忘",
        "/as Carol",
        "😀",
        "/as Me",
        "/reveal",
        "/daily arch",
        "/as Alice",
        "A",
        "/as Bob",
        "A",  # the same pick: the options are shuffled per round, so the board depends on the open round
        "/as Me",
        "/reveal daily",
        "/leaderboard all",
        "/me",
    ]) + "\n"
    db = tmp_path / "console.db"
    result = quizbot("--questions", str(FIXTURE_BANK), "--db", str(db), "console", stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(reveal)" in out and "Key points" in out and "Model answer" in out
    assert "Question of the day" in out
    assert "no words" in out  # Carol's emoji-only answer got a clear reply
    # "A" is the option shown as A, whichever it is in the bank: the reveal scores it by that letter
    right = re.search(r"Correct answer: ([A-L])\. ", out)
    assert right is not None
    mark = "10/10 · A ✅" if right[1] == "A" else "0/10 · A ❌"
    assert f"Alice {mark}" in out and f"Bob {mark}" in out
    board = out[out.index("Leaderboard · all time"):]
    assert board.index("Alice") < board.index("Bob")
    assert "Traceback" not in out + result.stderr


def test_grade_command_json():
    result = quizbot("--questions", str(FIXTURE_BANK), "grade", "--question", "sft-why-dumber", "--answer",
                     "灾难性遗忘和 distribution shift", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["score"] == 6 and set(data["hit"]) == {"灾难性遗忘", "数据分布偏移"}
    assert quizbot("--questions", str(FIXTURE_BANK), "grade", "--question", "nope", "--answer", "x").returncode == 2


async def test_backup_while_writing_is_consistent(tmp_path):
    store = await Store.open(tmp_path / "live.db")
    try:
        async def writer():
            for i in range(300):
                async with store.write() as db:
                    await db.execute("INSERT INTO users(key, name, updated_at) VALUES (?, ?, ?)", (f"u{i}", "n", i))

        task = asyncio.create_task(writer())
        await asyncio.sleep(0.01)
        await store.backup(tmp_path / "copy.db")
        await task
    finally:
        await store.close()
    con = sqlite3.connect(tmp_path / "copy.db")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    n = con.execute("SELECT COUNT(*) FROM users").fetchone()[0]
    assert 0 <= n <= 300
    con.close()
