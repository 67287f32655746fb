"""End to end on Telegram: only members answer a group's round, /forget is bound to the requester,
private answers stay private, and member names cannot smuggle formatting into a message."""

from __future__ import annotations

from fake_bot_api import FakeBotAPI
from tg_support import buttons, check_html, deadline, deep_link_payload, force_questions, visible

GROUP = FakeBotAPI.group(-100700, "Privacy group")


async def _question(fake, alice) -> tuple:
    fake.message(GROUP, alice, "/quiz@quiz_test_bot sft")
    [question] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"])
    return question, deep_link_payload(question)


async def _count(engine, sql: str) -> int:
    return (await engine.store.fetchone(sql))[0]


async def test_outsider_link_is_refused_member_answers_privately_and_reveal_hides_the_text(tg, fake, engine,
                                                                                          monkeypatch):
    force_questions(monkeypatch, engine, "sft-discuss-experience")
    alice, dave, eve = fake.user(21, "Alice"), fake.user(24, "Dave"), fake.user(25, "Eve")
    fake.set_status(GROUP["id"], eve["id"], "left")  # Eve is not in the group
    async with deadline():
        question, payload = await _question(fake, alice)
        round_id = int(payload.split("_")[1])

        mark = fake.mark()
        fake.message(fake.private(eve), eve, f"/start {payload}")
        [refused] = await fake.wait_for("sendMessage", lambda c: c.chat_id == eve["id"], since=mark)
        assert "Only members of that chat" in visible(refused.text)
        assert await _count(engine, "SELECT COUNT(*) FROM pending_private") == 0

        # the guessable form of the link (the round id alone) is refused, and says why
        fake.message(fake.private(dave), dave, f"/start ans_{round_id}")
        [bad] = await fake.wait_for("sendMessage", lambda c: c.chat_id == dave["id"], since=mark)
        assert "not valid" in visible(bad.text)

        mark = fake.mark()
        fake.message(fake.private(dave), dave, f"/start {payload}")
        [prompt] = await fake.wait_for("sendMessage", lambda c: c.chat_id == dave["id"], since=mark)
        assert "only you and I" in visible(prompt.text)
        fake.message(fake.private(dave), dave, "👍👍")  # rejected: the link stays usable
        *_, emoji = await fake.wait_for("sendMessage", lambda c: c.chat_id == dave["id"], count=2, since=mark)
        assert "no words" in visible(emoji.text)
        secret = "我们组私下用八张卡做了LoRA微调"
        fake.message(fake.private(dave), dave, secret)
        *_, ack = await fake.wait_for("sendMessage", lambda c: c.chat_id == dave["id"], count=3, since=mark)
        assert "Dave" in visible(ack.text)

        fake.message(GROUP, alice, "我们在客服数据上做过全参数微调", reply_to=question.result)
        await fake.wait_for("setMessageReaction", since=mark)
        mark = fake.mark()
        fake.message(GROUP, alice, "/reveal")
        [reveal] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
        text = check_html(reveal.text)
        assert "客服数据" in text  # posted in the group: shown
        assert "LoRA" not in text and "八张卡" not in text
        dave_line = next(line for line in text.splitlines() if "Dave" in line)
        assert "answered privately" in dave_line and "/10" in dave_line
        assert "Eve" not in text


async def test_restricted_members_and_lookups_are_cached(tg, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    alice, rita, rex = fake.user(21, "Alice"), fake.user(26, "Rita"), fake.user(27, "Rex")
    fake.set_status(GROUP["id"], rita["id"], "restricted", is_member=True)
    fake.set_status(GROUP["id"], rex["id"], "restricted", is_member=False)
    async with deadline():
        _question_call, payload = await _question(fake, alice)
        mark = fake.mark()
        before = fake.chat_member_lookups
        fake.message(fake.private(rita), rita, f"/start {payload}")
        [ok] = await fake.wait_for("sendMessage", lambda c: c.chat_id == rita["id"], since=mark)
        assert "only you and I" in visible(ok.text)
        fake.message(fake.private(rex), rex, f"/start {payload}")
        [no] = await fake.wait_for("sendMessage", lambda c: c.chat_id == rex["id"], since=mark)
        assert "Only members" in visible(no.text)
        fake.message(fake.private(rita), rita, f"/start {payload}")  # again within the cache's minute
        await fake.wait_for("sendMessage", lambda c: c.chat_id == rita["id"], count=2, since=mark)
        assert fake.chat_member_lookups - before == 2  # Rita once, Rex once


async def test_second_member_pressing_anothers_forget_button_is_refused(tg, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    alice, bob = fake.user(21, "Alice"), fake.user(22, "Bob")
    async with deadline():
        question, _payload = await _question(fake, alice)
        fake.message(GROUP, bob, "灾难性遗忘", reply_to=question.result)
        await fake.wait_for("setMessageReaction")
        fake.message(GROUP, alice, "/reveal")
        await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"] and "Bob" in c.text)

        mark = fake.mark()
        fake.message(GROUP, bob, "/forget")
        [confirm] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
        data = [k["callback_data"] for k in buttons(confirm)]
        assert data == ["qb:forget:yes:22", "qb:forget:no:22"] and all(len(d.encode()) <= 64 for d in data)

        fake.press(alice, confirm.result, data[0])  # Alice presses Bob's "Yes, delete"
        [toast] = await fake.wait_for("answerCallbackQuery", since=mark)
        assert toast.params["text"] == "This is not your button." and toast.params.get("show_alert")
        assert fake.find("editMessageReplyMarkup", since=mark) == []  # Bob's buttons stay
        assert await _count(engine, "SELECT COUNT(*) FROM answers WHERE user_key = 'telegram:22'") == 1

        fake.press(bob, confirm.result, data[0])
        *_, done = await fake.wait_for("answerCallbackQuery", count=2, since=mark)
        assert "Deleted 1" in done.params["text"]
        await fake.wait_for("editMessageReplyMarkup", since=mark)
        assert await _count(engine, "SELECT COUNT(*) FROM answers WHERE user_key = 'telegram:22'") == 0


async def test_hostile_member_names_stay_literal(tg, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    alice = fake.user(21, "Alice")
    names = {31: "[x](https://evil)", 32: "<b>bold</b>", 33: "$a_b$", 34: "@everyone"}
    async with deadline():
        question, _payload = await _question(fake, alice)
        mark = fake.mark()
        for uid, name in names.items():
            fake.message(GROUP, fake.user(uid, name), "灾难性遗忘", reply_to=question.result)
        await fake.wait_for("setMessageReaction", count=len(names), since=mark)
        fake.message(GROUP, alice, "/reveal")
        [reveal] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
        assert "<a " not in reveal.text and "<b>bold" not in reveal.text
        text = check_html(reveal.text)
        for name in names.values():
            assert name in text  # shown as typed, not as a link, tag or formula
        # a private acknowledgement echoes the name too
        lone = fake.user(35, "[y](tg://user?id=1)")
        mark = fake.mark()
        fake.message(fake.private(lone), lone, "/quiz sft")
        await fake.wait_for("sendMessage", lambda c: c.chat_id == 35, since=mark)
        fake.message(fake.private(lone), lone, "灾难性遗忘")
        sent = await fake.wait_for("sendMessage", lambda c: c.chat_id == 35, count=2, since=mark)
        for call in sent:
            assert "<a " not in call.text
        assert "[y](tg://user?id=1)" in visible(sent[1].text)
