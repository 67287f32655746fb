"""Neutral outgoing values: what the engine returns and what adapters render.

A ``Reply`` carries Markdown text (CommonMark subset: **bold**, *italic*, `code`, fenced code, lists,
GFM tables, headings as bold lines) plus optional buttons and choice options. Adapters translate it
into Telegram HTML / Discord embeds and split it at the platform's limits.

Callback ids (``Button.data``) are at most 64 bytes so they are valid both as Telegram
``callback_data`` and as Discord ``custom_id``. Formats (all ASCII):

    ``qb:pick:<round_id>:<option>``  pick option <option> of choice round <round_id>
    ``qb:ans:<round_id>``            answer round <round_id> (Discord: open the modal; Telegram: use ``url``)
    ``qb:next``                      next question of a private practice session
    ``qb:fb:<round_id>``             the presser's own result on revealed round <round_id> (only they see it)
    ``qb:forget:yes`` / ``qb:forget:no``  confirm deleting the user's data
    ``qb:rv:<item>:<option>``   pick option <option> (bank index) of the /review card <item>
    ``qb:rva:<item>``          answer the /review card <item> (Discord: open its form)
    ``qb:rv:go`` / ``qb:rv:stop``  start / stop reviewing
    ``qb:dm:<payload>``        continue in the private chat with ``/start <payload>`` (Telegram: a deep link)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.model import ChatRef, UserRef

CALLBACK_MAX_BYTES = 64


class ReplyKind(StrEnum):
    QUESTION = "question"  # a question posted to the chat (open or choice)
    ACK = "ack"  # "answer received": adapters should acknowledge quietly (reaction / ephemeral)
    RESULT = "result"  # a private, instant grading result
    REVEAL = "reveal"  # model answer + key-point checklist + scores
    RANKING = "ranking"  # final ranking of a multi-question session
    BOARD = "board"  # leaderboard
    STATS = "stats"  # /me
    INFO = "info"  # help, topics, settings, confirmations
    ERROR = "error"  # something the user did that we could not accept (clear message, no traceback)


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str = ""  # callback id, <= 64 bytes
    url: str | None = None  # adapters may turn a data button into a deep link (e.g. answer privately)

    def __post_init__(self) -> None:
        if len(self.data.encode()) > CALLBACK_MAX_BYTES:
            raise ValueError(f"callback id longer than {CALLBACK_MAX_BYTES} bytes: {self.data!r}")


@dataclass(frozen=True, slots=True)
class Reply:
    chat: ChatRef
    kind: ReplyKind
    text: str  # Markdown
    buttons: tuple[Button, ...] = ()
    # choice questions: the options, the correct indexes and an explanation (<= 200 chars)
    options: tuple[str, ...] = ()
    correct: tuple[int, ...] = ()
    explanation: str = ""
    # long Markdown that adapters may fold (Telegram expandable blockquote) or put in its own embed;
    # shown after ``text``. Used for the model answer in a reveal.
    folded: str = ""
    round_id: int | None = None
    question_id: str | None = None
    # only this user should see it (Discord ephemeral; Telegram: a private message or a reaction)
    to_user: UserRef | None = None
    # the window in seconds for a question (lets Telegram set a poll's open_period)
    window: float | None = None
    meta: dict = field(default_factory=dict, hash=False, compare=False)
