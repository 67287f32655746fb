"""Domain types shared by every part of quizbot: questions, chats, users, rounds, answers, grades.

They are plain frozen dataclasses so that adapters, the engine, the store and the scheduler can
pass them around without knowing about each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class Kind(StrEnum):
    OPEN = "open"
    CHOICE = "choice"


class RoundKind(StrEnum):
    QUIZ = "quiz"  # on-demand /quiz in a group or private chat
    DAILY = "daily"  # question of the day


class RoundStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class KeyPoint:
    text: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    file: str
    section: str = ""


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    topic: str
    kind: Kind
    prompt: str
    answer: str | None = None  # Markdown model answer; None makes it a discussion question
    key_points: tuple[KeyPoint, ...] = ()
    options: tuple[str, ...] = ()
    correct: tuple[int, ...] = ()
    explanation: str = ""
    difficulty: int = 2
    tags: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    answer_origin: str = ""  # "notes" (taken from the study notes) or "written" (written for the bank)
    correction: str = ""  # what was changed in a notes answer, and why
    discussion: bool = False  # an experience question: no model answer, graded against the rubric
    rubric: tuple[str, ...] = ()  # what a strong answer to a discussion question covers

    @property
    def is_discussion(self) -> bool:
        """An open question without a model answer: answers are collected and shown, not graded."""
        return self.kind is Kind.OPEN and (self.discussion or not self.answer)

    def in_order(self, order: tuple[int, ...]) -> Question:
        """This choice question as a round shows it: ``order[i]`` is the bank index of the option at
        position i; ``correct`` follows. An order that no longer fits the options (the bank was
        edited since the round opened) or an empty one leaves the bank's order."""
        if self.kind is not Kind.CHOICE or sorted(order) != list(range(len(self.options))):
            return self
        position = {bank: shown for shown, bank in enumerate(order)}
        return replace(self, options=tuple(self.options[i] for i in order),
                       correct=tuple(sorted(position[c] for c in self.correct)))


@dataclass(frozen=True, slots=True)
class Topic:
    slug: str
    title_zh: str
    title_en: str
    aliases: tuple[str, ...] = ()
    questions: tuple[Question, ...] = ()

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en


@dataclass(frozen=True, slots=True)
class ChatRef:
    """A conversation on one platform. ``id`` is the platform's id as a string.

    ``thread`` is where in the chat a message goes: a Telegram forum topic's ``message_thread_id``
    ('' = the chat's main place, "General" in a forum). It is not part of ``key``: a group's topics
    share its rounds, board and settings."""

    platform: str
    id: str
    private: bool = False
    title: str = ""
    thread: str = ""

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.id}"


@dataclass(frozen=True, slots=True)
class UserRef:
    platform: str
    id: str
    name: str = ""
    is_admin: bool = False  # set by the adapter when the platform says so (chat admin / Manage Server)

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.id}"


# why the local grader (bot.grading.local) held a score down (``Grade.capped``); the reveal and the
# private feedback have a line for each, so a score is never lowered without a word
CAP_REASONS = ("term_list", "length", "negated", "off_topic", "foreign", "stray", "monotone")


@dataclass(frozen=True, slots=True)
class Grade:
    """Score 0..10 plus which key points the answer hit, missed or denied (texts of the KeyPoints,
    or of the rubric items of a discussion question), and why the score was held down."""

    score: int
    hit: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    correct: bool | None = None  # for choice questions
    contradicted: tuple[str, ...] = ()  # key points the answer denies ("不需要奖励模型")
    capped: str | None = None  # why the score was held down: one of CAP_REASONS, or None
    judge: str = "local"  # who graded: "local" or "llm:<model>"
    feedback: str = ""  # a short explanation for the member, in the chat's language


@dataclass(frozen=True, slots=True)
class Round:
    id: int
    chat_key: str
    question_id: str
    topic: str
    kind: RoundKind
    status: RoundStatus
    started_by: str | None
    opened_at: float  # UTC epoch seconds
    closes_at: float | None
    session_id: int | None = None
    seq: int = 1
    local_date: str | None = None  # daily rounds: the chat's local date, 'YYYY-MM-DD'
    # choice rounds: the bank's option index at each shown position (the options are shuffled per
    # round so that position carries no signal); () means the bank's order
    option_order: tuple[int, ...] = ()
    thread: str = ""  # the chat's thread (forum topic) it was asked in: its reveal goes there too


@dataclass(frozen=True, slots=True)
class Answer:
    round_id: int
    user_key: str
    user_name: str
    text: str | None
    choice: int | None
    score: int
    hit: tuple[str, ...] = field(default_factory=tuple)
    submitted_at: float = 0.0
