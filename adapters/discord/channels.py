"""Where a pushed reply lands on Discord: text channels, threads, forum channels, archived threads.

A chat on Discord is a channel id. A thread (and a forum post, which is a thread) has an id of its
own, so ``/quiz`` and ``/schedule`` run in a thread simply make the thread the chat: its rounds,
its schedule, its board. A forum (or media) channel takes no messages of its own, only posts, so
pushes to a forum chat are routed:

* the question of the day opens a post titled with its date and topic (``POST /channels/{id}/threads``
  with the question as the starter message); the post is linked to the round (``links`` kind
  ``discord:post``), so its reveal, and an answer pressed inside it, find it after a restart too;
* every other push about that round (the reveal) goes into its post; a push about no round (or a
  round that has no post) opens a post of its own, titled with its first line.

An archived thread refuses messages (code 50083): it is unarchived (``PATCH archived=false``,
allowed with *Send Messages in Threads* unless a moderator locked it, then *Manage Threads*) and
the message sent again. When Discord refuses that too, the chat is unreachable: ``ChatUnavailable``
names the reason, the engine marks the chat inactive and its schedule pauses.

Channel kinds come from discord.py's cache (the guilds intent keeps every channel and active
thread) or, for a channel it does not hold (an archived thread), from ``GET /channels/{id}`` once,
kept in a bounded LRU. ``discord.Forbidden`` / ``NotFound`` become ``ChatUnavailable``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord.enums import try_enum
from discord.http import handle_message_parameters

from adapters.discord.embeds import Outgoing, render
from adapters.discord.interactions import POST_LINK
from adapters.discord.views import build_view
from bot.lru import LRU
from bot.messenger import ChatUnavailable
from bot.replies import Reply

if TYPE_CHECKING:
    from bot.engine import QuizEngine

log = logging.getLogger(__name__)

ARCHIVED_THREAD = 50083  # Discord's code for "Operation cannot be performed on an archived thread"
FORUM_TYPES = frozenset({discord.ChannelType.forum.value, discord.ChannelType.media.value})
THREAD_TYPES = frozenset({discord.ChannelType.public_thread.value, discord.ChannelType.private_thread.value,
                          discord.ChannelType.news_thread.value})
MAX_TITLE = 100  # characters of a thread name
NO_MENTIONS = discord.AllowedMentions.none()


def post_title(text: str) -> str:
    """A post name from a reply's first non-empty line, without Markdown markers."""
    line = next((ln for ln in text.splitlines() if ln.strip()), "quizbot")
    line = line.replace("*", "").replace("`", "").replace("_", "").lstrip("#> ").strip() or "quizbot"
    return line if len(line) <= MAX_TITLE else line[: MAX_TITLE - 1] + "…"


