"""Reveals, pushes and failures end to end against the fake Discord.

* the ~7300-character model answer of arch-kv-cache-long is split into embeds within Discord's
  limits, at paragraph boundaries, nothing lost or repeated;
* a timed reveal is pushed with ``channel.send``; an unreachable channel raises ChatUnavailable and
  the engine marks the chat inactive; a 429 is waited out by discord.py;
* a private practice round in a DM shows the result at once, with a Next button that works;
* a command failing inside reaches the member as an ephemeral message (and the log); a slow engine
  gets the interaction deferred within Discord's 3 seconds.
"""

from __future__ import annotations

import asyncio
import re

import pytest
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
from discord_limits import u16
from fake_discord import CHANNEL_ID, FakeDiscord

from bot.messenger import ChatUnavailable
from bot.model import ChatRef
from bot.replies import Reply, ReplyKind

DM = 555_000_000_000_000_001


def check_limits(message: dict) -> None:
    embeds = message["embeds"]
    assert len(embeds) <= 10
    assert all(u16(e["description"]) <= 4096 for e in embeds)
    assert sum(u16(e.get("description", "")) + u16(e.get("title", "")) for e in embeds) <= 6000


async def test_long_model_answer_split_within_embed_limits(bot, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "arch-kv-cache-long")
    alice, bob = fake.user(11, "Alice"), fake.user(12, "Bob")
    async with deadline():
        [question] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "arch"}))
        await answer(fake, question, bob, "KV cache 保存已计算的 key 和 value")
        reveal = await fake.slash("reveal", alice, admin=True)
        await fake.wait_until(lambda: "<tag&30>" in "".join(text_of(m) for m in reveal.messages))
        messages = reveal.messages
    assert len(messages) >= 2  # 7300 characters of answer + the scores exceed one message's 6000
    for m in messages:
        check_limits(m)
    descriptions = [e["description"] for m in messages for e in m["embeds"]]
    shown = "\n\n".join(descriptions)
    assert "**Bob**" in descriptions[0] and "**Model answer**" in shown
    tags = [int(n) for n in re.findall(r"<tag&(\d+)>", shown)]
    assert tags == list(range(1, 31))  # every paragraph once, in order
    assert "…" not in shown  # cut at boundaries only, never inside a word
    answer_pieces = descriptions[1:]
    assert len(answer_pieces) >= 2
    for piece in answer_pieces[:-1]:
        assert re.search(r"<tag&\d+>$", piece), piece[-40:]  # each piece ends with a whole paragraph
    model = engine.bank.question("arch-kv-cache-long").answer
    assert re.sub(r"\s", "", "".join(answer_pieces)) == re.sub(r"\s", "", "**Model answer**" + model)


async def test_timed_reveal_is_pushed_to_the_channel(bot, fake, engine, clock, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    alice = fake.user(11, "Alice")
    async with deadline():
        [question] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "sft"}))
        await answer(fake, question, alice, "数据分布偏移")
        clock.advance(engine.settings.open_window + 1)
        assert await engine.expire_due() == 1
        [pushed] = fake.channel_messages(CHANNEL_ID)
        assert "**Alice** " in text_of(pushed) and "Model answer" in text_of(pushed)
        [call] = fake.find("POST", rf"^/channels/{CHANNEL_ID}/messages$")
        assert call.json["allowed_mentions"] == {"parse": []}


async def test_unreachable_channels_raise_chat_unavailable(bot, fake, engine):
    fake.forbidden.add(111)
    fake.unknown.add(222)
    async with deadline():
        for channel in (111, 222):
            with pytest.raises(ChatUnavailable):
                await bot.send(Reply(ChatRef("discord", str(channel)), ReplyKind.INFO, "hello"))
        # through the engine: the chat is marked inactive instead of crashing the push
        await engine.chat_settings(ChatRef("discord", "111"))
        await engine.push([Reply(ChatRef("discord", "111"), ReplyKind.INFO, "daily question")])
        row = await engine.store.fetchone("SELECT active FROM chats WHERE key = ?", ("discord:111",))
        assert row["active"] == 0


async def test_rate_limited_push_is_retried(bot, fake):
    fake.rate_limit_next = 1
    async with deadline():
        await bot.send(Reply(ChatRef("discord", "333"), ReplyKind.INFO, "after the 429"))
    assert [c.status for c in fake.find("POST", r"^/channels/333/messages$")] == [429, 200]
    assert text_of(fake.channel_messages(333)[0]) == "after the 429"


