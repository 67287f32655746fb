"""DiscordAdapter: the running connection to Discord (discord.py 2.7, gateway + slash commands).

Invite the bot with the ``bot`` and ``applications.commands`` scopes. It asks for one intent, the
non-privileged ``guilds``: slash commands, buttons and modals arrive as interactions (no intent
needed), and the guild events tell the bot where it is: discord.py caches the guilds, channels and
active threads (so a push knows a forum from a text channel without asking), and the adapter learns
when it is removed from a guild or a channel or thread is deleted (the chat is marked inactive, its
schedule pauses, its data stays) and when it is added back (the chats there resume).

The client is an ``AutoShardedClient`` (``adapters.discord.sharding``): every shard in this process
by default, or the configured ``DISCORD_SHARD_COUNT`` / ``DISCORD_SHARD_IDS``.

``start()`` does not block: it runs ``client.start(token)`` in a task and waits (``ready_timeout``)
for ``on_ready`` (every shard ready); a login failure is raised from ``start()``. ``stop()`` closes
the client. ``setup_hook`` registers the persistent buttons (``views.DYNAMIC_ITEMS``) and syncs the
slash commands only when they changed (``commands.sync_commands``).

``send(reply)`` is the engine's ``Messenger`` for pushes (timed reveals, daily questions): it posts
to the channel id in ``reply.chat.id`` through ``channels.Destinations`` (threads, forum posts,
archived threads); ``discord.Forbidden`` / ``NotFound`` become ``bot.messenger.ChatUnavailable``.
discord.py itself waits on rate-limit buckets and retries 429s.

Endpoints: ``settings.discord_api_base_url`` replaces ``discord.http.Route.BASE`` (give the full
``.../api/v10`` or a root, to which ``/api/v10`` is added) and ``settings.discord_gateway_url``
replaces ``DiscordWebSocket.DEFAULT_GATEWAY`` (also over the URL ``GET /gateway/bot`` returns). Both
are *process-global class attributes* of discord.py: the library builds every REST route and the
gateway connection from them and has no per-client setting. So they affect every discord.py client
in the process; that is fine for one bot per process (the intended deployment: a REST proxy in
front of Discord, or the tests' fake), and ``start()`` leaves them untouched when the settings are
empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import TYPE_CHECKING, Any

import discord
import discord.gateway
import discord.http
import yarl

from adapters.discord.channels import Destinations
from adapters.discord.commands import QuizTranslator, build_tree, sync_commands
from adapters.discord.interactions import DEFER_AFTER, PLATFORM, InteractionHandler
from adapters.discord.sharding import IdentifyPacer, shard_options
from adapters.discord.views import DYNAMIC_ITEMS, MODAL_RE, REVIEW_MODAL_RE
from bot.config import Settings
from bot.model import ChatRef
from bot.replies import Reply

if TYPE_CHECKING:
    from bot.engine import QuizEngine

log = logging.getLogger(__name__)

READY_TIMEOUT = 60.0  # every shard identifies, and its guilds stream in, before the bot is ready


def configure_endpoints(settings: Settings) -> None:
    """Point discord.py at other REST / gateway endpoints (process-global: see the module docstring)."""
    if settings.discord_api_base_url:
        base = settings.discord_api_base_url.rstrip("/")
        if not re.search(r"/api/v\d+$", base):
            base += "/api/v10"
        discord.http.Route.BASE = base
        log.info("Discord REST base: %s", base)
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)
        log.info("Discord gateway: %s", settings.discord_gateway_url)


def chat_keys(guild: discord.Guild) -> list[str]:
    """The chat keys of a guild's channels and the threads discord.py holds for it."""
    ids = [c.id for c in guild.channels] + [t.id for t in guild.threads]
    return [f"{PLATFORM}:{i}" for i in ids]


