"""QuizEngine: the one entry point of quizbot's core, platform-neutral.

Adapters hand it neutral events (``bot.events``) and render the neutral replies it returns
(``bot.replies``). It wires the parts and dispatches:

* ``bot.chats.ChatDirectory``: chat language, zone, reachability, member names, admins;
* ``bot.round_flow.RoundFlow``: the question of the day, answers, reveals;
* ``bot.sessions.Sessions``: on-demand quizzes of several questions;
* ``bot.command_handlers.ChatCommands``: the chat commands, declared in a ``CommandRegistry``
  (``commands``) that other parts (the scheduler) add to with ``register_command``;
* ``bot.review``: the personal review queue (``/review``); every revealed answer updates the
  member's FSRS card (a hook in ``Rounds.close``), and a member's private answer or button goes to
  the card ``/review`` is showing them.

Pushes nobody asked for (a reveal when the answer window ends, the next question of a session,
the question of the day) go out through the ``Messenger`` registered for the chat's platform.
All state lives in SQLite, so a restart loses nothing: open rounds keep their ``closes_at`` and
``expire_due`` reveals whatever fell due while the bot was down. See docs/architecture.md.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable

from bot.bank import QuestionBank
from bot.chats import ChatDirectory
from bot.command_handlers import ChatCommands
from bot.command_registry import Access, CommandHandler, CommandRegistry, CommandSpec
from bot.config import Settings
from bot.events import ButtonPress, ChoicePick, Command, Event, TextAnswer
from bot.flags import BUTTON_PREFIX as FLAG_BUTTON
from bot.flags import FlagCommands
from bot.grading import Grader
from bot.grading.offload import AnswerGrading
from bot.judge import build_grader
from bot.judge.background import Judgements
from bot.messenger import Messenger
from bot.model import ChatRef, UserRef
from bot.private_answers import Membership
from bot.pushes import PushQueue, record_timed_reveal, timed_reveal
from bot.replies import Reply
from bot.review import BUTTON_PREFIXES, ReviewCards, ReviewCommands, ReviewFlow
from bot.round_flow import RoundFlow
from bot.rounds import Rounds
from bot.sessions import Sessions
from bot.stats import Stats
from bot.storage import Store
from bot.textsafe import sanitize
from bot.views import code_safe, error_reply

log = logging.getLogger(__name__)


class QuizEngine:
    def __init__(self, store: Store, bank: QuestionBank, settings: Settings,
                 clock: Callable[[], float] = time.time, rng: random.Random | None = None,
                 grader: Grader | None = None) -> None:
        self.store = store
        self.bank = bank
        self.settings = settings
        self.clock = clock
        self.messengers: dict[str, Messenger] = {}
        self.rounds = Rounds(store, bank, rng, settings.cache_entries)
        self.stats = Stats(store, bank)
        self.chats = ChatDirectory(store, settings, clock)
        self.sessions = Sessions(store, bank, settings, clock, self.rounds, self.stats, self.chats)
        # one Grader for open answers: the local grader, plus the LLM judge when one is configured
        self.grader = grader or build_grader(settings, store)
        self.judgements = Judgements(store, self.grader, clock, settings.llm_concurrency, settings.llm_reveal_wait)
        # the answer path's immediate grade: in a worker process once ``start_grading`` has started one
        self.grading = AnswerGrading(self.grader, settings.grading_worker_count)
        self.flow = RoundFlow(bank, settings, clock, self.rounds, self.chats, self.sessions, self.grader,
                              self.judgements, self.grading)
        # pushes nobody asked for, recorded in SQLite until delivered (a timed reveal's push is
        # recorded by this hook in the transaction that closes its round)
        self.pushes = PushQueue(store, clock, self.messengers, self._chat_gone, self._rebuild_push)
        self.rounds.score_hooks.append(record_timed_reveal)
        self.commands = CommandRegistry()
        self.chat_commands = ChatCommands(bank, settings, clock, self.rounds, self.stats, self.chats,
                                          self.sessions, self.flow, self.commands, self.pushes)
        self.commands.register_all(self.chat_commands)
        self.flag_commands = FlagCommands(store, bank, clock, self.rounds)
        self.commands.register_all(self.flag_commands)
        self.rounds.excluded = self.flag_commands.flags.flagged_out
        self.review_cards = ReviewCards(bank, settings.review_retention)
        self.rounds.score_hooks.append(self.review_cards.record_round)
        self.review = ReviewFlow(store, bank, settings, clock, self.review_cards, self.chats, self.rounds, self.grader)
        self.commands.register_all(ReviewCommands(self.review, self.chats, clock))

    # -- wiring -------------------------------------------------------------------------------

    def add_messenger(self, platform: str, messenger: Messenger, answers_by_button: bool = False) -> None:
        """Register a platform. ``answers_by_button``: members answer open questions through a
        button (Discord's modal) rather than by replying, which changes the hint under a question."""
        self.messengers[platform] = messenger
        if answers_by_button:
            self.chats.button_platforms.add(platform)

    def add_membership(self, platform: str, membership: Membership) -> None:
        """Register how to ask the platform whether a user is a member of a chat (Telegram:
        ``getChatMember``); without one a member is someone who has spoken in the chat."""
        self.chats.private_answers.add_membership(platform, membership)

    async def private_answer_payload(self, round_id: int, chat_key: str) -> str:
        """The signed deep-link payload (``ans_…``, <= 64 URL-safe characters) that lets a member of
        ``chat_key`` answer round ``round_id`` in a private chat."""
        return await self.chats.private_answers.payload(round_id, chat_key)

    def register_command(self, command: CommandSpec | str, handler: CommandHandler) -> None:
        """Let another part (the scheduler) serve a command on every platform at once: a spec
        declares and binds it; a name binds a handler to a command declared earlier."""
        if isinstance(command, CommandSpec):
            self.commands.register(command, handler)
        else:
            self.commands.bind(command, handler)

    def register_commands(self, owner: object) -> None:
        """Declare and bind every ``@command`` method of ``owner`` (e.g. the scheduler)."""
        self.commands.register_all(owner)

    async def link_message(self, round_id: int, kind: str, ref: str) -> None:
        """Remember that a platform message or poll (``kind``, ``ref``) shows this round, so a
        reply to it or a vote in it finds the round, also after a restart."""
        await self.rounds.link(round_id, kind, ref)

    async def round_for_message(self, kind: str, ref: str) -> int | None:
        return await self.rounds.linked(kind, ref)

    async def push(self, replies: list[Reply]) -> None:
        """Send replies nobody is waiting for through the chat's platform messenger, durably: they
        are recorded first, and what cannot be sent now is retried by ``deliver_pushes``."""
        if not replies:
            return
        try:
            push_id = await self.pushes.record(replies)
        except Exception:  # the database refused: a round's push recorded with it is rebuilt later
            log.exception("recording a push to %s failed", replies[0].chat.key)
            return
        await self.pushes.deliver(push_id)

    async def deliver_pushes(self) -> int:
        """Retry the pushes whose time has come (the ticker calls it); how many were completed."""
        return await self.pushes.deliver_due()

    async def _rebuild_push(self, kind: str, round_id: int, chat_key: str) -> list[Reply]:
        """The replies of a push recorded with its round but lost before they were attached."""
        rnd = await self.rounds.get(round_id)
        if rnd is None:
            return []
        question = self.bank.question(rnd.question_id)
        chat = await self.chats.stored(chat_key)
        if kind == "reveal":
            return await self.flow.reveal_replies(rnd, chat)
        if kind == "question" and question is not None:
            lang, tz = await self.chats.settings_of(chat)
            return [self.flow.daily_reply(chat, rnd, question, lang, tz, self.clock())]
        return []

    # -- chats --------------------------------------------------------------------------------

    async def chat_settings(self, chat: ChatRef, locale: str | None = None) -> tuple[str, str]:
        """(language, time zone) of a chat; a chat seen for the first time is stored."""
        return await self.chats.settings_of(chat, locale)

    def forget_chat_cache(self, chat_key: str) -> None:
        self.chats.forget(chat_key)

    async def _chat_gone(self, chat_key: str) -> None:
        await self.set_chat_active(chat_key, False)

    async def set_chat_active(self, chat_key: str, active: bool) -> None:
        """A platform told us the chat is (un)reachable; an inactive chat's schedule pauses."""
        await self.chats.set_active(chat_key, active)

    async def stored_chat(self, chat_key: str) -> ChatRef:
        """The ChatRef of a chat known only by its key (a push, a reveal, a scheduled post)."""
        return await self.chats.stored(chat_key)

    def local_date(self, tz: str, when: float | None = None) -> str:
        return self.chats.local_date(tz, when)

    def is_admin(self, chat: ChatRef, user: UserRef) -> bool:
        return self.chats.is_admin(chat, user)

    # -- entry point --------------------------------------------------------------------------

    async def handle(self, event: Event) -> list[Reply]:
        """One event in, replies out. Never raises: a bug becomes a logged apology."""
        event = sanitize(event)  # text SQLite can store, ids that can exist (bot.textsafe)
        try:
            if event.update_key and not await self.store.claim_update(event.update_key, self.clock()):
                log.info("duplicate update %s ignored", event.update_key)
                return []
            lang, _tz = await self.chats.settings_of(event.chat, event.locale)
            named = self.chats.remember_user(event.user)
            # an answer does not wait for the member's name: it goes into the same group commit as
            # the answer or an earlier one, so the name is stored before the acknowledgement. Any
            # other event may read names (a board shows the new one), so it waits
            if named is not None and not isinstance(event, TextAnswer):
                await named
                named = None
            self.chats.private_answers.spoke(event.chat, event.user)
            replies = await self._dispatch(event, lang)
            if named is not None:
                await named
            return replies
        except Exception:
            log.exception("error handling %s in %s", type(event).__name__, event.chat.key)
            return [error_reply(event, self.chats.cached_lang(event.chat.key), "internal_error")]

    async def _dispatch(self, event: Event, lang: str) -> list[Reply]:
        match event:
            case Command():
                return await self._command(event, lang)
            case TextAnswer():
                if await self.review.waiting(event):
                    return await self.review.answer(event, lang)
                return await self.flow.answer(event, lang)
            case ChoicePick():
                return await self.flow.pick(event, lang)
            case ButtonPress():
                if event.data.startswith(FLAG_BUTTON):
                    return await self.flag_commands.press(event, lang)
                if event.data.startswith(BUTTON_PREFIXES):
                    return await self.review.press(event, lang)
                return await self.chat_commands.press(event, lang)
        return []

    async def _command(self, cmd: Command, lang: str) -> list[Reply]:
        entry = self.commands.lookup(cmd.name)
        if entry is None or entry.handler is None:  # unknown, or declared by a part that is not running
            # shown in a code span, where Markdown is inert; only a backtick could end it early
            return [error_reply(cmd, lang, "unknown_command", name=code_safe(cmd.name[:32]))]
        if entry.spec.access is Access.ADMIN and not self.chats.is_admin(cmd.chat, cmd.user):
            return [error_reply(cmd, lang, "not_admin", name=cmd.name)]
        return await entry.handler(cmd, lang)

    # -- rounds -------------------------------------------------------------------------------

    async def post_daily(self, chat: ChatRef, topics: list[str] | None = None, local_date: str | None = None,
                         reveal_at: float | None = None, discussion_share: float | None = None) -> list[Reply]:
        """Open the chat's question of the day (once per chat and local date); the question reply."""
        return await self.flow.post_daily(chat, topics, local_date, reveal_at, discussion_share)

    async def reveal(self, round_id: int, chat: ChatRef | None = None) -> list[Reply]:
        """Close a round and build its reveal (plus a session's next question or ranking)."""
        return await self.flow.reveal(round_id, chat)

    async def start_judging(self) -> int:
        """Re-queue answers still waiting for the LLM judge (after a restart); how many."""
        return await self.judgements.resume(self.bank, self.settings.default_lang)

    async def start_grading(self) -> bool:
        """Start the grading worker processes the settings ask for (``grading.workers``: ``auto`` is one
        on a machine with a second core); True when answers are now graded there."""
        if not self.settings.grading_worker_count:
            return False
        return await self.grading.start()

    async def stop_grading(self) -> None:
        """Stop the grading workers (answers in flight are graded in this process)."""
        await self.grading.close()

    async def stop_judging(self) -> None:
        """Stop judging in the background (pending answers are re-queued at the next start)."""
        await self.judgements.stop()

    async def expire_due(self) -> int:
        """Reveal every round whose window has ended (also those that fell due while the bot was
        down); push the reveals. Returns how many rounds this call closed."""
        closed = 0
        due = await self.flow.due()
        if len(due) > 1:  # one bounded wait for every due round's pending judgements, not one each
            await asyncio.gather(*(self.judgements.settle(round_id) for round_id in due))
        for round_id in due:
            token = timed_reveal.set(True)  # the reveal's transaction records its push
            try:
                replies = await self.flow.reveal(round_id)
            except Exception:  # the database refused this one: it stays open and is tried next tick
                log.exception("revealing round %s failed", round_id)
                continue
            finally:
                timed_reveal.reset(token)
            if replies:
                closed += 1
                await self.push(replies)
        return closed
