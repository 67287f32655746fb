"""End to end on Discord: answers through the private form stay private at the reveal, a round is
answered only from its own channel, /forget's buttons count only for the requester, and member
names cannot smuggle links, mentions or formatting into a message."""

from __future__ import annotations

import re

from dc_support import answer, deadline, force_questions, is_ephemeral, round_of, text_of

OTHER_CHANNEL = 710_000_000_000_000_099


async def _count(engine, sql: str) -> int:
    return (await engine.store.fetchone(sql))[0]


async def test_form_answers_are_private_at_the_reveal(bot, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-discuss-experience")
    alice, bob = fake.user(11, "Alice"), fake.user(12, "Bob")
    async with deadline():
        [question] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "sft"}))
        secret = "我们组私下用八张卡做了LoRA微调"
        ack = await answer(fake, question, bob, secret)
        assert is_ephemeral(ack)
        [reveal] = await fake.wait_response(await fake.slash("reveal", alice, admin=True))
        text = text_of(reveal)
        assert not is_ephemeral(reveal)
        assert "LoRA" not in text and "八张卡" not in text
        bob_line = next(line for line in text.splitlines() if "Bob" in line)
        assert "answered privately" in bob_line and "/10" in bob_line


async def test_round_is_answered_only_from_its_channel(bot, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    alice, eve = fake.user(11, "Alice"), fake.user(15, "Eve")
    async with deadline():
        [question] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "sft"}))
        rid = round_of(question)
        press = await fake.press(question, f"qb:ans:{rid}", eve)
        await fake.wait_until(lambda: press.modal)
        # the same form submitted from another channel, and from a DM: refused, nothing stored
        for where in ({"channel": OTHER_CHANNEL}, {"channel": 720_000_000_000_000_001, "guild": None}):
            submit = await fake.submit_modal(press.modal, eve, "灾难性遗忘", **where)
            [refused] = await fake.wait_response(submit)
            assert is_ephemeral(refused) and "Only members of that chat" in text_of(refused)
        assert await _count(engine, "SELECT COUNT(*) FROM answers") == 0


async def test_second_member_pressing_anothers_forget_button_is_refused(bot, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    alice, bob = fake.user(11, "Alice"), fake.user(12, "Bob")
    async with deadline():
        [question] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "sft"}))
        await answer(fake, question, bob, "灾难性遗忘")
        await fake.wait_response(await fake.slash("reveal", alice, admin=True))
        [confirm] = await fake.wait_response(await fake.slash("forget", bob))
        assert is_ephemeral(confirm)  # only Bob sees the confirmation
        [refused] = await fake.wait_response(await fake.press(confirm, "qb:forget:yes:12", alice))
        assert is_ephemeral(refused) and text_of(refused) == "This is not your button."
        assert await _count(engine, "SELECT COUNT(*) FROM answers WHERE user_key = 'discord:12'") == 1
        [done] = await fake.wait_response(await fake.press(confirm, "qb:forget:yes:12", bob))
        assert "Deleted 1" in text_of(done)
        assert await _count(engine, "SELECT COUNT(*) FROM answers WHERE user_key = 'discord:12'") == 0


async def test_hostile_member_names_stay_literal(bot, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    alice = fake.user(11, "Alice")
    names = {31: "[x](https://evil)", 32: "<b>bold</b>", 33: "$a_b$", 34: "@everyone"}
    async with deadline():
        [question] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "sft"}))
        for uid, name in names.items():
            ack = await answer(fake, question, fake.user(uid, name), "灾难性遗忘")
            assert "](https://evil)" not in text_of(ack).replace("\\]", "")
        [reveal] = await fake.wait_response(await fake.slash("reveal", alice, admin=True))
        text = text_of(reveal)
        outside_code = re.sub(r"`[^`]*`", "", text)
        assert "[x](https://evil)" not in outside_code  # escaped: \[x\](https://evil)
        assert "**$a_b$**" in text  # one underscore, no markup around it: shown as typed
        assert reveal.get("allowed_mentions") in (None, {"parse": []}) or "@everyone" not in text
        unknown = await fake.slash("nosuch`[x](https://evil)`", alice)
        [reply] = await fake.wait_response(unknown)
        assert "[x](https://evil)" not in re.sub(r"`[^`]*`", "", text_of(reply))
