"""QuizEngine: every use case of quizbot, platform-neutral.

Adapters hand it neutral events (``bot.events``) and render the neutral replies it returns
(``bot.replies``). Pushes nobody asked for (a reveal when the answer window ends, the next question
of a session, the question of the day) go out through the ``Messenger`` registered for the chat's
platform. All state lives in SQLite, so a restart loses nothing: open rounds keep their
``closes_at`` and ``expire_due`` reveals whatever fell due while the bot was down.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.bank import QuestionBank
from bot.catalogue import pick_lang, say
from bot.commands import CommandsMixin
from bot.config import Settings
from bot.events import ButtonPress, ChoicePick, Command, Event, TextAnswer
from bot.grading import grade, has_words
from bot.messenger import ChatUnavailable, Messenger
from bot.model import ChatRef, Kind, Round, RoundKind, RoundStatus, UserRef
from bot.replies import Button, Reply, ReplyKind
from bot.rounds import Rounds, hits_of
from bot.stats import Stats
from bot.storage import Store
from bot.views import LETTERS, ScoredAnswer, model_answer_text, reveal_text

log = logging.getLogger(__name__)

ADMIN_COMMANDS = frozenset({"reveal", "skip", "stop", "schedule", "daily"})
CommandHandler = Callable[[Command, str], Awaitable[list[Reply]]]
_PICK = re.compile(r"^\s*(?:([1-9]|1[0-2])|([A-La-l]))\s*[.)）]?\s*$")


class QuizEngine(CommandsMixin):
    def __init__(self, store: Store, bank: QuestionBank, settings: Settings,
                 clock: Callable[[], float] = time.time, rng: random.Random | None = None) -> None:
        self.store = store
        self.bank = bank
        self.settings = settings
        self.clock = clock
        self.rounds = Rounds(store, bank, rng)
        self.stats = Stats(store, bank)
        self.messengers: dict[str, Messenger] = {}
        self.button_platforms: set[str] = set()
        self.extra_commands: dict[str, tuple[CommandHandler, bool]] = {}
        self._chats: dict[str, tuple[str, str]] = {}  # chat key -> (lang, tz); chats change rarely
        self._names: dict[str, str] = {}  # user key -> last stored name

    # -- wiring -------------------------------------------------------------------------------

    def add_messenger(self, platform: str, messenger: Messenger, answers_by_button: bool = False) -> None:
        """Register a platform. ``answers_by_button``: members answer open questions through a
        button (Discord's modal) rather than by replying, which changes the hint under a question."""
        self.messengers[platform] = messenger
        if answers_by_button:
            self.button_platforms.add(platform)

    def register_command(self, name: str, handler: CommandHandler, admin: bool = False) -> None:
        """Let another part (the scheduler) add a command on every platform at once."""
        self.extra_commands[name] = (handler, admin)

    async def link_message(self, round_id: int, kind: str, ref: str) -> None:
        """Remember that a platform message or poll (``kind``, ``ref``) shows this round, so a
        reply to it or a vote in it finds the round, also after a restart."""
        await self.rounds.link(round_id, kind, ref)

    async def round_for_message(self, kind: str, ref: str) -> int | None:
        return await self.rounds.linked(kind, ref)

    async def push(self, replies: list[Reply]) -> None:
        """Send replies nobody is waiting for through the chat's platform messenger."""
        for reply in replies:
            messenger = self.messengers.get(reply.chat.platform)
            if messenger is None:
                log.warning("no messenger for %s; dropping %s reply", reply.chat.platform, reply.kind)
                continue
            try:
                await messenger.send(reply)
            except ChatUnavailable:
                await self.set_chat_active(reply.chat.key, False)
            except Exception:
                log.exception("push to %s failed", reply.chat.key)

    # -- chat and user state ------------------------------------------------------------------

    async def chat_settings(self, chat: ChatRef, locale: str | None = None) -> tuple[str, str]:
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

    def forget_chat_cache(self, chat_key: str) -> None:
        self._chats.pop(chat_key, None)

    async def set_chat_active(self, chat_key: str, active: bool) -> None:
        """A platform told us the chat is (un)reachable; an inactive chat's schedule pauses."""
        await self.store.set_chat_active(chat_key, active)
        self.forget_chat_cache(chat_key)

    async def _remember_user(self, user: UserRef) -> None:
        name = user.name or user.id
        if self._names.get(user.key) == name:
            return
        # shares the answers' group commit: a burst of first-time members costs one transaction
        await self.store.submit(
            "INSERT INTO users(key, name, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
            (user.key, name, self.clock()),
        )
        self._names[user.key] = name

    def local_date(self, tz: str, when: float | None = None) -> str:
        return datetime.fromtimestamp(self.clock() if when is None else when, ZoneInfo(tz)).date().isoformat()

    def is_admin(self, chat: ChatRef, user: UserRef) -> bool:
        return user.is_admin or chat.private or user.key in self.settings.admin_ids

    # -- entry point --------------------------------------------------------------------------

    async def handle(self, event: Event) -> list[Reply]:
        """One event in, replies out. Never raises: a bug becomes a logged apology."""
        try:
            if event.update_key and not await self.store.claim_update(event.update_key, self.clock()):
                log.info("duplicate update %s ignored", event.update_key)
                return []
            lang, _tz = await self.chat_settings(event.chat, event.locale)
            await self._remember_user(event.user)
            match event:
                case Command():
                    return await self._command(event, lang)
                case TextAnswer():
                    return await self._text_answer(event, lang)
                case ChoicePick():
                    return await self._pick(event, lang)
                case ButtonPress():
                    return await self._button(event, lang)
            return []
        except Exception:
            log.exception("error handling %s in %s", type(event).__name__, event.chat.key)
            lang = self._chats.get(event.chat.key, (self.settings.default_lang, ""))[0]
            return [self._error(event, lang, "internal_error")]

    def _error(self, event: Event, lang: str, key: str, **fields) -> Reply:
        return Reply(event.chat, ReplyKind.ERROR, say(lang, key, **fields), to_user=event.user)

    def _info(self, chat: ChatRef, text: str, kind: ReplyKind = ReplyKind.INFO, **kw) -> Reply:
        return Reply(chat, kind, text, **kw)

    # -- the question of the day ------------------------------------------------------------

    async def post_daily(self, chat: ChatRef, topics: list[str] | None = None, local_date: str | None = None,
                         reveal_at: float | None = None, discussion_share: float | None = None) -> list[Reply]:
        """Open the chat's question of the day and return the question reply (the caller sends it).

        Keyed by (chat, local date) in the database: a second call for the same day, from this or
        another process, returns [] and posts nothing."""
        lang, tz = await self.chat_settings(chat)
        now = self.clock()
        day = local_date or self.local_date(tz, now)
        topics = [t for t in (topics or self.bank.topics) if t in self.bank.topics and self.bank.topics[t].questions]
        share = self.settings.discussion_share if discussion_share is None else discussion_share
        # mixed difficulty: easy, medium, hard in turn, day by day (when the pool allows)
        difficulty = 1 + date.fromisoformat(day).toordinal() % 3
        question = await self.rounds.choose(chat.key, topics, share, difficulty) if topics else None
        if question is None:
            log.warning("no question available for the daily post in %s", chat.key)
            return []
        closes_at = reveal_at if reveal_at is not None else now + self.settings.reveal_delay_hours * 3600
        rnd = await self.rounds.create(chat.key, question, RoundKind.DAILY, None, now, closes_at,
                                       local_date=day, daily_key=day)
        if rnd is None:
            log.info("daily question for %s on %s already posted", chat.key, day)
            return []
        when = datetime.fromtimestamp(closes_at, ZoneInfo(tz)).strftime("%H:%M")
        header = say(lang, "daily_header", date=day, topic=self.bank.topics[question.topic].title(lang))
        hint = (say(lang, "choice_hint", window=when) if question.kind is Kind.CHOICE
                else say(lang, "open_hint_daily_button" if chat.platform in self.button_platforms
                         else "open_hint_daily", when=when))
        return [self._question_reply(chat, rnd, question, header, hint, lang, closes_at - now)]

    # -- answers ------------------------------------------------------------------------------

    async def _target_round(self, event: TextAnswer) -> Round | None:
        if event.round_id is not None:
            return await self.rounds.get(event.round_id)
        if event.chat.private:
            row = await self.store.fetchone(
                "SELECT round_id FROM pending_private WHERE user_key = ?", (event.user.key,)
            )
            if row is not None:
                async with self.store.write() as db:
                    await db.execute("DELETE FROM pending_private WHERE user_key = ?", (event.user.key,))
                rnd = await self.rounds.get(row["round_id"])
                if rnd is not None:
                    return rnd
        return await self.rounds.open_in(event.chat.key)

    async def _text_answer(self, event: TextAnswer, lang: str) -> list[Reply]:
        text = event.text.strip()
        if not text:
            return [self._error(event, lang, "empty_answer")]
        if len(text) > self.settings.max_answer_chars:
            return [self._error(event, lang, "too_long", n=len(text), max=self.settings.max_answer_chars)]
        rnd = await self._target_round(event)
        if rnd is None:
            return [self._error(event, lang, "no_open_round")]
        if rnd.status is not RoundStatus.OPEN:
            return [self._error(event, lang, "round_closed")]
        question = self.bank.question(rnd.question_id)
        if question is None:
            return [self._error(event, lang, "round_closed")]
        if question.kind is Kind.CHOICE:
            m = _PICK.match(text)
            if not m:
                return [self._error(event, lang, "pick_option")]
            option = int(m.group(1)) - 1 if m.group(1) else LETTERS.index(m.group(2).upper())
            return await self._pick(ChoicePick(event.chat, event.user, event.locale, None, rnd.id, option), lang)
        if not has_words(text):
            return [self._error(event, lang, "no_words")]
        result = grade(question, text)
        _lang, tz = await self.chat_settings(self._chat_of(rnd, event.chat))
        now = self.clock()
        status = await self.rounds.record_open(rnd, event.user.key, event.user.name or event.user.id, text,
                                               result.score, result.hit, now, self.local_date(tz, now))
        if status is None:
            return [self._error(event, lang, "round_closed")]
        key = "ack_new" if status == "new" else "ack_changed"
        ack = Reply(event.chat, ReplyKind.ACK, say(lang, key, name=event.user.name or event.user.id),
                    round_id=rnd.id, to_user=event.user, meta={"status": status})
        return [ack] + await self._maybe_early_reveal(rnd, event)

    async def _pick(self, event: ChoicePick, lang: str) -> list[Reply]:
        rnd = await self.rounds.get(event.round_id)
        if rnd is None:
            return [self._error(event, lang, "unknown_button")]
        if rnd.status is not RoundStatus.OPEN:
            return [self._error(event, lang, "round_closed")]
        question = self.bank.question(rnd.question_id)
        if question is None or question.kind is not Kind.CHOICE:
            return [self._error(event, lang, "unknown_button")]
        if not 0 <= event.option < len(question.options):
            return [self._error(event, lang, "bad_option")]
        result = grade(question, option=event.option)
        _lang, tz = await self.chat_settings(self._chat_of(rnd, event.chat))
        now = self.clock()
        stored = await self.rounds.record_pick(rnd, event.user.key, event.user.name or event.user.id,
                                               event.option, result.score, now, self.local_date(tz, now))
        if not stored:
            current = await self.rounds.get(rnd.id)
            key = "round_closed" if current and current.status is RoundStatus.CLOSED else "already_picked"
            return [self._error(event, lang, key)]
        ack = Reply(event.chat, ReplyKind.ACK, say(lang, "ack_pick", name=event.user.name or event.user.id),
                    round_id=rnd.id, to_user=event.user, meta={"status": "new"})
        return [ack] + await self._maybe_early_reveal(rnd, event)

    def _chat_of(self, rnd: Round, fallback: ChatRef) -> ChatRef:
        """The round's chat as a ChatRef (the event may come from a private chat or a poll)."""
        if rnd.chat_key == fallback.key:
            return fallback
        platform, _, chat_id = rnd.chat_key.partition(":")
        return ChatRef(platform, chat_id)

    async def _maybe_early_reveal(self, rnd: Round, event: Event) -> list[Reply]:
        """Reveal at once in a private chat; in a group once everyone who joined the session has
        answered (from its second question on: who joined is known only after the first)."""
        chat = self._chat_of(rnd, event.chat)
        if rnd.kind is RoundKind.DAILY:
            return []
        if rnd.chat_key == event.chat.key and event.chat.private:
            return await self.reveal(rnd.id)
        if rnd.session_id is None or rnd.seq < 2:
            return []
        members = await self.rounds.session_members(rnd.session_id, rnd.seq)
        if members and members <= await self.rounds.answered_users(rnd.id):
            return await self.reveal(rnd.id, chat)
        return []

    async def _button(self, event: ButtonPress, lang: str) -> list[Reply]:
        data = event.data
        if data.startswith("qb:pick:"):
            try:
                _, _, round_id, option = data.split(":")
                pick = ChoicePick(event.chat, event.user, event.locale, None, int(round_id), int(option))
            except ValueError:
                return [self._error(event, lang, "unknown_button")]
            return await self._pick(pick, lang)
        if data == "qb:next":
            return await self._cmd_next(Command(event.chat, event.user, event.locale, None, "next"), lang)
        if data == "qb:forget:yes":
            n = await self.stats.forget(event.user.key)
            self._names.pop(event.user.key, None)
            return [Reply(event.chat, ReplyKind.INFO, say(lang, "forget_done", n=n), to_user=event.user)]
        if data == "qb:forget:no":
            return [Reply(event.chat, ReplyKind.INFO, say(lang, "forget_cancel"), to_user=event.user)]
        if data.startswith("qb:ans:") and data[7:].isdigit():
            return await self._cmd_start(Command(event.chat, event.user, event.locale, None, "start",
                                                 (f"ans_{data[7:]}",)), lang)
        return [self._error(event, lang, "unknown_button")]

    # -- reveal -------------------------------------------------------------------------------

    async def reveal(self, round_id: int, chat: ChatRef | None = None) -> list[Reply]:
        """Close the round (once, even across processes) and build the reveal; then continue the
        session with its next question or its final ranking."""
        rnd = await self.rounds.get(round_id)
        if rnd is None or not await self.rounds.close(round_id, self.clock()):
            return []
        if chat is None or chat.key != rnd.chat_key:
            chat = await self.stored_chat(rnd.chat_key)
        lang, _tz = await self.chat_settings(chat)
        question = self.bank.question(rnd.question_id)
        if question is None:  # removed from the bank since it was asked
            log.warning("round %s asks unknown question %s", rnd.id, rnd.question_id)
            return await self._after_close(chat, rnd, lang)
        rows = await self.rounds.answers(rnd.id)
        answers = [ScoredAnswer(r["name"], r["score"], hits_of(r), r["text"], r["choice"]) for r in rows]
        buttons = (Button(say(lang, "next_button"), "qb:next"),) if chat.private else ()
        reveal = Reply(chat, ReplyKind.REVEAL, reveal_text(question, answers, lang),
                       folded=model_answer_text(question, lang), round_id=rnd.id, question_id=question.id,
                       buttons=buttons if rnd.session_id is None or not await self._session_continues(rnd)
                       else ())
        return [reveal] + await self._after_close(chat, rnd, lang)

    async def stored_chat(self, chat_key: str) -> ChatRef:
        """The ChatRef of a chat known only by its key (a push, a reveal, a scheduled post)."""
        row = await self.store.fetchone("SELECT platform, private, title FROM chats WHERE key = ?", (chat_key,))
        platform, _, chat_id = chat_key.partition(":")
        if row is None:
            return ChatRef(platform, chat_id)
        return ChatRef(platform, chat_id, bool(row["private"]), row["title"])

    async def _session_continues(self, rnd: Round) -> bool:
        row = await self.store.fetchone("SELECT total, status FROM sessions WHERE id = ?", (rnd.session_id,))
        return bool(row) and row["status"] == "active" and rnd.seq < row["total"]

    async def _end_session(self, session_id: int) -> None:
        async with self.store.write() as db:
            await db.execute("UPDATE sessions SET status = 'done' WHERE id = ?", (session_id,))

    async def _after_close(self, chat: ChatRef, rnd: Round, lang: str) -> list[Reply]:
        if rnd.session_id is None:
            return []
        row = await self.store.fetchone("SELECT total, topic, status, started_by FROM sessions WHERE id = ?",
                                        (rnd.session_id,))
        if row is None or row["status"] != "active":
            return []
        if rnd.seq < row["total"]:
            return await self._open_quiz_round(chat, rnd.session_id, rnd.seq + 1, row["total"], row["topic"],
                                               row["started_by"], lang)
        await self._end_session(rnd.session_id)
        return await self._session_ranking(chat, rnd.session_id, lang, force=False)

    async def _session_ranking(self, chat: ChatRef, session_id: int, lang: str, force: bool) -> list[Reply]:
        text, rounds = await self.stats.session_ranking_text(session_id, lang)
        if rounds < 2 and not force:
            return []
        buttons = (Button(say(lang, "next_button"), "qb:next"),) if chat.private else ()
        return [Reply(chat, ReplyKind.RANKING, text, buttons=buttons)]

    async def expire_due(self) -> int:
        """Reveal every round whose window has ended (also those that fell due while the bot was
        down); push the reveals. Returns how many rounds this call closed."""
        closed = 0
        for round_id in await self.rounds.due(self.clock()):
            replies = await self.reveal(round_id)
            if replies:
                closed += 1
                await self.push(replies)
        return closed
