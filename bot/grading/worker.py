"""The grading worker process: grades open answers with the local grader, away from the bot's event loop.

The bot's event loop runs on one core; grading an answer is pure Python and costs more than the
rest of the answer path together. Run in a separate process (``python -m bot.grading.worker``,
started and supervised by ``bot.grading.offload``), it uses the machine's second core and the loop
only pays for a pipe write and a read.

Protocol, over the process's stdin and stdout, in frames of a 4-byte big-endian length and a
pickle (both ends are this package, started by the bot itself: nothing else writes to these pipes):

* the first frame out is ``READY``, once the grader is imported;
* in: a batch ``[(seq, question_id, question or None, text, lang), ...]``; the question object is
  sent the first time its id is used and again whenever the bank's object for that id changes;
* out: ``[(seq, grade as a tuple of its fields, or error text), ...]`` for that batch, in order (a
  plain tuple unpickles several times faster than a slotted dataclass).

A grading error is reported for that answer (the bot then grades it itself, so the error surfaces
where it always did); the worker goes on. It ends when stdin closes (the bot stopped or died).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import struct
import sys
from dataclasses import fields
from typing import BinaryIO

from bot.model import Grade

HEADER = struct.Struct(">I")
READY = b"ready"
_FIELDS = tuple(f.name for f in fields(Grade))


def to_wire(grade: Grade) -> tuple:
    return tuple(getattr(grade, name) for name in _FIELDS)


def from_wire(values: tuple) -> Grade:
    return Grade(*values)


def frame(payload: bytes) -> bytes:
    return HEADER.pack(len(payload)) + payload


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame's payload, or None at the end of the stream."""
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    body = stream.read(size)
    return body if len(body) == size else None


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    from bot.grading.local import LocalGrader  # imported here: the READY frame says it is loaded

    grader = LocalGrader()
    questions: dict = {}
    out.write(frame(READY))
    out.flush()
    gc.freeze()  # the grader's modules and tables: they live as long as the process
    while (payload := read_frame(inp)) is not None:
        results: list[tuple[int, tuple | str]] = []
        new_question = False
        for seq, question_id, question, text, lang in pickle.loads(payload):
            if question is not None:
                questions[question_id] = question
                new_question = True
            try:
                results.append((seq, to_wire(grader.grade(questions[question_id], text, lang))))
            except Exception as exc:  # reported for this answer only: the others of the batch are fine
                results.append((seq, f"{type(exc).__name__}: {exc}"))
        out.write(frame(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)))
        out.flush()
        if new_question:
            # a question and what the grader prepared for it stay until the bank changes: out of the
            # collector's reach, a full collection no longer walks every prepared question of the
            # bank (~10 ms with a few hundred, an answer's grade held up meanwhile)
            gc.freeze()


def main() -> None:
    # Ctrl-C in a terminal reaches the whole process group: the bot shuts down and closes our stdin,
    # which is how this process ends, without a traceback of its own
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Linux: a batch process does not preempt the bot when a frame wakes it. It runs on the other
    # core; taking the bot's core at once made every pipe write a stall of the event loop
    # (~0.2 ms each) and lengthened the slowest answers by a third in bench.bench_answers
    batch = getattr(os, "SCHED_BATCH", None)
    if batch is not None:
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, batch, os.sched_param(0))
    # frames go to the real stdout; anything printed by mistake goes to stderr and cannot corrupt them
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, out)


if __name__ == "__main__":
    main()
