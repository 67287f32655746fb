"""Review cards: a rating from a grade, and the FSRS update of a member's card for a question.

Every graded answer becomes one review of the member's card for that question (one card per
member and question, across chats). The rating comes from the score: open answers 0–3 *Again*,
4–6 *Hard*, 7–8 *Good*, 9–10 *Easy*; a choice question right is *Good*, wrong is *Again* (a
lucky guess should not push a card far away). The ``fsrs`` package (py-fsrs 6) computes the
card's next state and due time with its default parameters; only the desired retention comes
from the configuration. Discussion questions have no right answer and make no card.

Answers in rounds are recorded when the round is revealed, inside the reveal's own transaction
(``Rounds.close`` calls ``record_round``): that is when the grade is final (an open answer may be
changed until then, and the last one counts), and a round is revealed exactly once even with two
processes, so a card is never updated twice for one answer. The review's time is the time of
the answer, its duration the time from the question to the answer. Reviews made in ``/review``
are recorded at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import aiosqlite
from fsrs import Card, Rating, Scheduler, State

from bot.bank import QuestionBank
from bot.model import Kind, Question
from bot.review.store import member_id

CARD_COLS = "state, step, stability, difficulty, due, last_review"

UPSERT_CARD = """
INSERT INTO review_cards(member_id, question_id, state, step, stability, difficulty, due, last_review)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(member_id, question_id) DO UPDATE SET state = excluded.state, step = excluded.step,
    stability = excluded.stability, difficulty = excluded.difficulty, due = excluded.due,
    last_review = excluded.last_review
"""

INSERT_LOG = """
INSERT INTO review_log(member_id, question_id, rating, score, state_before, reviewed_at, duration_ms, source)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""

ROUND_ANSWERS = """
SELECT r.question_id, r.kind, r.opened_at, a.user_key, a.score, a.choice, a.submitted_at, a.updated_at
FROM answers a JOIN rounds r ON r.id = a.round_id WHERE a.round_id = ?
"""


def rating_for(question: Question, score: int) -> Rating:
    """The FSRS rating of a graded answer (see the module docstring)."""
    if question.kind is Kind.CHOICE:
        return Rating.Good if score > 0 else Rating.Again
    if score <= 3:
        return Rating.Again
    if score <= 6:
        return Rating.Hard
    if score <= 8:
        return Rating.Good
    return Rating.Easy


def makes_card(question: Question) -> bool:
    return not question.is_discussion


def make_scheduler(desired_retention: float, fuzz: bool = True) -> Scheduler:
    """The package's default parameters and steps; ``fuzz`` spreads equal intervals apart (a
    member's cards answered together do not all come back the same minute)."""
    return Scheduler(desired_retention=desired_retention, enable_fuzzing=fuzz)


def _dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def card_of(row: aiosqlite.Row | None, at: float) -> Card:
    """The stored card, or a new one (FSRS: learning, first step)."""
    if row is None:
        return Card(card_id=0, due=_dt(at))  # card_id: only ReviewLog uses it; ours is the table key
    return Card(card_id=0, state=State(row["state"]), step=row["step"], stability=row["stability"],
                difficulty=row["difficulty"], due=_dt(row["due"]),
                last_review=_dt(row["last_review"]) if row["last_review"] is not None else None)


@dataclass(frozen=True)
class Reviewed:
    """A review as recorded: the rating given and the card's new due time (UTC epoch)."""

    rating: Rating
    due: float
    state: State


class ReviewCards:
    def __init__(self, bank: QuestionBank, desired_retention: float, fuzz: bool = True) -> None:
        self.bank = bank
        self.scheduler = make_scheduler(desired_retention, fuzz)

    async def record(self, db: aiosqlite.Connection, user_key: str, question: Question, score: int, at: float,
                     duration: float | None, source: str) -> Reviewed:
        """One review of the member's card, inside the caller's write transaction."""
        member = await member_id(db, user_key)
        cur = await db.execute(f"SELECT {CARD_COLS} FROM review_cards WHERE member_id = ? AND question_id = ?",
                               (member, question.id))
        row = await cur.fetchone()
        card = card_of(row, at)
        if card.last_review is not None:
            # answers reach us in reveal order, which may differ from answer order: never move a
            # card's history backwards
            at = max(at, card.last_review.timestamp())
        rating = rating_for(question, score)
        ms = int(max(0.0, duration) * 1000) if duration is not None else None
        new, _log = self.scheduler.review_card(card, rating, review_datetime=_dt(at), review_duration=ms)
        due = new.due.timestamp()
        await db.execute(UPSERT_CARD, (member, question.id, int(new.state), new.step, new.stability, new.difficulty,
                                       due, at))
        await db.execute(INSERT_LOG, (member, question.id, int(rating), score,
                                      int(row["state"]) if row is not None else None, at, ms, source))
        return Reviewed(rating, due, new.state)

    async def record_round(self, db: aiosqlite.Connection, round_id: int, now: float) -> int:
        """Every answer of a round being revealed, as reviews (``Rounds.close`` calls this inside its
        transaction). Returns how many cards were updated."""
        cur = await db.execute(ROUND_ANSWERS, (round_id,))
        rows = await cur.fetchall()
        count = 0
        for row in rows:
            question = self.bank.question(row["question_id"])
            if question is None or not makes_card(question):
                continue
            # an open answer counts in its last version; a pick is never changed
            at = row["updated_at"] if question.kind is Kind.OPEN else row["submitted_at"]
            await self.record(db, row["user_key"], question, row["score"], at, at - row["opened_at"], row["kind"])
            count += 1
        return count

