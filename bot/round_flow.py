"""The life of a round: the question of the day is opened, answers are graded and recorded, and
the round is revealed (once, even across processes) when its window ends, when an admin or its
starter says so, or early when everyone who is playing has answered.

Open answers are graded by the engine's ``Grader`` when they arrive. A member's later message to
the same question before the reveal is a follow-up: it is appended to their answer and the whole
is graded again (an edited message replaces its own part); the local grade at once, and, when an LLM judge is configured, the judge's in the background
(``bot.judge.background.Judgements``); a reveal waits a bounded time for judgements still pending.
A choice pick scores at once and only the first counts. Revealing closes the round in the same transaction
that writes its scores, then hands a session's round to ``Sessions.after_close`` for the next
question or the final ranking.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from bot.bank import QuestionBank
from bot.catalogue import say
from bot.chats import ChatDirectory
from bot.config import Settings
from bot.events import ChoicePick, Event, TextAnswer
from bot.feedback import feedback_buttons
from bot.flags import flag_button
from bot.grading import Grader, LocalGrader, grade, has_words
from bot.grading.offload import AnswerGrading
from bot.judge.background import Judgements
from bot.model import ChatRef, Kind, Question, Round, RoundKind, RoundStatus
from bot.replies import Reply, ReplyKind
from bot.rounds import AnswerPart, Rounds, contradicted_of, hits_of, join_parts
from bot.sessions import Sessions
from bot.views import (
    LETTERS,
    ScoredAnswer,
    ended_text,
    error_reply,
    md_escape,
    model_answer_text,
    next_buttons,
    question_reply,
    reveal_folded,
    reveal_text,
    reveal_when,
)

log = logging.getLogger(__name__)

# a choice answered by text: "2", "B", "b)", "3."
_PICK = re.compile(r"^\s*(?:([1-9]|1[0-2])|([A-La-l]))\s*[.)）]?\s*$")


def with_part(parts: list[AnswerPart], part: AnswerPart) -> tuple[list[AnswerPart], str]:
    """The answer's parts with ``part`` in: an edit of a message already in the answer replaces
    that message's part ('edited'); anything else is a follow-up appended after the others
    ('added')."""
    if part.key is not None and any(p.key == part.key for p in parts):
        return [part if p.key == part.key else p for p in parts], "edited"
    return [*parts, part], "added"


class RoundFlow:
    def __init__(self, bank: QuestionBank, settings: Settings, clock: Callable[[], float], rounds: Rounds,
                 chats: ChatDirectory, sessions: Sessions, grader: Grader | None = None,
                 judgements: Judgements | None = None, grading: AnswerGrading | None = None) -> None:
        self.bank = bank
        self.settings = settings
        self.clock = clock
        self.rounds = rounds
        self.chats = chats
        self.sessions = sessions
        self.grader: Grader = grader or LocalGrader()
        self.judgements = judgements or Judgements(rounds.store, self.grader, clock)
        self.grading = grading or AnswerGrading(self.grader)

    # -- the question of the day ------------------------------------------------------------

    async def post_daily(self, chat: ChatRef, topics: list[str] | None = None, local_date: str | None = None,
                         reveal_at: float | None = None, discussion_share: float | None = None) -> list[Reply]:
        """Open the chat's question of the day and return the question reply (the caller sends it).

        Keyed by (chat, local date) in the database: a second call for the same day, from this or
        another process, returns [] and posts nothing."""
        lang, tz = await self.chats.settings_of(chat)
        now = self.clock()
        day = local_date or self.chats.local_date(tz, now)
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
                                       local_date=day, daily_key=day, thread=chat.thread)
        if rnd is None:
            log.info("daily question for %s on %s already posted", chat.key, day)
            return []
        return [self.daily_reply(chat, rnd, question, lang, tz, now)]

    def daily_reply(self, chat: ChatRef, rnd: Round, question: Question, lang: str, tz: str, now: float) -> Reply:
        """The question-of-the-day message of a round (also to rebuild a lost push)."""
        chat = replace(chat, thread=rnd.thread)  # the topic it was posted in, also when rebuilt
        closes_at = rnd.closes_at if rnd.closes_at is not None else now
        day = rnd.local_date or self.chats.local_date(tz, rnd.opened_at)
        when = reveal_when(closes_at, day, tz, lang)
        header = say(lang, "daily_header", date=day, topic=self.bank.topics[question.topic].title(lang))
        hint = (say(lang, "choice_hint_daily", when=when) if question.kind is Kind.CHOICE
                else say(lang, "open_hint_daily_button" if self.chats.answers_by_button(chat)
                         else "open_hint_daily", when=when))
        return question_reply(chat, rnd, question, header, hint, lang, max(0.0, closes_at - now))

    # -- answers ------------------------------------------------------------------------------

    async def _target_round(self, event: TextAnswer) -> tuple[Round | None, bool]:
        """The round this text answers, and whether it is the member's pending private answer (a
        link they opened: it stays pending until an answer to it is recorded)."""
        if event.round_id is not None:
            return await self.rounds.get(event.round_id), False
        if event.chat.private:
            round_id = await self.chats.private_answers.pending(event.user.key)
            if round_id is not None:
                rnd = await self.rounds.get(round_id)
                if rnd is not None and rnd.status is RoundStatus.OPEN:
                    return rnd, True
        return await self.rounds.open_in(event.chat.key), False

    async def answer(self, event: TextAnswer, lang: str) -> list[Reply]:
        """A text answer: graded and stored for an open question, a pick for a choice question."""
        text = event.text.strip()
        if not text:
            return [error_reply(event, lang, "empty_answer")]
        if len(text) > self.settings.max_answer_chars:
            return [error_reply(event, lang, "too_long", n=len(text), max=self.settings.max_answer_chars)]
        rnd, pending = await self._target_round(event)
        if rnd is None:
            return [error_reply(event, lang, "no_open_round")]
        # a round of another chat (not one the member opened a private answer for): members only
        refused = await self._refused(rnd, event, lang, outside=not pending and rnd.chat_key != event.chat.key)
        if refused:
            return refused
        question = self.bank.question(rnd.question_id)
        if question is None:
            return [error_reply(event, lang, "round_closed")]
        question = question.in_order(rnd.option_order)  # "B" means the option shown as B
        if question.kind is Kind.CHOICE:
            m = _PICK.match(text)
            if not m:
                return [error_reply(event, lang, "pick_option")]
            option = int(m.group(1)) - 1 if m.group(1) else LETTERS.index(m.group(2).upper())
            replies = await self.pick(ChoicePick(event.chat, event.user, event.locale, None, rnd.id, option), lang)
            if pending and replies and replies[0].kind is ReplyKind.ACK:
                await self.chats.private_answers.clear_pending(event.user.key, rnd.id)
            return replies
        if not has_words(text):
            return [error_reply(event, lang, "no_words")]
        judged = self.judgements.judges(question)
        _lang, tz = await self.chats.settings_of(self.chats.of_round(rnd, event.chat))
        # written where the group cannot read it (a private chat, Discord's form): never shown there
        private = rnd.chat_key != event.chat.key or (not event.chat.private and self.chats.answers_by_button(event.chat))
        status: str | None = "stale"
        follow_up, parts, whole = "", [AnswerPart(event.part_key, text)], text
        # the first attempt starts from what this process knows (no SELECT); when that is out of
        # date, or another message of the member's was stored in between, read again
        for attempt in range(4):
            revision, stored = await self.rounds.answer_parts(rnd.id, event.user.key, fresh=attempt > 0)
            parts, follow_up = with_part(stored, AnswerPart(event.part_key, text))
            whole = join_parts(parts)
            if len(whole) > self.settings.max_answer_chars:  # the whole answer is graded: it must fit
                return [error_reply(event, lang, "too_long_total", n=len(whole), max=self.settings.max_answer_chars)]
            result = await self.grading.grade(question, whole, lang)
            now = self.clock()
            status = await self.rounds.record_open(rnd, event.user.key, event.user.name or event.user.id, parts,
                                                   result.score, result.hit, now, self.chats.local_date(tz, now),
                                                   revision=revision, contradicted=result.contradicted,
                                                   capped=result.capped, feedback=result.feedback,
                                                   judge_pending=judged, private=private)
            if status != "stale":
                break
        if status is None:
            return [error_reply(event, lang, "round_closed")]
        if status == "stale":
            return [error_reply(event, lang, "answer_retry")]
        if pending:  # answered: the member's next private message is not for this round
            await self.chats.private_answers.clear_pending(event.user.key, rnd.id)
        if judged:  # in the background: the acknowledgement does not wait for the model
            self.judgements.submit(rnd.id, event.user.key, question, whole, _lang, rnd.closes_at)
        name = md_escape(event.user.name or event.user.id)
        if status == "new":
            text_ack = say(lang, "ack_new", name=name)
        elif len(parts) == 1:  # the only part, edited
            text_ack = say(lang, "ack_changed", name=name)
        else:
            text_ack = say(lang, f"ack_{follow_up}", name=name, n=len(parts))
        ack = Reply(event.chat, ReplyKind.ACK, text_ack, round_id=rnd.id, to_user=event.user,
                    meta={"status": status, "follow_up": follow_up, "parts": len(parts)})
        return [ack] + await self._maybe_early_reveal(rnd, event)

    async def pick(self, event: ChoicePick, lang: str) -> list[Reply]:
        """An option of a choice question picked (a button, a poll vote, a typed number)."""
        rnd = await self.rounds.get(event.round_id)
        if rnd is None:
            return [error_reply(event, lang, "unknown_button")]
        # from another chat: a poll vote (from the voter's chat) or a forged button
        refused = await self._refused(rnd, event, lang, outside=rnd.chat_key != event.chat.key)
        if refused:
            return refused
        question = self.bank.question(rnd.question_id)
        if question is None or question.kind is not Kind.CHOICE:
            return [error_reply(event, lang, "unknown_button")]
        question = question.in_order(rnd.option_order)  # picks are positions as shown; so is the stored choice
        if not 0 <= event.option < len(question.options):
            return [error_reply(event, lang, "bad_option")]
        result = grade(question, option=event.option)
        _lang, tz = await self.chats.settings_of(self.chats.of_round(rnd, event.chat))
        now = self.clock()
        stored = await self.rounds.record_pick(rnd, event.user.key, event.user.name or event.user.id,
                                               event.option, result.score, now, self.chats.local_date(tz, now))
        if not stored:
            current = await self.rounds.get(rnd.id)
            key = "round_closed" if current and current.status is RoundStatus.CLOSED else "already_picked"
            return [error_reply(event, lang, key)]
        ack = Reply(event.chat, ReplyKind.ACK, say(lang, "ack_pick", name=md_escape(event.user.name or event.user.id)),
                    round_id=rnd.id, to_user=event.user, meta={"status": "new"})
        return [ack] + await self._maybe_early_reveal(rnd, event)

    async def _refused(self, rnd: Round, event: Event, lang: str, outside: bool) -> list[Reply]:
        """Why ``event`` may not answer ``rnd`` (an error reply), or nothing: from ``outside`` the
        round's chat only its members may (``PrivateAnswers.refusal``); and the round must be open,
        its window not over."""
        if outside:
            refusal = await self.chats.private_answers.refusal(rnd, event.chat, event.user)
            if refusal is not None:
                return [error_reply(event, lang, refusal)]
        if rnd.status is not RoundStatus.OPEN or self._window_over(rnd):
            return [error_reply(event, lang, "round_closed")]
        return []

    def _window_over(self, rnd: Round) -> bool:
        """The answer window has ended and the reveal is due (the ticker, or the LLM judge it waits
        for, has not closed it yet): a message now was written for the next question, not this one."""
        return rnd.closes_at is not None and rnd.closes_at <= self.clock()

    async def _maybe_early_reveal(self, rnd: Round, event: Event) -> list[Reply]:
        """Reveal at once in a private chat; in a group once everyone who joined the session has
        answered (from its second question on: who joined is known only after the first)."""
        chat = self.chats.of_round(rnd, event.chat)
        if rnd.kind is RoundKind.DAILY:
            return []
        if rnd.chat_key == event.chat.key and event.chat.private:
            return await self._reveal_now_or_soon(rnd.id, None)
        if rnd.session_id is None or rnd.seq < 2:
            return []
        members = await self.rounds.session_members(rnd.session_id, rnd.seq)
        if members and members <= await self.rounds.answered_users(rnd.id):
            return await self._reveal_now_or_soon(rnd.id, chat)
        return []

    async def _reveal_now_or_soon(self, round_id: int, chat: ChatRef | None) -> list[Reply]:
        """An early reveal. While the LLM judge still works on the round's answers, the round's
        reveal time is brought forward to now instead, so the acknowledgement goes out at once and
        the ticker pushes the reveal once the judgements are in (or the reveal wait is over)."""
        if self.judgements.pending(round_id):
            await self.rounds.reveal_soon(round_id, self.clock())
            return []
        return await self.reveal(round_id, chat)

    # -- closing ------------------------------------------------------------------------------

    async def reveal(self, round_id: int, chat: ChatRef | None = None) -> list[Reply]:
        """Close the round (once, even across processes) and build the reveal; then continue the
        session with its next question or its final ranking."""
        rnd = await self.rounds.get(round_id)
        if rnd is None:
            return []
        if rnd.status is RoundStatus.OPEN:
            await self.judgements.settle(round_id)  # a bounded wait for judgements still pending
        if not await self.rounds.close(round_id, self.clock()):
            return []
        await self.judgements.finish(round_id)  # what is still pending keeps its local grade
        return await self.reveal_replies(rnd, chat)

    async def reveal_replies(self, rnd: Round, chat: ChatRef | None = None) -> list[Reply]:
        """The reveal of a closed round and what follows it (also to rebuild a lost push)."""
        if chat is None or chat.key != rnd.chat_key:
            # a timed reveal goes where the question was asked (its forum topic)
            chat = replace(await self.chats.stored(rnd.chat_key), thread=rnd.thread)
        lang, _tz = await self.chats.settings_of(chat)
        question = self.bank.question(rnd.question_id)
        if question is None:  # removed from the bank since it was asked
            log.warning("round %s asks unknown question %s", rnd.id, rnd.question_id)
            return await self.sessions.after_close(chat, rnd, lang)
        question = question.in_order(rnd.option_order)  # letters as the members saw them
        rows = await self.rounds.answers(rnd.id)
        answers = [ScoredAnswer(r["name"], r["score"], hits_of(r), r["text"], r["choice"],
                                contradicted=contradicted_of(r), capped=r["capped"], feedback=r["feedback"],
                                judge=r["judge"], fallback=r["judge_state"] == "failed",
                                private=bool(r["private"])) for r in rows]
        buttons = next_buttons(chat, lang) if not await self.sessions.continues(rnd) else ()
        # each member reads their own result privately; then members report a faulty question
        buttons = (*buttons, *feedback_buttons(chat, rnd.id, question, answers, lang), flag_button(rnd.id, lang))
        reveal = Reply(chat, ReplyKind.REVEAL, reveal_text(question, answers, lang),
                       folded=reveal_folded(question, answers, lang), round_id=rnd.id, question_id=question.id,
                       buttons=buttons)
        return [reveal] + await self.sessions.after_close(chat, rnd, lang)

    async def skip(self, rnd: Round, chat: ChatRef, lang: str) -> list[Reply]:
        """Close the round unscored; a session goes on with its next question."""
        if not await self.rounds.close(rnd.id, self.clock(), skipped=True):
            return []
        await self.judgements.finish(rnd.id)
        replies = [self._ended(rnd, chat, say(lang, "skipped"), lang)]
        return replies + await self.sessions.after_close(chat, rnd, lang)

    async def stop(self, rnd: Round, chat: ChatRef, lang: str) -> list[Reply]:
        """Close the round unscored and end its session with the ranking so far."""
        if not await self.rounds.close(rnd.id, self.clock(), skipped=True):
            return []
        await self.judgements.finish(rnd.id)
        replies = [self._ended(rnd, chat, say(lang, "stopped"), lang)]
        if rnd.session_id is not None:
            await self.sessions.end(rnd.session_id)
            replies += await self.sessions.ranking(chat, rnd.session_id, lang)
        return replies

    def _ended(self, rnd: Round, chat: ChatRef, notice: str, lang: str) -> Reply:
        """The notice of a question ended unscored, with what it asked and its model answer: a
        skipped question still teaches."""
        question = self.bank.question(rnd.question_id)
        if question is None:  # removed from the bank since it was asked
            return Reply(chat, ReplyKind.INFO, notice, round_id=rnd.id)
        question = question.in_order(rnd.option_order)  # letters as the members saw them
        return Reply(chat, ReplyKind.INFO, ended_text(question, notice, lang), folded=model_answer_text(question, lang),
                     round_id=rnd.id, question_id=question.id)

    async def due(self) -> list[int]:
        """Rounds whose window has ended."""
        return await self.rounds.due(self.clock())
