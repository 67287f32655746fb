"""Which Telegram message or poll belongs to which round.

A member answers an open question by *replying* to it, and a choice question through its poll, so
the adapter must find the round from ``(chat_id, message_id)`` or ``poll_id``. The engine keeps
these links in SQLite (``engine.link_message`` / ``engine.round_for_message``), so they survive a
restart.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.engine import QuizEngine

log = logging.getLogger(__name__)

MESSAGE = "telegram"  # ref: f"{chat_id}:{message_id}"
POLL = "telegram-poll"  # ref: the poll id


def message_ref(chat_id: int | str, message_id: int) -> str:
    return f"{chat_id}:{message_id}"


class Links:
    def __init__(self, engine: QuizEngine) -> None:
        self.engine = engine

    async def link(self, round_id: int, kind: str, ref: str) -> None:
        await self.engine.link_message(round_id, kind, ref)

    async def round_for(self, kind: str, ref: str) -> int | None:
        return await self.engine.round_for_message(kind, ref)

    async def refs(self, round_id: int, kind: str) -> list[str]:
        """What of one kind shows the round (its poll, the poll's message), also after a restart."""
        return await self.engine.rounds.links_of(round_id, kind)