class QuizClient(discord.AutoShardedClient):
    """discord.py client: the command tree, persistent buttons, modal routing, readiness, shards,
    and what the guild events say about the bot's chats."""

    def __init__(self, handler: InteractionHandler, engine: QuizEngine, settings: Settings, **options: Any) -> None:
        options = shard_options(settings.discord_shard_count, settings.discord_shard_ids) | options
        super().__init__(intents=discord.Intents(guilds=True), **options)  # type: ignore[arg-type]
        self.quiz = handler  # the dynamic items find the handler here
        self.engine = engine
        self.settings = settings
        self.commands = engine.commands
        self.tree = build_tree(self, handler, engine.bank, settings, engine.commands)
        self.ready_event = asyncio.Event()
        self.synced: bool | None = None  # whether the last setup_hook synced commands
        self.pacer = IdentifyPacer()

    async def launch_shards(self) -> None:
        """Learn the shard count and the IDENTIFY concurrency from ``GET /gateway/bot``; a configured
        gateway URL (a proxy, the tests' fake) wins over the one Discord returns."""
        if not self.is_closed():
            count, url, limits = await self.http.get_bot_gateway()
            self.pacer = IdentifyPacer(int(limits.get("max_concurrency", 1)))
            if self.shard_count is None:
                self.shard_count = count
                if not self.settings.discord_gateway_url:
                    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
            log.info("Discord: %d shards, running %s here", self.shard_count,
                     self.shard_ids if self.shard_ids is not None else "all")
        await super().launch_shards()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        await self.pacer.wait(shard_id)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        await self.tree.set_translator(QuizTranslator(self.commands))
        try:
            self.synced = await sync_commands(self.tree, self.settings, self.application_id)
        except discord.HTTPException:
            # the bot still works with the commands Discord already has; the next start retries
            log.exception("syncing the slash commands failed")
            self.synced = False

    async def on_ready(self) -> None:
        log.info("connected to Discord as %s (%s)", self.user, self.application_id)
        self.ready_event.set()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.modal_submit:
            return  # commands go through the tree, buttons through the dynamic items
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        match = MODAL_RE.fullmatch(custom_id)
        review = REVIEW_MODAL_RE.fullmatch(custom_id)
        if match:
            await self.quiz.modal_submit(interaction, int(match["round"]))
        elif review:
            await self.quiz.review_submit(interaction, int(review["item"]))
        else:
            log.warning("modal submit with unknown custom id %r", data.get("custom_id"))

    # -- where the bot is: guilds, channels, threads ------------------------------------------

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Removed from a guild (kicked, banned, or the guild deleted): its chats become inactive,
        which pauses their schedules; rounds, scores and settings stay."""
        keys = chat_keys(guild)
        log.info("removed from guild %s (%s): %d chats inactive", guild.id, guild.name, len(keys))
        for key in keys:
            await self.engine.set_chat_active(key, False)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        """Added (back) to a guild: its chats that were inactive because the bot was gone become
        active, their schedules resume, and each is welcomed back with what was kept."""
        names = {f"{PLATFORM}:{c.id}": c.name for c in [*guild.channels, *guild.threads]}
        keys = list(names)
        inactive: list[str] = []
        for start in range(0, len(keys), 500):  # SQLite's bound-parameter limit, with room to spare
            part = keys[start : start + 500]
            rows = await self.engine.store.fetchall(
                f"SELECT key FROM chats WHERE active = 0 AND key IN ({','.join('?' * len(part))})", part)
            inactive += [row["key"] for row in rows]
        for key in inactive:
            chat = ChatRef(PLATFORM, key.partition(":")[2], private=False, title=names[key])
            await self.engine.push(await self.engine.chats.rejoined(chat))
        log.info("joined guild %s (%s): %d chats resumed", guild.id, guild.name, len(inactive))

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        log.info("channel %s (%s) deleted: chat inactive", channel.id, channel.name)
        await self.engine.set_chat_active(f"{PLATFORM}:{channel.id}", False)

    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        log.info("thread %s deleted: chat inactive", payload.thread_id)
        await self.engine.set_chat_active(f"{PLATFORM}:{payload.thread_id}", False)


class DiscordAdapter:
    platform = PLATFORM
    fatal_errors = (discord.LoginFailure, discord.PrivilegedIntentsRequired)  # the runtime stops on these

    def __init__(self, engine: QuizEngine, settings: Settings, *, ready_timeout: float = READY_TIMEOUT,
                 defer_after: float = DEFER_AFTER, **client_options: Any) -> None:
        if not settings.discord_token:
            raise ValueError("DISCORD_BOT_TOKEN is not set")
        self.engine = engine
        self.settings = settings
        self.ready_timeout = ready_timeout
        self.handler = InteractionHandler(engine, settings, defer_after)
        self.client_options = client_options
        self.client: QuizClient | None = None
        self._task: asyncio.Task | None = None
        self.destinations = Destinations(engine, settings.cache_entries)
        self.handler.destinations = self.destinations
        engine.add_messenger(PLATFORM, self, answers_by_button=True)

    async def start(self) -> None:
        configure_endpoints(self.settings)
        client = self.client = QuizClient(self.handler, self.engine, self.settings, **self.client_options)
        self._task = asyncio.create_task(client.start(self.settings.discord_token or ""), name="discord-client")
        ready = asyncio.create_task(client.ready_event.wait())
        try:
            done, _ = await asyncio.wait({self._task, ready}, timeout=self.ready_timeout,
                                         return_when=asyncio.FIRST_COMPLETED)
        finally:
            ready.cancel()
        if self._task in done:
            error = self._task.exception()
            await self.stop()
            raise error or RuntimeError("the Discord client stopped before it was ready")
        if not done:
            await self.stop()
            raise TimeoutError(f"Discord not ready within {self.ready_timeout} s")

    async def stop(self) -> None:
        client, task = self.client, self._task
        self.client, self._task = None, None
        if client is not None:
            await client.close()
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, 10)

    @property
    def tree(self) -> discord.app_commands.CommandTree | None:
        return self.client.tree if self.client else None

    async def send(self, reply: Reply) -> None:
        """Post a reply nobody is waiting for (see the module docstring)."""
        client = self.client
        if client is None:
            raise RuntimeError("the Discord adapter is not running")
        await self.destinations.send(client, reply)
