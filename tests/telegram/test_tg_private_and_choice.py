"""End to end: private practice (instant result and a next button), quiz polls scored from
PollAnswer updates, and the inline-button fallback for a choice question over the poll limits."""

from __future__ import annotations

import dataclasses

from fake_bot_api import FakeBotAPI
from tg_support import buttons, check_html, deadline, eventually, force_questions, visible

GROUP = FakeBotAPI.group(-100600, "Choice group")


async def _answered(engine, round_id: int, n: int) -> bool:
    return len(await engine.rounds.answered_users(round_id)) >= n


async def test_private_practice_answer_result_and_next_button(tg, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-what-learns", "sft-chat-or-base")
    me = fake.user(61, "Mia", lang="zh-hans")
    chat = fake.private(me)
    async with deadline():
        fake.message(chat, me, "/quiz sft")
        [question] = await fake.wait_for("sendMessage")
        assert "LLM 进行 SFT 的时候在学习什么" in visible(question.text)
        assert buttons(question) == []  # no "answer privately" button in a private chat

        mark = fake.mark()
        fake.message(chat, me, "指令遵循和回答格式，知识来自预训练")
        ack, result = await fake.wait_for("sendMessage", count=2, since=mark)
        assert "已收到" in visible(ack.text)  # Chinese from the user's locale
        assert "10/10" in visible(result.text) and "<blockquote expandable>" in result.text
        next_button, report = buttons(result)
        assert next_button["callback_data"] == "qb:next" and report["callback_data"].startswith("qb:flag:")
        assert fake.find("setMessageReaction") == []

        mark = fake.mark()
        fake.press(me, result.result, "qb:next")
        [answered] = await fake.wait_for("answerCallbackQuery", since=mark)
        [second] = await fake.wait_for("sendMessage", since=mark)
        assert "SFT 操作的时候，基座模型选用 Chat 还是 Base" in visible(second.text)
        assert answered.params.get("show_alert") is not True


async def test_quiz_poll_sent_with_the_right_fields_and_votes_scored(tg, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "arch-chatglm-family")
    alice, bob, carol = fake.user(71, "Alice"), fake.user(72, "Bob"), fake.user(73, "Carol")
    async with deadline():
        fake.message(GROUP, alice, "/quiz arch")
        [poll_call] = await fake.wait_for("sendPoll")
        p = poll_call.params
        assert p["type"] == "quiz" and p["is_anonymous"] is False
        shown = [o["text"] if isinstance(o, dict) else o for o in p["options"]]
        # the options are shuffled for the round: the poll marks where the right one is shown
        assert sorted(shown) == sorted(["Prefix Decoder", "Causal Decoder", "Encoder-Decoder", "Encoder-only"])
        [right] = p["correct_option_ids"]
        assert shown[right] == "Prefix Decoder"
        wrong = shown.index("Encoder-Decoder")
        assert "ChatGLM 属于哪一类模型结构" in p["question"] and len(p["question"]) <= 300
        assert p["explanation"] == "前缀部分双向注意力、生成部分自回归。"
        assert p["open_period"] == int(engine.settings.choice_window)
        poll_id = poll_call.result["poll"]["id"]

        mark = fake.mark()
        fake.poll_answer(poll_id, bob, [wrong])
        fake.poll_answer(poll_id, alice, [right])
        fake.poll_answer(poll_id, carol, [])  # a retracted vote: nothing to score
        # the adapter links the poll to its round right after sendPoll returns
        round_id = await eventually(lambda: engine.round_for_message("telegram-poll", poll_id))
        # votes come from the voters, not the group: wait until both are stored before revealing
        await eventually(lambda: _answered(engine, round_id, 2))
        fake.message(GROUP, alice, "/reveal")
        [reveal] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
        text = visible(reveal.text)
        assert text.index("Alice") < text.index("Bob")
        assert "Alice 10/10" in text and "Bob 0/10" in text and "Carol" not in text
        # the reveal names the right option by the letter the poll showed it under, and the picks too
        assert f"{'ABCD'[right]}. Prefix Decoder" in text
        assert f"Alice 10/10 · {'ABCD'[right]} ✅" in text and f"Bob 0/10 · {'ABCD'[wrong]} ❌" in text
        [stop] = await fake.wait_for("stopPoll", since=mark)
        assert stop.params["message_id"] == poll_call.result["message_id"]
        # votes are never acknowledged with messages: the poll itself shows them
        assert fake.find("sendMessage", lambda c: c.chat_id in (71, 72, 73), since=mark) == []


async def test_poll_vote_after_the_reveal_is_not_scored(tg, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "arch-llama-family")
    alice = fake.user(74, "Alice")
    async with deadline():
        fake.message(GROUP, alice, "/quiz arch")
        [poll_call] = await fake.wait_for("sendPoll")
        fake.message(GROUP, alice, "/reveal")
        await fake.wait_for("stopPoll")
        mark = fake.mark()
        vote = fake.poll_answer(poll_call.result["poll"]["id"], alice, [1])
        await eventually(lambda: engine.store.fetchone("SELECT 1 FROM seen_updates WHERE key = ?",
                                                       (f"telegram:{vote['update_id']}",)))
        fake.message(GROUP, alice, "/leaderboard all")
        [board] = await fake.wait_for("sendMessage", since=mark)
        assert "No scores" in visible(board.text)


def over_poll_limits(engine, monkeypatch, qid: str = "arch-long-options"):
    """The fixture's first option is 89 characters, inside Telegram's 100-character poll limit, so
    the fixture question itself goes out as a poll; lengthen that option past the limit here."""
    q = engine.bank.question(qid)
    longer = dataclasses.replace(q, options=(q.options[0] + "（KV cache 以显存换计算，" + "长" * 20 + "）", *q.options[1:]))
    assert len(longer.options[0]) > 100
    monkeypatch.setitem(engine.bank.by_id, qid, longer)
    return longer


async def test_fixture_long_options_question_still_fits_a_poll(tg, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "arch-long-options")
    async with deadline():
        fake.message(GROUP, fake.user(80, "Al"), "/quiz arch")
        [poll] = await fake.wait_for("sendPoll")
        assert max(len(o["text"]) for o in poll.params["options"]) == 89


async def test_long_options_fall_back_to_buttons_and_every_press_is_answered(tg, fake, engine, monkeypatch):
    question_text = over_poll_limits(engine, monkeypatch)
    force_questions(monkeypatch, engine, "arch-long-options")
    alice, bob = fake.user(81, "Alice"), fake.user(82, "Bob")
    async with deadline():
        fake.message(GROUP, alice, "/quiz arch")
        [question] = await fake.wait_for("sendMessage")
        assert fake.find("sendPoll") == []
        text = check_html(question.text)
        assert question_text.options[0] in text  # the full option text is in the message
        keys = buttons(question)
        assert [k["text"] for k in keys] == ["A", "B", "C"]
        round_id = int(keys[0]["callback_data"].split(":")[2])
        assert [k["callback_data"] for k in keys] == [f"qb:pick:{round_id}:{i}" for i in range(3)]
        # the options are listed in the round's shuffled order: find the letter of the right one
        right = next(i for i in range(3) if f"{'ABC'[i]}. {question_text.options[question_text.correct[0]]}"
                     in visible(question.text))
        wrong = [i for i in range(3) if i != right]

        qmsg = question.result
        mark = fake.mark()
        presses = [(alice, keys[right]), (alice, keys[wrong[0]]), (bob, keys[wrong[1]])]
        for user, key in presses:
            fake.press(user, qmsg, key["callback_data"])
        fake.press(bob, qmsg, "qb:bogus")
        answers = await fake.wait_for("answerCallbackQuery", count=4, since=mark)
        assert len(answers) == 4  # exactly one answer per press
        first, again, bobs, bogus = answers
        assert "Recorded your pick" in first.params["text"] and first.params.get("show_alert") is not True
        assert "first pick counts" in again.params["text"] and again.params["show_alert"] is True
        assert "Bob" in bobs.params["text"]
        assert bogus.params["show_alert"] is True
        assert fake.find("sendMessage", since=mark) == []  # picks never flood the group

        fake.message(GROUP, alice, "/reveal")
        [reveal] = await fake.wait_for("sendMessage", since=mark)
        text = visible(reveal.text)
        assert text.index("Alice") < text.index("Bob") and "Alice 10/10" in text
        assert f"Alice 10/10 · {'ABC'[right]} ✅" in text and f"Bob 0/10 · {'ABC'[wrong[1]]} ❌" in text


async def test_forget_confirmation_buttons(tg, fake):
    me = fake.user(91, "Mo")
    chat = fake.private(me)
    async with deadline():
        fake.message(chat, me, "/forget")
        [confirm] = await fake.wait_for("sendMessage")
        assert [k["callback_data"] for k in buttons(confirm)] == ["qb:forget:yes:91", "qb:forget:no:91"]
        fake.press(me, confirm.result, "qb:forget:no:91")
        [answer] = await fake.wait_for("answerCallbackQuery")
        assert "nothing was deleted" in answer.params["text"]
        [edit] = await fake.wait_for("editMessageReplyMarkup")
        assert edit.params["message_id"] == confirm.result["message_id"]
