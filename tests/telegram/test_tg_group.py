"""End to end in a group: real PTB against the fake Bot API, the real engine on a temp database.

A member starts a round, three members answer by replying to the question, one more privately
through the deep link, answers are acknowledged with reactions only, the reveal and the leaderboard
rank the best answer first; admins are checked with getChatMember.
"""

from __future__ import annotations

from fake_bot_api import FakeBotAPI
from tg_support import deadline, deep_link_payload, force_questions, visible

GROUP = FakeBotAPI.group(-100500, "LLM study group")


def group_sends(fake: FakeBotAPI, since: int = 0):
    return fake.find("sendMessage", lambda c: c.chat_id == GROUP["id"], since)


async def test_on_demand_round_with_replies_private_answer_reveal_and_leaderboard(tg, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    alice, bob, carol, dave = (fake.user(i, n) for i, n in ((11, "Alice"), (12, "Bob"), (13, "Carol"), (14, "Dave")))
    async with deadline():
        fake.message(GROUP, alice, "/quiz@quiz_test_bot sft")
        [question] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"])
        assert "为什么SFT之后感觉LLM傻了" in question.text and question.params["parse_mode"] == "HTML"
        payload = deep_link_payload(question)
        qmsg = question.result

        mark = fake.mark()
        best = "SFT 之后模型变傻，主要是因为数据分布偏移，模型过拟合到新的分布；同时会发生灾难性遗忘，学新任务时覆盖了旧知识；数据质量低也会让模型变得刻板，所以训练时要混入通用数据。"
        answers = [(alice, best), (bob, "主要是数据分布偏移"), (carol, "不知道为什么")]
        updates = {u["id"]: fake.message(GROUP, u, text, reply_to=qmsg) for u, text in answers}
        reactions = await fake.wait_for("setMessageReaction", count=3, since=mark)
        assert {(r.params["message_id"], r.params["reaction"][0]["emoji"]) for r in reactions} == {
            (updates[u["id"]]["message"]["message_id"], "👍") for u in (alice, bob, carol)}

        # Bob changes his answer before the reveal: acknowledged as a change
        bob_again = fake.message(GROUP, bob, "数据分布偏移和灾难性遗忘", reply_to=qmsg)
        [changed] = await fake.wait_for("setMessageReaction", lambda c: c.params["message_id"] ==
                                        bob_again["message"]["message_id"], since=mark)
        assert changed.params["reaction"] == [{"type": "emoji", "emoji": "✍"}]
        assert group_sends(fake, mark) == []  # answers never flood the group

        # Dave answers privately through the deep link
        dave_chat = fake.private(dave)
        fake.message(dave_chat, dave, f"/start {payload}")
        [prompt] = await fake.wait_for("sendMessage", lambda c: c.chat_id == dave["id"], since=mark)
        assert "为什么SFT之后感觉LLM傻了" in visible(prompt.text)
        fake.message(dave_chat, dave, "灾难性遗忘")
        acks = await fake.wait_for("sendMessage", lambda c: c.chat_id == dave["id"], count=2, since=mark)
        assert "Dave" in visible(acks[1].text)
        assert group_sends(fake, mark) == []

        fake.message(GROUP, alice, "/reveal")
        [reveal] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
        text = visible(reveal.text)
        order = [name for name in ("Alice", "Bob", "Dave", "Carol") if name in text]
        assert order == ["Alice", "Bob", "Dave", "Carol"]
        assert sorted(order, key=text.index) == ["Alice", "Bob", "Dave", "Carol"]  # best answer first
        assert "<blockquote expandable>" in reveal.text and "灾难性遗忘" in text

        mark = fake.mark()
        fake.message(GROUP, carol, "/leaderboard all")
        [board] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)
        board_text = visible(board.text)
        assert sorted(("Alice", "Bob", "Dave", "Carol"), key=board_text.index) == ["Alice", "Bob", "Dave", "Carol"]
        assert board_text.index("🥇") < board_text.index("Alice")


