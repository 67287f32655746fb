"""What every adapter agrees on: the Adapter protocol and the incoming event types.

The event types themselves live in ``bot.events`` (the core must not import ``adapters``); they are
re-exported here so adapter code reads naturally.
"""

from __future__ import annotations

from typing import Protocol

from bot.events import ButtonPress, ChoicePick, Command, Event, TextAnswer
from bot.messenger import Messenger
from bot.replies import Reply

__all__ = ["Adapter", "ButtonPress", "ChoicePick", "Command", "Event", "Messenger", "Reply", "TextAnswer"]


class Adapter(Messenger, Protocol):
    """A running connection to one platform. ``platform`` is the ChatRef.platform it serves."""

    platform: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, reply: Reply) -> None:
        """Deliver a pushed reply (daily question, timed reveal) to ``reply.chat``."""
        ...
