"""``AnswerGrading``: the answer path's immediate grade, computed in a worker process when one runs.

The engine acknowledges an answer with its local grade. Computed on the event loop, that grade is
the largest cost of the answer path and holds up every other chat while it runs; in the worker
process (``bot.grading.worker``) it runs on another core while the loop goes on with other messages.
The answers that arrive in one turn of the loop go to the worker in one frame, so a busy minute costs
few pipe writes.

The worker is an optimisation, never a dependency: whenever it is not running (not started, not
wanted, still starting, crashed, or stuck longer than ``timeout``), answers are graded here, on the
loop, with the same grader and the same result. A worker that dies is started again after a pause
that doubles up to ``MAX_RESTART_DELAY``. Only a grader whose immediate grade is the local grader's
(``LocalGrader``, or the LLM judge's ``JudgedGrader`` whose ``grade`` is its ``local``) can be
offloaded; any other grader is always called here.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

from bot.grading.interface import Grader
from bot.grading.local import LocalGrader
from bot.grading.worker import HEADER, READY, frame, from_wire
from bot.model import Grade, Question

log = logging.getLogger(__name__)

START_TIMEOUT = 30.0  # seconds for the worker to import the grader and say it is ready
MAX_RESTART_DELAY = 60.0
_ROOT = str(Path(__file__).resolve().parents[2])  # the directory that holds the ``bot`` package


def offloadable(grader: Grader) -> bool:
    """Is this grader's immediate grade the local grader's (which the worker computes the same way)?"""
    return type(grader) is LocalGrader or type(getattr(grader, "local", None)) is LocalGrader


class _Worker:
    """One worker process: its pipes, the frames it is grading and the questions it holds."""

    def __init__(self, proc: subprocess.Popen, pipe: _Pipe) -> None:
        self.proc, self.pipe = proc, pipe
        self.in_flight = 0  # frames sent and not answered yet
        self.frames = 0  # frames sent in all
        self.seqs: set[int] = set()  # answers it holds
        self.sent: dict[str, Question] = {}  # question id -> the object it holds for it


class AnswerGrading:
    """The immediate grade of an open answer: ``await grade(question, text, lang)``."""

    def __init__(self, grader: Grader, workers: int = 1, timeout: float = 5.0, frames_in_flight: int = 2,
                 restart_delay: float = 1.0, max_frame: int = 16) -> None:
        self.grader = grader
        self.size = workers
        self.timeout = timeout  # a worker slower than this on an answer is taken for stuck
        # frames a worker holds at once: answers that arrive while every worker is busy go in the
        # next frame, so a busy loop pays one pipe write and one read per batch rather than per answer.
        # Two, not one: the next frame already waits in the pipe when the worker finishes one, instead
        # of the worker idling until the loop has read its grades and sent more (the answer bench's
        # paced phase at 3,000/s, four alternating runs: p99 9.7-14.7 ms against 10.3-101 ms with one)
        self.frames_in_flight = frames_in_flight
        # ... but a frame holds at most this many: while the loop finishes the answers of one frame,
        # the worker grades the next, instead of all of a burst moving through one stage at a time
        self.max_frame = max_frame
        self._workers: list[_Worker] = []
        self._starting: dict[subprocess.Popen, asyncio.Future] = {}
        self._restarts: set[asyncio.Task] = set()
        self._watch: asyncio.TimerHandle | None = None
        self._pending: dict[int, tuple[asyncio.Future, float]] = {}  # seq -> (future, sent at); oldest first
        self._batch: list[tuple] = []
        self._flush_due = False
        self._seq = 0
        self.restart_delay = restart_delay
        self._delay = restart_delay
        self._closing = False
        self.restarts = 0  # workers started again after one was lost
        self.offloaded = 0  # answers graded by a worker

    @property
    def running(self) -> int:
        """How many workers are grading."""
        return len(self._workers)

    def pids(self) -> list[int]:
        """Process ids of the running workers (for benchmarks and diagnostics)."""
        return [w.proc.pid for w in self._workers]

    async def start(self) -> bool:
        """Start the workers; False (answers graded on the loop) when the grader cannot be offloaded or
        no worker comes up."""
        if not offloadable(self.grader):
            return False
        self._closing = False
        started = await asyncio.gather(*(self._start_one() for _ in range(self.size - len(self._workers))))
        if any(started):
            log.info("grading in %d worker process(es)", len(self._workers))
        return bool(self._workers)

    async def _start_one(self) -> bool:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, env.get("PYTHONPATH")) if p)
        try:
            proc = subprocess.Popen([sys.executable, "-m", "bot.grading.worker"], env=env,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        except OSError as exc:
            log.warning("grading worker could not start (%s): answers are graded in the bot process", exc)
            return False
        ready = self._starting[proc] = asyncio.get_running_loop().create_future()
        pipe = _Pipe(proc, self._on_frame, self._on_end)
        try:
            reply = await asyncio.wait_for(asyncio.shield(ready), START_TIMEOUT)
        except TimeoutError:
            reply = b"no reply"
        except BaseException:  # cancelled while starting (the bot is stopping): leave no process behind
            self._starting.pop(proc, None)
            pipe.close()
            await asyncio.shield(_end(proc))
            raise
        self._starting.pop(proc, None)
        if reply != READY or self._closing:
            if reply != READY:
                log.warning("grading worker did not start (%r): answers are graded in the bot process", reply[:200])
            pipe.close()
            await _end(proc)
            return False
        self._workers.append(_Worker(proc, pipe))
        if self._batch:
            self._flush()
        return True

    async def close(self) -> None:
        """Stop the workers; answers in flight are graded here. Idempotent."""
        self._closing = True
        for task in list(self._restarts):
            task.cancel()
        workers = list(self._workers)
        for worker in workers:
            self._lost(worker, "closing")
        await asyncio.gather(*(_end(w.proc) for w in workers))

    async def grade(self, question: Question, text: str, lang: str = "zh") -> Grade:
        if not self._workers:
            return self.grader.grade(question, text, lang)
        loop = asyncio.get_running_loop()
        self._seq += 1
        seq = self._seq
        fut = loop.create_future()
        self._pending[seq] = (fut, time.monotonic())
        self._batch.append((seq, question, text, lang))
        if not self._flush_due and self._free():
            self._flush_due = True
            loop.call_soon(self._flush)  # after this turn of the loop: answers of the same turn share a frame
        if self._watch is None:
            self._watch = loop.call_later(self.timeout, self._check)
        result = await fut
        if result is None:  # the worker could not: grade it here, as without a worker
            return self.grader.grade(question, text, lang)
        return result

    def _free(self) -> list[_Worker]:
        """The workers that can take another frame."""
        return [w for w in self._workers if w.in_flight < self.frames_in_flight]

    def _flush(self) -> None:
        """Send what is waiting, split evenly over the workers that can take a frame: a burst (every
        member answering at once) is graded on every core the workers have."""
        self._flush_due = False
        free = self._free()
        if not free or not self._batch:
            return  # every worker is busy: the batch goes when one answers
        take = self.max_frame * len(free)
        batch, self._batch = self._batch[:take], self._batch[take:]
        share = -(-len(batch) // len(free))  # ceiling: no worker gets more than one extra
        for worker, start in zip(free, range(0, len(batch), share), strict=False):
            self._send(worker, batch[start:start + share])

    def _send(self, worker: _Worker, batch: list[tuple]) -> None:
        items = []
        for seq, question, text, lang in batch:
            carry = None if worker.sent.get(question.id) is question else question
            if carry is not None:
                worker.sent[question.id] = question
            items.append((seq, question.id, carry, text, lang))
            worker.seqs.add(seq)
        worker.in_flight += 1
        worker.frames += 1
        worker.pipe.send(frame(pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL)))

    def _check(self) -> None:
        """Watchdog: an answer waiting longer than ``timeout`` means its worker is stuck: replace it."""
        self._watch = None
        if not self._pending:
            return
        oldest, (_fut, sent_at) = next(iter(self._pending.items()))
        waited = time.monotonic() - sent_at
        if waited >= self.timeout:
            # an answer not sent yet waits behind a frame in flight, which a later check catches
            stuck = next((w for w in self._workers if oldest in w.seqs), None)
            if stuck is not None:
                self._lost(stuck, f"no grade for {waited:.1f} s")
                stuck.proc.kill()
            waited = 0.0
        self._watch = asyncio.get_running_loop().call_later(self.timeout - waited, self._check)

    def _worker_of(self, proc: subprocess.Popen) -> _Worker | None:
        return next((w for w in self._workers if w.proc is proc), None)

    def _on_frame(self, proc: subprocess.Popen, payload: bytes) -> None:
        ready = self._starting.get(proc)
        if ready is not None:
            if not ready.done():
                ready.set_result(payload)
            return
        worker = self._worker_of(proc)
        if worker is None:
            return
        try:
            results = pickle.loads(payload)
        except Exception as exc:  # a frame that does not unpickle: this worker cannot be trusted
            self._lost(worker, f"unreadable reply: {exc!r}")
            proc.kill()
            return
        self._delay = self.restart_delay  # a worker that grades is healthy: a later loss restarts it quickly
        for seq, result in results:
            worker.seqs.discard(seq)
            entry = self._pending.pop(seq, None)
            if entry is None or entry[0].done():
                continue
            if isinstance(result, tuple):
                self.offloaded += 1
                entry[0].set_result(from_wire(result))
            else:
                log.warning("grading worker failed on an answer (%s): graded in the bot process", result)
                entry[0].set_result(None)
        worker.in_flight -= 1
        if self._batch:  # what came in while the workers were busy goes now, as one frame
            self._flush()

    def _on_end(self, proc: subprocess.Popen, reason: str) -> None:
        ready = self._starting.get(proc)
        if ready is not None and not ready.done():
            ready.set_result(reason.encode())
        worker = self._worker_of(proc)
        if worker is not None:
            self._lost(worker, reason)

    def _lost(self, worker: _Worker, reason: str) -> None:
        """A worker is gone or replaced: every answer it held is graded here (and, when no worker is
        left, every answer still waiting), and unless the bot is stopping a new worker is started
        after a pause."""
        if worker not in self._workers:
            return
        self._workers.remove(worker)
        worker.pipe.close()
        lost = worker.seqs
        if not self._workers:  # nobody left to send the waiting batch to
            lost = lost | {seq for seq, *_rest in self._batch}
            self._batch = []
        for seq in lost:
            entry = self._pending.pop(seq, None)
            if entry is not None and not entry[0].done():
                entry[0].set_result(None)
        if not self._pending and self._watch is not None:
            self._watch.cancel()
            self._watch = None
        if self._closing:
            return
        log.warning("grading worker lost (%s): restarting it in %.0f s", reason, self._delay)
        loop = asyncio.get_running_loop()
        loop.create_task(_end(worker.proc))  # reap it
        task = loop.create_task(self._start_again(self._delay))
        self._restarts.add(task)
        task.add_done_callback(self._restarts.discard)
        self._delay = min(MAX_RESTART_DELAY, self._delay * 2)

    async def _start_again(self, delay: float) -> None:
        await asyncio.sleep(delay)
        if not self._closing and await self._start_one():
            self.restarts += 1


class _Pipe:
    """Both pipes of a worker on the event loop, without stream objects: frames are parsed from what
    one non-blocking read returns (usually a whole frame), and a frame is written with one
    ``os.write``; only what the pipe cannot take at once waits for the loop to say it is writable."""

    def __init__(self, proc: subprocess.Popen, on_frame, on_end) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        self.proc, self.on_frame, self.on_end = proc, on_frame, on_end
        self.loop = asyncio.get_running_loop()
        self.rfd, self.wfd = proc.stdout.fileno(), proc.stdin.fileno()
        os.set_blocking(self.rfd, False)
        os.set_blocking(self.wfd, False)
        self.inbox = bytearray()
        self.outbox = bytearray()
        self.open = True
        self.loop.add_reader(self.rfd, self._readable)

    def send(self, data: bytes) -> None:
        if not self.open:
            return
        if not self.outbox:
            try:
                written = os.write(self.wfd, data)
            except BlockingIOError:
                written = 0
            except OSError as exc:  # the worker closed its end: the reader sees the end too
                self._end(f"write failed: {exc}")
                return
            if written == len(data):
                return
            data = data[written:]
            self.loop.add_writer(self.wfd, self._writable)
        self.outbox += data

    def _writable(self) -> None:
        try:
            written = os.write(self.wfd, self.outbox)
        except BlockingIOError:
            return
        except OSError as exc:
            self._end(f"write failed: {exc}")
            return
        del self.outbox[:written]
        if not self.outbox:
            self.loop.remove_writer(self.wfd)

    def _readable(self) -> None:
        try:
            data = os.read(self.rfd, 1 << 20)
        except BlockingIOError:
            return
        except OSError as exc:
            self._end(f"read failed: {exc}")
            return
        if not data:
            self._end("it exited")
            return
        inbox = self.inbox
        inbox += data
        while len(inbox) >= HEADER.size:
            (size,) = HEADER.unpack_from(inbox)
            if len(inbox) < HEADER.size + size:
                break
            payload = bytes(inbox[HEADER.size:HEADER.size + size])
            del inbox[:HEADER.size + size]
            self.on_frame(self.proc, payload)
            if not self.open:
                return

    def _end(self, reason: str) -> None:
        if self.open:
            self.close()
            self.on_end(self.proc, reason)

    def close(self) -> None:
        """Stop watching the pipes and close our ends (the worker reads the end of its input and exits)."""
        if not self.open:
            return
        self.open = False
        self.loop.remove_reader(self.rfd)
        if self.outbox:
            self.loop.remove_writer(self.wfd)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        self.proc.stdout.close()


async def _end(proc: subprocess.Popen) -> None:
    """Wait for a worker whose input is closed to exit, killing it if it does not go."""
    try:
        await asyncio.to_thread(proc.wait, 3.0)
    except subprocess.TimeoutExpired:
        proc.kill()
        await asyncio.to_thread(proc.wait)
