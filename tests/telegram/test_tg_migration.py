"""End to end: a Telegram group upgraded to a supergroup gets a new id. Its schedule, settings,
rounds, answers, scores and all-time board move to the new id in one transaction, whether the
bot learns it from the ``migrate_to_chat_id`` / ``migrate_from_chat_id`` messages (both arrive:
the second changes nothing) or from ``ChatMigrated`` on a send (which is then made again at the new
id); the board is never split, even when the new supergroup already has scores of its own."""

from __future__ import annotations

from datetime import UTC, datetime

from fake_bot_api import FakeBotAPI
from tg_support import deadline, deep_link_payload, eventually, force_questions, visible

from scheduler.parse import parse
from scheduler.service import DailyScheduler

OLD = FakeBotAPI.basic_group(-4501, "Small study group")
NEW_ID = -1004501
NEW = {"id": NEW_ID, "type": "supergroup", "title": "Small study group"}
BEST = "SFT 之后模型变傻，主要是因为数据分布偏移，模型过拟合到新的分布；同时会发生灾难性遗忘，学新任务时覆盖了旧知识。"


async def _keyed(engine, key: str) -> dict[str, int]:
    """How many rows of each chat-keyed table name ``key``."""
    counts = {}
    for table in ("rounds", "answers", "scores", "totals", "schedules", "daily_posts", "sessions", "pushes"):
        [row] = await engine.store.fetchall(f"SELECT COUNT(*) AS n FROM {table} WHERE chat_key = ?", (key,))
        counts[table] = row["n"]
    [row] = await engine.store.fetchall("SELECT COUNT(*) AS n FROM chats WHERE key = ?", (key,))
    counts["chats"] = row["n"]
    return counts


async def _play_round(fake, engine, chat, starter, answers) -> None:
    mark = fake.mark()
    fake.message(chat, starter, "/quiz sft")
    [question] = await fake.wait_for("sendMessage", lambda c: c.chat_id == chat["id"], since=mark)
    for user, text in answers:
        fake.message(chat, user, text, reply_to=question.result)
    await fake.wait_for("setMessageReaction", count=len(answers), since=mark)
    fake.message(chat, starter, "/reveal")
    await fake.wait_for("sendMessage", lambda c: c.chat_id == chat["id"] and "/10" in visible(c.text), since=mark)


async def test_migration_messages_move_everything_once(tg, fake, engine, settings, clock, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    daily = DailyScheduler(engine, settings)
    await daily.start()
    alice, bob, admin = fake.user(401, "Alice"), fake.user(402, "Bob"), fake.user(403, "Ada")
    fake.set_admin(OLD["id"], admin["id"])
    old_key, new_key = f"telegram:{OLD['id']}", f"telegram:{NEW_ID}"
    try:
        async with deadline():
            fake.message(OLD, admin, "/lang zh")
            await fake.wait_for("sendMessage", lambda c: c.chat_id == OLD["id"])
            fake.message(OLD, admin, "/schedule 09:00 Asia/Shanghai sft reveal 21:00")
            await fake.wait_for("sendMessage", lambda c: c.chat_id == OLD["id"] and "每日一题" in visible(c.text))
            await _play_round(fake, engine, OLD, alice, [(alice, BEST), (bob, "数据分布偏移")])
            before = await _keyed(engine, old_key)
            assert before["totals"] == 2 and before["scores"] == 2 and before["schedules"] == 1

            to_new, from_old = fake.migrate(OLD, NEW_ID)
            # Telegram also says the bot left the old group, here before the upgrade notice: the
            # schedule paused by that must run again at the new id
            fake.my_member(OLD, "left", old_status="member")
            fake.inject({"message": to_new})
            await eventually(lambda: _moved(engine, old_key))
            fake.inject({"message": from_old})  # the second notice of the same move: nothing changes
            mark = fake.mark()
            fake.message(NEW, bob, "/leaderboard all")
            [board] = await fake.wait_for("sendMessage", lambda c: c.chat_id == NEW_ID, since=mark)

        after_old, after_new = await _keyed(engine, old_key), await _keyed(engine, new_key)
        assert all(n == 0 for n in after_old.values()), after_old
        for table in ("rounds", "answers", "scores", "totals", "schedules", "daily_posts", "sessions"):
            assert after_new[table] == before[table], (table, after_new, before)
        text = visible(board.text)
        assert "排行榜" in text  # the chat's language (zh, set with /lang) came along
        assert text.count("Alice") == 1 and text.count("Bob") == 1
        assert text.index("Alice") < text.index("Bob")
        row = await engine.store.fetchone("SELECT enabled, thread FROM schedules WHERE chat_key = ?", (new_key,))
        assert row["enabled"] == 1
        assert await engine.store.fetchone("SELECT new_key FROM chat_moves WHERE old_key = ?", (old_key,)) is not None

        # the question of the day now goes to the new id
        clock.now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC).timestamp()
        mark = fake.mark()
        assert await daily.post_slot(parse(("09:00", "Asia/Shanghai"), engine.bank, "UTC", 12)) == 1
        [posted] = await fake.wait_for("sendMessage", since=mark)
        assert posted.chat_id == NEW_ID and posted.status == 200
    finally:
        await daily.stop()


