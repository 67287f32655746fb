"""Hostile input made safe at the engine's door: text that cannot be stored, ids that cannot exist.

Every event passes ``sanitize`` before the engine looks at it:

* text (answers, names, titles, command arguments, button data) has lone surrogates replaced by
  U+FFFD. SQLite (and every platform API) needs valid UTF-8: one such character in a member's
  name or answer would otherwise fail its statement, and with it the whole group-commit batch
  of other members' answers;
* ids from the outside (a round in a deep link, a button or a poll) are accepted only as ASCII
  digits that fit SQLite's 64-bit integers: ``"²".isdigit()`` is True and ``int("²")`` raises, a
  20-digit number overflows the driver. Anything else becomes an id no round has (0), which the
  engine answers with its usual "unknown button" or "no open round";
* command arguments are bounded in number and length (``int()`` of a 5,000-digit count raises).
"""

from __future__ import annotations

import dataclasses
import re

from bot.events import ButtonPress, ChoicePick, Command, Event, TextAnswer
from bot.model import ChatRef, UserRef

MAX_ID = 2**63 - 1  # SQLite INTEGER
MAX_ARGS, MAX_ARG_CHARS = 64, 256
MAX_NAME_CHARS = 256
_ID = re.compile(r"[0-9]{1,18}")  # ASCII digits only, always below MAX_ID
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NUMERIC_BUTTON = re.compile(r"qb:(?:pick|ans):")


def clean(text: str) -> str:
    """The text with lone surrogates (undecodable input smuggled into a str) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def strict_id(text: str) -> int | None:
    """A positive id written in ASCII digits that SQLite can hold; None for anything else."""
    return int(text) if _ID.fullmatch(text) and int(text) > 0 else None


def _safe_round(round_id: int | None) -> int | None:
    if round_id is None:
        return None
    return round_id if 0 < round_id <= MAX_ID else 0


def _button_data(data: str) -> str:
    data = clean(data)
    if len(data.encode()) > 64:
        return "qb:invalid"
    if _NUMERIC_BUTTON.match(data):
        numbers = data.split(":")[2:]
        if not numbers or any(strict_id(n) is None and n != "0" for n in numbers):
            return "qb:invalid"
    return data


def _chat(chat: ChatRef) -> ChatRef:
    title, chat_id = clean(chat.title)[:MAX_NAME_CHARS], clean(chat.id)
    return chat if (title, chat_id) == (chat.title, chat.id) else dataclasses.replace(chat, title=title, id=chat_id)


def _user(user: UserRef) -> UserRef:
    name, user_id = clean(user.name)[:MAX_NAME_CHARS], clean(user.id)
    return user if (name, user_id) == (user.name, user.id) else dataclasses.replace(user, name=name, id=user_id)


def sanitize(event: Event) -> Event:
    """The event with every outside value made safe to store, parse and show."""
    changes: dict[str, object] = {}
    chat, user = _chat(event.chat), _user(event.user)
    if chat is not event.chat:
        changes["chat"] = chat
    if user is not event.user:
        changes["user"] = user
    match event:
        case TextAnswer():
            text = clean(event.text)
            if text != event.text:
                changes["text"] = text
            if _safe_round(event.round_id) != event.round_id:
                changes["round_id"] = 0
        case ChoicePick():
            if _safe_round(event.round_id) != event.round_id:
                changes["round_id"] = 0
            if not 0 <= event.option < 1000:
                changes["option"] = -1
        case ButtonPress():
            data = _button_data(event.data)
            if data != event.data:
                changes["data"] = data
        case Command():
            args = tuple(clean(a)[:MAX_ARG_CHARS] for a in event.args[:MAX_ARGS])
            if args != event.args:
                changes["args"] = args
            name = clean(event.name)[:MAX_ARG_CHARS]
            if name != event.name:
                changes["name"] = name
    return dataclasses.replace(event, **changes) if changes else event  # type: ignore[arg-type]
