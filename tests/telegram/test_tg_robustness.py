"""End to end: flood control (429), duplicated and unexpected updates, unreachable chats, network
errors, a model answer longer than one message, the error handler, start-up (command menu)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from fake_bot_api import FakeBotAPI
from tg_support import check_html, deadline, eventually, force_questions, visible

from adapters.telegram.adapter import TelegramAdapter, api_urls
from bot.messenger import ChatUnavailable
from bot.model import ChatRef
from bot.replies import Reply, ReplyKind

GROUP = FakeBotAPI.group(-100700, "Robust group")
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_command_menu_in_chinese_and_english(tg, fake):
    menus = fake.find("setMyCommands")
    assert len(menus) == 2
    default, zh = menus
    assert "language_code" not in default.params and zh.params["language_code"] == "zh"
    names = [c["command"] for c in default.params["commands"]]
    assert {"quiz", "next", "topics", "leaderboard", "me", "lang", "reveal", "skip", "stop", "forget",
            "schedule", "help", "start"} <= set(names)
    assert names == [c["command"] for c in zh.params["commands"]]
    assert any("测验" in c["description"] for c in zh.params["commands"])


def test_api_urls_accept_a_root_or_a_bot_prefix():
    assert api_urls("http://h:8081") == ("http://h:8081/bot", "http://h:8081/file/bot")
    assert api_urls("http://h:8081/bot/") == ("http://h:8081/bot", "http://h:8081/file/bot")


async def test_429_is_waited_out_and_the_message_delivered_exactly_once(tg, fake, sleeps):
    alice = fake.user(101, "Alice")
    fake.fail_next("sendMessage", 429, retry_after=3)
    async with deadline():
        fake.message(fake.private(alice), alice, "/help")
        sends = await fake.wait_for("sendMessage", lambda c: c.status == 200)
        assert len(sends) == 1
        attempts = fake.find("sendMessage")
        assert [c.status for c in attempts] == [429, 200]
        assert attempts[0].params == attempts[1].params
        assert any(2.9 < s <= 3.0 for s in sleeps.requested)  # honoured retry_after


async def test_persistent_429_gives_up_without_crashing(tg, fake):
    alice = fake.user(102, "Alice")
    fake.fail_next("sendMessage", 429, retry_after=1, times=4)  # the first try and three retries
    async with deadline():
        fake.message(fake.private(alice), alice, "/help")
        await fake.wait_for("sendMessage", count=4)
        fake.message(fake.private(alice), alice, "/help")
        await fake.wait_for("sendMessage", lambda c: c.status == 200)
        assert len(fake.find("sendMessage")) == 5


async def test_network_error_is_retried(tg, fake):
    alice = fake.user(103, "Alice")
    fake.fail_next("sendMessage", 500)
    async with deadline():
        fake.message(fake.private(alice), alice, "/help")
        await fake.wait_for("sendMessage", lambda c: c.status == 200)
        assert [c.status for c in fake.find("sendMessage")] == [500, 200]


async def test_duplicated_update_is_not_counted_twice(tg, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-what-learns")
    alice, bob = fake.user(104, "Alice"), fake.user(105, "Bob")
    async with deadline():
        fake.message(GROUP, alice, "/quiz sft", times=2)  # the same update_id delivered twice
        [question] = await fake.wait_for("sendMessage")
        fake.message(GROUP, bob, "指令遵循", reply_to=question.result, times=2)
        await fake.wait_for("setMessageReaction")
        fake.message(GROUP, alice, "/help")  # updates of one chat are handled in order
        await fake.wait_for("sendMessage", count=2)
        assert len(fake.find("sendMessage")) == 2  # one question, one help
        assert len(fake.find("setMessageReaction")) == 1
        round_ = await engine.rounds.open_in(f"telegram:{GROUP['id']}")
        rows = await engine.store.fetchall("SELECT revisions FROM answers WHERE round_id = ?", (round_.id,))
        assert [r["revisions"] for r in rows] == [0]  # stored once, not "changed"


async def test_unexpected_updates_are_survived(tg, fake, engine, caplog):
    alice = fake.user(106, "Alice")
    stranger = fake.user(107, "Xi", lang="xx-YY")
    chat = fake.private(alice)
    photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 10, "height": 10}]
    sticker = {"file_id": "s1", "file_unique_id": "u2", "width": 512, "height": 512, "is_animated": False,
               "is_video": False, "type": "regular"}
    async with deadline():
        fake.message(chat, alice, sticker=sticker)
        fake.message(chat, alice, photo=photo)
        fake.message(GROUP, alice, photo=photo, caption="look")
        fake.message(chat, alice, "forwarded answer",
                     forward_origin={"type": "user", "date": 1, "sender_user": fake.user(9, "Other")})
        fake.message(chat, None, None)  # no sender, no text
        fake.inject({"edited_message": fake.user_message(chat, alice, "edited")})
        fake.inject({"edited_message": fake.user_message(GROUP, alice, "edited in the group")})
        fake.inject({"channel_post": fake.user_message({"id": -100999, "type": "channel", "title": "C"}, None, "x")})
        fake.inject({"some_future_update": {"id": 1}})
        fake.press(alice, fake.user_message(chat, fake.bot_user(), "old"), "qb:next:unknown:format")
        fake.message(GROUP, alice, "/")
        fake.message(fake.private(stranger), stranger, "/help")
        [bogus_press] = await fake.wait_for("answerCallbackQuery")
        assert bogus_press.params["show_alert"] is True
        [help_reply] = await fake.wait_for("sendMessage", lambda c: c.chat_id == stranger["id"])
        assert "interview practice" in visible(help_reply.text)  # unknown language: the default
        fake.message(chat, alice, "/help")
        await fake.wait_for("sendMessage", lambda c: c.chat_id == alice["id"])
    assert len(fake.find("sendMessage")) == 2
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_errors_in_the_adapter_become_a_short_apology(tg, fake, engine, monkeypatch, caplog):
    alice = fake.user(108, "Alice", lang="zh-CN")

    async def broken(event):
        raise RuntimeError("boom: secret internals")

    monkeypatch.setattr(engine, "handle", broken)
    async with deadline():
        fake.message(fake.private(alice), alice, "/help")
        [apology] = await fake.wait_for("sendMessage")
        assert "抱歉" in apology.text and "boom" not in apology.text and "Traceback" not in apology.text
        fake.press(alice, apology.result, "qb:next")
        [answer] = await fake.wait_for("answerCallbackQuery")
        assert "抱歉" in answer.params["text"] and answer.params["show_alert"] is True
    assert len(fake.find("sendMessage")) == 1  # a failed button press gets its apology as the alert
    # the traceback is logged; once the redaction filter has seen a record it carries it as (redacted) exc_text
    assert any("boom" in str(r.exc_info and r.exc_info[1]) or "boom" in (r.exc_text or "")
               for r in caplog.records if r.levelname == "ERROR")


async def test_forbidden_marks_the_chat_inactive_and_raises_chat_unavailable(tg, fake, engine):
    alice = fake.user(109, "Alice")
    async with deadline():
        fake.message(GROUP, alice, "/help@quiz_test_bot")  # the chat becomes known to the engine
        await fake.wait_for("sendMessage")
        fake.fail_next("sendMessage", 403)
        chat = ChatRef("telegram", str(GROUP["id"]), title="Robust group")
        with pytest.raises(ChatUnavailable):
            await tg.send(Reply(chat, ReplyKind.INFO, "daily question"))
        row = await engine.store.fetchone("SELECT active FROM chats WHERE key = ?", (chat.key,))
        assert row["active"] == 0


async def test_bot_removed_from_group_marks_it_inactive(tg, fake, engine):
    alice = fake.user(110, "Alice")
    async with deadline():
        fake.message(GROUP, alice, "/help@quiz_test_bot")
        await fake.wait_for("sendMessage")
        fake.inject({"my_chat_member": {
            "chat": GROUP, "from": alice, "date": 1,
            "old_chat_member": {"status": "member", "user": fake.bot_user()},
            "new_chat_member": {"status": "kicked", "user": fake.bot_user(), "until_date": 0}}})

        async def inactive():
            row = await engine.store.fetchone("SELECT active FROM chats WHERE key = ?", (f"telegram:{GROUP['id']}",))
            return row["active"] == 0

        await eventually(inactive)


async def test_model_answer_longer_than_a_message_is_split(tg, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "arch-kv-cache-long")
    alice = fake.user(111, "Alice")
    async with deadline():
        fake.message(GROUP, alice, "/quiz arch")
        [question] = await fake.wait_for("sendMessage")
        fake.message(GROUP, alice, "保存key和value，避免重复计算", reply_to=question.result)
        await fake.wait_for("setMessageReaction")
        mark = fake.mark()
        fake.message(GROUP, alice, "/reveal")
        await fake.wait_for("sendMessage", count=2, since=mark)
        await fake.wait_for("sendMessage", lambda c: "Paragraph 30" in c.text, since=mark)
        chunks = fake.find("sendMessage", since=mark)
    assert len(chunks) >= 2
    texts = []
    for chunk in chunks:
        assert len(chunk.text) <= 4096
        texts.append(check_html(chunk.text))
    whole = "".join(texts)
    assert "Alice" in texts[0]
    for n in range(1, 31):
        assert f"<tag&{n}>" in whole and f"Paragraph {n}" in whole


async def test_stop_does_not_wait_for_a_long_poll(fake, engine, settings):
    """The runtime gives each part 5 s to stop; a 30 s long poll in progress must not hold it up."""
    tg_settings = dataclasses.replace(settings, telegram_token=fake.token, telegram_api_base_url=fake.root_url)
    adapter = TelegramAdapter(engine, tg_settings, poll_timeout=30)
    async with deadline():
        await adapter.start()
        await asyncio.sleep(0.05)  # let the first getUpdates start waiting
        loop = asyncio.get_running_loop()
        started = loop.time()
        await adapter.stop()
        assert loop.time() - started < 2.0


def test_the_runtime_builds_this_adapter_from_settings(engine, settings):
    from bot.runtime import build_adapters

    [adapter] = build_adapters(engine, dataclasses.replace(settings, telegram_token="1:x" * 10))
    assert isinstance(adapter, TelegramAdapter) and adapter.platform == "telegram"
    assert engine.messengers["telegram"] is adapter
