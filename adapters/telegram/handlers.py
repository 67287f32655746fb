"""Telegram updates -> neutral engine events, and the engine's replies back out through the outbox.

Registered explicitly by ``TelegramAdapter`` (``register``). What counts as what:

* a command (``CommandHandler`` knows ``/cmd@ourbot`` from getMe's username) -> ``Command``; for
  the commands the registry marks as admin-checked (``engine.commands.admin_checked()``)
  ``UserRef.is_admin`` is filled from ``getChatMember`` (cached ``admin_ttl`` s),
  an anonymous admin (``sender_chat`` is the group itself) is an admin, and in a private chat the
  user is the admin of their own chat. Unknown commands reach the engine (its polite error) only in
  private chats or when addressed to us by name: in a group they may be another bot's;
* in a group, a *reply to a question message* -> ``TextAnswer(round_id, part_key)``; other chatter is
  ignored (privacy mode mostly hides it anyway). Another reply adds to the member's answer; an
  edited reply (``edited_message``, same ``part_key``) replaces what it contributed. In a private chat any
  text -> ``TextAnswer`` (the engine knows a pending "answer privately" round);
* a button -> ``ChoicePick`` for ``qb:pick:R:O``, else ``ButtonPress``; always answered exactly once
  with ``answer_callback_query`` (an ACK/ERROR for the presser becomes its toast/alert);
* a quiz-poll vote (``PollAnswer``) -> ``ChoicePick`` on the poll's round, chat = the voter's private
  chat as the contract says;
* forwarded messages, stickers, photos, other bots' messages: ignored, never an error;
* a message in a forum topic carries the topic on its ``ChatRef.thread``, so the replies (and a
  quiz or schedule started there) go back into that topic; "General" is the chat's main place.
  When a deleted topic paused the chat's schedule, an admin's next command also gets the notice;
* ``migrate_to_chat_id`` / ``migrate_from_chat_id`` (a group upgraded to a supergroup) move the
  chat's data to the new id (``chats.move``; the second notice of the same move changes nothing);
* ``my_chat_member``: removed or banned -> the chat is inactive and its schedule paused, nothing
  deleted; added back -> active again, schedule resumed, and a welcome that shows it.

Every event carries ``update_key=f"telegram:{update_id}"`` so a redelivered update is not counted twice.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from telegram import (
    CallbackQuery,
    Chat,
    ChatMember,
    ChatMemberLeft,
    ChatMemberRestricted,
    Message,
    Update,
    User,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PollAnswerHandler,
    filters,
)

from adapters.telegram import links as L
from adapters.telegram.outbox import Origin, Outbox
from adapters.telegram.render import tg_len, to_plain
from bot.catalogue import pick_lang, say
from bot.events import ButtonPress, ChoicePick, Command, Event, TextAnswer
from bot.messenger import ChatUnavailable
from bot.model import ChatRef, UserRef
from bot.replies import Reply, ReplyKind

if TYPE_CHECKING:
    from bot.engine import QuizEngine

log = logging.getLogger(__name__)

PLATFORM = "telegram"
ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
MEMBER_STATUSES = (ChatMemberStatus.MEMBER, *ADMIN_STATUSES)
CALLBACK_TEXT_MAX = 200


def clip_units(text: str, limit: int) -> str:
    """``text`` within ``limit`` UTF-16 code units (Telegram's count), cut with "…" when longer."""
    if tg_len(text) <= limit:
        return text
    end = min(len(text), limit)
    while end > 0 and tg_len(text[:end].rstrip()) + 1 > limit:
        end -= 1
    return text[:end].rstrip() + "…"


def chat_ref(chat: Chat, thread: int | None = None) -> ChatRef:
    private = chat.type == ChatType.PRIVATE
    return ChatRef(PLATFORM, str(chat.id), private=private, title="" if private else (chat.title or ""),
                   thread=str(thread) if thread else "")


def message_chat(message: object) -> ChatRef:
    """The chat of a message, in its forum topic when it was sent in one. Only a topic message's
    ``message_thread_id`` names a topic: in a group without topics it is a reply thread, and in
    "General" it is absent (the main place)."""
    chat = message.chat  # type: ignore[attr-defined]
    topic = getattr(message, "is_topic_message", None) and getattr(message, "message_thread_id", None)
    return chat_ref(chat, topic or None)


def user_ref(user: User, is_admin: bool = False) -> UserRef:
    return UserRef(PLATFORM, str(user.id), user.full_name or user.username or str(user.id), is_admin)


def part_key(message: Message) -> str:
    """The message as a part of a member's answer: an edit of it has the same key, a follow-up
    reply another one."""
    return f"{PLATFORM}:{message.chat.id}:{message.message_id}"


def update_key(update: Update) -> str:
    return f"{PLATFORM}:{update.update_id}"


class AdminCache:
    """``getChatMember`` answers remembered for ``ttl`` seconds: admin lists and memberships change
    rarely, and an admin running several commands in a row, or a member opening a private-answer
    link and then answering, should not cost a lookup each. It also serves the engine's
    ``Membership`` interface (who may answer a group's round from a private chat)."""

    def __init__(self, outbox: Outbox, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.outbox, self.ttl, self.clock = outbox, ttl, clock
        self._seen: dict[tuple[int, int], tuple[ChatMember, float]] = {}

    async def _member(self, chat_id: int, user_id: int) -> ChatMember | None:
        """The user's ChatMember in the chat (cached); None when Telegram could not say."""
        key = (chat_id, user_id)
        cached = self._seen.get(key)
        if cached and cached[1] > self.clock():
            return cached[0]
        try:
            member = await self.outbox.call("getChatMember", chat_id,
                                            lambda: self.outbox.bot.get_chat_member(chat_id, user_id))
        except BadRequest as exc:  # "user not found", "PARTICIPANT_ID_INVALID": never was a member
            log.info("getChatMember %s/%s: %s; not a member", chat_id, user_id, exc.message)
            member = ChatMemberLeft(User(user_id, "?", False))
        except (TelegramError, ChatUnavailable) as exc:
            log.warning("getChatMember %s/%s failed: %s", chat_id, user_id, exc)
            return None
        if len(self._seen) > 4096:  # stale entries of quiet chats: drop them all, cheap to refill
            self._seen.clear()
        self._seen[key] = (member, self.clock() + self.ttl)
        return member

    async def is_admin(self, message: Message) -> bool:
        chat, user = message.chat, message.from_user
        if chat.type == ChatType.PRIVATE:
            return True  # everyone runs their own private chat
        if message.sender_chat is not None and message.sender_chat.id == chat.id:
            return True  # an anonymous group admin speaks as the group itself
        if user is None:
            return False
        member = await self._member(chat.id, user.id)
        if member is None:
            log.warning("treating %s as non-admin in %s", user.id, chat.id)
            return False
        return member.status in ADMIN_STATUSES

    async def is_member(self, chat: ChatRef, user: UserRef) -> bool | None:
        """``bot.private_answers.Membership``: member, admin, owner, or restricted but still in."""
        if not (chat.id.lstrip("-").isdigit() and user.id.isdigit()):
            return False  # not a Telegram chat or user id
        member = await self._member(int(chat.id), int(user.id))
        if member is None:
            return None
        if isinstance(member, ChatMemberRestricted):
            return member.is_member
        return member.status in MEMBER_STATUSES


class Handlers:
    def __init__(self, engine: QuizEngine, outbox: Outbox, admin_ttl: float = 60.0) -> None:
        self.engine = engine
        self.outbox = outbox
        self.links = outbox.links
        self.admins = AdminCache(outbox, admin_ttl)
        engine.add_membership(PLATFORM, self.admins)  # who may answer a group's round privately

    def register(self, app: Application) -> None:
        new_message = filters.UpdateType.MESSAGE
        commands = sorted(self.engine.commands.names())  # every name and alias the registry knows
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate))
        app.add_handler(CommandHandler(commands, self.on_command, filters=new_message))
        app.add_handler(MessageHandler(new_message & filters.COMMAND, self.on_unknown_command))
        app.add_handler(MessageHandler(new_message & filters.TEXT, self.on_text))
        app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT, self.on_edited))
        app.add_handler(CallbackQueryHandler(self.on_callback))
        app.add_handler(PollAnswerHandler(self.on_poll_answer))
        app.add_handler(ChatMemberHandler(self.on_my_member, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_handler(MessageHandler(filters.ALL, self.on_other))
        app.add_error_handler(self.on_error)

    # -- dispatch -------------------------------------------------------------------------------

    async def run(self, event: Event, origin: Origin | None) -> list[Reply]:
        replies = await self.engine.handle(event)
        await self.deliver(replies, origin)
        return replies

    async def deliver(self, replies: list[Reply], origin: Origin | None) -> None:
        for reply in replies:
            try:
                await self.outbox.deliver(reply, origin)
            except ChatUnavailable:
                log.info("chat %s unavailable; %s reply dropped", reply.chat.key, reply.kind)
            except TelegramError as exc:  # one failed reply must not stop the others
                log.error("delivering %s reply to %s failed: %s", reply.kind, reply.chat.key, exc)

    @staticmethod
    def _origin(message: Message) -> Origin:
        return Origin(message.chat.id, message.message_id, message.chat.type == ChatType.PRIVATE)

    @staticmethod
    def _skip(message: Message | None) -> bool:
        """Messages that are nobody's answer: forwards, other bots', channel posts."""
        if message is None or message.from_user is None:
            return True
        return message.forward_origin is not None or message.from_user.is_bot or message.via_bot is not None

    # -- commands -------------------------------------------------------------------------------

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.from_user is None or not message.text:
            return
        name = message.text.split()[0][1:].split("@", 1)[0].lower()
        admin = await self.admins.is_admin(message) if name in self.engine.commands.admin_checked() else False
        user = user_ref(message.from_user, admin)
        if message.sender_chat is not None and message.sender_chat.id == message.chat.id:
            user = UserRef(PLATFORM, str(message.sender_chat.id), message.sender_chat.title or "admin", True)
        # a command replying to one of our questions is about that question's round (/flag)
        round_id = await self._reply_round(message, context.bot.id) if message.reply_to_message else None
        if not admin and await self.engine.chats.has_notice(f"{PLATFORM}:{message.chat.id}"):
            user = user_ref(message.from_user, await self.admins.is_admin(message))  # who sees the notice
        event = Command(message_chat(message), user, message.from_user.language_code, update_key(update),
                        name=name, args=tuple(context.args or ()), round_id=round_id)
        replies = await self.engine.handle(event)
        if replies:  # handled (not a redelivery): an admin also gets what is waiting for the admins
            lang, _tz = await self.engine.chat_settings(event.chat)
            notice = await self.engine.chats.take_notice(event.chat, event.user, lang)
            replies = [notice, *replies] if notice else replies
        await self.deliver(replies, self._origin(message))

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.from_user is None or not message.text or self._skip(message):
            return
        head = message.text.split()[0][1:]
        name, _, target = head.partition("@")
        if target and target.lower() != (context.bot.username or "").lower():
            return  # addressed to another bot
        name = name.lower()[:64]
        late = name in self.engine.commands  # declared after our handlers were registered
        if not target and message.chat.type != ChatType.PRIVATE and not late:
            return  # "/foo" in a group may be another bot's command
        admin = await self.admins.is_admin(message) if name in self.engine.commands.admin_checked() else False
        event = Command(message_chat(message), user_ref(message.from_user, admin), message.from_user.language_code,
                        update_key(update), name=name, args=tuple(message.text.split()[1:]))
        await self.run(event, self._origin(message))

    # -- answers --------------------------------------------------------------------------------

    async def _reply_round(self, message: Message, bot_id: int) -> int | None:
        """The round of the question this message replies to, if it replies to one of ours."""
        target = message.reply_to_message
        if target is None or target.from_user is None or target.from_user.id != bot_id:
            return None
        return await self._round_for(L.MESSAGE, L.message_ref(message.chat.id, target.message_id), message.chat.id)

    async def _round_for(self, kind: str, ref: str, chat: int | None = None) -> int | None:
        """The linked round; if a question to that chat (a poll: to any chat) is being sent right
        now, wait for its link first: members can answer before our link is stored."""
        round_id = await self.links.round_for(kind, ref)
        if round_id is None and self.outbox.sending_questions(chat):
            await self.outbox.settled(chat)
            round_id = await self.links.round_for(kind, ref)
        return round_id

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if self._skip(message) or message.text is None:  # type: ignore[union-attr]
            return
        assert message is not None and message.from_user is not None
        if message.text.startswith("/"):
            return  # a command no handler took (e.g. a bare "/")
        round_id = await self._reply_round(message, context.bot.id)
        if message.chat.type != ChatType.PRIVATE and round_id is None:
            return  # group chatter, not an answer
        event = TextAnswer(message_chat(message), user_ref(message.from_user), message.from_user.language_code,
                           update_key(update), text=message.text, round_id=round_id, part_key=part_key(message))
        await self.run(event, self._origin(message))

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An edited reply to a question in a group replaces what that message contributed to the
        member's answer (its part: same chat and message id); other edits are ignored."""
        message = update.edited_message
        if self._skip(message) or message.text is None or message.chat.type == ChatType.PRIVATE:  # type: ignore[union-attr]
            return
        assert message is not None and message.from_user is not None
        round_id = await self._reply_round(message, context.bot.id)
        if round_id is None:
            return
        event = TextAnswer(message_chat(message), user_ref(message.from_user), message.from_user.language_code,
                           update_key(update), text=message.text, round_id=round_id, part_key=part_key(message))
        await self.run(event, self._origin(message))

    async def on_poll_answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        answer = update.poll_answer
        if answer is None or answer.user is None or not answer.option_ids:
            return  # anonymous vote or a retracted vote: the first pick already counted
        round_id = await self._round_for(L.POLL, answer.poll_id)
        if round_id is None:
            log.info("vote on unknown poll %s ignored", answer.poll_id)
            return
        user = answer.user
        private = ChatRef(PLATFORM, str(user.id), private=True)
        event = ChoicePick(private, user_ref(user), user.language_code, update_key(update),
                           round_id=round_id, option=answer.option_ids[0])
        await self.run(event, Origin(user.id, None, True, via="poll"))

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        text, alert = None, False
        try:
            event = self._button_event(update, query)
            if event is None:
                return
            message = query.message
            chat_id = message.chat.id if message is not None else query.from_user.id
            private = message is None or message.chat.type == ChatType.PRIVATE
            origin = Origin(chat_id, message.message_id if message else None, private, via="callback")
            replies = await self.engine.handle(event)
            # for the presser's eyes only (their own feedback): an alert, or their private chat, never the group
            secrets = [r for r in replies if r.meta.get("secret")]
            replies = [r for r in replies if not r.meta.get("secret")]
            toast = self._toast(replies, event.user)
            if toast is not None:
                text = to_plain(toast.text)[:CALLBACK_TEXT_MAX]
                alert = toast.kind is ReplyKind.ERROR
            mine = next((r for r in secrets if r.to_user is not None and r.to_user.key == event.user.key), None)
            if mine is not None:
                text, alert = await self._secret_alert(mine, query.from_user.id), True
            await self.deliver([r for r in replies if r is not toast], origin)
            if (query.data and query.data.startswith("qb:forget:") and message is not None
                    and not (toast is not None and toast.kind is ReplyKind.ERROR)):
                # the requester answered: take the buttons away so they cannot be pressed twice
                # (another member's press is refused and leaves them for the requester)
                await self._drop_keyboard(message)
        except Exception:
            lang = pick_lang(query.from_user.language_code, self.engine.settings.default_lang)
            text, alert = say(lang, "internal_error")[:CALLBACK_TEXT_MAX], True
            raise  # on_error logs it
        finally:
            await self._answer(query, text, alert)

    def _button_event(self, update: Update, query: CallbackQuery) -> Event | None:
        data = query.data or ""
        message = query.message
        chat = message_chat(message) if message is not None else ChatRef(PLATFORM, str(query.from_user.id), True)
        user = user_ref(query.from_user)
        locale, key = query.from_user.language_code, update_key(update)
        if data.startswith("qb:pick:"):
            parts = data.split(":")
            # strict ASCII digits of a bounded length: "²".isdigit() is True but int("²") raises
            if len(parts) == 4 and re.fullmatch(r"[0-9]{1,18}", parts[2]) and re.fullmatch(r"[0-9]{1,3}", parts[3]):
                return ChoicePick(chat, user, locale, key, round_id=int(parts[2]), option=int(parts[3]))
        return ButtonPress(chat, user, locale, key, data=data)

    @staticmethod
    def _toast(replies: list[Reply], user: UserRef) -> Reply | None:
        """The reply that becomes the button's toast: the presser's ACK, ERROR or short notice."""
        for reply in replies:
            if reply.kind in (ReplyKind.ACK, ReplyKind.ERROR) or (
                reply.kind is ReplyKind.INFO and reply.to_user is not None and not reply.buttons
                and len(to_plain(reply.text)) <= CALLBACK_TEXT_MAX
            ):
                if reply.to_user is None or reply.to_user.key == user.key:
                    return reply
        return None

    async def _secret_alert(self, reply: Reply, user_id: int) -> str:
        """The button's alert for a reply only the presser may read. An alert holds 200 characters:
        a longer reply goes whole to the member's private chat and the alert, clipped, says so; a
        member who never started the bot (Telegram refuses the message) is told to open it first."""
        full = "\n".join(line for line in to_plain(reply.text).splitlines() if line.strip())
        if tg_len(full) <= CALLBACK_TEXT_MAX:
            return full
        try:
            await self.outbox.send_text(user_id, reply.text)
            note = str(reply.meta.get("sent_privately", ""))
        except (ChatUnavailable, TelegramError) as exc:
            log.info("private feedback to %s not sent (%s); the alert says how to get it", user_id, exc)
            note = str(reply.meta.get("open_bot", ""))
        return clip_units(full, CALLBACK_TEXT_MAX - tg_len(note) - 1) + "\n" + note

    async def _answer(self, query: CallbackQuery, text: str | None, alert: bool) -> None:
        try:
            await self.outbox.call("answerCallbackQuery", None,
                                   lambda: query.answer(text=text, show_alert=alert or None))
        except TelegramError as exc:  # too old (> 15 min) or already answered: nothing to do
            log.info("answer_callback_query failed: %s", exc)

    async def _drop_keyboard(self, message) -> None:
        try:
            await self.outbox.call("editMessageReplyMarkup", message.chat.id,
                                   lambda: self.outbox.bot.edit_message_reply_markup(
                                       message.chat.id, message.message_id, reply_markup=None))
        except (TelegramError, ChatUnavailable) as exc:
            log.debug("could not remove the keyboard: %s", exc)

    # -- membership, other messages, errors -----------------------------------------------------

    async def on_my_member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot's own membership changed: removed/banned (or blocked in a private chat) makes the
        chat inactive and pauses its schedule, keeping every row; added back welcomes the group
        with its saved schedule."""
        change = update.my_chat_member
        if change is None:
            return
        member = change.new_chat_member
        active = member.status not in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED) and not (
            isinstance(member, ChatMemberRestricted) and not member.is_member)
        chat = chat_ref(change.chat)
        if not active or chat.private:
            await self.engine.set_chat_active(chat.key, active)
            return
        await self.deliver(await self.engine.chats.rejoined(chat), None)

    async def on_migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: both chats announce it (``migrate_to_chat_id`` in the old,
        ``migrate_from_chat_id`` in the new one); the first moves the data, the second finds nothing
        left to move."""
        message = update.effective_message
        if message is None:
            return
        if message.migrate_to_chat_id:
            old, new = message.chat.id, message.migrate_to_chat_id
        elif message.migrate_from_chat_id:
            old, new = message.migrate_from_chat_id, message.chat.id
        else:
            return
        await self.outbox.chat_moved(old, new)

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, service messages, channel posts ...: nothing to grade."""
        log.debug("update %s ignored (no text to act on)", update.update_id)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the exception; tell the member briefly that something failed (never a traceback)."""
        log.error("error while handling update %s", getattr(update, "update_id", "?"), exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None or update.callback_query is not None:
            return  # a button press already got its answer in on_callback's finally
        user = update.effective_user
        lang = pick_lang(user.language_code if user else None, self.engine.settings.default_lang)
        message = update.effective_message
        topic = message.message_thread_id if message is not None and message.is_topic_message else None
        try:
            await self.outbox.send_text(update.effective_chat.id, say(lang, "internal_error"), thread=topic)
        except Exception as exc:  # the apology is best effort
            log.warning("could not send the apology: %s", exc)
