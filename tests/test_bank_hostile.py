"""Hostile topic files: each gets one clear error naming the file, from the validator and the loader alike,
and neither hangs (every call runs under a generous thread guard; bench/bench_bank_hostile.py prints the
actual times)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

import bot.bank.reader as reader
from bot.bank import BankError, QuestionBank
from bot.bank.validate import validate

GUARD_SECONDS = 60  # far above the real figures (milliseconds); only catches a hang


def guarded(fn, *args):
    """Run ``fn`` in a thread; fail instead of hanging the suite when it does not return."""
    box: dict = {}

    def run():
        try:
            box["value"] = fn(*args)
        except BaseException as exc:  # handed to the test thread
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(GUARD_SECONDS)
    assert not thread.is_alive(), f"{fn.__name__} did not return within {GUARD_SECONDS} s"
    if "error" in box:
        raise box["error"]
    return box["value"]


def billion_laughs() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


HOSTILE = {
    "bomb.yaml": (billion_laughs(), "values once aliases are expanded (an alias bomb?)"),
    "deep-flow.yaml": ("[" * 5000 + "]" * 5000 + "\n", "YAML syntax"),
    "deep-block.yaml": ("- " * 5000 + "x\n", "nesting deeper than 32 levels"),
    "deep-map.yaml": ("".join(" " * i + "k:\n" for i in range(1300)), "nesting deeper than 32 levels"),
    "recursive.yaml": ("topic: &a [*a]\n", "recursive alias"),
    "wide.yaml": ("- 1\n" * 60_000, "more than 50,000 values"),
    "nul.yaml": ("topic: a\x00b\n", "unacceptable character #x0000"),
    "python-tag.yaml": ("topic: !!python/object/apply:os.system [echo hi]\n", "could not determine a constructor"),
    "two-docs.yaml": ("topic: a\n---\ntopic: b\n", "expected a single document"),
}


def expect_one_error(path: Path, piece: str) -> None:
    problems = guarded(validate, path)
    assert len(problems) == 1 and problems[0].is_error, problems
    assert problems[0].file == str(path) and piece in problems[0].message, str(problems[0])
    assert "\n" not in str(problems[0])
    with pytest.raises(BankError) as caught:
        guarded(QuestionBank.load, path.parent)
    assert str(caught.value) == str(problems[0])


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_yaml_is_one_clear_error(tmp_path, name):
    text, piece = HOSTILE[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    expect_one_error(path, piece)


def test_binary_garbage(tmp_path):
    path = tmp_path / "garbage.yaml"
    path.write_bytes(b"topic: x\n" + bytes(range(256)) * 40)
    expect_one_error(path, "not UTF-8 text (byte 0x80 at offset 137); is this a binary file?")


def test_a_50_mb_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as fh:  # sparse: 50 MB on paper, nothing on disk
        fh.truncate(50_000_000)
    expect_one_error(path, "file is 50.0 MB; a topic file may be at most 1.0 MB")


def test_a_directory_named_like_a_topic_file(tmp_path):
    (tmp_path / "x.yaml").mkdir()
    problems = guarded(validate, tmp_path)
    assert [str(p) for p in problems] == [f"{tmp_path / 'x.yaml'}: is a directory, not a topic file"]
    with pytest.raises(BankError, match="x.yaml: is a directory, not a topic file"):
        guarded(QuestionBank.load, tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_refused_instead_of_blocking_the_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    expect_one_error(tmp_path / "pipe.yaml", "is not a regular file")


def test_an_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "secret.yaml"
    path.write_text("topic: x\n", encoding="utf-8")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):  # root reads anything: simulate what everyone else gets
            def denied(*_args, **_kwargs):
                raise PermissionError(13, "Permission denied")

            monkeypatch.setattr(reader, "open", denied, raising=False)
        expect_one_error(path, "cannot read: Permission denied")
    finally:
        path.chmod(0o644)


def test_limits_leave_room_for_the_shipped_bank():
    """The largest shipped file stays far below every limit, so the limits never bite real content."""
    files = sorted((Path(__file__).resolve().parent.parent / "questions").glob("*.yaml"))
    if not files:
        pytest.skip("no shipped topic files")
    biggest = max(files, key=lambda f: f.stat().st_size)
    doc = reader.read_yaml(biggest)
    assert biggest.stat().st_size * 5 < reader.MAX_BYTES
    assert len(doc.lines) * 5 < reader.MAX_NODES