async def test_stop_is_refused_for_a_non_admin_and_allowed_for_an_admin(tg, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-what-learns")
    alice, bob, carol = fake.user(21, "Alice"), fake.user(22, "Bob"), fake.user(23, "Carol")
    fake.set_admin(GROUP["id"], carol["id"], "administrator")
    async with deadline():
        fake.message(GROUP, alice, "/quiz sft")
        await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"])

        mark = fake.mark()
        stop = fake.message(GROUP, bob, "/stop")
        [refusal] = await fake.wait_for("sendMessage", since=mark)
        assert "Only the member who started this round or an admin" in visible(refusal.text)
        assert refusal.params["reply_parameters"]["message_id"] == stop["message"]["message_id"]
        lookups = fake.find("getChatMember", since=mark)
        assert [(c.params["chat_id"], c.params["user_id"]) for c in lookups] == [(GROUP["id"], bob["id"])]

        # a second try within the cache time costs no lookup
        mark = fake.mark()
        fake.message(GROUP, bob, "/skip")
        await fake.wait_for("sendMessage", since=mark)
        assert fake.find("getChatMember", since=mark) == []

        mark = fake.mark()
        fake.message(GROUP, bob, "/daily")  # admin only, whoever started the round
        [not_admin] = await fake.wait_for("sendMessage", since=mark)
        assert "only chat admins" in visible(not_admin.text)

        mark = fake.mark()
        fake.message(GROUP, carol, "/stop")
        [stopped] = await fake.wait_for("sendMessage", since=mark)
        assert "The quiz was stopped" in visible(stopped.text)
        assert await engine.rounds.open_in(f"telegram:{GROUP['id']}") is None


async def test_owner_and_anonymous_admin_are_admins(tg, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-what-learns")
    alice, owner = fake.user(31, "Alice"), fake.user(32, "Owner")
    fake.set_admin(GROUP["id"], owner["id"], "creator")
    anonymous_bot = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
    async with deadline():
        fake.message(GROUP, alice, "/quiz sft")
        await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"])
        mark = fake.mark()
        fake.message(GROUP, owner, "/skip")
        [skipped] = await fake.wait_for("sendMessage", since=mark)
        assert "skipped" in visible(skipped.text)

        fake.message(GROUP, alice, "/quiz sft")
        await fake.wait_for("sendMessage", lambda c: "Question 1/1" in visible(c.text), since=mark)
        mark = fake.mark()
        fake.message(GROUP, anonymous_bot, "/stop", sender_chat=GROUP)
        [stopped] = await fake.wait_for("sendMessage", since=mark)
        assert "stopped" in visible(stopped.text)
        assert [c.params["user_id"] for c in fake.find("getChatMember", since=mark)] == []


async def test_commands_for_another_bot_are_ignored(tg, fake):
    alice = fake.user(41, "Alice")
    async with deadline():
        fake.message(GROUP, alice, "/help@other_bot")
        fake.message(GROUP, alice, "/frobnicate")  # a bare unknown command may be another bot's
        fake.message(GROUP, alice, "just chatting")
        fake.message(GROUP, alice, "/help@quiz_test_bot")
        [reply] = await fake.wait_for("sendMessage")
        assert "interview practice" in visible(reply.text)
        fake.message(GROUP, alice, "/frobnicate@quiz_test_bot")
        [_, unknown] = await fake.wait_for("sendMessage", count=2)
        assert "Unknown command" in visible(unknown.text)
        assert len(fake.find("sendMessage")) == 2


async def test_timed_reveal_is_pushed_through_the_adapter(tg, fake, engine, clock, monkeypatch):
    force_questions(monkeypatch, engine, "sft-chat-or-base")
    alice = fake.user(51, "Alice")
    async with deadline():
        fake.message(GROUP, alice, "/quiz sft")
        [question] = await fake.wait_for("sendMessage")
        fake.message(GROUP, alice, "如果资源充足、数据量大，就选 Base 模型来做 SFT，因为它的可塑性更好；如果数据少、又希望保留对话能力，就选 Chat 模型。",
                     reply_to=question.result)
        await fake.wait_for("setMessageReaction")
        clock.advance(engine.settings.open_window + 1)
        assert await engine.expire_due() == 1
        [_, reveal] = await fake.wait_for("sendMessage", count=2)
        assert "Alice" in visible(reveal.text) and "10/10" in visible(reveal.text)