class Destinations:
    """Sends pushed replies to the right Discord place (see the module docstring)."""

    def __init__(self, engine: QuizEngine, cache_entries: int) -> None:
        self.engine = engine
        self._types: LRU[int, int] = LRU(cache_entries)  # channel id -> Discord channel type

    def learn(self, channel_id: int, channel_type: int) -> None:
        """Remember a channel's kind seen in an interaction or a command option."""
        self._types[channel_id] = channel_type

    async def channel_type(self, client: discord.Client, channel_id: int) -> int:
        cached = self._types.get(channel_id)
        if cached is not None:
            return cached
        channel = client.get_channel(channel_id)
        if channel is not None:
            kind = getattr(channel, "type", discord.ChannelType.text).value
        else:
            try:
                data: Any = await client.http.get_channel(channel_id)
            except (discord.Forbidden, discord.NotFound) as exc:
                raise ChatUnavailable(f"discord channel {channel_id}: {exc}") from exc
            kind = int(data.get("type", 0))
        self._types[channel_id] = kind
        return kind

    async def post_of(self, round_id: int) -> int | None:
        """The forum post (thread id) that asks this round, if one was opened."""
        row = await self.engine.store.fetchone("SELECT ref FROM links WHERE round_id = ? AND kind = ?"
                                               " ORDER BY rowid DESC LIMIT 1",
                                               (round_id, POST_LINK))
        return int(row["ref"]) if row else None

    async def send(self, client: discord.Client, reply: Reply) -> None:
        chat_id = int(reply.chat.id)
        if reply.chat.private:
            channel = client.get_partial_messageable(chat_id, type=discord.ChannelType.private)
            for message in render(reply):
                await self._post(channel, message, reply)
            return
        kind = await self.channel_type(client, chat_id)
        if kind not in FORUM_TYPES:
            await self._to_channel(client, chat_id, kind, render(reply), reply)
            return
        post = await self.post_of(reply.round_id) if reply.round_id is not None else None
        messages = render(reply)
        if post is not None:
            try:
                await self._to_channel(client, post, discord.ChannelType.public_thread.value, messages, reply)
                return
            except ChatUnavailable as exc:  # the round's post was deleted or locked: the forum is still there
                log.warning("forum %s: the post of round %s is unreachable (%s): opening a new one", chat_id,
                            reply.round_id, exc)
        post = await self._open_post(client, chat_id, reply, messages[0])
        if messages[1:]:
            await self._to_channel(client, post, discord.ChannelType.public_thread.value, messages[1:], reply)

    async def _title(self, reply: Reply) -> str:
        """The post's name: the round's date and topic for a question, else the reply's first line."""
        rnd = await self.engine.rounds.get(reply.round_id) if reply.round_id is not None else None
        if rnd is None:
            return post_title(reply.text)
        lang, tz = await self.engine.chat_settings(reply.chat)
        topic = self.engine.bank.topics.get(rnd.topic)
        day = rnd.local_date or self.engine.local_date(tz, rnd.opened_at)
        return post_title(f"{day} · {topic.title(lang) if topic else rnd.topic}")

    async def _open_post(self, client: discord.Client, forum_id: int, reply: Reply, first: Outgoing) -> int:
        view = build_view(first.buttons)
        title = await self._title(reply)
        with handle_message_parameters(content=first.content or None, embeds=first.embeds,
                                       view=view or discord.utils.MISSING, allowed_mentions=NO_MENTIONS,
                                       channel_payload={"name": title, "type": 11}) as params:
            try:
                data: Any = await client.http.start_thread_in_forum(forum_id, params=params)
            except (discord.Forbidden, discord.NotFound) as exc:
                log.warning("forum %s: cannot open a post: %s", forum_id, exc)
                raise ChatUnavailable(f"discord forum {forum_id}: cannot open a post ({exc})") from exc
        post = int(data["id"])
        self.learn(post, discord.ChannelType.public_thread.value)
        if reply.round_id is not None:
            await self.engine.link_message(reply.round_id, POST_LINK, str(post))
        log.info("forum %s: opened post %s %r", forum_id, post, title)
        return post

    async def _to_channel(self, client: discord.Client, channel_id: int, kind: int, messages: list[Outgoing],
                          reply: Reply) -> None:
        channel = client.get_partial_messageable(channel_id, type=try_enum(discord.ChannelType, kind))
        for message in messages:
            try:
                await self._post(channel, message, reply)
            except discord.HTTPException as exc:
                if exc.code != ARCHIVED_THREAD:
                    raise
                await self._unarchive(client, channel_id)
                await self._post(channel, message, reply)

    async def _unarchive(self, client: discord.Client, thread_id: int) -> None:
        try:
            await client.http.edit_channel(thread_id, archived=False)
        except discord.HTTPException as exc:
            reason = f"thread {thread_id} is archived and the bot may not unarchive it ({exc.status}: {exc.text})"
            log.warning("discord %s: pausing", reason)
            raise ChatUnavailable(f"discord {reason}") from exc
        log.info("discord thread %s was archived: unarchived it to post", thread_id)

    @staticmethod
    async def _post(channel: discord.PartialMessageable, message: Outgoing, reply: Reply) -> None:
        view = build_view(message.buttons)
        with_view: dict[str, Any] = {"view": view} if view is not None else {}  # None is send's default
        try:
            await channel.send(content=message.content or None, embeds=message.embeds,
                               allowed_mentions=NO_MENTIONS, **with_view)
        except (discord.Forbidden, discord.NotFound) as exc:
            log.warning("channel %s unreachable: %s", channel.id, exc)
            raise ChatUnavailable(f"discord channel {reply.chat.id}: {exc}") from exc