async def test_private_practice_shows_the_result_at_once(bot, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "arch-llama-family", "arch-chatglm-family")
    dave = fake.user(14, "Dave")
    dm = {"guild": None, "channel": DM}
    async with deadline():
        [question] = await fake.wait_response(await fake.slash("quiz", dave, {"topic": "arch"}, **dm))
        rid = round_of(question)
        right = option_position(question, "Causal Decoder")
        pick = await fake.press(question, f"qb:pick:{rid}:{right}", dave, guild=None)
        ack, result = await fake.wait_response(pick, messages=2)
        assert is_ephemeral(ack) and "Recorded" in text_of(ack)
        assert f"{'ABCD'[right]}. Causal Decoder" in text_of(result) and "**Dave** 10/10" in text_of(result)
        assert custom_ids(result) == ["qb:next", f"qb:flag:{rid}"]
        nxt = await fake.press(result, "qb:next", dave, guild=None)
        [second] = await fake.wait_response(nxt)
        assert "ChatGLM" in text_of(second) and not is_ephemeral(second)


async def test_failing_command_is_reported_privately(bot, fake, engine, monkeypatch, log_errors):
    async def broken(event):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(engine, "handle", broken)
    async with deadline():
        rec = await fake.slash("topics", fake.user(11, "Alice"))
        [msg] = await fake.wait_response(rec)
        assert is_ephemeral(msg) and "something went wrong" in text_of(msg)
        assert "database on fire" not in text_of(msg)  # no traceback for the member
        press = await fake.press(await _question_message(fake), "qb:next", fake.user(12, "Bob"))
        [msg] = await fake.wait_response(press)
        assert is_ephemeral(msg) and "something went wrong" in text_of(msg)
    assert len(log_errors.records) == 2
    assert all(r.exc_info and "database on fire" in str(r.exc_info[1]) for r in log_errors.records)
    log_errors.clear()


async def _question_message(fake: FakeDiscord) -> dict:
    """A message with a Next button, as the engine would have posted after a reveal."""
    return fake._message(CHANNEL_ID, {"embeds": [{"description": "reveal"}], "components": [
        {"type": 1, "components": [{"type": 2, "style": 3, "label": "Next question", "custom_id": "qb:next"}]}]})


async def test_slow_engine_is_deferred_in_time(make_bot, fake, engine, monkeypatch):
    bot = await make_bot(defer_after=0.05)
    handle = engine.handle

    async def slow(event):
        await asyncio.sleep(0.3)
        return await handle(event)

    monkeypatch.setattr(engine, "handle", slow)
    alice, bob = fake.user(11, "Alice"), fake.user(12, "Bob")
    async with deadline():
        rec = await fake.slash("topics", alice)
        [msg] = await fake.wait_response(rec)
        assert rec.callback_type == 5 and rec.ack_delay < 1.0  # deferred ("thinking"), then edited
        assert "arch" in text_of(msg) and not is_ephemeral(msg)
        assert fake.find("PATCH", rf"/webhooks/\d+/{rec.token}/messages/@original")

        # deferred publicly, but the answer is an error for Bob alone: the public "thinking"
        # message is deleted and the error sent ephemerally
        rec = await fake.slash("skip", bob)
        [msg] = await fake.wait_response(rec)
        assert rec.callback_type == 5 and rec.original_deleted
        assert is_ephemeral(msg) and "no open question" in text_of(msg)
    assert bot.client is not None


async def test_slow_commands_are_deferred_before_the_engine_runs(bot, fake):
    async with deadline():
        rec = await fake.slash("leaderboard", fake.user(11, "Alice"))
        [msg] = await fake.wait_response(rec)
    assert rec.callback_type == 5 and "Leaderboard" in text_of(msg)


async def test_replies_for_other_chats_are_posted_there(bot, fake, engine, monkeypatch):
    """A reply addressed to another chat (say, the group when a private answer triggers the reveal)
    is posted with channel.send; the interaction itself is still acknowledged."""
    async def elsewhere(event):
        return [Reply(ChatRef("discord", "777"), ReplyKind.REVEAL, "**Answer** for the group")]

    monkeypatch.setattr(engine, "handle", elsewhere)
    async with deadline():
        rec = await fake.slash("next", fake.user(11, "Alice"))
        [quiet] = await fake.wait_response(rec)
        assert is_ephemeral(quiet) and text_of(quiet) == "✓"
        [posted] = await fake.wait_until(lambda: fake.channel_messages(777))
        assert "for the group" in text_of(posted)
