"""Parse `/schedule HH:MM [zone] [topics…] [reveal HH:MM | reveal +Nh] [days …]` into a Schedule.

Errors are ``ScheduleError(key, value)`` with a message key from ``scheduler.messages`` so the
reply names exactly what was wrong; a failed parse changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.bank import QuestionBank

_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")
_AFTER = re.compile(r"^\+(\d{1,2})h?$", re.I)
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ScheduleError(Exception):
    def __init__(self, key: str, value: str = "", suggest: str = "") -> None:
        super().__init__(f"{key}: {value}")
        self.key, self.value, self.suggest = key, value, suggest


@dataclass(frozen=True)
class Schedule:
    post_time: str  # 'HH:MM' local
    tz: str
    topics: tuple[str, ...] = ()  # topic slugs; empty = the whole bank
    reveal: str = "+12h"  # 'HH:MM' local or '+Nh'
    days: str = "daily"  # 'daily' | 'weekdays' | 'mon,wed,fri'
    enabled: bool = True
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def hour(self) -> int:
        return int(self.post_time[:2])

    @property
    def minute(self) -> int:
        return int(self.post_time[3:])

    def cron_days(self) -> str:
        """APScheduler's day_of_week field."""
        return {"daily": "*", "weekdays": "mon-fri"}.get(self.days, self.days)


def parse_time(token: str) -> str | None:
    m = _TIME.match(token)
    return f"{int(m.group(1)):02d}:{m.group(2)}" if m else None


def is_zone(token: str) -> bool:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+\-/]*", token):
        return False
    try:
        ZoneInfo(token)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_days(token: str) -> str:
    token = token.lower()
    if token in ("daily", "everyday", "weekdays"):
        return "weekdays" if token == "weekdays" else "daily"
    parts = [p.strip()[:3] for p in token.split(",") if p.strip()]
    if not parts or any(p not in DAY_NAMES for p in parts):
        raise ScheduleError("bad_days", token)
    ordered = [d for d in DAY_NAMES if d in parts]
    return "daily" if len(ordered) == 7 else ",".join(ordered)


def parse(args: tuple[str, ...], bank: QuestionBank, default_tz: str, default_reveal_hours: float) -> Schedule:
    tokens = [t for t in args if t]
    if not tokens:
        raise ScheduleError("usage")
    post = parse_time(tokens[0])
    if post is None:
        raise ScheduleError("bad_time", tokens[0])
    tz, topics, reveal, days = default_tz, [], None, "daily"
    i = 1
    while i < len(tokens):
        token, low = tokens[i], tokens[i].lower()
        if low == "reveal":
            value = tokens[i + 1] if i + 1 < len(tokens) else ""
            at, after = parse_time(value), _AFTER.match(value)
            if at:
                reveal = at
            elif after and 1 <= int(after.group(1)) <= 23:
                reveal = f"+{int(after.group(1))}h"
            else:
                raise ScheduleError("bad_reveal", value)
            i += 2
            continue
        if low == "days":
            days = parse_days(tokens[i + 1] if i + 1 < len(tokens) else "")
            i += 2
            continue
        topic = bank.find_topic(token)
        if topic is not None:
            if topic.slug not in topics:
                topics.append(topic.slug)
        elif is_zone(token):
            tz = token
        elif "/" in token or low in ("utc", "gmt"):
            raise ScheduleError("bad_zone", token)
        else:
            near = ", ".join(f"`{t.slug}`" for t in bank.suggest(token))
            raise ScheduleError("bad_topic", token, near)
        i += 1
    if reveal is None:
        hours = max(1, min(23, round(default_reveal_hours)))
        reveal = f"+{hours}h"
    if reveal == post:
        raise ScheduleError("same_time", reveal)
    return Schedule(post, tz, tuple(topics), reveal, days)
