"""DiscordAdapter: the running connection to Discord (discord.py 2.7, gateway + slash commands).

Invite the bot with the ``bot`` and ``applications.commands`` scopes. It asks for no privileged
intent (``Intents.none()``): slash commands, buttons and modals arrive as interactions, which need
no intent, and the adapter keeps no guild cache (it answers interactions and posts by channel id).
discord.py warns at start-up that the guilds intent is off ("may cause state related issues"): the
issues it means are an empty guild/channel cache, which nothing here reads. Without that intent no
GUILD_CREATE follows READY, so the client does not wait for one (``GUILD_READY_TIMEOUT``).

``start()`` does not block: it runs ``client.start(token)`` in a task and waits (``ready_timeout``)
for ``on_ready``; a login failure is raised from ``start()``. ``stop()`` closes the client.
``setup_hook`` registers the persistent buttons (``views.DYNAMIC_ITEMS``) and syncs the slash
commands only when they changed (``commands.sync_commands``).

``send(reply)`` is the engine's ``Messenger`` for pushes (timed reveals, daily questions): it posts
to the channel id in ``reply.chat.id``; ``discord.Forbidden`` / ``NotFound`` become
``bot.messenger.ChatUnavailable``. discord.py itself waits on rate-limit buckets and retries 429s.

Endpoints: ``settings.discord_api_base_url`` replaces ``discord.http.Route.BASE`` (give the full
``.../api/v10`` or a root, to which ``/api/v10`` is added) and ``settings.discord_gateway_url``
replaces ``DiscordWebSocket.DEFAULT_GATEWAY``. Both are *process-global class attributes* of
discord.py: the library builds every REST route and the first gateway connection from them and has
no per-client setting. So they affect every discord.py client in the process; that is fine for one
bot per process (the intended deployment: a REST proxy in front of Discord, or the tests' fake), and
``start()`` leaves them untouched when the settings are empty.
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

from adapters.discord.commands import QuizTranslator, build_tree, sync_commands
from adapters.discord.embeds import render
from adapters.discord.interactions import DEFER_AFTER, NO_MENTIONS, PLATFORM, InteractionHandler
from adapters.discord.views import DYNAMIC_ITEMS, MODAL_RE, REVIEW_MODAL_RE, build_view
from bot.config import Settings
from bot.messenger import ChatUnavailable
from bot.replies import Reply

if TYPE_CHECKING:
    from bot.engine import QuizEngine

log = logging.getLogger(__name__)

READY_TIMEOUT = 30.0
# discord.py waits this long after READY for GUILD_CREATEs; without the guilds intent none come
GUILD_READY_TIMEOUT = 0.1


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


class QuizClient(discord.Client):
    """discord.py client: the command tree, persistent buttons, modal routing, readiness."""

    def __init__(self, handler: InteractionHandler, engine: QuizEngine, settings: Settings, **options: Any) -> None:
        options.setdefault("guild_ready_timeout", GUILD_READY_TIMEOUT)
        super().__init__(intents=discord.Intents.none(), **options)
        self.quiz = handler  # the dynamic items find the handler here
        self.settings = settings
        self.commands = engine.commands
        self.tree = build_tree(self, handler, engine.bank, settings, engine.commands)
        self.ready_event = asyncio.Event()
        self.synced: bool | None = None  # whether the last setup_hook synced commands

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
        kind = discord.ChannelType.private if reply.chat.private else discord.ChannelType.text
        channel = client.get_partial_messageable(int(reply.chat.id), type=kind)
        for message in render(reply):
            view = build_view(message.buttons)
            with_view: dict[str, Any] = {"view": view} if view is not None else {}  # None is send's default
            try:
                await channel.send(content=message.content or None, embeds=message.embeds,
                                   allowed_mentions=NO_MENTIONS, **with_view)
            except (discord.Forbidden, discord.NotFound) as exc:
                log.warning("channel %s unreachable: %s", reply.chat.id, exc)
                raise ChatUnavailable(f"discord channel {reply.chat.id}: {exc}") from exc
