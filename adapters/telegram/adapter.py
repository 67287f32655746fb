"""TelegramAdapter: the running connection to Telegram (python-telegram-bot 22.x, long polling).

The runtime (``bot.runtime``) owns the event loop, so this never calls ``run_polling``: ``start()`` runs
``initialize`` (getMe: the username for ``/cmd@bot`` and deep links), ``start``, ``start_polling``
and registers the command menu (Chinese for ``zh`` clients, English by default); ``stop()`` undoes
it in reverse. PTB's JobQueue is switched off: quizbot's scheduler owns timing.

``settings.telegram_api_base_url`` points PTB at a self-hosted Bot API server (or the tests' fake):
give the server root (``http://host:8081``) or the full ``.../bot`` prefix.

``send(reply)`` is the engine's ``Messenger``: pushes use the same outbox and flood limiter as
replies to updates. Raises ``ChatUnavailable`` when Telegram says the bot was removed or blocked
(the chat is marked inactive first).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import BotCommand
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter

from adapters.telegram.handlers import Handlers
from adapters.telegram.limiter import FloodLimiter
from adapters.telegram.links import Links
from adapters.telegram.outbox import Outbox
from adapters.telegram.processor import ChatOrderedProcessor
from bot.command_registry import CommandRegistry
from bot.config import Settings
from bot.replies import Reply

if TYPE_CHECKING:
    from bot.engine import QuizEngine

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "poll_answer", "my_chat_member"]


def menu(commands: CommandRegistry, lang: str) -> list[BotCommand]:
    """The command menu in one language, from the command registry (usage shown when it has arguments)."""
    return [BotCommand(spec.name, f"{spec.summary(lang)}: {spec.usage(lang)}" if spec.args else spec.summary(lang))
            for spec in commands.specs("telegram")]


def api_urls(base: str) -> tuple[str, str]:
    """(base_url, base_file_url) for PTB from a server root or a ``.../bot`` prefix."""
    base = base.rstrip("/")
    root = base[: -len("/bot")] if base.endswith("/bot") else base
    return f"{root}/bot", f"{root}/file/bot"


class TelegramAdapter:
    platform = "telegram"
    fatal_errors = (InvalidToken,)  # the runtime stops instead of retrying these

    def __init__(self, engine: QuizEngine, settings: Settings, *, limiter: BaseRateLimiter | None = None,
                 poll_timeout: int = 30, retry_backoff: float = 0.5, admin_ttl: float = 60.0) -> None:
        if not settings.telegram_token:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        self.engine = engine
        self.settings = settings
        self.poll_timeout = poll_timeout
        builder = (
            ApplicationBuilder()
            .token(settings.telegram_token)
            .rate_limiter(limiter or FloodLimiter())
            .concurrent_updates(ChatOrderedProcessor())
            .job_queue(None)
        )
        if settings.telegram_api_base_url:
            base_url, file_url = api_urls(settings.telegram_api_base_url)
            builder = builder.base_url(base_url).base_file_url(file_url)
        self.app: Application = builder.build()
        self.outbox = Outbox(self.app.bot, engine, Links(engine), backoff=retry_backoff)
        self.handlers = Handlers(engine, self.outbox, admin_ttl)
        self.handlers.register(self.app)
        engine.add_messenger(self.platform, self)

    async def start(self) -> None:
        await self.app.initialize()  # getMe
        self.outbox.username = self.app.bot.username
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0, timeout=self.poll_timeout,
                                             allowed_updates=ALLOWED_UPDATES)
        await self._set_commands()
        log.info("telegram: polling as @%s", self.outbox.username)

    async def _set_commands(self) -> None:
        """The command menu; a failure is logged, not fatal (commands work without the menu)."""
        try:
            await self.app.bot.set_my_commands(menu(self.engine.commands, "en"))
            await self.app.bot.set_my_commands(menu(self.engine.commands, "zh"), language_code="zh")
        except TelegramError as exc:
            log.warning("set_my_commands failed: %s", exc)

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        log.info("telegram: stopped")

    async def send(self, reply: Reply) -> None:
        await self.outbox.push(reply)
