"""Engine replies -> Bot API calls: HTML messages, quiz polls, keyboards, reactions, deep links.

Every call goes through the bot's ``FloodLimiter`` (see ``limiter``), which also waits out 429s.
What is left here:

* network errors (``NetworkError``/``TimedOut``, not ``BadRequest``) are retried with exponential
  backoff and logged; a timed-out send may in fact have arrived, and we still retry: a rare
  duplicate beats a lost question;
* ``Forbidden`` (bot removed or blocked) marks the chat inactive in the store and raises
  ``bot.messenger.ChatUnavailable`` (the engine's ``push`` also marks it: harmless twice);
* a ``BadRequest`` about entities (Telegram refusing our HTML) resends that chunk as plain text.

Reply kinds, rendered where the contract says: QUESTION with options -> a native quiz poll when it
fits Telegram's poll limits, else the text plus lettered buttons ``qb:pick:R:O``; an open QUESTION
gets an "answer privately" URL button (``t.me/<bot>?start=ans_<round>_<signature>``, signed by the
engine for the round and this chat, so it cannot be guessed or reused elsewhere) and its message ids are
linked to the round so replies to it count as answers. ACK in a group -> a reaction on the member's
message (👍 new, ✍ changed); in a private chat -> the short text. ERROR in a group -> a reply to the
member's message. ``folded`` -> an expandable blockquote.

Where in the chat: a reply whose chat carries a ``thread`` (a forum topic) is sent with that
``message_thread_id``, polls too. When Telegram says the topic no longer exists, the engine pauses
a schedule posting there (``chats.thread_gone``) and the message goes to the chat's main place
instead of being lost. When it says the chat became a supergroup (``ChatMigrated``), the chat's
data moves to the new id (``chats.move``) and the send is made again there.

A reveal stops its quiz poll (``stopPoll``): the poll's message is found in memory, or after a
restart from the round's links in SQLite.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode, PollLimit, ReactionEmoji
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TelegramError

from adapters.telegram import links as L
from adapters.telegram.render import html_to_text, render_message, tg_len, to_plain
from bot.lru import LRU
from bot.messenger import ChatUnavailable
from bot.model import Kind
from bot.replies import Button, Reply, ReplyKind

if TYPE_CHECKING:
    from bot.engine import QuizEngine

log = logging.getLogger(__name__)
T = TypeVar("T")

REACT_NEW = ReactionEmoji.THUMBS_UP
REACT_CHANGED = ReactionEmoji.WRITING_HAND
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


@dataclass(frozen=True, slots=True)
class Origin:
    """What a batch of replies answers: the member's message, button press or poll vote."""

    chat_id: int
    message_id: int | None = None
    private: bool = False
    via: str = "message"  # message | callback | poll


def chat_id_of(reply: Reply) -> int | str:
    return int(reply.chat.id) if reply.chat.id.lstrip("-").isdigit() else reply.chat.id


def thread_of(reply: Reply) -> int | None:
    """The forum topic (``message_thread_id``) a reply goes to; None for the chat's main place."""
    return int(reply.chat.thread) if reply.chat.thread.isdigit() else None


def thread_missing(exc: BadRequest) -> bool:
    """Telegram's answer when a forum topic was deleted (or never existed)."""
    text = exc.message.lower()
    return "thread not found" in text or "topic_deleted" in text or "topic deleted" in text


def poll_fits(question: str, options: tuple[str, ...], explanation: str, correct: tuple[int, ...]) -> bool:
    """Whether Telegram's quiz-poll limits allow this question (else: buttons)."""
    return (
        PollLimit.MIN_QUESTION_LENGTH <= tg_len(question) <= PollLimit.MAX_QUESTION_LENGTH
        and 2 <= len(options) <= PollLimit.MAX_OPTION_NUMBER
        and all(PollLimit.MIN_OPTION_LENGTH <= tg_len(o) <= PollLimit.MAX_OPTION_LENGTH for o in options)
        and tg_len(explanation) <= PollLimit.MAX_EXPLANATION_LENGTH
        and explanation.count("\n") <= PollLimit.MAX_EXPLANATION_LINE_FEEDS
        and len(correct) == 1  # one pick is scored: a multi-answer quiz would mislead
        and all(0 <= c < len(options) for c in correct)
    )


def open_period(window: float | None) -> int | None:
    if window is None:
        return None
    seconds = int(window)
    return seconds if PollLimit.MIN_OPEN_PERIOD <= seconds <= PollLimit.MAX_OPEN_PERIOD else None


