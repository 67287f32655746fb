"""Render a neutral ``Reply`` as Discord messages: embeds packed within Discord's limits.

One reply becomes one or more ``Outgoing`` messages. Short acknowledgements and errors are plain
content (they are ephemeral and read at a glance); everything else is embeds: ``Reply.text`` first
(question, checklist and scores, board ...), then ``Reply.folded`` (the model answer) in embeds of
its own. Long sections are cut by ``adapters.discord.text`` and packed greedily:

* at most 4096 UTF-16 units per embed description,
* at most 6000 across all embeds of one message, at most 10 embeds per message,
* further messages as follow-ups (the caller sends them in order).

A message does not start a new embed in a nearly full message (less than ``MIN_ROOM`` left): the
section goes on in the next message instead of as a sliver. Buttons go on the last message, under
the end of what they refer to. Who may see a message (``ephemeral``) follows ``is_ephemeral``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import discord

from adapters.discord.text import cut, dlen, to_discord
from bot.replies import Button, Reply, ReplyKind

log = logging.getLogger(__name__)

MAX_CONTENT = 2000
MAX_DESCRIPTION = 4096
MAX_MESSAGE_EMBEDS_CHARS = 6000
MAX_EMBEDS = 10
MIN_ROOM = 512  # below this, a section that does not fit goes on in the next message

COLOURS = {
    ReplyKind.QUESTION: 0x5865F2,
    ReplyKind.REVEAL: 0x57F287,
    ReplyKind.RESULT: 0x57F287,
    ReplyKind.RANKING: 0xFEE75C,
    ReplyKind.BOARD: 0xFEE75C,
    ReplyKind.STATS: 0xEB459E,
    ReplyKind.INFO: 0x99AAB5,
    ReplyKind.ACK: 0x99AAB5,
    ReplyKind.ERROR: 0xED4245,
}


@dataclass
class Outgoing:
    """One Discord message to send: content and/or embeds, buttons, visibility."""

    content: str = ""
    embeds: list[discord.Embed] = field(default_factory=list)
    buttons: tuple[Button, ...] = ()
    ephemeral: bool = False


def is_ephemeral(reply: Reply) -> bool:
    """Only the member should see it: addressed to a user, an acknowledgement, or an error."""
    return reply.to_user is not None or reply.kind in (ReplyKind.ACK, ReplyKind.ERROR)


def pack(sections: list[str], *, description: int = MAX_DESCRIPTION, total: int = MAX_MESSAGE_EMBEDS_CHARS,
         max_embeds: int = MAX_EMBEDS, min_room: int = MIN_ROOM) -> list[list[str]]:
    """Sections of text -> messages (lists of embed descriptions) within the limits. Each section
    starts a new embed; a section longer than the room left is cut at the best boundary."""
    pages: list[list[str]] = [[]]
    used = 0
    for section in sections:
        rest = section.strip("\n")
        while rest:
            room = min(description, total - used)
            if len(pages[-1]) >= max_embeds or room < min(dlen(rest), min_room):
                pages.append([])
                used = 0
                continue
            piece, rest = cut(rest, room)
            pages[-1].append(piece)
            used += dlen(piece)
    return [page for page in pages if page]


def render(reply: Reply) -> list[Outgoing]:
    """The messages that show ``reply`` on Discord (at least one unless it is empty)."""
    ephemeral = is_ephemeral(reply)
    text = to_discord(reply.text).strip("\n")
    folded = to_discord(reply.folded).strip("\n") if reply.folded.strip() else ""
    if reply.kind in (ReplyKind.ACK, ReplyKind.ERROR) and not folded and dlen(text) <= MAX_CONTENT:
        return [Outgoing(content=text, buttons=reply.buttons, ephemeral=ephemeral)] if text else []
    colour = COLOURS.get(reply.kind, 0x99AAB5)
    pages = pack([s for s in (text, folded) if s.strip()])
    out = [Outgoing(embeds=[discord.Embed(description=d, colour=colour) for d in page], ephemeral=ephemeral)
           for page in pages]
    if reply.buttons:
        if out:
            out[-1].buttons = reply.buttons
        else:
            out.append(Outgoing(content="\u200b", buttons=reply.buttons, ephemeral=ephemeral))
    return out


def message_chars(message: Outgoing) -> int:
    """Characters Discord counts against the 6000 limit for the embeds of one message."""
    return sum(dlen(e.description or "") + dlen(e.title or "") for e in message.embeds)
