"""The LLM judge end to end through Discord: members answer in the modal, the answers are
acknowledged ephemerally while the judge (a loopback fake OpenAI-compatible server) grades them in
the background, and the public reveal shows the judge's scores and the points an answer
contradicts (✗). Answers written in Discord's form are private, so the judge's feedback (which may
quote them) stays out of the group reveal."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from dc_support import answer, deadline, force_questions, is_ephemeral, text_of

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "llm"))
from fake_openai import MODEL, FakeOpenAI, judged_by  # noqa: E402

GOOD = "SFT 之后数据分布偏移，模型出现灾难性遗忘；数据质量差也会这样，所以要混入通用数据。"
DENIAL = "这和数据分布偏移无关。不是灾难性遗忘，也不是数据质量的问题。"


@pytest.fixture
def settings(settings, llm: FakeOpenAI):
    """The shared settings with the LLM judge pointed at the fake (the engine builds its grader)."""
    return judged_by(settings, llm)


async def test_group_reveal_shows_the_judges_scores_and_contradictions(bot, fake, engine, llm, monkeypatch):
    assert engine.grader.name == f"llm:{MODEL}"
    force_questions(monkeypatch, engine, "sft-why-dumber")
    alice, bob = fake.user(31, "Alice"), fake.user(32, "Bob")
    try:
        async with deadline():
            [question] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "sft"}))
            acks = [await answer(fake, question, alice, GOOD), await answer(fake, question, bob, DENIAL)]
            assert all(is_ephemeral(a) for a in acks)
            messages = await fake.wait_response(await fake.slash("reveal", alice, admin=True))
        lines = "\n".join(text_of(m) for m in messages).splitlines()
        alice_line = next(line for line in lines if "**Alice**" in line)
        bob_line = next(line for line in lines if "**Bob**" in line)
        assert "10/10" in alice_line and "0/10" in bob_line
        assert all(f"✗ {p}" in bob_line for p in ("数据分布偏移", "灾难性遗忘", "数据质量"))
        # answers written in Discord's form are private: feedback that may quote them stays out of the group
        assert not any("缺少：" in line or "要点齐全" in line for line in lines)
        assert len(llm.requests) == 2
    finally:
        await engine.stop_judging()

