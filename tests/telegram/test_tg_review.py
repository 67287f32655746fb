"""End to end on Telegram: a member answers badly in the group; the next day ``/review`` in the group
answers with a deep link into the private chat, where the card comes back first, is answered by
text with an instant result, a choice card by its button; a second tap on it is refused."""

from __future__ import annotations

from fake_bot_api import FakeBotAPI
from tg_support import buttons, deadline, force_questions, visible

GROUP = FakeBotAPI.group(-100700, "Review group")
DAY = 86400.0


async def test_bad_group_answer_comes_back_in_a_private_review(tg, fake, engine, clock, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    mia = fake.user(81, "Mia")
    async with deadline():
        fake.message(GROUP, mia, "/quiz sft")
        [question] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"])
        mark = fake.mark()
        fake.message(GROUP, mia, "不知道", reply_to=question.result)
        await fake.wait_for("setMessageReaction", since=mark)
        fake.message(GROUP, mia, "/reveal")
        await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)

        clock.advance(DAY)
        mark = fake.mark()
        fake.message(GROUP, mia, "/review")
        [hint] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
        assert "private chat" in visible(hint.text)
        assert [b.get("url") for b in buttons(hint)] == ["https://t.me/quiz_test_bot?start=review"]

        chat = fake.private(mia)
        mark = fake.mark()
        fake.message(chat, mia, "/start review")
        [card] = await fake.wait_for("sendMessage", lambda c: c.chat_id == mia["id"], since=mark)
        assert "为什么SFT之后感觉LLM傻了" in visible(card.text) and "1 due" in visible(card.text)
        assert [b["callback_data"] for b in buttons(card)] == ["qb:rv:stop"]

        mark = fake.mark()
        fake.message(chat, mia, engine.bank.question("sft-why-dumber").answer)
        [result] = await fake.wait_for("sendMessage", lambda c: c.chat_id == mia["id"], since=mark)
        assert "Score: 10/10" in visible(result.text) and "<blockquote expandable>" in result.text
        assert "All done" in visible(result.text)  # nothing else is due: said under the result
        assert fake.find("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark) == []


async def test_choice_card_by_button_in_the_private_chat(tg, fake, engine, clock):
    question = engine.bank.question("arch-chatglm-family")
    ned = fake.user(82, "Ned")
    async with engine.store.write() as db:  # a pick got wrong in a group yesterday
        await engine.review_cards.record(db, "telegram:82", question, 0, clock() - DAY, 8.0, "quiz")
    chat = fake.private(ned)
    async with deadline():
        fake.message(chat, ned, "/review")
        [card] = await fake.wait_for("sendMessage", lambda c: c.chat_id == ned["id"])
        picks = [b["callback_data"] for b in buttons(card) if b["callback_data"] != "qb:rv:stop"]
        assert len(picks) == len(question.options) and all(len(p.encode()) <= 64 for p in picks)
        right = next(p for p in picks if int(p.rsplit(":", 1)[1]) in question.correct)
        mark = fake.mark()
        fake.press(ned, card.result, right)
        [answered] = await fake.wait_for("answerCallbackQuery", since=mark)
        [result] = await fake.wait_for("sendMessage", lambda c: c.chat_id == ned["id"], since=mark)
        assert "Score: 10/10" in visible(result.text) and question.options[0] in visible(result.text)
        assert "All done" in visible(result.text) and answered.params.get("show_alert") is not True

        mark = fake.mark()
        fake.press(ned, card.result, right)  # the same button again
        [refused] = await fake.wait_for("answerCallbackQuery", since=mark)
        assert "already answered" in refused.params["text"] and refused.params.get("show_alert") is True
        assert fake.find("sendMessage", lambda c: c.chat_id == ned["id"], since=mark) == []