async def _moved(engine, old_key: str) -> bool:
    return await engine.store.fetchone("SELECT 1 FROM chat_moves WHERE old_key = ?", (old_key,)) is not None


async def test_chat_migrated_on_send_moves_the_data_retries_there_and_merges_the_board(
        tg, fake, engine, settings, clock, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    daily = DailyScheduler(engine, settings)
    await daily.start()
    old = FakeBotAPI.basic_group(-4502, "Reading group")
    new_id = -1004502
    new = {"id": new_id, "type": "supergroup", "title": "Reading group"}
    alice, bob, admin = fake.user(411, "Alice"), fake.user(412, "Bob"), fake.user(413, "Ada")
    fake.set_admin(old["id"], admin["id"])
    old_key, new_key = f"telegram:{old['id']}", f"telegram:{new_id}"
    try:
        clock.now = datetime(2026, 11, 20, 0, 30, tzinfo=UTC).timestamp()
        async with deadline():
            fake.message(old, admin, "/schedule 09:00 Asia/Shanghai sft reveal 21:00")
            await fake.wait_for("sendMessage", lambda c: c.chat_id == old["id"])
            await _play_round(fake, engine, old, alice, [(alice, BEST), (bob, "数据分布偏移")])
            [old_alice] = await engine.store.fetchall(
                "SELECT total FROM totals WHERE chat_key = ? AND user_key = 'telegram:411'", (old_key,))

            # the group is upgraded; the bot hears nothing yet, and Alice already scores in the new one
            to_new, from_old = fake.migrate(old, new_id)
            await _play_round(fake, engine, new, alice, [(alice, BEST)])
            assert (await _keyed(engine, new_key))["totals"] == 1

            # the question of the day goes to the old id: ChatMigrated, the data moves, sent again
            clock.now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC).timestamp()
            mark = fake.mark()
            assert await daily.post_slot(parse(("09:00", "Asia/Shanghai"), engine.bank, "UTC", 12)) == 1
            refused, posted = await fake.wait_for("sendMessage", count=2, since=mark)
            assert (refused.chat_id, refused.status) == (old["id"], 400)
            assert (posted.chat_id, posted.status) == (new_id, 200) and "Question of the day" in visible(posted.text)

            # both migration messages arrive late: the data is where it belongs, nothing doubles
            fake.inject({"message": to_new})
            fake.inject({"message": from_old})
            mark = fake.mark()
            fake.message(new, bob, "/leaderboard all")
            [board] = await fake.wait_for("sendMessage", lambda c: c.chat_id == new_id, since=mark)

        assert all(n == 0 for n in (await _keyed(engine, old_key)).values())
        totals = {r["user_key"]: (r["total"], r["n"]) for r in await engine.store.fetchall(
            "SELECT user_key, total, n FROM totals WHERE chat_key = ?", (new_key,))}
        assert totals["telegram:411"] == (old_alice["total"] * 2, 2)  # both ids' rounds, one line
        assert totals["telegram:412"][1] == 1
        text = visible(board.text)
        assert text.count("Alice") == 1 and text.count("Bob") == 1
        sched = await engine.store.fetchone("SELECT enabled FROM schedules WHERE chat_key = ?", (new_key,))
        assert sched["enabled"] == 1
        # today's question lives at the new id: members answer it there
        [daily_round] = await engine.store.fetchall(
            "SELECT chat_key FROM rounds WHERE kind = 'daily'")
        assert daily_round["chat_key"] == new_key
    finally:
        await daily.stop()


async def test_answer_privately_link_from_before_the_upgrade_still_opens_the_round(tg, fake, engine, monkeypatch):
    """The link under a question was signed with the basic group's id; after the upgrade the round
    lives at the supergroup's id, and the link still lets a member answer it privately there."""
    force_questions(monkeypatch, engine, "sft-why-dumber")
    old = FakeBotAPI.basic_group(-4503, "Evening group")
    new_id = -1004503
    alice, bob = fake.user(421, "Alice"), fake.user(422, "Bob")
    old_key, new_key = f"telegram:{old['id']}", f"telegram:{new_id}"
    async with deadline():
        fake.message(old, alice, "/quiz sft")
        [question] = await fake.wait_for("sendMessage", lambda c: c.chat_id == old["id"])
        payload = deep_link_payload(question)

        to_new, _from_old = fake.migrate(old, new_id)
        fake.inject({"message": to_new})
        await eventually(lambda: _moved(engine, old_key))

        mark = fake.mark()
        fake.message(fake.private(bob), bob, f"/start {payload}")
        [prompt] = await fake.wait_for("sendMessage", lambda c: c.chat_id == bob["id"], since=mark)
        assert "not valid" not in visible(prompt.text) and "SFT" in visible(prompt.text)
        fake.message(fake.private(bob), bob, BEST)
        await fake.wait_for("sendMessage", lambda c: c.chat_id == bob["id"] and "Got your answer" in visible(c.text),
                            since=mark)

    row = await engine.store.fetchone("SELECT chat_key, private FROM answers WHERE user_key = 'telegram:422'")
    assert (row["chat_key"], row["private"]) == (new_key, 1)
