"""Who may answer a chat's round from outside that chat, and the links that let them.

A member of a group may answer its open question privately: on Telegram through a deep link
(``t.me/<bot>?start=ans_<payload>``) into the private chat, on Discord through a private form on
the channel's own message. Three rules keep that door for members only:

* **The payload cannot be guessed.** ``AnswerLinks`` signs ``ans_<round>_<mac>``: an HMAC-SHA256
  over the round id and the round's chat key, with a random key kept in the database (table
  ``secrets``, made on first use), cut to 22 URL-safe characters (132 bits). A payload fits
  Telegram's deep-link limit (64 characters of ``[A-Za-z0-9_-]``); a sequential round id alone, or a
  payload for another chat's round, is refused. A link issued before its chat changed id (a
  Telegram group upgraded to a supergroup, ``bot.chat_moves``) was signed with the old key and
  stays valid for the round, which moved with the chat.
* **Membership is checked when the link is used** (and for any answer or pick that reaches a round
  from outside its chat) through ``Membership``, a small platform-neutral interface an adapter
  registers with the engine (Telegram: ``getChatMember``, cached briefly). A platform without one
  (the console) uses ``SpokenMembers``: a member is someone who has spoken in that chat.
* **A round is answered from its own platform only**: a Telegram user cannot answer a Discord
  channel's round, whatever the link.

The *pending* private answer (``pending_private``: "this member's next private message answers
round R") is read without being consumed; it is cleared once an answer was recorded, so a rejected
message (empty, emoji only, too long) leaves the link usable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from bot.chat_moves import moved_from
from bot.model import ChatRef, Round, UserRef
from bot.storage import Store

SECRET_NAME = "answer_links"
MAC_CHARS = 22  # base64url characters of the MAC kept in a payload: 132 bits
_PAYLOAD = re.compile(rf"ans_([0-9]{{1,18}})_([A-Za-z0-9_-]{{{MAC_CHARS}}})")
SPOKEN_LIMIT = 50_000  # (chat, member) pairs remembered by SpokenMembers before the oldest half goes


@runtime_checkable
class Membership(Protocol):
    """Whether a user belongs to a chat of the adapter's platform: True, False, or None when the
    platform could not say (a network error): the caller refuses and says "try again"."""

    async def is_member(self, chat: ChatRef, user: UserRef) -> bool | None: ...


class SpokenMembers:
    """Membership for a platform that cannot be asked (the console): a member of a chat is someone
    who has spoken in it (sent a command, an answer or pressed a button there) since the start."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], None] = {}  # insertion-ordered: the oldest go first

    def spoke(self, chat: ChatRef, user: UserRef) -> None:
        if chat.private:
            return
        key = (chat.key, user.key)
        if key in self._seen:
            return
        if len(self._seen) >= SPOKEN_LIMIT:
            for old in list(self._seen)[: SPOKEN_LIMIT // 2]:
                del self._seen[old]
        self._seen[key] = None

    async def is_member(self, chat: ChatRef, user: UserRef) -> bool | None:
        return (chat.key, user.key) in self._seen


class PrivateAnswers:
    """Signed answer links, membership checks and the pending private answer (module docstring)."""

    def __init__(self, store: Store, clock: Callable[[], float]) -> None:
        self.store = store
        self.clock = clock
        self.spoken = SpokenMembers()
        self.members: dict[str, Membership] = {}  # platform -> its membership lookup
        self._key: bytes | None = None

    def add_membership(self, platform: str, membership: Membership) -> None:
        self.members[platform] = membership

    # -- signed payloads ------------------------------------------------------------------------

    async def _secret(self) -> bytes:
        if self._key is None:
            async with self.store.write() as db:
                # INSERT OR IGNORE: two processes on one database end up with the same key
                await db.execute("INSERT OR IGNORE INTO secrets(name, value, created_at) VALUES (?, ?, ?)",
                                 (SECRET_NAME, secrets.token_urlsafe(32), self.clock()))
                cur = await db.execute("SELECT value FROM secrets WHERE name = ?", (SECRET_NAME,))
                row = await cur.fetchone()
            assert row is not None
            self._key = str(row[0]).encode()
        return self._key

    async def _mac(self, round_id: int, chat_key: str) -> str:
        digest = hmac.new(await self._secret(), f"ans:{round_id}:{chat_key}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:MAC_CHARS]

    async def payload(self, round_id: int, chat_key: str) -> str:
        """The deep-link payload that opens a private answer to this round of this chat."""
        return f"ans_{round_id}_{await self._mac(round_id, chat_key)}"

    @staticmethod
    def round_of(payload: str) -> int | None:
        """The round a well-formed payload names (not yet verified: see ``verify``)."""
        m = _PAYLOAD.fullmatch(payload)
        return int(m.group(1)) if m else None

    async def verify(self, payload: str, rnd: Round) -> bool:
        """Whether ``payload`` was signed for this round of its chat, under the chat's current key
        or a key it had before it moved (the round moved with it)."""
        m = _PAYLOAD.fullmatch(payload)
        if m is None or int(m.group(1)) != rnd.id:
            return False
        if hmac.compare_digest(m.group(2), await self._mac(rnd.id, rnd.chat_key)):
            return True
        for old_key in await moved_from(self.store, rnd.chat_key):
            if hmac.compare_digest(m.group(2), await self._mac(rnd.id, old_key)):
                return True
        return False

    # -- who may answer ----------------------------------------------------------------------

    def spoke(self, chat: ChatRef, user: UserRef) -> None:
        """Remember that this user spoke in this chat (the console's membership)."""
        self.spoken.spoke(chat, user)

    async def refusal(self, rnd: Round, chat: ChatRef, user: UserRef) -> str | None:
        """Why ``user``, writing in ``chat``, may not answer ``rnd`` (a catalogue key), or None.

        In the round's own chat anyone may (the platform let them write there). From a private
        chat of the same platform: members of the round's chat. From anywhere else: nobody."""
        platform, _, chat_id = rnd.chat_key.partition(":")
        if platform != chat.platform or platform != user.platform:
            return "link_other_platform"
        if chat.key == rnd.chat_key:
            return None
        if not chat.private:
            return "not_member"
        group = ChatRef(platform, chat_id)
        checker: Membership = self.members.get(platform, self.spoken)
        member = await checker.is_member(group, user)
        if member is None:
            return "member_unknown"
        return None if member else "not_member"

    # -- the pending private answer ----------------------------------------------------------

    async def set_pending(self, user_key: str, round_id: int) -> None:
        """The member's next private message answers this round."""
        async with self.store.write() as db:
            await db.execute(
                "INSERT INTO pending_private(user_key, round_id, set_at) VALUES (?, ?, ?)"
                " ON CONFLICT(user_key) DO UPDATE SET round_id = excluded.round_id, set_at = excluded.set_at",
                (user_key, round_id, self.clock()),
            )

    async def pending(self, user_key: str) -> int | None:
        """The round the member's next private message answers, if a link was opened (not consumed)."""
        row = await self.store.fetchone("SELECT round_id FROM pending_private WHERE user_key = ?", (user_key,))
        return int(row["round_id"]) if row else None

    async def clear_pending(self, user_key: str, round_id: int) -> None:
        """The private answer to ``round_id`` was recorded: the next private message is not one."""
        async with self.store.write() as db:
            await db.execute("DELETE FROM pending_private WHERE user_key = ? AND round_id = ?", (user_key, round_id))
