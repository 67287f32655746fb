"""End to end: the bot's membership and its members' names and languages as Telegram reports them.

* ``my_chat_member`` kicked/left -> the chat is inactive and its schedule paused, nothing deleted;
  added back -> active again, the schedule resumes and a welcome shows it;
* boards show the name a member uses now, and a member who left the group still appears on past
  boards under the last name they had;
* a private chat's language follows the member's Telegram ``language_code`` until ``/lang`` sets it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fake_bot_api import FakeBotAPI
from tg_support import deadline, eventually, force_questions, visible

from adapters.telegram.render import to_plain
from bot.catalogue import say
from scheduler.parse import parse
from scheduler.service import DailyScheduler

GROUP = FakeBotAPI.group(-100620, "Membership group")
BEST = "SFT 之后模型变傻，主要是因为数据分布偏移，模型过拟合到新的分布；同时会发生灾难性遗忘，学新任务时覆盖了旧知识。"


def help_title(lang: str) -> str:
    """The first line of /help in one language, as the member reads it."""
    return to_plain(say(lang, "help").split("\n")[0])


def in_group(call) -> bool:
    return call.chat_id == GROUP["id"]


async def test_removed_then_added_back_pauses_keeps_and_resumes(tg, fake, engine, settings, clock, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    daily = DailyScheduler(engine, settings)
    await daily.start()
    slot = parse(("09:00", "Asia/Shanghai"), engine.bank, "UTC", 12)
    admin, alice = fake.user(601, "Ada"), fake.user(602, "Alice")
    fake.set_admin(GROUP["id"], admin["id"])
    key = f"telegram:{GROUP['id']}"
    try:
        clock.now = datetime(2026, 11, 20, 0, 30, tzinfo=UTC).timestamp()
        async with deadline():
            fake.message(GROUP, admin, "/schedule 09:00 Asia/Shanghai sft reveal 21:00")
            await fake.wait_for("sendMessage", in_group)
            mark = fake.mark()
            fake.message(GROUP, alice, "/quiz sft")
            [question] = await fake.wait_for("sendMessage", in_group, since=mark)
            fake.message(GROUP, alice, BEST, reply_to=question.result)
            await fake.wait_for("setMessageReaction", since=mark)
            fake.message(GROUP, alice, "/reveal")
            await fake.wait_for("sendMessage", lambda c: in_group(c) and "Alice" in visible(c.text), since=mark)

            fake.my_member(GROUP, "kicked", by=admin)
            await _eventually_schedule(engine, key, (0, "inactive"))
            chat = await engine.store.fetchone("SELECT active FROM chats WHERE key = ?", (key,))
            assert chat["active"] == 0
            clock.now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC).timestamp()
            mark = fake.mark()
            assert await daily.post_slot(slot) == 0  # nothing is sent to a group the bot is not in
            assert fake.find("sendMessage", in_group, since=mark) == []
            [totals] = await engine.store.fetchall("SELECT COUNT(*) AS n FROM totals WHERE chat_key = ?", (key,))
            assert totals["n"] == 1  # the board is kept

            mark = fake.mark()
            fake.my_member(GROUP, "member", by=admin, old_status="left")
            [welcome] = await fake.wait_for("sendMessage", in_group, since=mark)
            text = visible(welcome.text)
            assert "I'm back" in text and "leaderboard" in text
            assert "goes on" in text and "09:00" in text and "Asia/Shanghai" in text
            await _eventually_schedule(engine, key, (1, None))
            assert [j.id for j in daily.aps.get_jobs() if j.id.startswith("daily:")] == ["daily:Asia/Shanghai:09:00:daily"]
            clock.now = datetime(2026, 11, 21, 1, 0, tzinfo=UTC).timestamp()
            assert await daily.post_slot(slot) == 1  # the schedule runs again

            # made an admin later: a change of rights, not a return, so no second welcome
            mark = fake.mark()
            fake.my_member(GROUP, "administrator", by=admin)
            fake.message(GROUP, alice, "/help")
            [help_reply] = await fake.wait_for("sendMessage", in_group, since=mark)
            assert "I'm back" not in visible(help_reply.text)
    finally:
        await daily.stop()


async def _eventually_schedule(engine, key: str, expected: tuple) -> None:
    async def check():
        row = await engine.store.fetchone("SELECT enabled, paused FROM schedules WHERE chat_key = ?", (key,))
        return row is not None and (row["enabled"], row["paused"]) == expected

    await eventually(check)


async def test_boards_show_the_current_name_and_keep_members_who_left(tg, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    alice, bob = fake.user(611, "Alice"), fake.user(612, "Bob")
    async with deadline():
        fake.message(GROUP, alice, "/quiz sft")
        [question] = await fake.wait_for("sendMessage", in_group)
        mark = fake.mark()
        fake.message(GROUP, alice, BEST, reply_to=question.result)
        fake.message(GROUP, bob, "数据分布偏移", reply_to=question.result)
        await fake.wait_for("setMessageReaction", count=2, since=mark)
        fake.message(GROUP, alice, "/reveal")
        await fake.wait_for("sendMessage", lambda c: in_group(c) and "Bob" in visible(c.text), since=mark)

        # Bob renames himself on Telegram: the next thing he sends carries the new name
        robert = fake.user(612, "Robert", last_name="B.")
        mark = fake.mark()
        fake.message(GROUP, robert, "/leaderboard all")
        [board] = await fake.wait_for("sendMessage", in_group, since=mark)
        text = visible(board.text)
        assert "Robert B." in text and "Bob" not in text and "Alice" in text

        # Robert leaves the group: the past board still lists him under that name
        fake.message(GROUP, robert, None, left_chat_member=robert)
        mark = fake.mark()
        fake.message(GROUP, alice, "/leaderboard all")
        [board] = await fake.wait_for("sendMessage", in_group, since=mark)
        text = visible(board.text)
        assert "Robert B." in text and text.index("Alice") < text.index("Robert B.")


async def test_private_chat_language_follows_the_client_until_lang_sets_it(tg, fake, engine):
    mia_en = fake.user(621, "Mia", lang="en-US")
    chat = fake.private(mia_en)
    async with deadline():
        fake.message(chat, mia_en, "/help")
        [english] = await fake.wait_for("sendMessage")
        assert help_title("en") in visible(english.text) and help_title("zh") not in visible(english.text)

        mia_zh = fake.user(621, "Mia", lang="zh-hans")  # she switched Telegram to Chinese
        mark = fake.mark()
        fake.message(chat, mia_zh, "/help")
        [chinese] = await fake.wait_for("sendMessage", since=mark)
        assert help_title("zh") in visible(chinese.text)

        mark = fake.mark()
        fake.message(chat, mia_zh, "/lang en")  # chosen on purpose: the client's language no longer decides
        [confirm] = await fake.wait_for("sendMessage", since=mark)
        assert "Language set to English" in visible(confirm.text)
        mark = fake.mark()
        fake.message(chat, mia_zh, "/help")
        [still_english] = await fake.wait_for("sendMessage", since=mark)
        assert help_title("en") in visible(still_english.text)
        row = await engine.store.fetchone("SELECT lang, lang_set FROM chats WHERE key = 'telegram:621'")
        assert (row["lang"], row["lang_set"]) == ("en", 1)
