"""The one interface the engine and the scheduler use to push messages no user asked for.

Adapters implement it; the engine keeps one per platform and routes a reply by
``reply.chat.platform``. A messenger raises ``ChatUnavailable`` when the chat removed or blocked
the bot, so the caller can mark it inactive instead of crashing.
"""

from __future__ import annotations

from typing import Protocol

from bot.replies import Reply


class ChatUnavailable(Exception):
    """The platform says this chat cannot be reached any more (bot removed, blocked, chat deleted)."""


class Messenger(Protocol):
    async def send(self, reply: Reply) -> None: ...
