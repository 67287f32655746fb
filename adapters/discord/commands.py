"""The slash commands (an ``app_commands.CommandTree``), topic autocomplete, and the command sync.

The commands mirror the other platforms: each one becomes a ``bot.events.Command`` through
``InteractionHandler.command``. Admin commands (reveal, skip, stop, schedule) carry
``default_member_permissions = Manage Server`` so Discord hides them from members; the engine checks
again at run time with ``UserRef.is_admin`` (Manage Server, or the member's own DM).

Descriptions are English with Chinese localisations (``QuizTranslator``).

Syncing: a global sync takes effect slowly and is rate-limited, so ``sync_commands`` only syncs
when the command set changed. It hashes the payloads discord.py would send (application id, scope
and every command's translated ``to_dict``) and keeps the hash in ``discord_commands.sha256`` next to
the database; an equal hash skips the sync. Delete the file to force one. With
``settings.discord_dev_guild`` the commands are synced to that guild only (instant, for development).

No ``from __future__ import annotations`` here: discord.py reads the parameter annotations at
definition time, and ``count``'s range comes from the settings in a closure.
"""

import hashlib
import json
import logging
import os
from pathlib import Path

import discord
from discord import app_commands

from adapters.discord.interactions import InteractionHandler
from bot.bank import QuestionBank, fold
from bot.config import Settings

log = logging.getLogger(__name__)

ADMIN = ("reveal", "skip", "stop", "schedule", "daily")
HASH_FILE = "discord_commands.sha256"
MAX_CHOICES = 25

# English description -> Chinese (Discord shows the localisation matching the member's client)
ZH = {
    "Start a quiz round": "开始一轮测验",
    "Topic (slug, Chinese or English name, or alias)": "主题（代号、中英文名称或别名）",
    "Number of questions": "题数",
    "Next question": "下一题",
    "List the topics": "题库主题",
    "The ranking": "排行榜",
    "Period": "时间段",
    "this week": "本周",
    "this month": "本月",
    "all time": "全部",
    "Your stats": "我的统计",
    "Language of this channel": "本频道的语言",
    "Language": "语言",
    "Reveal the answer now (admins)": "立即公布答案（管理员）",
    "Skip this question (admins)": "跳过本题（管理员）",
    "End the quiz (admins)": "结束测验（管理员）",
    "Delete all my data": "删除我的全部记录",
    "How to use the bot": "使用帮助",
    "Question of the day (admins); empty shows the schedule": "每日一题（管理员）；留空查看当前设置",
    "e.g. 09:00 Asia/Shanghai sft arch reveal 21:00": "例如 09:00 Asia/Shanghai sft arch reveal 21:00",
    "Post today's question of the day now (admins)": "立即发布今天的每日一题（管理员）",
    "Topics to choose from (optional)": "从这些主题中选题（可选）",
}


class QuizTranslator(app_commands.Translator):
    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        if locale in (discord.Locale.chinese, discord.Locale.taiwan_chinese):
            return ZH.get(string.message)
        return None


class QuizTree(app_commands.CommandTree):
    """The command tree; errors outside our own try/except (argument conversion, checks) are
    reported to the member here."""

    handler: InteractionHandler

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        if isinstance(error, app_commands.CommandNotFound) and not interaction.response.is_done():
            # a command Discord still shows but this version no longer has (the sync is pending,
            # or another deployment registered it): the engine answers it or explains politely
            log.warning("unknown slash command /%s: handing it to the engine", error.name)
            await self.handler.command(interaction, error.name.lower())
            return
        await self.handler.report_error(interaction, error)


def topic_choices(bank: QuestionBank, current: str) -> list[app_commands.Choice[str]]:
    """Topics matching what the member typed (slug, either title, any alias); the value is the slug.
    Prefix matches first, then substring matches, in bank order."""
    q = fold(current or "")
    ranked: list[tuple[int, int, app_commands.Choice[str]]] = []
    for order, t in enumerate(bank.topics.values()):
        names = [fold(n) for n in (t.slug, t.title_zh, t.title_en, *t.aliases)]
        if q and not any(q in n for n in names):
            continue
        rank = 0 if not q or any(n.startswith(q) for n in names) else 1
        label = f"{t.title_zh} / {t.title_en} ({t.slug})"
        if len(label) > 100:
            label = label[:99] + "…"
        ranked.append((rank, order, app_commands.Choice(name=label, value=t.slug[:100])))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [c for _r, _o, c in ranked[:MAX_CHOICES]]


def _t(text: str) -> app_commands.locale_str:
    return app_commands.locale_str(text)


