"""Helpers shared by the Telegram tests: deadlines, a recording sleep, an HTML checker, and small
conversation helpers (force the next question, read a round id from a deep link)."""

from __future__ import annotations

import asyncio
import html
import re
from html.parser import HTMLParser

TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
                 "tg-emoji", "code", "pre", "blockquote"}
E2E_TIMEOUT = 15.0  # seconds for one end-to-end test body; the happy path takes well under one


def deadline(seconds: float = E2E_TIMEOUT):
    """Every e2e test body runs under this: a hang fails the test instead of stalling the run."""
    return asyncio.timeout(seconds)


class SleepRecorder:
    """Stands in for asyncio.sleep in the limiter: remembers requested waits, waits 10 ms at most."""

    def __init__(self) -> None:
        self.requested: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.requested.append(seconds)
        await asyncio.sleep(min(seconds, 0.01))


class TagChecker(HTMLParser):
    """Fails on unbalanced or non-Telegram tags; collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in TELEGRAM_TAGS:
            self.errors.append(f"tag <{tag}> is not Telegram HTML")
        if tag == "blockquote" and "blockquote" in self.stack:
            self.errors.append("nested blockquote")
        if "blockquote" in self.stack and tag not in ("b", "i", "s", "u"):
            self.errors.append(f"<{tag}> inside a blockquote")  # Telegram allows only styles there
        if self.stack and self.stack[-1] in ("pre", "code") and tag != "code":
            self.errors.append(f"<{tag}> inside <{self.stack[-1]}>")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def check_html(markup: str) -> str:
    """Assert ``markup`` is balanced Telegram HTML with no stray ``<``/``&``; return its text."""
    checker = TagChecker()
    checker.feed(markup)
    checker.close()
    assert not checker.errors, checker.errors
    assert not checker.stack, f"unclosed tags {checker.stack}"
    stray = re.sub(r"<[^>]+>|&(lt|gt|amp|quot);", "", markup)
    assert "<" not in stray and ">" not in stray and "&" not in stray, "unescaped < > & in the text"
    return "".join(checker.text)


def visible(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def force_questions(monkeypatch, engine, *question_ids: str) -> None:
    """Make the engine ask these questions in order (the last one repeats)."""
    queue = list(question_ids)

    async def choose(chat_key, topics, discussion_share=0.0, difficulty=None):
        qid = queue.pop(0) if len(queue) > 1 else queue[0]
        return engine.bank.question(qid)

    monkeypatch.setattr(engine.rounds, "choose", choose)


def buttons(call) -> list[dict]:
    markup = call.params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def deep_link_payload(call) -> str:
    """The ``start`` payload of the 'answer privately' button under a question message: signed,
    at most 64 characters of ``[A-Za-z0-9_-]`` (Telegram's deep-link limit)."""
    urls = [b["url"] for b in buttons(call) if "url" in b]
    assert urls, f"no URL button in {call.params.get('reply_markup')}"
    m = re.fullmatch(r"https://t\.me/quiz_test_bot\?start=(ans_\d+_[A-Za-z0-9_-]+)", urls[0])
    assert m and len(m.group(1)) <= 64, urls[0]
    return m.group(1)


def deep_link_round(call) -> int:
    """The round id of the 'answer privately' button under a question message."""
    return int(deep_link_payload(call).split("_")[1])


async def eventually(check, timeout: float = 5.0, step: float = 0.01):
    """Poll an async ``check`` until it returns something truthy (for effects with no API call,
    like a poll vote being stored); fails after ``timeout``."""
    async with asyncio.timeout(timeout):
        while not (result := await check()):
            await asyncio.sleep(step)
    return result
