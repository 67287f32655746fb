"""The slash commands (an ``app_commands.CommandTree``) built from the command registry, topic
autocomplete, and the command sync.

Every command of ``engine.commands`` with ``slash=True`` becomes a slash command whose options are
its declared arguments (``bot.command_registry.Arg``): a topic gets autocomplete, a count the range
1..``max_quiz_questions``, a choice its fixed choices, free words one string option. Each call
becomes a ``bot.events.Command`` (the option values as words, in declaration order) through
``InteractionHandler.command``. Commands that check the member's role (admin, or starter-or-admin)
carry ``default_member_permissions = Manage Server`` so Discord hides them from members; the engine
checks again at run time with ``UserRef.is_admin`` (Manage Server, or the member's own DM).

``/schedule`` has one Discord-only option more, ``channel``: the text or forum channel the schedule
is for (a forum channel has no message box to type a command in); without it, the channel or
thread the command is run in.

Descriptions are the registry's English summaries with its Chinese texts as localisations
(``QuizTranslator``).

Syncing: a global sync takes effect slowly and is rate-limited, so ``sync_commands`` only syncs
when the command set changed. It hashes the payloads discord.py would send (application id, scope
and every command's translated ``to_dict``) and keeps the hash in ``discord_commands.sha256`` next to
the database; an equal hash skips the sync. Delete the file to force one. With
``settings.discord_dev_guild`` the commands are synced to that guild only (instant, for development).
"""

import hashlib
import inspect
import json
import logging
import os
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Optional

import discord
from discord import app_commands

from adapters.discord.interactions import InteractionHandler
from bot.bank import QuestionBank, fold
from bot.command_registry import Arg, ArgKind, CommandRegistry, CommandSpec, L10n
from bot.config import Settings

log = logging.getLogger(__name__)

HASH_FILE = "discord_commands.sha256"
MAX_CHOICES = 25
TARGETED = "schedule"  # the command with a ``channel`` option
CHANNEL_HELP = L10n("Text or forum channel to post in (default: here); a forum gets one post a day",
                    "发到哪个文字频道或论坛频道（默认当前）；论坛每天一个帖子")


class TargetChannel(app_commands.Transformer):
    """A text, announcement or forum channel, taken as Discord resolved it (no cache needed)."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.news, discord.ChannelType.forum,
                discord.ChannelType.media]

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> Any:
        return value


def chinese_texts(commands: CommandRegistry) -> dict[str, str]:
    """English description -> Chinese, for every text a slash command shows."""
    pairs = []
    for spec in commands.specs():
        pairs.append(spec.summary)
        for arg in spec.args:
            pairs.append(arg.help)
            pairs.extend(choice.label for choice in arg.choices)
    pairs.append(CHANNEL_HELP)
    return {text.en: text.zh for text in pairs}


class QuizTranslator(app_commands.Translator):
    """Discord shows the localisation matching the member's client: Chinese from the registry."""

    def __init__(self, commands: CommandRegistry) -> None:
        self.zh = chinese_texts(commands)

    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        if locale in (discord.Locale.chinese, discord.Locale.taiwan_chinese):
            return self.zh.get(string.message)
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
               settings: Settings, commands: CommandRegistry) -> QuizTree:
    """A tree holding every slash command of the registry, wired to ``handler``."""
    tree = QuizTree(client)
    tree.handler = handler

    async def topic_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return topic_choices(bank, current)

    for spec in commands.specs("discord"):
        if not spec.slash:
            continue
        command = slash_command(spec, handler, settings, topic_autocomplete)
        command.allowed_contexts = app_commands.AppCommandContext(guild=True, dm_channel=True)
        command.allowed_installs = app_commands.AppInstallationType(guild=True)
        if spec.checks_admin:
            command.default_permissions = discord.Permissions(manage_guild=True)
        tree.add_command(command)
    return tree


def _annotation(arg: Arg, settings: Settings) -> Any:
    """The parameter type discord.py turns into the option's type and limits."""
    if arg.kind is ArgKind.COUNT:
        return app_commands.Range[int, 1, max(1, settings.max_quiz_questions)]
    if arg.kind is ArgKind.CHOICE:
        return app_commands.Choice[str]
    return str


def _words(value: object) -> tuple[str, ...]:
    """An option value as the words a typed command would have."""
    if value is None:
        return ()
    if isinstance(value, app_commands.Choice):
        return (str(value.value),)
    if isinstance(value, int):
        return (str(value),)
    return tuple(str(value).split())  # free text is parsed as typed on the other platforms


def slash_command(spec: CommandSpec, handler: InteractionHandler, settings: Settings,
                  topic_autocomplete: Callable[[discord.Interaction, str],
                                               Coroutine[Any, Any, list[app_commands.Choice[str]]]]
                  ) -> app_commands.Command:
    """One slash command from its declaration. discord.py reads the options from the callback's
    signature, so the callback takes keyword arguments and carries a built ``__signature__``."""

    async def callback(interaction: discord.Interaction, **values: object) -> None:
        words = tuple(word for arg in spec.args for word in _words(values.get(arg.name)))
        await handler.command(interaction, spec.name, words, target=values.get("channel"))

    params = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                annotation=discord.Interaction)]
    for arg in spec.args:
        annotation = _annotation(arg, settings)
        params.append(inspect.Parameter(
            arg.name, inspect.Parameter.KEYWORD_ONLY,
            annotation=annotation if arg.required else Optional[annotation],  # noqa: UP045 (a runtime type)
            default=inspect.Parameter.empty if arg.required else None))
    if spec.name == TARGETED:
        params.append(inspect.Parameter("channel", inspect.Parameter.KEYWORD_ONLY, default=None,
                                        annotation=Optional[app_commands.Transform[Any, TargetChannel]]))  # noqa: UP045
    callback.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command: app_commands.Command = app_commands.Command(name=spec.name, description=_t(spec.summary.en),
                                                         callback=callback)
    described = {arg.name: _t(arg.help.en) for arg in spec.args}
    if spec.name == TARGETED:
        described["channel"] = _t(CHANNEL_HELP.en)
    if described:
        app_commands.describe(**described)(command)
    for arg in spec.args:
        if arg.choices:
            app_commands.choices(**{arg.name: [app_commands.Choice(name=_t(c.label.en), value=c.value)
                                               for c in arg.choices]})(command)
        if arg.kind is ArgKind.TOPIC:
            app_commands.autocomplete(**{arg.name: topic_autocomplete})(command)
    return command


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
