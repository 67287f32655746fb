"""End to end on Discord: every open answer is written in the private form, so the group reveal never
shows the judge's feedback; the *My feedback* button under it answers each presser ephemerally, within
the 3-second deadline, with their own result only (the judge is a loopback fake OpenAI-compatible
server). A member who did not answer is told so."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from dc_support import answer, custom_ids, deadline, force_questions, is_ephemeral, text_of

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "llm"))
from fake_openai import FakeOpenAI, judged_by  # noqa: E402

GOOD = "SFT 之后数据分布偏移，模型出现灾难性遗忘；数据质量差也会这样，所以要混入通用数据。"
PARTIAL = "出现了灾难性遗忘，见 **粗体** [链接](https://evil.example) @everyone"
BOB_FEEDBACK = "你写了“**粗体** [链接](https://evil.example) @everyone”，与题目无关；还缺数据分布偏移、数据质量和对策。"


@pytest.fixture
def settings(settings, llm: FakeOpenAI):
    return judged_by(settings, llm)


async def test_each_member_reads_only_their_own_feedback_ephemerally(bot, fake, engine, llm, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    alice, bob, carol = fake.user(41, "Alice"), fake.user(42, "Bob"), fake.user(43, "Carol")
    try:
        async with deadline():
            [question] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "sft"}))
            await answer(fake, question, alice, GOOD)  # judged by the fake's literal rule: every point
            await served(llm, 1)
            llm.script.append(json.dumps({"points": [{"n": 1, "verdict": "missed"}, {"n": 2, "verdict": "hit"},
                                                     {"n": 3, "verdict": "missed"}, {"n": 4, "verdict": "missed"}],
                                          "score": 2, "feedback": BOB_FEEDBACK}, ensure_ascii=False))
            await answer(fake, question, bob, PARTIAL)
            await served(llm, 2)
            [reveal] = await fake.wait_response(await fake.slash("reveal", alice, admin=True))
            public = text_of(reveal)
            assert "**Alice**" in public and "**Bob**" in public
            assert "要点齐全" not in public and "与题目无关" not in public  # private answers: no feedback in public
            assert "粗体" not in public
            [button] = [c for c in custom_ids(reveal) if c.startswith("qb:fb:")]
            assert len(button.encode()) <= 64

            pressed = await fake.press(reveal, button, alice)
            [mine] = await fake.wait_response(pressed)
            assert pressed.ack_delay < 3 and is_ephemeral(mine)
            text = text_of(mine)
            assert "Score: 10/10 (judged by fake-judge)" in text and "要点齐全，解释清楚。" in text
            assert "与题目无关" not in text and "粗体" not in text  # Bob's feedback is his alone

            pressed = await fake.press(reveal, button, bob)
            [his] = await fake.wait_response(pressed)
            assert pressed.ack_delay < 3 and is_ephemeral(his)
            text = text_of(his)
            assert "Score: 2/10" in text and "Points hit: 灾难性遗忘" in text
            assert "与题目无关" in text and "要点齐全" not in text
            # the quoted answer is shown as typed: no bold, no link, no ping
            assert "\\*\\*粗体\\*\\*" in text and "\\[链接\\]" in text
            assert (his.get("allowed_mentions") or {}).get("parse", []) == []

            pressed = await fake.press(reveal, button, carol)
            [theirs] = await fake.wait_response(pressed)
            assert is_ephemeral(theirs) and text_of(theirs) == "You did not answer this question."
    finally:
        await engine.stop_judging()


async def served(llm: FakeOpenAI, n: int) -> None:
    """Wait until the fake judge has answered ``n`` requests (the judge works in the background)."""
    while llm.served < n:
        await asyncio.sleep(0.01)
