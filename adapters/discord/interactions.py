"""Interactions in, engine events out, replies back: the glue between discord.py and the engine.

Every interaction is acknowledged within Discord's 3 seconds:

* commands known to be slow (``SLOW_COMMANDS``: leaderboard and stats queries over the whole
  history) are deferred ("thinking") before the engine is called;
* every other engine call races a short timer (``defer_after``, 1 s by default): if the engine has
  not answered by then, the interaction is deferred and the replies follow as follow-ups. The fast
  path (almost always) answers directly, which lets each reply pick its own visibility.

Deferring picks the visibility the answer will most likely need (public for commands, ephemeral for
``/forget``, buttons and modal submits). When the first reply needs the other visibility, the
deferred "thinking" message is deleted and the reply sent as a follow-up instead, so an error is
never shown to the whole channel.

Where: the chat is the interaction's channel; a thread or forum post is a chat of its own. Two
exceptions: ``/schedule`` with its ``channel`` option acts for that channel (a forum channel takes
no commands itself), and a button pressed inside a forum post that asks a forum's question of the
day answers for the forum chat (the post is linked to its round).

Delivery: replies whose ``chat`` is the interaction's chat become the interaction response and
follow-ups (ephemeral when ``embeds.is_ephemeral``); replies for other chats (a DM, the group when a
private answer triggers the reveal) are pushed through the engine's messengers (``channel.send``).
Failures anywhere reach the member as a short ephemeral apology and the log, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Protocol

import discord
from discord.utils import MISSING

from adapters.discord.embeds import Outgoing, render
from adapters.discord.views import answer_modal, build_view, modal_value, review_modal
from bot.catalogue import pick_lang, say
from bot.config import Settings
from bot.events import ButtonPress, ChoicePick, Command, Event, TextAnswer
from bot.model import ChatRef, UserRef
from bot.replies import Reply

if TYPE_CHECKING:
    from bot.engine import QuizEngine

log = logging.getLogger(__name__)

PLATFORM = "discord"
DEFER_AFTER = 1.0  # seconds the engine may take before the interaction is deferred
SLOW_COMMANDS = frozenset({"leaderboard", "me"})
PRIVATE_COMMANDS = frozenset({"forget", "review"})  # their answer is for the member alone
NO_MENTIONS = discord.AllowedMentions.none()
# keys in Interaction.extras: the visibility a deferred response was given, whether its
# "thinking" message has been replaced yet, and the chat the interaction acts for
DEFERRED, PENDING, CHAT = "qb_deferred_ephemeral", "qb_original_pending", "qb_chat"
POST_LINK = "discord:post"  # links: forum post (thread id) -> the round it asks


class ChannelKinds(Protocol):
    def learn(self, channel_id: int, channel_type: int) -> None: ...


def channel_ref(channel: Any) -> ChatRef:
    """A guild channel (an interaction's, or a command option's) as a chat."""
    return ChatRef(PLATFORM, str(channel.id), private=False, title=getattr(channel, "name", None) or "")


def chat_of(interaction: discord.Interaction) -> ChatRef:
    """The channel as a chat; a DM (no guild) is private."""
    channel = interaction.channel
    title = getattr(channel, "name", None) or ""
    return ChatRef(PLATFORM, str(interaction.channel_id), private=interaction.guild_id is None, title=title)


def user_of(interaction: discord.Interaction) -> UserRef:
    """The member; admin when they may manage the server, and always in their own DM."""
    if interaction.guild_id is None:
        admin = True
    else:
        admin = bool(interaction.permissions.manage_guild)
    user = interaction.user
    return UserRef(PLATFORM, str(user.id), user.display_name or user.name, is_admin=admin)


def locale_of(interaction: discord.Interaction) -> str:
    return interaction.locale.value if isinstance(interaction.locale, discord.Locale) else str(interaction.locale)


class InteractionHandler:
    """Turns interactions into engine events and delivers the replies (see the module docstring)."""

    def __init__(self, engine: QuizEngine, settings: Settings, defer_after: float = DEFER_AFTER) -> None:
        self.engine = engine
        self.settings = settings
        self.defer_after = defer_after
        self.destinations: ChannelKinds | None = None  # told the kind of every channel seen

    def _learn(self, channel: Any) -> None:
        kind = getattr(channel, "type", None)
        if self.destinations is not None and channel is not None and isinstance(kind, discord.ChannelType):
            self.destinations.learn(channel.id, kind.value)

    async def _round_chat(self, interaction: discord.Interaction, round_id: int) -> None:
        """A button inside a forum post answers for the forum: the post's parent is the round's chat."""
        channel = interaction.channel
        parent = getattr(channel, "parent_id", None)
        if parent is None or interaction.guild_id is None:
            return
        if await self.engine.round_for_message(POST_LINK, str(interaction.channel_id)) == round_id:
            interaction.extras[CHAT] = ChatRef(PLATFORM, str(parent), private=False)

    def lang(self, interaction: discord.Interaction) -> str:
        return pick_lang(locale_of(interaction), self.settings.default_lang)

    def _base(self, interaction: discord.Interaction) -> dict[str, Any]:
        self._learn(interaction.channel)
        chat = interaction.extras.get(CHAT) or chat_of(interaction)
        return {"chat": chat, "user": user_of(interaction), "locale": locale_of(interaction),
                "update_key": f"{PLATFORM}:{interaction.id}"}

    # -- entry points (slash commands, buttons, the modal) --------------------------------------

    async def command(self, interaction: discord.Interaction, name: str, args: tuple[str, ...] = (),
                      target: Any = None) -> None:
        """A slash command; ``target``: the guild channel it acts for (``/schedule``'s channel option)."""
        if target is not None and interaction.guild_id is not None:
            self._learn(target)
            interaction.extras[CHAT] = channel_ref(target)
        event = Command(**self._base(interaction), name=name, args=tuple(a for a in args if a))
        private = name in PRIVATE_COMMANDS
        await self._run(interaction, event, defer_ephemeral=private, defer_now=name in SLOW_COMMANDS)

    async def pick(self, interaction: discord.Interaction, round_id: int, option: int) -> None:
        await self._round_chat(interaction, round_id)
        event = ChoicePick(**self._base(interaction), round_id=round_id, option=option)
        await self._run(interaction, event, defer_ephemeral=True)

    async def button(self, interaction: discord.Interaction, data: str) -> None:
        event = ButtonPress(**self._base(interaction), data=data)
        await self._run(interaction, event, defer_ephemeral=data != "qb:next",
                        defer_now=data.startswith("qb:forget:yes"))

    async def open_answer_modal(self, interaction: discord.Interaction, round_id: int) -> None:
        """Show the private answer form. A modal must be the very first response, so no engine call
        happens here: the engine judges the answer (round closed, too long ...) on submit."""
        try:
            await interaction.response.send_modal(
                answer_modal(round_id, self.lang(interaction), self.settings.max_answer_chars))
        except Exception as exc:
            await self.report_error(interaction, exc)

    async def modal_submit(self, interaction: discord.Interaction, round_id: int) -> None:
        await self._round_chat(interaction, round_id)
        text = modal_value(interaction.data) or ""  # type: ignore[arg-type]
        event = TextAnswer(**self._base(interaction), text=text, round_id=round_id)
        await self._run(interaction, event, defer_ephemeral=True)

    async def open_review_modal(self, interaction: discord.Interaction, item: int) -> None:
        """The answer form of a /review card (like ``open_answer_modal``: the form comes first)."""
        try:
            await interaction.response.send_modal(
                review_modal(item, self.lang(interaction), self.settings.max_answer_chars))
        except Exception as exc:
            await self.report_error(interaction, exc)

    async def review_submit(self, interaction: discord.Interaction, item: int) -> None:
        text = modal_value(interaction.data) or ""  # type: ignore[arg-type]
        event = TextAnswer(**self._base(interaction), text=text, review_item=item)
        await self._run(interaction, event, defer_ephemeral=True)

    # -- running the engine -----------------------------------------------------------------------

    async def _run(self, interaction: discord.Interaction, event: Event, *, defer_ephemeral: bool,
                   defer_now: bool = False) -> None:
        try:
            if defer_now:
                await self._defer(interaction, defer_ephemeral)
            replies = await self._call_engine(interaction, event, defer_ephemeral)
            await self.deliver(interaction, replies)
        except Exception as exc:
            await self.report_error(interaction, exc)

    async def _call_engine(self, interaction: discord.Interaction, event: Event, defer_ephemeral: bool) -> list[Reply]:
        task = asyncio.ensure_future(self.engine.handle(event))
        if interaction.response.is_done():
            return await task
        done, _pending = await asyncio.wait({task}, timeout=self.defer_after)
        if not done:
            log.info("engine slow on %s %s: deferring", type(event).__name__, interaction.id)
            await self._defer(interaction, defer_ephemeral)
        return await task

    async def _defer(self, interaction: discord.Interaction, ephemeral: bool) -> None:
        if interaction.response.is_done():
            return
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        interaction.extras[DEFERRED] = ephemeral
        interaction.extras[PENDING] = True

    # -- delivering replies -----------------------------------------------------------------------

    async def deliver(self, interaction: discord.Interaction, replies: list[Reply]) -> None:
        acting = interaction.extras.get(CHAT)
        here = {str(interaction.channel_id)} | ({acting.id} if acting is not None else set())
        local = [r for r in replies if r.chat.platform == PLATFORM and r.chat.id in here]
        remote = [r for r in replies if not (r.chat.platform == PLATFORM and r.chat.id in here)]
        messages = [m for r in local for m in render(r)]
        for message in messages:
            await self.respond(interaction, message)
        if not messages:
            await self._acknowledge_quietly(interaction)
        if remote:
            await self.engine.push(remote)

    async def respond(self, interaction: discord.Interaction, message: Outgoing) -> None:
        """Send one message as the interaction's response, or as a follow-up once it has one."""
        view = build_view(message.buttons)
        content = message.content or None
        if not interaction.response.is_done():
            await interaction.response.send_message(content=content, embeds=message.embeds, view=view or MISSING,
                                                    ephemeral=message.ephemeral, allowed_mentions=NO_MENTIONS)
            return
        if interaction.extras.get(PENDING):
            interaction.extras[PENDING] = False
            if interaction.extras.get(DEFERRED) == message.ephemeral:
                await interaction.edit_original_response(content=content, embeds=message.embeds, view=view,
                                                         allowed_mentions=NO_MENTIONS)
                return
            # the "thinking" message has the wrong visibility for this reply: replace it
            await interaction.delete_original_response()
        await interaction.followup.send(content=content or MISSING, embeds=message.embeds, view=view or MISSING,
                                        ephemeral=message.ephemeral, allowed_mentions=NO_MENTIONS)

    async def _acknowledge_quietly(self, interaction: discord.Interaction) -> None:
        """Nothing to show (a duplicated delivery, or everything went to other chats)."""
        if interaction.extras.get(PENDING):
            interaction.extras[PENDING] = False
            await interaction.delete_original_response()
        elif not interaction.response.is_done():
            if interaction.type is discord.InteractionType.application_command:
                await interaction.response.send_message("✓", ephemeral=True)
            else:
                await interaction.response.defer()  # a button: acknowledged, nothing changes

    async def report_error(self, interaction: discord.Interaction, error: BaseException | None = None) -> None:
        """Tell the member, briefly and privately, that something failed; log the details."""
        if error is not None:
            log.error("interaction %s (%s) failed", interaction.id, interaction.type.name,
                      exc_info=(type(error), error, error.__traceback__))
        text = say(self.lang(interaction), "internal_error")
        try:
            if interaction.type is discord.InteractionType.autocomplete:
                return
            await self.respond(interaction, Outgoing(content=text, ephemeral=True))
        except Exception:
            log.exception("could not report the error of interaction %s to the member", interaction.id)