class Outbox:
    def __init__(self, bot: Bot, engine: QuizEngine, links: L.Links, *, retries: int = 3, backoff: float = 0.5) -> None:
        self.bot = bot
        self.engine = engine
        self.links = links
        self.retries = retries
        self.backoff = backoff
        self.username: str | None = None  # set once getMe ran
        # round -> (chat, message) of its poll, to close the poll at the reveal without a query;
        # bounded (the oldest go first): a poll not found here is found through its links.
        self.polls: LRU[int, tuple[int | str, int]] = LRU(engine.settings.cache_entries)
        # questions being sent and not yet linked to their round: a vote or reply can reach us
        # between Telegram accepting the message and our link being stored
        self.in_flight: Counter[str] = Counter()  # chat id -> questions being sent there
        self._linked = asyncio.Condition()

    # -- calls with retries ---------------------------------------------------------------------

    async def call(self, what: str, chat: int | str | None, fn: Callable[[], Awaitable[T]]) -> T:
        """Run one Bot API call; retry network errors; Forbidden -> ChatUnavailable."""
        attempt = 0
        while True:
            try:
                return await fn()
            except Forbidden as exc:
                if chat is None:
                    raise
                log.warning("%s: chat %s unreachable (%s); marking it inactive", what, chat, exc.message)
                await self._mark_inactive(chat)
                raise ChatUnavailable(f"telegram:{chat}") from exc
            except BadRequest:
                raise
            except NetworkError as exc:  # includes TimedOut
                if attempt >= self.retries:
                    log.error("%s to %s failed after %d retries: %s", what, chat, attempt, exc)
                    raise
                delay = self.backoff * 2**attempt
                attempt += 1
                log.warning("%s to %s: %s; retry %d in %.2f s", what, chat, exc, attempt, delay)
                await asyncio.sleep(delay)

    async def _mark_inactive(self, chat: int | str) -> None:
        try:
            await self.engine.set_chat_active(f"telegram:{chat}", False)
        except Exception:
            log.exception("could not mark chat %s inactive", chat)

    # -- building blocks -------------------------------------------------------------------------

    async def deep_link(self, round_id: int, chat_key: str) -> str | None:
        """The private-answer link of a round: its signed payload (<= 64 characters of
        ``[A-Za-z0-9_-]``, Telegram's limit for ``start``)."""
        if not self.username:
            return None
        return f"https://t.me/{self.username}?start={await self.engine.private_answer_payload(round_id, chat_key)}"

    async def with_deep_links(self, reply: Reply) -> tuple[Button, ...]:
        """The reply's buttons, ``qb:ans:R`` given its deep link into the private chat."""
        out = []
        for b in reply.buttons:
            if b.data.startswith("qb:ans:") and b.data[7:].isdigit() and not b.url:
                b = Button(b.label, b.data, url=await self.deep_link(int(b.data[7:]), reply.chat.key))
            out.append(b)
        return tuple(out)

    def keyboard(self, buttons: tuple[Button, ...], labels: list[str] | None = None) -> InlineKeyboardMarkup | None:
        """Buttons -> an inline keyboard; a button with a URL opens it (``qb:ans:R`` gets its signed
        deep link from ``with_deep_links``), and ``qb:dm:<payload>`` becomes a deep link (``/start <payload>`` there, e.g. ``review``)."""
        if not buttons:
            return None
        keys = []
        for i, b in enumerate(buttons):
            label = labels[i] if labels else b.label
            if b.url:
                keys.append(InlineKeyboardButton(label, url=b.url))
            elif b.data.startswith("qb:dm:") and self.username:
                keys.append(InlineKeyboardButton(label, url=f"https://t.me/{self.username}?start={b.data[6:]}"))
            else:
                keys.append(InlineKeyboardButton(label, callback_data=b.data))
        per_row = 6 if all(len(k.text) <= 3 for k in keys) else 2 if all(len(k.text) <= 14 for k in keys) else 1
        return InlineKeyboardMarkup([keys[i : i + per_row] for i in range(0, len(keys), per_row)])

    async def send_text(self, chat: int | str, text: str, folded: str = "", *,
                        markup: InlineKeyboardMarkup | None = None, reply_to: int | None = None,
                        thread: int | None = None) -> list[Message]:
        """Send Markdown as one or more HTML messages (into forum topic ``thread``, if given); the
        keyboard goes under the last one."""
        chunks = render_message(text, folded)
        sent = []
        for n, chunk in enumerate(chunks):
            last = n == len(chunks) - 1
            kwargs: dict[str, Any] = {"reply_markup": markup if last else None, "link_preview_options": NO_PREVIEW,
                                      "message_thread_id": thread}
            if n == 0 and reply_to is not None:
                kwargs["reply_parameters"] = ReplyParameters(reply_to, allow_sending_without_reply=True)
            try:
                msg = await self.call("sendMessage", chat, partial(
                    self.bot.send_message, chat, chunk, parse_mode=ParseMode.HTML, **kwargs))
            except BadRequest as exc:
                if "entit" not in exc.message.lower():
                    raise
                # Telegram refused our markup: the words matter more than the formatting
                log.warning("HTML refused in %s (%s); sending plain text", chat, exc.message)
                msg = await self.call("sendMessage", chat, partial(
                    self.bot.send_message, chat, html_to_text(chunk), **kwargs))
            sent.append(msg)
        return sent

    # -- replies ---------------------------------------------------------------------------------

    async def push(self, reply: Reply) -> None:
        """Messenger.send: a reply nobody is waiting for (timed reveal, next question, daily)."""
        await self.deliver(reply, None)

    async def deliver(self, reply: Reply, origin: Origin | None = None) -> None:
        try:
            await self._deliver(reply, origin)
        except ChatMigrated as exc:
            # the group became a supergroup: its data follows it, and the message goes there
            new_id = str(exc.new_chat_id)
            log.info("chat %s migrated to %s; moving its data and sending there", reply.chat.id, new_id)
            await self.chat_moved(reply.chat.id, new_id)
            await self._deliver(replace(reply, chat=replace(reply.chat, id=new_id)), origin)
        except BadRequest as exc:
            if not (reply.chat.thread and thread_missing(exc)):
                raise
            # the forum topic was deleted: a schedule posting there pauses (its admins are told on
            # their next command) and this message goes to the chat's main place instead
            log.warning("chat %s: topic %s is gone (%s); sending to the main place", reply.chat.key,
                        reply.chat.thread, exc.message)
            await self.engine.chats.thread_gone(reply.chat.key, reply.chat.thread)
            await self._deliver(replace(reply, chat=replace(reply.chat, thread="")), origin)

    async def chat_moved(self, old_id: int | str, new_id: int | str) -> None:
        """A chat changed id: move its data (idempotent) and forget what was cached under the old id."""
        old_key, new_key = f"telegram:{old_id}", f"telegram:{new_id}"
        await self.engine.chats.move(old_key, new_key)
        for key in (old_key, new_key):
            self.engine.rounds.forget_open(key)

    async def _deliver(self, reply: Reply, origin: Origin | None = None) -> None:
        chat = chat_id_of(reply)
        if reply.kind is ReplyKind.ACK:
            await self._ack(reply, origin)
            return
        if origin is not None and origin.via == "poll" and reply.kind is ReplyKind.ERROR:
            # a vote has no message to answer, and the voter may never have opened a private chat
            log.info("poll vote refused for %s: %s", reply.to_user and reply.to_user.key, reply.text[:80])
            return
        if reply.kind is ReplyKind.QUESTION and reply.round_id is not None:
            await self._question(reply, chat)
            return
        reply_to = None
        if (origin is not None and origin.via == "message" and reply.kind is ReplyKind.ERROR
                and not origin.private and str(origin.chat_id) == reply.chat.id):
            reply_to = origin.message_id
        try:
            await self.send_text(chat, reply.text, reply.folded, markup=self.keyboard(reply.buttons),
                                 reply_to=reply_to, thread=thread_of(reply))
        finally:
            # a reveal, /skip or /stop carries the round: its poll stops taking votes, also when
            # the reveal itself could not be sent (it is retried; the round is closed already)
            if reply.round_id is not None and reply.kind in (ReplyKind.REVEAL, ReplyKind.INFO):
                await self._close_poll(reply)

    async def _ack(self, reply: Reply, origin: Origin | None) -> None:
        if origin is None:
            await self.send_text(chat_id_of(reply), reply.text)
        elif origin.via == "poll" or origin.via == "callback":
            return  # the poll shows the vote; a button press is acknowledged by answer_callback_query
        elif origin.private or origin.message_id is None:
            await self.send_text(origin.chat_id, reply.text)
        else:
            emoji = REACT_CHANGED if reply.meta.get("status") == "changed" else REACT_NEW
            try:
                await self.call("setMessageReaction", origin.chat_id, lambda: self.bot.set_message_reaction(
                    origin.chat_id, origin.message_id, emoji))  # type: ignore[arg-type]
            except BadRequest as exc:
                # reactions can be switched off in a group: fall back to a short reply
                log.info("reaction refused in %s (%s); replying instead", origin.chat_id, exc.message)
                await self.send_text(origin.chat_id, reply.text, reply_to=origin.message_id)

    def sending_questions(self, chat: int | str | None = None) -> bool:
        return bool(self.in_flight[str(chat)] if chat is not None else +self.in_flight)

    async def settled(self, chat: int | str | None = None, timeout: float = 5.0) -> None:
        """Wait (bounded) until the questions being sent to ``chat`` (any chat: None) are linked."""
        async with self._linked:
            try:
                await asyncio.wait_for(self._linked.wait_for(lambda: not self.sending_questions(chat)), timeout)
            except TimeoutError:
                log.warning("questions to %s still unlinked after %.0f s", chat or "some chat", timeout)

    async def _question(self, reply: Reply, chat: int | str) -> None:
        self.in_flight[str(chat)] += 1
        try:
            await self._send_question(reply, chat)
        finally:
            self.in_flight[str(chat)] -= 1
            if self.in_flight[str(chat)] <= 0:
                del self.in_flight[str(chat)]
            async with self._linked:
                self._linked.notify_all()

    async def _send_question(self, reply: Reply, chat: int | str) -> None:
        assert reply.round_id is not None
        question = self.engine.bank.question(reply.question_id) if reply.question_id else None
        markup = None
        if reply.options:
            if question is not None and await self._try_poll(reply, question, chat):
                return
            # over Telegram's poll limits: the message lists every option in full, buttons carry letters
            labels = [self._pick_label(b, i) for i, b in enumerate(reply.buttons)]
            markup = self.keyboard(reply.buttons, labels)
        else:
            markup = self.keyboard(await self.with_deep_links(reply))
        for msg in await self.send_text(chat, reply.text, reply.folded, markup=markup, thread=thread_of(reply)):
            await self.links.link(reply.round_id, L.MESSAGE, L.message_ref(chat, msg.message_id))

    @staticmethod
    def _pick_label(button: Button, index: int) -> str:
        head = button.label.split(".", 1)[0].strip()
        return head if 0 < len(head) <= 3 else str(index + 1)

    async def _try_poll(self, reply: Reply, question, chat: int | str) -> bool:
        prompt = to_plain(question.prompt)
        options = tuple(to_plain(o) for o in reply.options)
        explanation = to_plain(reply.explanation) if reply.explanation else ""
        if not poll_fits(prompt, options, explanation, reply.correct):
            return False
        # the header ("Question 1/3 · topic") gives context when it fits alongside the prompt
        header = to_plain(reply.text.split("\n", 1)[0]) if reply.text.split("\n", 1)[0] != question.prompt else ""
        title = f"{header}\n{prompt}" if header and tg_len(header) + 1 + tg_len(prompt) <= PollLimit.MAX_QUESTION_LENGTH else prompt
        msg = await self.call("sendPoll", chat, lambda: self.bot.send_poll(
            chat, title, list(options), is_anonymous=False, type="quiz", correct_option_ids=cast(Any, list(reply.correct)),
            explanation=explanation or None, open_period=open_period(reply.window),
            message_thread_id=thread_of(reply)))
        assert reply.round_id is not None and msg.poll is not None
        await self.links.link(reply.round_id, L.POLL, msg.poll.id)
        await self.links.link(reply.round_id, L.MESSAGE, L.message_ref(chat, msg.message_id))
        self.polls[reply.round_id] = (chat, msg.message_id)
        return True

    async def _poll_message(self, reply: Reply) -> tuple[int | str, int] | None:
        """The (chat, message) of the round's quiz poll: remembered since it was sent, or (after a
        restart, or once the memory dropped it) read from the round's links."""
        assert reply.round_id is not None
        if reply.round_id in self.polls:
            return self.polls.pop(reply.round_id)
        question = self.engine.bank.question(reply.question_id) if reply.question_id else None
        if question is None or question.kind is not Kind.CHOICE:
            return None  # only a choice round can have a poll: no lookup for the others
        if not await self.links.refs(reply.round_id, L.POLL):
            return None  # shown with buttons (over the poll limits)
        for ref in await self.links.refs(reply.round_id, L.MESSAGE):
            chat, _, message = ref.rpartition(":")
            if message.isdigit():
                return (int(chat) if chat.lstrip("-").isdigit() else chat), int(message)
        return None

    async def _close_poll(self, reply: Reply) -> None:
        target = await self._poll_message(reply)
        if target is None:
            return
        chat, message_id = target
        try:
            try:
                await self.call("stopPoll", chat, lambda: self.bot.stop_poll(chat, message_id))
            except ChatMigrated as moved:  # the poll's group became a supergroup meanwhile
                await self.chat_moved(chat, moved.new_chat_id)
                new_chat = moved.new_chat_id
                await self.call("stopPoll", new_chat, lambda: self.bot.stop_poll(new_chat, message_id))
        except TelegramError as exc:  # already closed by its open_period, or deleted: fine
            log.debug("stop_poll %s:%s: %s", chat, message_id, exc)
