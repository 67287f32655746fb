"""Parse `/schedule HH:MM [zone] [topics…] [reveal HH:MM | reveal +Nh] [days …]` into a Schedule.

Members write in Chinese as readily as in English: days may be 每天, 工作日, 周末 or 周一,周三,周五,
and a zone 北京时间, 上海 or UTC+8 as well as an IANA name. Times, weekdays and zones are read by
``bot.local_time``, which ``/recap`` and ``/review remind`` share.

Errors are ``ScheduleError(key, value)`` with a message key from ``scheduler.messages`` so the
reply names exactly what was wrong; a failed parse changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.bank import QuestionBank
from bot.local_time import DAY_NAMES, looks_like_offset, parse_time, zh_weekday, zone_of

_AFTER = re.compile(r"^\+(\d{1,2})h?$", re.I)
_DAY_SETS = {"daily": "daily", "everyday": "daily", "every-day": "daily", "每天": "daily", "每日": "daily",
             "天天": "daily", "weekdays": "weekdays", "workdays": "weekdays", "工作日": "weekdays",
             "周一到周五": "weekdays", "周一至周五": "weekdays", "weekends": "sat,sun", "weekend": "sat,sun",
             "周末": "sat,sun"}
_DAY_SEPARATORS = re.compile(r"[,，、;；/]")


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


def _day_index(part: str) -> int | None:
    day = zh_weekday(part)
    if day is not None:
        return day
    part = part[:3]
    return DAY_NAMES.index(part) if part in DAY_NAMES else None


def parse_days(token: str) -> str:
    """'daily', 'weekdays' or days in week order ('mon,wed,fri'); Chinese names are accepted."""
    token = token.strip().lower()
    if token in _DAY_SETS:
        return _DAY_SETS[token]
    parts = [p.strip() for p in _DAY_SEPARATORS.split(token) if p.strip()]
    found = [_day_index(p) for p in parts]
    if not parts or any(i is None for i in found):
        raise ScheduleError("bad_days", token)
    ordered = [d for i, d in enumerate(DAY_NAMES) if i in found]
    if ordered == list(DAY_NAMES[:5]):
        return "weekdays"
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
        elif (zone := zone_of(token)) is not None:
            tz = zone
        elif "/" in token or low in ("utc", "gmt") or looks_like_offset(token):
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
