"""End to end through real discord.py: names and languages as members change them.

* Boards show a member's current display name: the server nickname, else the global name (the one
  their latest interaction carried), also for points scored under an older name.
* A DM's language follows the member's Discord client locale until they choose one with ``/lang``.
"""

from __future__ import annotations

from dc_support import answer, deadline, force_questions, text_of

DM_ID = 740_000_000_000_000_001
EN_TITLE, ZH_TITLE = "quizbot: interview practice", "quizbot 面试刷题机器人"  # the first line of /help


async def test_board_shows_the_current_display_name(bot, fake, engine, clock, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    async with deadline():
        alice = fake.user(61, "Alice")
        [question] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "sft"}))
        await answer(fake, question, alice, "灾难性遗忘和数据分布偏移")
        clock.now += engine.settings.open_window + 1
        assert await engine.expire_due() == 1
        [board] = await fake.wait_response(await fake.slash("leaderboard", alice))
        assert "Alice" in text_of(board)

        renamed = fake.user(61, "Alicia")  # same member, new global name, and a server nickname
        [board] = await fake.wait_response(await fake.slash("leaderboard", renamed, nick="Ali the Great"))
        assert "Ali the Great" in text_of(board) and "Alice" not in text_of(board)


async def test_dm_language_follows_the_client_until_lang(bot, fake):
    dan = fake.user(62, "Dan")

    async def help_text(locale: str) -> str:
        [msg] = await fake.wait_response(await fake.slash("help", dan, guild=None, channel=DM_ID, locale=locale))
        return text_of(msg)

    async with deadline():
        assert ZH_TITLE in await help_text("zh-CN")
        assert EN_TITLE in await help_text("en-US"), "the member switched their Discord client to English"
        [msg] = await fake.wait_response(await fake.slash("lang", dan, {"language": "zh"}, guild=None,
                                                          channel=DM_ID, locale="en-US"))
        assert "语言已切换为中文" in text_of(msg)
        assert ZH_TITLE in await help_text("en-US"), "/lang wins over the client's locale"
