"""Helpers shared by the Discord tests: deadlines, forcing the next question, reading messages."""

from __future__ import annotations

import asyncio
import re

from fake_discord import EPHEMERAL, FakeDiscord

E2E_TIMEOUT = 15.0  # seconds for one end-to-end test body; the happy path takes well under one


def deadline(seconds: float = E2E_TIMEOUT):
    """Every e2e test body runs under this: a hang fails the test instead of stalling the run."""
    return asyncio.timeout(seconds)


def force_questions(monkeypatch, engine, *question_ids: str) -> None:
    """Make the engine ask these questions in order (the last one repeats)."""
    queue = list(question_ids)

    async def choose(chat_key, topics, discussion_share=0.0, difficulty=None):
        qid = queue.pop(0) if len(queue) > 1 else queue[0]
        return engine.bank.question(qid)

    monkeypatch.setattr(engine.rounds, "choose", choose)


def text_of(message: dict) -> str:
    """Content and every embed description of a message, as one string."""
    parts = [message.get("content") or ""] + [e.get("description") or "" for e in message.get("embeds") or []]
    return "\n".join(p for p in parts if p)


def buttons(message: dict) -> list[dict]:
    return [b for row in message.get("components") or [] for b in row.get("components", [])]


def custom_ids(message: dict) -> list[str]:
    return [b["custom_id"] for b in buttons(message) if "custom_id" in b]


def round_of(message: dict) -> int:
    """The round id behind the first ``qb:ans:`` / ``qb:pick:`` button of a question message."""
    for cid in custom_ids(message):
        m = re.match(r"qb:(?:ans|pick):(\d+)", cid)
        if m:
            return int(m.group(1))
    raise AssertionError(f"no round button on message: {custom_ids(message)}")


def option_position(message: dict, option: str) -> int:
    """Where the round shows a choice option (options are shuffled per round): the index of the
    pick button whose label ("B. text", cut with '…' when long) shows it."""
    for i, b in enumerate(buttons(message)):
        label = b.get("label", "")
        if b.get("custom_id", "").startswith("qb:pick:") and ". " in label:
            shown = label.split(". ", 1)[1]
            if shown == option or (shown.endswith("…") and option.startswith(shown[:-1])):
                return i
    raise AssertionError(f"option {option!r} not on the buttons: {[b.get('label') for b in buttons(message)]}")


def is_ephemeral(message: dict) -> bool:
    return bool(message["flags"] & EPHEMERAL)


async def answer(fake: FakeDiscord, question: dict, user: dict, text: str) -> dict:
    """Press Answer, type into the modal, submit (in the question's channel, as Discord sends the
    submit from where the form was opened); return the acknowledgement message."""
    rid = round_of(question)
    press = await fake.press(question, f"qb:ans:{rid}", user)
    await fake.wait_until(lambda: press.modal)
    assert press.callback_type == 9 and press.ack_delay < 3
    submit = await fake.submit_modal(press.modal, user, text, channel=int(question["channel_id"]))
    return (await fake.wait_response(submit))[0]
