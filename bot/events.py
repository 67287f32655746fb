"""Neutral incoming events: what an adapter turns a platform update into before calling the engine.

Typed events in the spirit of opsdroid: the engine dispatches on the class, adapters never pass
platform objects. ``update_key`` (optional) is a platform-unique id of the update; the engine uses it
to ignore a duplicated delivery.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.model import ChatRef, UserRef


@dataclass(frozen=True, slots=True)
class Event:
    chat: ChatRef
    user: UserRef
    locale: str | None = None  # platform language code of the user, e.g. 'zh-hans', 'en'
    update_key: str | None = None


@dataclass(frozen=True, slots=True)
class Command(Event):
    """``/name arg arg``; ``name`` without the slash and without ``@botname``, lower-case."""

    name: str = ""
    args: tuple[str, ...] = ()
    round_id: int | None = None  # the round the command is about, when the platform says (a reply to a question)


@dataclass(frozen=True, slots=True)
class TextAnswer(Event):
    """Free text meant as an answer. ``round_id`` is set when the platform tells which question
    it answers (a reply to the question message, a modal of that round, a private deep link);
    otherwise the chat's open round is meant."""

    text: str = ""
    round_id: int | None = None
    # the platform message this text is (Telegram: chat and message id): a later message of the
    # member's to the same question adds to their answer, an edit of this one replaces its part
    part_key: str | None = None
    # the answer form of a /review card (Discord): the card's item number, so an old form is refused
    review_item: int | None = None


@dataclass(frozen=True, slots=True)
class ChoicePick(Event):
    """An option picked (0-based index) for a choice round: a poll answer or a button."""

    round_id: int = 0
    option: int = 0


@dataclass(frozen=True, slots=True)
class ButtonPress(Event):
    """Any other button: ``data`` is a callback id produced by ``bot.replies.Button``."""

    data: str = ""
