"""The reveal through Telegram shows how each answer was graded: the points an answer denies,
marked ✗, and the reason a bare list of terms was capped (rendered as Bot-API HTML)."""

from __future__ import annotations

from fake_bot_api import FakeBotAPI
from tg_support import deadline, force_questions, visible

GROUP = FakeBotAPI.group(-100777, "grading group")


async def test_reveal_shows_contradicted_points_and_the_term_list_reason(tg, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    alice, bob = fake.user(71, "Alice"), fake.user(72, "Bob")
    async with deadline():
        fake.message(GROUP, alice, "/quiz sft")
        [question] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"])
        mark = fake.mark()
        fake.message(GROUP, alice, "数据分布偏移，灾难性遗忘，数据质量，混入通用数据", reply_to=question.result)
        fake.message(GROUP, bob, "SFT 不需要混入通用数据，也不会灾难性遗忘。", reply_to=question.result)
        await fake.wait_for("setMessageReaction", count=2, since=mark)
        mark = fake.mark()
        fake.message(GROUP, alice, "/reveal")
        [reveal] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
    text = visible(reveal.text)
    lines = text.splitlines()
    alice_at = next(i for i, line in enumerate(lines) if "Alice" in line and "/10" in line)
    assert "3/10" in lines[alice_at]
    assert lines[alice_at + 1].strip() == "explain in sentences rather than listing terms"  # the chat is in English
    assert "<i>explain in sentences rather than listing terms</i>" in reveal.text
    bob_line = next(line for line in lines if "Bob" in line and "/10" in line)
    assert "✗ 混入通用数据" in bob_line and "✗ 灾难性遗忘" in bob_line
