"""The grading worker process (``bot.grading.offload``, ``bot.grading.worker``): the same grades as the
local grader in the bot's process, and no answer lost or held up when a worker dies, hangs or stops.

Each test starts real worker processes (``python -m bot.grading.worker``) over real pipes."""

from __future__ import annotations

import asyncio
import io
import os
import pickle
import signal
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bot.bank import QuestionBank
from bot.config import ConfigError, Settings, load_settings
from bot.engine import QuizEngine
from bot.events import TextAnswer
from bot.grading import LocalGrader
from bot.grading import worker as worker_module
from bot.grading.offload import AnswerGrading, offloadable
from bot.model import ChatRef, Grade, RoundKind, UserRef
from bot.storage import Store

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "data" / "grading_labelled.yaml"


@pytest.fixture(scope="module")
def shipped() -> QuestionBank:
    return QuestionBank.load(ROOT / "questions")


@pytest.fixture(scope="module")
def labelled(shipped: QuestionBank) -> list[tuple]:
    """Every labelled answer with its question: a varied workload in both languages."""
    data = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    out = []
    for entry in data["questions"]:
        question = shipped.question(entry["id"])
        for category, text in entry.items():
            if category != "id":
                out.append((question, text, "en" if category == "good_translated" else "zh"))
    return out


