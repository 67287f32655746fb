"""End to end on Discord: a member answers badly in a server channel; the next day ``/review`` in
that channel shows the card to them alone (ephemeral), its Answer button opens the review form and
the submit gets the result at once; in a DM a choice card is answered by its buttons."""

from __future__ import annotations

from dc_support import answer, custom_ids, deadline, force_questions, is_ephemeral, text_of
from fake_discord import CHANNEL_ID

DAY = 86400.0
DM = 777


async def test_server_review_is_ephemeral_with_the_answer_form(bot, fake, engine, clock, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    eve = fake.user(21, "Eve")
    async with deadline():
        [question] = await fake.wait_response(await fake.slash("quiz", eve, {"topic": "sft"}))
        await answer(fake, question, eve, "不知道")
        await fake.wait_response(await fake.slash("reveal", eve, admin=True))
        clock.advance(DAY)

        public_before = len(fake.channel_messages(CHANNEL_ID))
        rec = await fake.slash("review", eve)
        [card] = await fake.wait_response(rec)
        assert is_ephemeral(card) and "为什么SFT之后感觉LLM傻了" in text_of(card)
        form_button, stop = custom_ids(card)
        assert form_button.startswith("qb:rva:") and stop == "qb:rv:stop"

        press = await fake.press(card, form_button, eve)
        modal = await fake.wait_until(lambda: press.modal)
        assert press.callback_type == 9 and modal["custom_id"] == "qb:rvmodal:" + form_button[7:]
        submit = await fake.submit_modal(modal, eve, engine.bank.question("sft-why-dumber").answer)
        messages = await fake.wait_response(submit)
        assert all(is_ephemeral(m) for m in messages)
        shown = "\n".join(text_of(m) for m in messages)
        assert "Score: 10/10" in shown and "All done" in shown and "Model answer" in shown

        again = await fake.submit_modal(modal, eve, "灾难性遗忘")  # the same form, submitted twice
        [refused] = await fake.wait_response(again)
        assert is_ephemeral(refused) and "already answered" in text_of(refused)
        assert len(fake.channel_messages(CHANNEL_ID)) == public_before  # nothing public


async def test_dm_choice_card_by_button_and_stats(bot, fake, engine, clock):
    question = engine.bank.question("arch-llama-family")
    finn = fake.user(22, "Finn")
    async with engine.store.write() as db:
        await engine.review_cards.record(db, "discord:22", question, 0, clock() - DAY, 6.0, "daily")
    dm = {"guild": None, "channel": DM}
    async with deadline():
        [card] = await fake.wait_response(await fake.slash("review", finn, **dm))
        picks = [c for c in custom_ids(card) if c != "qb:rv:stop"]
        wrong = next(p for p in picks if int(p.rsplit(":", 1)[1]) not in question.correct)
        pressed = await fake.press(card, wrong, finn, guild=None)
        [result] = await fake.wait_response(pressed)
        assert "Score: 0/10" in text_of(result) and "Causal Decoder" in text_of(result)
        assert "All done" in text_of(result) and "Next review in 1 min" in text_of(result)  # learning, step 1
        [stats] = await fake.wait_response(await fake.slash("review", finn, {"action": "stats"}, **dm))
        assert "learning 1 · review 0" in text_of(stats) and "Due today: 1" in text_of(stats)
