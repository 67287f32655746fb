"""Judging stored answers in the background, so that a member's acknowledgement never waits.

``RoundFlow`` stores an open answer with its local grade and ``judge_state = 'pending'`` and hands
it to ``Judgements.submit``; a few workers (as many as the judge's concurrency) take the queued
answers, the one whose round is revealed soonest first, and ask the grader's ``judge``. A
judgement is written back only if the answer is still the one judged (same text, still pending)
and its round still open: an answer changed meanwhile is judged again in its own job, and a
judgement that arrives after the reveal changes nothing (it is still cached for the next time).

A reveal calls ``settle`` (wait at most ``reveal_wait`` seconds for the round's pending answers),
closes the round, then ``finish``: what is still pending falls back to the local grade
(``judge_state = 'failed'``), which the reveal marks. ``resume`` at start-up re-queues the
pending answers of open rounds (a restart loses no judgement) and settles those of closed ones.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.bank import QuestionBank
from bot.grading import Grader
from bot.model import Grade, Kind, Question
from bot.storage import Store, dumps

log = logging.getLogger(__name__)

WRITE_JUDGED = """
UPDATE answers SET score = ?, judge_score = ?, judge = ?, hits = ?, contradicted = ?, feedback = ?,
    capped = NULL, judge_state = 'done'
WHERE round_id = ? AND user_key = ? AND text = ? AND judge_state = 'pending'
  AND EXISTS (SELECT 1 FROM rounds WHERE id = ? AND status = 'open')
