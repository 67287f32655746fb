"""End to end in a server channel: the real discord.py client against the fake Discord, the real
engine on a temp database.

A member starts a round with /quiz; three members answer through the Answer button's modal (one
changes their answer); every acknowledgement is ephemeral, nothing public is posted meanwhile; the
admin reveals; the reveal and the leaderboard rank the best answer first. Choice questions: one
button per option, first pick counts, long options are cut to 80 characters with the full text in
the embed.
"""

from __future__ import annotations

from dc_support import (
    answer,
    custom_ids,
    deadline,
    force_questions,
    is_ephemeral,
    option_position,
    round_of,
    text_of,
)
from fake_discord import CHANNEL_ID

BEST = "SFT 之后模型变傻，主要是因为数据分布偏移，模型过拟合到新的分布；同时会发生灾难性遗忘，学新任务时覆盖了旧知识；数据质量低也会让模型变得刻板，所以训练时要混入通用数据。"


async def test_quiz_modal_answers_reveal_and_leaderboard(bot, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    alice, bob, carol = fake.user(11, "Alice"), fake.user(12, "Bob"), fake.user(13, "Carol")
    async with deadline():
        rec = await fake.slash("quiz", bob, {"topic": "微调"})
        [question] = await fake.wait_response(rec)
        assert rec.callback_type == 4 and rec.ack_delay < 3
        assert not is_ephemeral(question)
        assert "为什么SFT之后感觉LLM傻了" in text_of(question)
        rid = round_of(question)
        assert custom_ids(question) == [f"qb:ans:{rid}"]

        press = await fake.press(question, f"qb:ans:{rid}", alice)
        modal = await fake.wait_until(lambda: press.modal)
        assert len(modal["title"]) <= 45 and modal["custom_id"] == f"qb:modal:{rid}"
        [text_input] = [c["component"] for c in modal["components"] if c["type"] == 18]
        assert text_input["style"] == 2 and text_input["max_length"] == 4000  # paragraph

        before = len(fake.channel_messages(CHANNEL_ID))
        acks = {}
        acks["alice"] = await fake.submit_modal(modal, alice, BEST)
        acks["bob"] = await answer(fake, question, bob, "主要是数据分布偏移")
        acks["carol"] = await answer(fake, question, carol, "不知道为什么")
        [alice_ack] = await fake.wait_response(acks["alice"])
        for ack in (alice_ack, acks["bob"], acks["carol"]):
            assert is_ephemeral(ack), ack
        assert "Alice" in text_of(alice_ack)

        changed = await answer(fake, question, bob, "数据分布偏移和灾难性遗忘")
        assert is_ephemeral(changed) and "Added to your answer, Bob: 2 parts" in text_of(changed)
        assert len(fake.channel_messages(CHANNEL_ID)) == before  # answers never post publicly

        reveal = await fake.slash("reveal", alice, admin=True)
        messages = await fake.wait_response(reveal)
        assert not any(is_ephemeral(m) for m in messages)
        shown = "\n".join(text_of(m) for m in messages)
        assert "数据分布偏移" in shown and "Model answer" in shown
        order = [n for n in ("Alice", "Bob", "Carol") if n in shown]
        assert sorted(order, key=shown.index) == ["Alice", "Bob", "Carol"]  # best answer first
        assert "**Model answer**" in text_of(messages[-1])  # the model answer follows the scores

        board = await fake.slash("leaderboard", carol, {"period": "all"})
        [ranking] = await fake.wait_response(board)
        text = text_of(ranking)
        assert sorted(("Alice", "Bob", "Carol"), key=text.index) == ["Alice", "Bob", "Carol"]

        # the round is closed: an answer through the old modal is refused privately
        late = await fake.submit_modal(modal, carol, "还有数据质量")
        [refusal] = await fake.wait_response(late)
        assert is_ephemeral(refusal) and "closed" in text_of(refusal)


async def test_choice_buttons_first_pick_counts(bot, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "arch-chatglm-family")
    alice, bob, carol = fake.user(11, "Alice"), fake.user(12, "Bob"), fake.user(13, "Carol")
    async with deadline():
        rec = await fake.slash("quiz", alice, {"topic": "arch"})
        [question] = await fake.wait_response(rec)
        rid = round_of(question)
        assert custom_ids(question) == [f"qb:pick:{rid}:{i}" for i in range(4)]
        labels = [b["label"] for row in question["components"] for b in row["components"]]
        assert [label[0] for label in labels] == list("ABCD")
        # shuffled per round: the buttons show the four options in the round's order
        assert sorted(label[3:] for label in labels) == ["Causal Decoder", "Encoder-Decoder", "Encoder-only",
                                                         "Prefix Decoder"]
        right, wrong = option_position(question, "Prefix Decoder"), option_position(question, "Causal Decoder")

        first = await fake.press(question, f"qb:pick:{rid}:{wrong}", bob)
        [recorded] = await fake.wait_response(first)
        assert is_ephemeral(recorded) and "Recorded" in text_of(recorded)
        again = await fake.press(question, f"qb:pick:{rid}:{right}", bob)  # the right one, too late
        [refused] = await fake.wait_response(again)
        assert is_ephemeral(refused) and "first pick" in text_of(refused)
        pressed = await fake.press(question, f"qb:pick:{rid}:{right}", carol)
        await fake.wait_response(pressed)

        reveal = await fake.slash("reveal", alice, admin=True)
        shown = "\n".join(text_of(m) for m in await fake.wait_response(reveal))
        assert f"{'ABCD'[right]}. Prefix Decoder" in shown  # named by the letter it was shown under
        assert shown.index("Carol") < shown.index("Bob")
        assert f"**Carol** 10/10 · {'ABCD'[right]} ✅" in shown and f"**Bob** 0/10 · {'ABCD'[wrong]} ❌" in shown


async def test_long_choice_options_are_cut_on_buttons_and_shown_in_full(bot, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "arch-long-options")
    option = engine.bank.question("arch-long-options").options[0]
    async with deadline():
        rec = await fake.slash("quiz", fake.user(11, "Alice"), {"topic": "arch"})
        [question] = await fake.wait_response(rec)
        labels = [b["label"] for row in question["components"] for b in row["components"]]
        assert all(len(label) <= 80 for label in labels)
        cut = labels[option_position(question, option)]
        assert cut.endswith("…") and cut[3:].startswith("KV cache")
        assert option in text_of(question)  # the full option is in the embed


async def test_autocomplete_offers_topics_by_slug_title_and_alias(bot, fake):
    alice = fake.user(11, "Alice")
    async with deadline():
        for typed, expected in (("微调", ["sft"]), ("Model arch", ["arch"]), ("transformer", ["arch"]),
                                ("", ["arch", "sft"]), ("zzz", [])):
            rec = await fake.autocomplete("quiz", alice, "topic", typed)
            await fake.wait_until(lambda rec=rec: rec.done)
            assert rec.callback_type == 8
            assert sorted(c["value"] for c in rec.choices) == expected, typed
            assert all(len(c["name"]) <= 100 for c in rec.choices)


async def test_quiz_session_reveals_then_asks_the_next_and_ranks(bot, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber", "sft-what-learns")
    alice, bob = fake.user(11, "Alice"), fake.user(12, "Bob")
    async with deadline():
        [q1] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "sft", "count": 2}))
        assert "1/2" in text_of(q1)
        await answer(fake, q1, alice, BEST)
        await answer(fake, q1, bob, "灾难性遗忘")
        reveal = await fake.slash("reveal", alice, admin=True)
        revealed, q2 = await fake.wait_response(reveal, messages=2)
        assert "**Alice** 10/10" in text_of(revealed) and "2/2" in text_of(q2)
        assert custom_ids(q2) == [f"qb:ans:{round_of(q2)}"]

        await answer(fake, q2, alice, "学习指令格式和对话风格")
        # the last member who joined answers: the engine reveals at once and ranks the session;
        # the member's acknowledgement stays private, the reveal and ranking are public follow-ups
        press = await fake.press(q2, f"qb:ans:{round_of(q2)}", bob)
        modal = await fake.wait_until(lambda: press.modal)
        submit = await fake.submit_modal(modal, bob, "格式")
        ack, second_reveal, ranking = await fake.wait_response(submit, messages=3)
        assert is_ephemeral(ack) and not is_ephemeral(second_reveal) and not is_ephemeral(ranking)
        assert "Round ranking" in text_of(ranking)
        assert text_of(ranking).index("Alice") < text_of(ranking).index("Bob")
