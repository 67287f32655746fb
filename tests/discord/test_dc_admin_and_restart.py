"""Admin commands, restarts and the command sync, end to end against the fake Discord.

* admin commands carry Manage Server as default permissions and are checked again at run time;
* /schedule forwards its free-text spec as words; alone it asks for the schedule;
* after a restart (client closed, a new one on the same store) buttons on old messages still work,
  and so does a modal opened before the restart;
* the command sync runs once, is skipped while the commands are unchanged, and runs again when
  they change; a dev guild gets a guild-scoped sync.
"""

from __future__ import annotations

import dataclasses

import pytest
from dc_support import deadline, force_questions, is_ephemeral, round_of, text_of
from fake_discord import APP_ID, GUILD_ID, FakeDiscord

from adapters.discord.commands import HASH_FILE
from bot.replies import Reply, ReplyKind

ADMIN_ONLY = {"reveal", "skip", "stop", "schedule", "recap", "daily"}


def command_puts(fake: FakeDiscord, scope: str = "") -> list:
    path = f"/applications/{APP_ID}/guilds/{scope}/commands" if scope else f"/applications/{APP_ID}/commands"
    return [c for c in fake.calls if c.method == "PUT" and c.path == path]


async def test_command_set_and_permissions(bot, fake, engine):
    synced = {c["name"]: c for c in fake.commands["global"]}
    assert set(synced) == {"quiz", "next", "topics", "leaderboard", "me", "lang", "reveal", "skip", "stop",
                           "forget", "help", "schedule", "daily", "flag", "review", "recap"}
    for name, command in synced.items():
        expected = 1 << 5 if name in ADMIN_ONLY else None  # Manage Server
        assert command["default_member_permissions"] == expected, name
        assert command["contexts"] == [0, 1]  # servers and the bot's DMs
    quiz = {o["name"]: o for o in synced["quiz"]["options"]}
    assert quiz["topic"]["autocomplete"] is True and quiz["topic"]["required"] is False
    assert (quiz["count"]["min_value"], quiz["count"]["max_value"]) == (1, engine.settings.max_quiz_questions)
    board = synced["leaderboard"]["options"][0]
    assert [c["value"] for c in board["choices"]] == ["week", "month", "all"]
    assert [c["value"] for c in synced["lang"]["options"][0]["choices"]] == ["zh", "en"]
    spec, channel = synced["schedule"]["options"]
    assert spec["name"] == "spec" and channel["name"] == "channel" and channel["type"] == 7  # a channel option
    assert set(channel["channel_types"]) == {0, 5, 15, 16}  # text, announcement, forum, media
    assert synced["quiz"]["description_localizations"]["zh-CN"] == "开始一轮测验"
    # no privileged intent: only guilds (1 << 0), which tells the bot where it is
    assert fake.identifies[-1]["intents"] == 1


async def test_non_admin_refused_admin_commands(bot, fake, engine, monkeypatch):
    seen = []

    async def schedule(cmd, lang):
        seen.append((cmd.args, cmd.user.is_admin))
        return [Reply(cmd.chat, ReplyKind.INFO, "schedule: " + " ".join(cmd.args))]

    engine.register_command("schedule", schedule)  # declared by the scheduler (conftest)
    force_questions(monkeypatch, engine, "sft-why-dumber")
    alice, bob = fake.user(11, "Alice"), fake.user(12, "Bob")
    async with deadline():
        [question] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "sft"}))

        refused = await fake.slash("schedule", bob, {"spec": "09:00 Asia/Shanghai sft"})
        [msg] = await fake.wait_response(refused)
        assert is_ephemeral(msg) and "only chat admins" in text_of(msg)
        skip = await fake.slash("skip", bob)  # not an admin, not the round's starter
        [msg] = await fake.wait_response(skip)
        assert is_ephemeral(msg) and "Only the member who started" in text_of(msg)
        assert seen == []

        done = await fake.slash("schedule", alice, {"spec": "  09:00 Asia/Shanghai   sft reveal 21:00 "}, admin=True)
        [msg] = await fake.wait_response(done)
        assert seen == [(("09:00", "Asia/Shanghai", "sft", "reveal", "21:00"), True)]
        show = await fake.slash("schedule", alice, admin=True)
        await fake.wait_response(show)
        assert seen[-1] == ((), True)

        # in their own DM a member is the admin
        dm = await fake.slash("schedule", bob, {"spec": "08:00"}, guild=None, channel=555)
        await fake.wait_response(dm)
        assert seen[-1] == (("08:00",), True)

        skip = await fake.slash("skip", alice, admin=True)
        [msg] = await fake.wait_response(skip)
        assert "skipped" in text_of(msg) and not is_ephemeral(msg)
        assert round_of(question)