async def _wait_for(condition, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def test_the_worker_grades_exactly_like_the_local_grader(labelled):
    local = LocalGrader()
    grading = AnswerGrading(LocalGrader(), workers=1)
    assert await grading.start()
    try:
        if hasattr(os, "SCHED_BATCH"):  # Linux: it yields to the bot's event loop rather than preempting it
            assert os.sched_getscheduler(grading.pids()[0]) == os.SCHED_BATCH
        got = await asyncio.gather(*(grading.grade(q, text, lang) for q, text, lang in labelled))
    finally:
        await grading.close()
    assert grading.offloaded == len(labelled)  # every one of them came from the worker
    assert got == [local.grade(q, text, lang) for q, text, lang in labelled]


async def test_two_workers_share_the_answers_and_agree(labelled):
    local = LocalGrader()
    grading = AnswerGrading(LocalGrader(), workers=2)
    assert await grading.start()
    assert grading.running == 2
    try:
        got = []
        for chunk in range(0, len(labelled), 40):  # a burst of 40 answers at a time: split between both
            part = labelled[chunk:chunk + 40]
            got += await asyncio.gather(*(grading.grade(q, t, lang) for q, t, lang in part))
        frames = [w.frames for w in grading._workers]
    finally:
        await grading.close()
    assert all(n >= len(labelled) // 40 for n in frames)
    assert grading.offloaded == len(labelled)
    assert got == [local.grade(q, t, lang) for q, t, lang in labelled]


async def test_a_question_changed_in_the_bank_is_sent_to_the_worker_again(shipped):
    question = next(q for q in shipped.all_questions() if len(q.key_points) >= 3)
    text = f"{question.key_points[0].text}，因为这样做更好。{question.key_points[1].text}，所以效果更稳定。"
    fewer = replace(question, key_points=question.key_points[:1])  # the same id, edited
    grading = AnswerGrading(LocalGrader(), workers=1)
    assert await grading.start()
    try:
        before = await grading.grade(question, text)
        after = await grading.grade(fewer, text)
    finally:
        await grading.close()
    assert before == LocalGrader().grade(question, text)
    assert after == LocalGrader().grade(fewer, text)
    assert len(after.hit) + len(after.missed) + len(after.contradicted) == 1


async def test_a_worker_that_dies_is_replaced_and_its_answers_are_graded_here(labelled):
    local = LocalGrader()
    grading = AnswerGrading(LocalGrader(), workers=1, restart_delay=0.05)
    assert await grading.start()
    try:
        first_pid = grading._workers[0].proc.pid
        tasks = [asyncio.ensure_future(grading.grade(q, t, lang)) for q, t, lang in labelled[:60]]
        await asyncio.sleep(0)  # the frame is written; the worker dies before it answers
        os.kill(first_pid, signal.SIGKILL)
        got = await asyncio.gather(*tasks)
        assert got == [local.grade(q, t, lang) for q, t, lang in labelled[:60]]
        await _wait_for(lambda: grading.running == 1)
        assert grading.restarts == 1 and grading._workers[0].proc.pid != first_pid
        q, t, lang = labelled[61]
        offloaded = grading.offloaded
        assert await grading.grade(q, t, lang) == local.grade(q, t, lang)
        assert grading.offloaded == offloaded + 1  # the new worker grades
    finally:
        await grading.close()


async def test_a_stuck_worker_is_killed_and_its_answers_are_graded_here(labelled):
    grading = AnswerGrading(LocalGrader(), workers=1, timeout=0.3, restart_delay=0.05)
    assert await grading.start()
    proc = grading._workers[0].proc
    try:
        os.kill(proc.pid, signal.SIGSTOP)  # alive but not grading
        q, t, lang = labelled[0]
        got = await asyncio.wait_for(grading.grade(q, t, lang), 5)
        assert got == LocalGrader().grade(q, t, lang)
        assert grading.offloaded == 0
        await _wait_for(lambda: proc.poll() is not None)  # killed, not left behind
        await _wait_for(lambda: grading.running == 1)
    finally:
        await grading.close()


async def test_closing_grades_what_is_in_flight_and_ends_the_process(labelled):
    local = LocalGrader()
    grading = AnswerGrading(LocalGrader(), workers=1)
    assert await grading.start()
    proc = grading._workers[0].proc
    tasks = [asyncio.ensure_future(grading.grade(q, t, lang)) for q, t, lang in labelled[:100]]
    await asyncio.sleep(0)
    await grading.close()
    assert await asyncio.gather(*tasks) == [local.grade(q, t, lang) for q, t, lang in labelled[:100]]
    assert proc.poll() is not None
    q, t, lang = labelled[0]
    assert await grading.grade(q, t, lang) == local.grade(q, t, lang)  # after close: graded here


async def test_a_grader_that_is_not_the_local_one_is_never_offloaded(shipped):
    class Fixed:
        name = "fixed"

        def grade(self, question, text, lang="zh"):
            return Grade(7)

        async def judge(self, question, text, lang="zh"):
            return Grade(7)

    assert not offloadable(Fixed()) and offloadable(LocalGrader())
    grading = AnswerGrading(Fixed(), workers=1)
    assert not await grading.start()
    assert grading.running == 0
    assert (await grading.grade(next(iter(shipped.all_questions())), "任何回答")).score == 7


def test_the_worker_reports_an_error_for_one_answer_and_grades_the_rest(shipped):
    """The protocol, in process: a question the worker was never given is an error for that answer only."""
    question = next(q for q in shipped.all_questions() if q.key_points)
    batch = [(1, "no-such-question", None, "一个回答", "zh"), (2, question.id, question, "一个回答", "zh")]
    out = io.BytesIO()
    worker_module.serve(io.BytesIO(worker_module.frame(pickle.dumps(batch))), out)
    stream = io.BytesIO(out.getvalue())
    assert worker_module.read_frame(stream) == worker_module.READY
    results = dict(pickle.loads(worker_module.read_frame(stream)))
    assert isinstance(results[1], str) and "KeyError" in results[1]
    assert worker_module.from_wire(results[2]) == LocalGrader().grade(question, "一个回答")
    assert worker_module.read_frame(stream) is None


async def test_the_engine_grades_in_the_worker_when_started(tmp_path: Path, shipped):
    settings = Settings(db_path=tmp_path / "q.db", questions_dir=ROOT / "questions", grading_workers="1")
    store = await Store.open(settings.db_path)
    engine = QuizEngine(store, shipped, settings, clock=lambda: 1_800_000_000.0)
    try:
        assert await engine.start_grading()
        chat = ChatRef("console", "g1")
        question = next(q for q in shipped.all_questions() if q.key_points and not q.discussion)
        await engine.chat_settings(chat)
        await engine.rounds.create(chat.key, question, RoundKind.DAILY, None, 1_800_000_000.0, 1_800_086_400.0)
        text = f"{question.key_points[0].text}，这是因为它能让训练更稳定。"
        replies = await engine.handle(TextAnswer(chat, UserRef("console", "u1", "Ann"), text=text))
        assert replies[0].kind.value == "ack"
        assert engine.grading.offloaded == 1
        row = await store.fetchone("SELECT score, hits FROM answers WHERE user_key = 'console:u1'")
        lang = (await engine.chats.settings_of(chat))[0]
        expected = LocalGrader().grade(question, text, lang)
        assert row["score"] == expected.score
        assert yaml.safe_load(row["hits"]) == list(expected.hit)
    finally:
        await engine.stop_grading()
        await store.close()
    assert engine.grading.running == 0


def test_grading_workers_setting(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("QUIZBOT_GRADING_WORKERS", raising=False)
    config = tmp_path / "quizbot.yaml"
    config.write_text("grading:\n  workers: 2\n", encoding="utf-8")
    assert load_settings(config).grading_worker_count == 2
    config.write_text("grading:\n  workers: 0\n", encoding="utf-8")
    assert load_settings(config).grading_worker_count == 0
    assert Settings().grading_workers == "auto"
    assert Settings().grading_worker_count == (1 if (os.cpu_count() or 1) >= 2 else 0)
    config.write_text("grading:\n  workers: 12\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"grading\.workers"):
        load_settings(config)
    monkeypatch.setenv("QUIZBOT_GRADING_WORKERS", "many")
    with pytest.raises(ConfigError, match="QUIZBOT_GRADING_WORKERS"):
        load_settings(None)

