"""Chats and members as the engine knows them: language, time zone, reachability, names, admins.

A chat is stored the first time it talks to the bot (its language from the member's client
locale); its (language, zone) pair is cached because it is read on every event and changes only
through ``/lang``, ``/schedule`` or a platform telling us the chat is gone. Member names are
upserted through the answers' group commit, so a burst of first-time members costs one
transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.catalogue import pick_lang
from bot.config import Settings
from bot.lru import LRU
from bot.model import ChatRef, Round, UserRef
from bot.private_answers import PrivateAnswers
from bot.storage import Store


class ChatDirectory:
    def __init__(self, store: Store, settings: Settings, clock: Callable[[], float]) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.button_platforms: set[str] = set()  # platforms where open answers go through a button
        # bounded (least recently used dropped): both are re-read from SQLite when needed
        self._chats: LRU[str, tuple[str, str]] = LRU(settings.cache_entries)  # chat key -> (lang, tz)
        self._names: LRU[str, str] = LRU(settings.cache_entries)  # user key -> last stored name
        # who may answer a chat's round from outside it: signed links, membership, pending answers
        self.private_answers = PrivateAnswers(store, clock)

    async def settings_of(self, chat: ChatRef, locale: str | None = None) -> tuple[str, str]:
        """(language, time zone) of a chat; a chat seen for the first time is stored."""
        cached = self._chats.get(chat.key)
        if cached:
            return cached
        row = await self.store.fetchone("SELECT lang, tz, active FROM chats WHERE key = ?", (chat.key,))
        if row is None:
            lang = pick_lang(locale, self.settings.default_lang)
            async with self.store.write() as db:
                await db.execute(
                    "INSERT OR IGNORE INTO chats(key, platform, private, title, lang, tz, created_at)"
                    " VALUES (?, ?, ?, ?, ?, NULL, ?)",
                    (chat.key, chat.platform, int(chat.private), chat.title, lang, self.clock()),
                )
            settings = (lang, self.settings.default_tz)
        else:
            if not row["active"]:  # the chat talks to us again: it is reachable
                await self.store.set_chat_active(chat.key, True)
            settings = (row["lang"] or self.settings.default_lang, row["tz"] or self.settings.default_tz)
        self._chats[chat.key] = settings
        return settings

    def cached_lang(self, chat_key: str) -> str:
        """The chat's language without touching the database (for the apology after an error)."""
        return self._chats.get(chat_key, (self.settings.default_lang, ""))[0]

    def forget(self, chat_key: str) -> None:
        """Drop the cached settings (someone else changed them)."""
        self._chats.pop(chat_key, None)

    async def set_active(self, chat_key: str, active: bool) -> None:
        await self.store.set_chat_active(chat_key, active)
        self.forget(chat_key)

    async def set_lang(self, chat_key: str, lang: str) -> None:
        async with self.store.write() as db:
            await db.execute("UPDATE chats SET lang = ? WHERE key = ?", (lang, chat_key))
        self.forget(chat_key)

    async def stored(self, chat_key: str) -> ChatRef:
        """The ChatRef of a chat known only by its key (a push, a reveal, a scheduled post)."""
        row = await self.store.fetchone("SELECT platform, private, title FROM chats WHERE key = ?", (chat_key,))
        platform, _, chat_id = chat_key.partition(":")
        if row is None:
            return ChatRef(platform, chat_id)
        return ChatRef(platform, chat_id, bool(row["private"]), row["title"])

    @staticmethod
    def of_round(rnd: Round, fallback: ChatRef) -> ChatRef:
        """The round's chat as a ChatRef (the event may come from a private chat or a poll)."""
        if rnd.chat_key == fallback.key:
            return fallback
        platform, _, chat_id = rnd.chat_key.partition(":")
        return ChatRef(platform, chat_id)

    def answers_by_button(self, chat: ChatRef) -> bool:
        return chat.platform in self.button_platforms

    def local_date(self, tz: str, when: float | None = None) -> str:
        return datetime.fromtimestamp(self.clock() if when is None else when, ZoneInfo(tz)).date().isoformat()

    def is_admin(self, chat: ChatRef, user: UserRef) -> bool:
        return user.is_admin or chat.private or user.key in self.settings.admin_ids

    # -- members ------------------------------------------------------------------------------

    async def remember_user(self, user: UserRef) -> None:
        name = user.name or user.id
        if self._names.get(user.key) == name:
            return
        await self.store.submit(
            "INSERT INTO users(key, name, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
            (user.key, name, self.clock()),
        )
        self._names[user.key] = name

    def forget_user(self, user_key: str) -> None:
        """The member's profile was deleted (/forget): store the name again next time."""
        self._names.pop(user_key, None)
