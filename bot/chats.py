"""Chats and members as the engine knows them: language, time zone, reachability, names, admins.

A chat is stored the first time it talks to the bot (its language from the member's client
locale); its (language, zone) pair is cached because it is read on every event and changes only
through ``/lang``, ``/schedule`` or a platform telling us the chat is gone. A private chat keeps
following its member's client language (they switched Telegram to Chinese) until ``/lang`` sets
one. Member names are upserted through the answers' group commit, so a burst of first-time
members costs one transaction, and boards always show the name a member last used.

Where a chat stands: removed from it (``set_active(False)``) pauses its schedule with the reason
``inactive`` and keeps every row; back in it resumes that schedule and ``rejoined`` builds the
welcome. A deleted forum topic (``thread_gone``) pauses the schedule posting there and leaves a
notice the admins see on their next command (``take_notice``). ``move`` re-keys a chat that
changed id (``bot.chat_moves``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import chat_notices
from bot.catalogue import pick_lang
from bot.chat_moves import move_chat
from bot.config import Settings
from bot.lru import LRU
from bot.model import ChatRef, Round, UserRef
from bot.private_answers import PrivateAnswers
from bot.replies import Reply, ReplyKind
from bot.storage import Store

log = logging.getLogger(__name__)

# a part that posts to chats on its own (the scheduler) learns of schedules the bot resumed, and
# adds its lines to the welcome of a chat the bot was added back to: (chat, lang) -> line or None
ResumeListener = Callable[[str], Awaitable[None]]
WelcomeLine = Callable[[ChatRef, str], Awaitable[str | None]]


class ChatDirectory:
    def __init__(self, store: Store, settings: Settings, clock: Callable[[], float]) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.button_platforms: set[str] = set()  # platforms where open answers go through a button
        # bounded (least recently used dropped): both are re-read from SQLite when needed
        # chat key -> (lang, tz, whether the language follows the member's client: a private chat
        # without /lang)
        self._chats: LRU[str, tuple[str, str, bool]] = LRU(settings.cache_entries)
        self._notices: LRU[str, str | None] = LRU(settings.cache_entries)  # chat key -> pending notice
        self.resume_listeners: list[ResumeListener] = []
        self.welcome_lines: list[WelcomeLine] = []
        self._names: LRU[str, str] = LRU(settings.cache_entries)  # user key -> last stored name
        # who may answer a chat's round from outside it: signed links, membership, pending answers
        self.private_answers = PrivateAnswers(store, clock)

    async def settings_of(self, chat: ChatRef, locale: str | None = None) -> tuple[str, str]:
        """(language, time zone) of a chat; a chat seen for the first time is stored. With the
        member's ``locale``, a private chat whose language was never set with /lang follows it."""
        cached = self._chats.get(chat.key)
        if cached is None:
            row = await self.store.fetchone("SELECT lang, tz, active, lang_set FROM chats WHERE key = ?", (chat.key,))
            if row is None:
                lang = pick_lang(locale, self.settings.default_lang)
                async with self.store.write() as db:
                    await db.execute(
                        "INSERT OR IGNORE INTO chats(key, platform, private, title, lang, tz, created_at)"
                        " VALUES (?, ?, ?, ?, ?, NULL, ?)",
                        (chat.key, chat.platform, int(chat.private), chat.title, lang, self.clock()),
                    )
                cached = (lang, self.settings.default_tz, chat.private)
            else:
                if not row["active"]:  # the chat talks to us again: it is reachable
                    await self.set_active(chat.key, True)
                cached = (row["lang"] or self.settings.default_lang, row["tz"] or self.settings.default_tz,
                          chat.private and not row["lang_set"])
            self._chats[chat.key] = cached
        lang, tz, follows = cached
        if follows and locale:
            wanted = pick_lang(locale, lang)
            if wanted != lang:  # the member switched their client's language
                async with self.store.write() as db:
                    await db.execute("UPDATE chats SET lang = ? WHERE key = ? AND lang_set = 0", (wanted, chat.key))
                lang = wanted
                self._chats[chat.key] = (lang, tz, follows)
        return lang, tz

    def cached_lang(self, chat_key: str) -> str:
        """The chat's language without touching the database (for the apology after an error)."""
        return self._chats.get(chat_key, (self.settings.default_lang, "", False))[0]

    def forget(self, chat_key: str) -> None:
        """Drop the cached settings (someone else changed them)."""
        self._chats.pop(chat_key, None)

    async def set_active(self, chat_key: str, active: bool) -> bool:
        """The platform says the bot was removed from the chat (or blocked), or is back. Nothing is
        deleted: leaving pauses the chat's schedule (reason ``inactive``), coming back resumes a
        schedule paused that way. Returns whether the chat was inactive before."""
        async with self.store.write() as db:
            row = await (await db.execute("SELECT active FROM chats WHERE key = ?", (chat_key,))).fetchone()
            was_inactive = row is not None and not row["active"]
            await db.execute("UPDATE chats SET active = ? WHERE key = ?", (int(active), chat_key))
            if active:
                cur = await db.execute("UPDATE schedules SET enabled = 1, paused = NULL"
                                       " WHERE chat_key = ? AND paused = 'inactive'", (chat_key,))
            else:
                cur = await db.execute("UPDATE schedules SET enabled = 0, paused = 'inactive'"
                                       " WHERE chat_key = ? AND enabled = 1", (chat_key,))
            changed = cur.rowcount > 0
        self.forget(chat_key)
        if was_inactive == active or changed:
            log.info("chat %s marked %s%s", chat_key, "active" if active else "inactive",
                     "; its schedule " + ("resumes" if active else "is paused") if changed else "")
        if active and changed:
            for listener in self.resume_listeners:
                await listener(chat_key)
        return was_inactive

    async def rejoined(self, chat: ChatRef) -> list[Reply]:
        """The bot was added to a group: if it had been removed from it before, the chat is active
        again, its schedule resumes, and the welcome says what was kept."""
        if not await self.set_active(chat.key, True):
            return []  # a first join (or a change of rights): nothing to welcome back
        lang, _tz = await self.settings_of(chat)
        lines = [chat_notices.say(lang, "welcome_back")]
        for line in self.welcome_lines:
            text = await line(chat, lang)
            if text:
                lines.append(text)
        return [Reply(chat, ReplyKind.INFO, "\n".join(lines))]

    async def set_lang(self, chat_key: str, lang: str) -> None:
        async with self.store.write() as db:
            await db.execute("UPDATE chats SET lang = ?, lang_set = 1 WHERE key = ?", (lang, chat_key))
        self.forget(chat_key)

    async def stored(self, chat_key: str) -> ChatRef:
        """The ChatRef of a chat known only by its key (a push, a reveal, a scheduled post); its
        thread is where its schedule posts (a forum topic, or '' for the main place)."""
        row = await self.store.fetchone(
            "SELECT c.platform, c.private, c.title, s.thread FROM chats c"
            " LEFT JOIN schedules s ON s.chat_key = c.key WHERE c.key = ?", (chat_key,))
        platform, _, chat_id = chat_key.partition(":")
        if row is None:
            return ChatRef(platform, chat_id)
        return ChatRef(platform, chat_id, bool(row["private"]), row["title"], row["thread"] or "")

    @staticmethod
    def of_round(rnd: Round, fallback: ChatRef) -> ChatRef:
        """The round's chat as a ChatRef (the event may come from a private chat or a poll), in the
        thread the round was asked in."""
        if rnd.chat_key == fallback.key:
            return fallback
        platform, _, chat_id = rnd.chat_key.partition(":")
        return ChatRef(platform, chat_id, thread=rnd.thread)

    # -- forum topics and notices -------------------------------------------------------------

    async def thread_gone(self, chat_key: str, thread: str) -> bool:
        """A forum topic of the chat no longer exists (deleted): a schedule posting there pauses
        and the admins are told on their next command. True when a schedule was paused."""
        if not thread:
            return False
        async with self.store.write() as db:
            cur = await db.execute("UPDATE schedules SET enabled = 0, paused = 'thread_gone'"
                                   " WHERE chat_key = ? AND thread = ? AND enabled = 1", (chat_key, thread))
            paused = cur.rowcount > 0
            if paused:
                await db.execute("UPDATE chats SET notice = 'thread_gone' WHERE key = ?", (chat_key,))
        if paused:
            self._notices[chat_key] = "thread_gone"
            log.warning("chat %s: forum topic %s is gone; its daily schedule is paused until an admin sets it"
                        " again", chat_key, thread)
        return paused

    async def has_notice(self, chat_key: str) -> bool:
        """Whether the chat's admins have something to be told (cached: read on every command)."""
        if chat_key not in self._notices:
            row = await self.store.fetchone("SELECT notice FROM chats WHERE key = ?", (chat_key,))
            self._notices[chat_key] = row["notice"] if row else None
        return self._notices[chat_key] is not None

    async def take_notice(self, chat: ChatRef, user: UserRef, lang: str) -> Reply | None:
        """The pending notice for the chat's admins, once, when ``user`` is one of them."""
        if not self.is_admin(chat, user) or not await self.has_notice(chat.key):
            return None
        async with self.store.write() as db:
            row = await (await db.execute("UPDATE chats SET notice = NULL WHERE key = ? AND notice IS NOT NULL"
                                          " RETURNING 'x' AS taken", (chat.key,))).fetchone()
        notice = self._notices.get(chat.key)
        self._notices[chat.key] = None
        if row is None or notice not in chat_notices.MESSAGES:
            return None  # another process told them already
        return Reply(chat, ReplyKind.INFO, chat_notices.say(lang, notice))

    # -- a chat that changed id ---------------------------------------------------------------

    async def move(self, old_key: str, new_key: str) -> bool:
        """Move a chat that changed id (a Telegram group upgraded to a supergroup) with all its data
        to its new key, in one transaction; repeated notices of the same move change nothing."""
        moved = await move_chat(self.store, old_key, new_key, self.clock())
        for key in (old_key, new_key):
            self.forget(key)
            self._notices.pop(key, None)
        if moved:
            for listener in self.resume_listeners:  # its schedule's slot may have to be rebuilt
                await listener(new_key)
        return moved

    def answers_by_button(self, chat: ChatRef) -> bool:
        return chat.platform in self.button_platforms

    def local_date(self, tz: str, when: float | None = None) -> str:
        return datetime.fromtimestamp(self.clock() if when is None else when, ZoneInfo(tz)).date().isoformat()

    def is_admin(self, chat: ChatRef, user: UserRef) -> bool:
        return user.is_admin or chat.private or user.key in self.settings.admin_ids

    # -- members ------------------------------------------------------------------------------

    def remember_user(self, user: UserRef) -> asyncio.Future | None:
        """Queue the member's name for the next group commit, unless it is stored already; the future
        is done once it is committed (None: nothing to store). The caller need not wait at once: an
        answer queued after it is committed in the same transaction or a later one."""
        name = user.name or user.id
        if self._names.get(user.key) == name:
            return None
        stored = self.store.enqueue(
            "INSERT INTO users(key, name, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
            (user.key, name, self.clock()),
        )
        self._names[user.key] = name
        stored.add_done_callback(lambda fut: self._name_failed(user.key, name) if fut.exception() else None)
        return stored

    def _name_failed(self, user_key: str, name: str) -> None:
        """Not stored after all: the next event of the member tries again."""
        if self._names.get(user_key) == name:
            self._names.pop(user_key, None)

    def forget_user(self, user_key: str) -> None:
        """The member's profile was deleted (/forget): store the name again next time."""
        self._names.pop(user_key, None)