RETURNING score
"""
WRITE_FAILED = """
UPDATE answers SET judge_state = 'failed'
WHERE round_id = ? AND user_key = ? AND text = ? AND judge_state = 'pending'
RETURNING score
"""


@dataclass(order=True)
class Job:
    deadline: float  # the round's planned reveal (inf: none planned)
    seq: int
    round_id: int = field(compare=False)
    user_key: str = field(compare=False)
    question: Question = field(compare=False)
    text: str = field(compare=False)
    lang: str = field(compare=False)


class Judgements:
    def __init__(self, store: Store, grader: Grader, clock: Callable[[], float], workers: int = 4,
                 reveal_wait: float = 10.0) -> None:
        self.store = store
        self.grader = grader
        self.clock = clock
        self.active = grader.name != "local"
        self.reveal_wait = reveal_wait
        self._workers_wanted = max(1, workers)
        self._queue: asyncio.PriorityQueue[Job] = asyncio.PriorityQueue()
        self._pending: dict[int, dict[str, Job]] = {}  # round -> member -> the job for the latest answer
        self._idle: dict[int, asyncio.Event] = {}
        self._waited: set[int] = set()  # rounds whose reveal already waited its time
        self._workers: list[asyncio.Task] = []
        self._seq = itertools.count()
        self.judged = self.fallbacks = 0

    def judges(self, question: Question) -> bool:
        """Whether an open answer to ``question`` will be judged in the background."""
        if not self.active or question.kind is not Kind.OPEN:
            return False
        wants = getattr(self.grader, "judges", None)
        return bool(wants(question)) if wants is not None else True

    def pending(self, round_id: int) -> int:
        return len(self._pending.get(round_id, ()))

    def submit(self, round_id: int, user_key: str, question: Question, text: str, lang: str,
               deadline: float | None) -> None:
        """Queue the member's latest answer (replacing an earlier one still queued)."""
        job = Job(deadline if deadline is not None else math.inf, next(self._seq), round_id, user_key, question,
                  text, lang)
        self._pending.setdefault(round_id, {})[user_key] = job
        self._idle.setdefault(round_id, asyncio.Event()).clear()
        self._queue.put_nowait(job)
        if len(self._workers) < self._workers_wanted:
            self._workers.append(asyncio.create_task(self._work(), name=f"judge-{len(self._workers)}"))

    async def settle(self, round_id: int, timeout: float | None = None) -> bool:
        """Wait until the round has no pending judgement, at most ``timeout`` (default: the
        configured reveal wait) seconds. True when none is left. A round waits once: the ticker
        settles every due round together, and the reveal that follows does not wait again, so a
        reveal comes at most one reveal wait after it fell due however many fall due at once."""
        if not self._pending.get(round_id):
            return True
        if round_id in self._waited:
            return False
        idle = self._idle.setdefault(round_id, asyncio.Event())
        try:
            await asyncio.wait_for(idle.wait(), self.reveal_wait if timeout is None else timeout)
        except TimeoutError:
            self._waited.add(round_id)
            return False
        return True

    async def finish(self, round_id: int) -> None:
        """The round was closed: what is still pending keeps its local grade."""
        self._drop(round_id)
        if self.active:
            async with self.store.write() as db:
                cur = await db.execute(
                    "UPDATE answers SET judge_state = 'failed' WHERE round_id = ? AND judge_state = 'pending'",
                    (round_id,))
                if cur.rowcount:
                    log.warning("round %s revealed with %d answer(s) not judged in time: local grades stand",
                                round_id, cur.rowcount)

    async def resume(self, bank: QuestionBank, default_lang: str) -> int:
        """Re-queue the pending answers of open rounds after a restart; the pending answers of
        rounds closed meanwhile keep their local grade. Returns how many were re-queued."""
        rows = await self.store.fetchall(
            "SELECT a.round_id, a.user_key, a.text, r.question_id, r.closes_at, r.status, c.lang"
            " FROM answers a JOIN rounds r ON r.id = a.round_id LEFT JOIN chats c ON c.key = r.chat_key"
            " WHERE a.judge_state = 'pending'")
        queued = 0
        for row in rows:
            question = bank.question(row["question_id"])
            if row["status"] == "open" and question is not None and row["text"] and self.judges(question):
                self.submit(row["round_id"], row["user_key"], question, row["text"], row["lang"] or default_lang,
                            row["closes_at"])
                queued += 1
            else:
                await self.store.submit(WRITE_FAILED, (row["round_id"], row["user_key"], row["text"]))
        if rows:
            log.info("judge: %d pending answer(s) re-queued after the restart, %d left to their local grade",
                     queued, len(rows) - queued)
        return queued

    async def stop(self) -> None:
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        self._workers.clear()
        close = getattr(self.grader, "close", None)
        if close is not None:
            await close()

    # -- the workers ---------------------------------------------------------------------------

    def _current(self, job: Job) -> bool:
        return self._pending.get(job.round_id, {}).get(job.user_key) is job

    def _done(self, job: Job) -> None:
        members = self._pending.get(job.round_id)
        if members is not None and members.get(job.user_key) is job:
            del members[job.user_key]
            if not members:
                self._drop(job.round_id)

    def _drop(self, round_id: int) -> None:
        self._pending.pop(round_id, None)
        self._waited.discard(round_id)
        idle = self._idle.pop(round_id, None)
        if idle is not None:
            idle.set()

    async def _work(self) -> None:
        while True:
            job = await self._queue.get()
            try:
                if self._current(job):
                    await self._judge(job)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("judging an answer in round %s failed", job.round_id)
            finally:
                self._done(job)
                self._queue.task_done()

    async def _judge(self, job: Job) -> None:
        row = await self.store.fetchone("SELECT status FROM rounds WHERE id = ?", (job.round_id,))
        if row is None or row["status"] != "open":
            return
        grade: Grade = await self.grader.judge(job.question, job.text, job.lang)
        if not self._current(job):  # revised or revealed while the judge was thinking
            return
        if grade.judge == "local":
            self.fallbacks += 1
            await self.store.submit(WRITE_FAILED, (job.round_id, job.user_key, job.text))
            return
        self.judged += 1
        await self.store.submit(WRITE_JUDGED, (
            grade.score, grade.score, grade.judge, dumps(list(grade.hit)), dumps(list(grade.contradicted)),
            grade.feedback, job.round_id, job.user_key, job.text, job.round_id))
