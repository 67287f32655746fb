"""Parse `/schedule HH:MM [zone] [topics…] [reveal HH:MM | reveal +Nh] [days …]` into a Schedule.

Members write in Chinese as readily as in English: days may be 每天, 工作日, 周末 or 周一,周三,周五,
and a zone 北京时间, 上海 or UTC+8 as well as an IANA name (a fixed offset is stored as the IANA
``Etc/GMT±N`` zone, whose sign is inverted; ``zone_label`` shows it as typed).

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
# 周一 / 星期一 / 礼拜一 … ; 日 and 天 both name Sunday
_ZH_DAY = re.compile(r"^(?:周|星期|礼拜)([一二三四五六日天])$")
_ZH_DAY_INDEX = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_DAY_SETS = {"daily": "daily", "everyday": "daily", "every-day": "daily", "每天": "daily", "每日": "daily",
             "天天": "daily", "weekdays": "weekdays", "workdays": "weekdays", "工作日": "weekdays",
             "周一到周五": "weekdays", "周一至周五": "weekdays", "weekends": "sat,sun", "weekend": "sat,sun",
             "周末": "sat,sun"}
_DAY_SEPARATORS = re.compile(r"[,，、;；/]")
# zones as Chinese speakers name them (the zone's main city, or how the time is called)
ZONE_NAMES = {"北京时间": "Asia/Shanghai", "北京": "Asia/Shanghai", "上海": "Asia/Shanghai", "中国": "Asia/Shanghai",
              "中国时间": "Asia/Shanghai", "东八区": "Asia/Shanghai", "香港": "Asia/Hong_Kong", "台北": "Asia/Taipei",
              "新加坡": "Asia/Singapore", "东京": "Asia/Tokyo", "首尔": "Asia/Seoul", "伦敦": "Europe/London",
              "柏林": "Europe/Berlin", "巴黎": "Europe/Paris", "纽约": "America/New_York",
              "洛杉矶": "America/Los_Angeles", "旧金山": "America/Los_Angeles", "西雅图": "America/Los_Angeles",
              "悉尼": "Australia/Sydney"}
_OFFSET = re.compile(r"^(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.I)
_FIXED = re.compile(r"^Etc/GMT([+-])(\d{1,2})$")


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


def looks_like_offset(token: str) -> bool:
    return _OFFSET.match(token.replace("＋", "+").replace("－", "-")) is not None


def zone_of(token: str) -> str | None:
    """The IANA zone a member means: an IANA name, a Chinese name (北京时间, 上海), or a whole-hour
    offset (UTC+8, GMT+8 -> ``Etc/GMT-8``); None if it is none of these."""
    if token in ZONE_NAMES:
        return ZONE_NAMES[token]
    m = _OFFSET.match(token.replace("＋", "+").replace("－", "-"))
    if m:
        sign, hours, minutes = m.group(1), int(m.group(2)), int(m.group(3) or 0)
        # Etc/GMT zones exist for whole hours from -14 to +12 only (UTC+5:30 needs its IANA name)
        if minutes or not (hours <= 14 if sign == "+" else hours <= 12):
            return None
        if hours == 0:
            return "UTC"
        return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
    return token if is_zone(token) else None


def zone_label(tz: str) -> str:
    """A zone as people write it: ``Etc/GMT-8`` is UTC+8 (IANA inverts the sign of these)."""
    m = _FIXED.match(tz)
    if m:
        return f"UTC{'-' if m.group(1) == '+' else '+'}{m.group(2)}"
    return tz


def _day_index(part: str) -> int | None:
    m = _ZH_DAY.match(part)
    if m:
        return _ZH_DAY_INDEX[m.group(1)]
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
