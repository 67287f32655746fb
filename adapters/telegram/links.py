"""Which Telegram message or poll belongs to which round.

A member answers an open question by *replying* to it, and a choice question through its poll, so
the adapter must find the round from ``(chat_id, message_id)`` or ``poll_id``. The contract names
``engine.link_message`` / ``engine.round_for_message`` for this; while the engine does not provide
them yet, the same rows are kept in the store's ``links`` table (kind, ref) -> round_id, which the
schema already has, so nothing is lost on a restart either way.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

MESSAGE = "telegram"  # ref: f"{chat_id}:{message_id}"
POLL = "telegram-poll"  # ref: the poll id


def message_ref(chat_id: int | str, message_id: int) -> str:
    return f"{chat_id}:{message_id}"


class Links:
    def __init__(self, engine) -> None:
        self.engine = engine

    async def link(self, round_id: int, kind: str, ref: str) -> None:
        if hasattr(self.engine, "link_message"):
            await self.engine.link_message(round_id, kind, ref)
            return
        async with self.engine.store.write() as db:
            await db.execute(
                "INSERT OR REPLACE INTO links(kind, ref, round_id) VALUES (?, ?, ?)", (kind, ref, round_id)
            )

    async def round_for(self, kind: str, ref: str) -> int | None:
        if hasattr(self.engine, "round_for_message"):
            return await self.engine.round_for_message(kind, ref)
        row = await self.engine.store.fetchone("SELECT round_id FROM links WHERE kind = ? AND ref = ?", (kind, ref))
        return row["round_id"] if row else None