async def test_restart_keeps_buttons_working_and_skips_the_sync(make_bot, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber", "arch-chatglm-family")
    alice, bob = fake.user(11, "Alice"), fake.user(12, "Bob")
    async with deadline():
        first = await make_bot()
        assert first.client.synced is True and len(command_puts(fake)) == 1
        [open_q] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "sft"}))
        opened = await fake.press(open_q, f"qb:ans:{round_of(open_q)}", alice)  # open now, submit later
        modal_before = await fake.wait_until(lambda: opened.modal)
        await first.stop()

        second = await make_bot()
        assert second.client.synced is False and len(command_puts(fake)) == 1  # unchanged: no sync
        assert len(fake.identifies) == 2

        rid = round_of(open_q)
        press = await fake.press(open_q, f"qb:ans:{rid}", bob)  # a button from before the restart
        modal = await fake.wait_until(lambda: press.modal)
        [ack] = await fake.wait_response(await fake.submit_modal(modal, bob, "灾难性遗忘"))
        assert is_ephemeral(ack) and "Bob" in text_of(ack)

        # a modal opened before the restart is submitted after it
        [ack] = await fake.wait_response(await fake.submit_modal(modal_before, alice, "数据分布偏移"))
        assert is_ephemeral(ack) and "Alice" in text_of(ack)

        await fake.wait_response(await fake.slash("reveal", alice, admin=True))
        [choice_q] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "arch"}))
        await second.stop()

        await make_bot()
        pick = await fake.press(choice_q, f"qb:pick:{round_of(choice_q)}:0", bob)
        [recorded] = await fake.wait_response(pick)
        assert "Recorded" in text_of(recorded)


async def test_sync_again_when_commands_change_and_guild_scoped_in_development(make_bot, fake, dc_settings):
    async with deadline():
        bot = await make_bot()
        await bot.stop()
        hash_file = dc_settings.db_path.with_name(HASH_FILE)
        assert len(hash_file.read_text().strip()) == 64

        changed = dataclasses.replace(dc_settings, max_quiz_questions=5)  # /quiz count's range changes
        bot = await make_bot(changed)
        assert bot.client.synced is True and len(command_puts(fake)) == 2
        await bot.stop()

        dev = dataclasses.replace(changed, discord_dev_guild=str(GUILD_ID))
        bot = await make_bot(dev)
        assert bot.client.synced is True and len(command_puts(fake, str(GUILD_ID))) == 1
        assert len(command_puts(fake)) == 2  # the global commands were left alone
        await bot.stop()
        bot = await make_bot(dev)
        assert bot.client.synced is False


async def test_failed_sync_is_retried_on_next_start(make_bot, fake, dc_settings, monkeypatch, log_errors):
    from discord_limits import Rejected

    original = fake._sync

    def broken(scope, commands):  # e.g. invited without the applications.commands scope
        raise Rejected(403, 50001, "Missing Access")

    monkeypatch.setattr(fake, "_sync", broken)
    async with deadline():
        bot = await make_bot()
        assert bot.client.synced is False  # the bot runs anyway
        assert any("syncing the slash commands failed" in m for m in log_errors.messages())
        log_errors.clear()
        await bot.stop()
        assert not dc_settings.db_path.with_name(HASH_FILE).exists()
        monkeypatch.setattr(fake, "_sync", original)
        bot = await make_bot()
        assert bot.client.synced is True


async def test_bad_token_fails_start_without_hanging(make_bot, fake, dc_settings):
    import discord

    wrong = dataclasses.replace(dc_settings, discord_token="not-the-token")
    async with deadline():
        with pytest.raises(discord.LoginFailure):
            await make_bot(wrong)
    assert fake.identifies == []  # never reached the gateway