def build_tree(client: discord.Client, handler: InteractionHandler, bank: QuestionBank,
               settings: Settings) -> QuizTree:
    """A tree holding every command, wired to ``handler``."""
    tree = QuizTree(client)
    tree.handler = handler
    maximum = max(1, settings.max_quiz_questions)
    Count = app_commands.Range[int, 1, maximum]  # noqa: N806 (a type, used as an annotation)

    async def topic_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return topic_choices(bank, current)

    @app_commands.command(name="quiz", description=_t("Start a quiz round"))
    @app_commands.describe(topic=_t("Topic (slug, Chinese or English name, or alias)"),
                           count=_t("Number of questions"))
    @app_commands.autocomplete(topic=topic_autocomplete)
    async def quiz(interaction: discord.Interaction, topic: str | None = None, count: Count | None = None) -> None:
        args = tuple((topic or "").split()) + ((str(count),) if count is not None else ())
        await handler.command(interaction, "quiz", args)

    @app_commands.command(name="leaderboard", description=_t("The ranking"))
    @app_commands.describe(period=_t("Period"))
    @app_commands.choices(period=[app_commands.Choice(name=_t("this week"), value="week"),
                                  app_commands.Choice(name=_t("this month"), value="month"),
                                  app_commands.Choice(name=_t("all time"), value="all")])
    async def leaderboard(interaction: discord.Interaction, period: app_commands.Choice[str] | None = None) -> None:
        await handler.command(interaction, "leaderboard", (period.value,) if period else ())

    @app_commands.command(name="lang", description=_t("Language of this channel"))
    @app_commands.describe(language=_t("Language"))
    @app_commands.choices(language=[app_commands.Choice(name="中文", value="zh"),
                                    app_commands.Choice(name="English", value="en")])
    async def lang(interaction: discord.Interaction, language: app_commands.Choice[str]) -> None:
        await handler.command(interaction, "lang", (language.value,))

    @app_commands.command(name="schedule", description=_t("Question of the day (admins); empty shows the schedule"))
    @app_commands.describe(spec=_t("e.g. 09:00 Asia/Shanghai sft arch reveal 21:00"))
    async def schedule(interaction: discord.Interaction, spec: str | None = None) -> None:
        # the scheduler parses the words itself, exactly as typed on the other platforms
        await handler.command(interaction, "schedule", tuple((spec or "").split()))

    @app_commands.command(name="daily", description=_t("Post today's question of the day now (admins)"))
    @app_commands.describe(topics=_t("Topics to choose from (optional)"))
    async def daily(interaction: discord.Interaction, topics: str | None = None) -> None:
        await handler.command(interaction, "daily", tuple((topics or "").split()))

    tree.add_command(quiz)
    tree.add_command(daily)
    tree.add_command(leaderboard)
    tree.add_command(lang)
    tree.add_command(schedule)
    simple = {
        "next": "Next question", "topics": "List the topics", "me": "Your stats",
        "reveal": "Reveal the answer now (admins)", "skip": "Skip this question (admins)",
        "stop": "End the quiz (admins)", "forget": "Delete all my data", "help": "How to use the bot",
    }
    for name, description in simple.items():
        tree.add_command(_simple_command(name, description, handler))
    for command in tree.get_commands():
        command.allowed_contexts = app_commands.AppCommandContext(guild=True, dm_channel=True)
        command.allowed_installs = app_commands.AppInstallationType(guild=True)
        if command.name in ADMIN:
            command.default_permissions = discord.Permissions(manage_guild=True)
    return tree


def _simple_command(name: str, description: str, handler: InteractionHandler) -> app_commands.Command:
    async def callback(interaction: discord.Interaction) -> None:
        await handler.command(interaction, name)

    return app_commands.Command(name=name, description=_t(description), callback=callback)


# -- sync ------------------------------------------------------------------------------------------


def hash_path(settings: Settings) -> Path:
    return settings.db_path.with_name(HASH_FILE)


async def command_digest(tree: app_commands.CommandTree, application_id: int | None,
                         guild: discord.abc.Snowflake | None) -> str:
    """SHA-256 over exactly what ``tree.sync(guild=guild)`` would send, plus where it goes."""
    commands = tree._get_all_commands(guild=guild)
    translator = tree.translator
    if translator:
        payload = [await c.get_translated_payload(tree, translator) for c in commands]
    else:
        payload = [c.to_dict(tree) for c in commands]
    material = {"application": application_id, "scope": guild.id if guild else "global", "commands": payload}
    return hashlib.sha256(json.dumps(material, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


async def sync_commands(tree: app_commands.CommandTree, settings: Settings, application_id: int | None) -> bool:
    """Sync the commands if they changed since the last sync; True when a sync was made."""
    guild = discord.Object(int(settings.discord_dev_guild)) if settings.discord_dev_guild else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    digest = await command_digest(tree, application_id, guild)
    scope = f"guild {guild.id}" if guild else "global"
    path = hash_path(settings)
    try:
        if path.read_text().strip() == digest:
            log.info("Discord commands unchanged (%s): not syncing", scope)
            return False
    except OSError:
        pass  # no hash yet: sync
    synced = await tree.sync(guild=guild)
    log.info("synced %d Discord commands (%s)", len(synced), scope)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(digest + "\n")
    os.replace(tmp, path)  # atomic: a crash never leaves a half-written hash that skips a sync
    return True
