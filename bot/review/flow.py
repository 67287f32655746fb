"""``/review``: a member goes through their due cards one at a time, privately.

The most overdue card comes first. The member answers as everywhere else (a text message in a
private chat, the Answer form on Discord, an option button or its letter for a choice question)
and at once gets the result: score, the key points made and missed, the model answer, when the
card comes back. Open answers are graded by the engine's grader, as in rounds: with an LLM judge
configured its judgement is awaited (at most ``llm.reveal_wait_seconds``, as a reveal would),
else the local grade counts. Then the next due card, until none is due: then when the next one falls due, and
an offer of new questions from the member's weakest topic.

Where: a private chat (Telegram private chat, Discord DM); in a Discord server every reply is for
the member alone (ephemeral); in a Telegram group, where every message is public, the reply is a
button that opens the private chat with ``/start review``. The card being shown is stored
(``review_current``) with an item number that grows with each card, so a press on an older card's
button, or a second tap on the same one, is refused instead of grading the wrong question.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
from collections.abc import Callable

from bot.bank import QuestionBank
from bot.catalogue import say as say_main
from bot.chats import ChatDirectory
from bot.config import Settings
from bot.events import ButtonPress, Event, TextAnswer
from bot.grading import Grader, LocalGrader, grade, has_words
from bot.local_time import end_of_day
from bot.model import Grade, Kind, Question, UserRef
from bot.replies import Button, Reply, ReplyKind
from bot.review.cards import ReviewCards, Reviewed
from bot.review.store import Current, ReviewStore
from bot.review.texts import say, until
from bot.rounds import Rounds
from bot.storage import Store
from bot.views import LETTERS, error_reply, md_escape, model_answer_text

log = logging.getLogger(__name__)

PICK = re.compile(r"^\s*(?:([1-9]|1[0-2])|([A-La-l]))\s*[.)）]?\s*$")  # "2", "B", "b)" as in a round
BUTTON = re.compile(r"^qb:rv:(\d{1,18}):(\d{1,2})$")
START_BUTTONS = ("qb:rv:go", "qb:dm:review")  # a reminder's button; the group's "review in private"
BUTTON_PREFIXES = ("qb:rv:", "qb:dm:review")  # the buttons ``press`` takes
RETENTION_DAYS = 30


def option_order(member: int, item: int, n: int) -> list[int]:
    """The order a card's options are shown in (shown position -> bank index): shuffled per card
    shown, so the position remembered from last time is no hint; reproducible from the item."""
    return random.Random(f"{member}:{item}").sample(range(n), n)


class ReviewFlow:
    def __init__(self, store: Store, bank: QuestionBank, settings: Settings, clock: Callable[[], float],
                 cards: ReviewCards, chats: ChatDirectory, rounds: Rounds, grader: Grader | None = None) -> None:
        self.store = store
        self.queue = ReviewStore(store)
        self.bank = bank
        self.settings = settings
        self.clock = clock
        self.cards = cards
        self.chats = chats
        self.rounds = rounds
        self.grader = grader or LocalGrader()
        self._dropping: asyncio.Task | None = None

    # -- where /review may run ----------------------------------------------------------------

    def needs_private(self, event: Event) -> bool:
        """A group on a platform without private replies (Telegram): send the member away."""
        return not event.chat.private and not self.chats.answers_by_button(event.chat)

    def _private_hint(self, event: Event, lang: str) -> list[Reply]:
        button = Button(say(lang, "private_button"), "qb:dm:review")
        return [Reply(event.chat, ReplyKind.INFO, say(lang, "use_private"), buttons=(button,), to_user=event.user)]

    # -- showing cards --------------------------------------------------------------------------

    async def start(self, event: Event, lang: str) -> list[Reply]:
        if self.needs_private(event):
            return self._private_hint(event, lang)
        return await self.next_card(event, lang)

    async def next_card(self, event: Event, lang: str, after_answer: bool = False) -> list[Reply]:
        """The most overdue card, or word of when the next one falls due."""
        now = self.clock()
        member = await self.queue.member(event.user.key)
        while member is not None:
            nxt = await self.queue.next_due(member)
            if nxt is None:
                break
            question_id, due = nxt
            if due > now:
                key = "done" if after_answer else "nothing_due"
                return [self._info(event, say(lang, key, when=until(due - now, lang)) + await self._offer(event, lang))]
            question = self.bank.question(question_id)
            if question is None:  # left the bank while running (start-up drops the rest)
                await self.queue.drop_card(member, question_id)
                continue
            current = await self.queue.show(event.user.key, event.chat.key, question.id, now)
            left = await self.queue.count_due(member, now)
            return [self._question(event, lang, question, current, left)]
        return [self._info(event, say(lang, "no_cards") + await self._offer(event, lang))]

    def _question(self, event: Event, lang: str, q: Question, current: Current, left: int) -> Reply:
        topic = self.bank.topics[q.topic].title(lang) if q.topic in self.bank.topics else q.topic
        lines = [say(lang, "header", topic=topic, left=left), "", q.prompt, ""]
        stop = Button(say(lang, "stop_button"), "qb:rv:stop")
        if q.kind is Kind.CHOICE:
            order = option_order(current.member_id, current.item, len(q.options))
            lines += [f"{LETTERS[pos]}. {q.options[idx]}" for pos, idx in enumerate(order)]
            lines += ["", "_" + say(lang, "hint_choice") + "_"]
            buttons = tuple(Button(f"{LETTERS[pos]}. {q.options[idx]}", f"qb:rv:{current.item}:{idx}")
                            for pos, idx in enumerate(order)) + (stop,)
        elif self.chats.answers_by_button(event.chat):
            lines.append("_" + say(lang, "hint_button") + "_")
            buttons = (Button(say(lang, "answer_button"), f"qb:rva:{current.item}"), stop)
        else:
            lines.append("_" + say(lang, "hint_text") + "_")
            buttons = (stop,)
        return Reply(event.chat, ReplyKind.QUESTION, "\n".join(lines), buttons=buttons, question_id=q.id,
                     to_user=event.user)

    def _info(self, event: Event, text: str) -> Reply:
        return Reply(event.chat, ReplyKind.INFO, text, to_user=event.user)

    async def _offer(self, event: Event, lang: str) -> str:
        """New questions from the member's weakest topic (lowest average score)."""
        slug = await self.queue.weakest_topic(event.user.key, [t for t, topic in self.bank.topics.items()
                                                               if any(not q.is_discussion for q in topic.questions)])
        if slug is None:
            return ""
        return "\n\n" + say(lang, "offer", topic=self.bank.topics[slug].title(lang), slug=slug)

    # -- answers --------------------------------------------------------------------------------

    async def waiting(self, event: TextAnswer) -> bool:
        """Whether this text answers the member's review card rather than a round: the Discord
        form of a card, or a private message while a card waits in this chat (an *answer
        privately* link or an open round of the chat come first)."""
        if event.review_item is not None:
            return True
        if event.round_id is not None or not event.chat.private:
            return False
        current = await self.queue.current(event.user.key)
        if current is None or current.chat_key != event.chat.key:
            return False
        if await self.rounds.open_in(event.chat.key) is not None:
            return False
        return not await self.queue.pending_private(event.user.key)

    async def answer(self, event: TextAnswer, lang: str) -> list[Reply]:
        current = await self.queue.current(event.user.key)
        if event.review_item is not None and (current is None or event.review_item != current.item):
            return [self._error(event, say(lang, "stale"))]  # the form of a card answered already
        if current is None:
            return [error_reply(event, lang, "no_open_round")]
        question = self.bank.question(current.question_id)
        if question is None:
            await self.queue.clear(current.member_id)
            return [self._info(event, say(lang, "removed"))] + await self.next_card(event, lang)
        text = event.text.strip()
        if question.kind is Kind.CHOICE:
            m = PICK.match(text)
            if not m:
                return [error_reply(event, lang, "pick_option")]
            shown = int(m.group(1)) - 1 if m.group(1) else LETTERS.index(m.group(2).upper())
            order = option_order(current.member_id, current.item, len(question.options))
            if not 0 <= shown < len(order):
                return [error_reply(event, lang, "bad_option")]
            return await self._graded(event, lang, current, question, grade(question, option=order[shown]))
        if not text:
            return [error_reply(event, lang, "empty_answer")]
        if len(text) > self.settings.max_answer_chars:
            return [error_reply(event, lang, "too_long", n=len(text), max=self.settings.max_answer_chars)]
        if not has_words(text):
            return [error_reply(event, lang, "no_words")]
        return await self._graded(event, lang, current, question, await self._judge(question, text, lang))

    async def _judge(self, question: Question, text: str, lang: str) -> Grade:
        try:
            return await asyncio.wait_for(self.grader.judge(question, text, lang), self.settings.llm_reveal_wait)
        except TimeoutError:
            log.info("review answer to %s: the judge took too long, the local grade counts", question.id)
            return self.grader.grade(question, text, lang)

    async def press(self, event: ButtonPress, lang: str) -> list[Reply]:
        """The review's buttons: an option, stop, start (``bot.replies`` lists the ids)."""
        if event.data in START_BUTTONS:
            return await self.start(event, lang)
        if event.data == "qb:rv:stop":
            return await self.stop(event, lang)
        m = BUTTON.match(event.data)
        if m is None:
            return [error_reply(event, lang, "unknown_button")]
        item, option = int(m.group(1)), int(m.group(2))
        current = await self.queue.current(event.user.key)
        if current is None or current.item != item:
            return [self._error(event, say(lang, "stale"))]
        question = self.bank.question(current.question_id)
        if question is None or question.kind is not Kind.CHOICE or not 0 <= option < len(question.options):
            return [error_reply(event, lang, "unknown_button")]
        return await self._graded(event, lang, current, question, grade(question, option=option))

    async def _graded(self, event: Event, lang: str, current: Current, question: Question,
                      result: Grade) -> list[Reply]:
        """Record the review (once: the waiting card is taken in the same transaction) and show
        the result and the next card."""
        now = self.clock()
        reviewed: Reviewed | None = None
        async with self.store.write() as db:
            cur = await db.execute(
                "UPDATE review_current SET question_id = '' WHERE member_id = ? AND item = ? AND question_id <> ''",
                (current.member_id, current.item))
            if cur.rowcount == 1:
                reviewed = await self.cards.record(db, event.user.key, question, result.score, now,
                                                   now - current.shown_at, "review")
        if reviewed is None:  # a second tap, or another device answered first
            return [self._error(event, say(lang, "stale"))]
        text = self._result_text(question, result, reviewed, now, current, lang)
        following = await self.next_card(event, lang, after_answer=True)
        if following and following[0].kind is ReplyKind.INFO:  # nothing more is due: say so under the result
            text += "\n\n" + following.pop(0).text
        return [Reply(event.chat, ReplyKind.RESULT, text, folded=model_answer_text(question, lang),
                      question_id=question.id, to_user=event.user)] + following

    def _result_text(self, q: Question, result: Grade, reviewed: Reviewed, now: float, current: Current,
                     lang: str) -> str:
        lines = [say(lang, "result_title", score=result.score, rating=say(lang, f"rating_{int(reviewed.rating)}"))]
        if q.kind is Kind.CHOICE:
            order = option_order(current.member_id, current.item, len(q.options))
            right = ", ".join(f"{LETTERS[order.index(i)]}. {q.options[i]}" for i in q.correct)
            lines += ["", say_main(lang, "correct_option", option=right)]
            if q.explanation:
                lines.append(q.explanation)
        else:
            if result.hit:
                lines += ["", say(lang, "hit"), *(f"- ✅ {md_escape(p)}" for p in result.hit)]
            missed = [p for p in (kp.text for kp in q.key_points) if p not in result.hit]
            if missed:
                lines += ["", say(lang, "missed"), *(f"- ⬜ {md_escape(p)}" for p in missed)]
        lines += ["", say(lang, "next_due", when=until(reviewed.due - now, lang))]
        return "\n".join(lines)

    def _error(self, event: Event, text: str) -> Reply:
        return Reply(event.chat, ReplyKind.ERROR, text, to_user=event.user)

    # -- stop, stats ----------------------------------------------------------------------------

    async def stop(self, event: Event, lang: str) -> list[Reply]:
        member = await self.queue.member(event.user.key)
        if member is None or not await self.queue.clear(member):
            return [self._info(event, say(lang, "not_reviewing"))]
        left = await self.queue.count_due(member, self.clock())
        return [self._info(event, say(lang, "stopped", n=left))]

    async def stats_text(self, user: UserRef, tz: str, lang: str) -> str:
        now = self.clock()
        member = await self.queue.member(user.key)
        name = md_escape(user.name or user.id)
        if member is None:
            return say(lang, "no_cards")
        states = await self.queue.by_state(member)
        passed, n = await self.queue.retention(member, now - RETENTION_DAYS * 86400)
        retention = (say(lang, "retention", pct=round(100 * passed / n), passed=passed, n=n) if n
                     else say(lang, "no_retention"))
        return say(lang, "stats", name=name, today=await self.queue.count_due(member, end_of_day(now, tz)),
                   week=await self.queue.count_due(member, end_of_day(now, tz, 6)),
                   learning=states.get(1, 0), review=states.get(2, 0), relearning=states.get(3, 0),
                   total=sum(states.values()), retention=retention)

    async def due_now(self, user_key: str) -> int:
        """How many of the member's cards are due (``/me``)."""
        return await self.queue.count_due_for(user_key, self.clock())

    async def drop_removed(self) -> int:
        """The cards of questions no longer in the bank go; how many."""
        return await self.queue.drop_removed(self.bank.by_id)

    def start_dropping_removed(self) -> None:
        """At start-up: ``drop_removed`` in the background (a pass over every card: seconds for
        millions), logging how many cards went."""
        self._dropping = asyncio.create_task(self._drop_removed_logged(), name="review-drop-removed")

    async def _drop_removed_logged(self) -> None:
        try:
            count = await self.drop_removed()
        except Exception:
            log.exception("dropping the review cards of removed questions failed")
            return
        if count:
            log.info("%d review cards of questions no longer in the bank deleted", count)

    async def stop_dropping_removed(self) -> None:
        """At shutdown: stop the pass (its current chunk rolls back; the next start does it again)."""
        task, self._dropping = self._dropping, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
