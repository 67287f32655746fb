"""End to end: a member reports a question with /flag replying to the question message, another with
the report button under the reveal; both are stored for the question they point at."""

from __future__ import annotations

from fake_bot_api import FakeBotAPI
from tg_support import buttons, deadline, eventually, force_questions, visible

GROUP = FakeBotAPI.group(-100700, "Flag group")


async def test_flag_by_reply_and_by_the_report_button(tg, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber", "sft-chat-or-base")
    alice, bob, carol = fake.user(21, "Alice"), fake.user(22, "Bob"), fake.user(23, "Carol")
    async with deadline():
        fake.message(GROUP, alice, "/quiz sft")
        [first] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"])
        mark = fake.mark()
        fake.message(GROUP, alice, "/reveal")
        [reveal] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
        [report] = [b for b in buttons(reveal) if b.get("callback_data", "").startswith("qb:flag:")]
        assert len(report["callback_data"].encode()) <= 64
        mark = fake.mark()
        fake.message(GROUP, alice, "/quiz sft")
        [second] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
        assert "Chat 还是 Base" in visible(second.text)

        # Bob replies /flag to the first question while the second is open: the first is meant
        mark = fake.mark()
        fake.message(GROUP, bob, "/flag 把 <b>EWC</b> 译错了", reply_to=first.result)
        [ack] = await fake.wait_for("sendMessage", lambda c: "1/3" in visible(c.text), since=mark)
        assert "<b>EWC</b>" in visible(ack.text)  # the reason is shown as typed, never as markup
        rows = await engine.store.fetchall("SELECT question_id, user_key, reason FROM flags")
        assert [tuple(r) for r in rows] == [("sft-why-dumber", "telegram:22", "把 <b>EWC</b> 译错了")]

        # Carol presses the report button under the first reveal: recorded for her, answered once
        mark = fake.mark()
        fake.press(carol, reveal.result, report["callback_data"])
        [answered] = await fake.wait_for("answerCallbackQuery", since=mark)
        rows = await eventually(lambda: engine.store.fetchall(
            "SELECT question_id, user_key FROM flags WHERE user_key = 'telegram:23'"))
        assert [tuple(r) for r in rows] == [("sft-why-dumber", "telegram:23")]
        assert "2/3" in (answered.params.get("text") or "") or fake.find(
            "sendMessage", lambda c: "2/3" in visible(c.text), since=mark)
