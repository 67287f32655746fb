"""Times of day, weekdays and time zones as members type them, and the local-day arithmetic built on them.

One place for what ``/schedule``, ``/recap`` and ``/review remind`` read, so a time or a day typed
one way is understood the same way by each:

* a time of day: ``20:30``, ``8:05`` or ``20：30`` (full-width colon) -> ``'HH:MM'``;
* a weekday: ``mon``/``monday`` or 周一/星期一/礼拜一 (日 and 天 both name Sunday) -> 0..6;
* a zone: an IANA name, a Chinese name (北京时间, 上海, 东八区 …) or a whole-hour offset (UTC+8,
  GMT+8, stored as the IANA ``Etc/GMT-8``, whose sign is inverted; ``zone_label`` shows it as
  typed). ``is_zone`` accepts IANA names only.

Local-day arithmetic goes through zoneinfo, so 21:00 stays 21:00 local across daylight-saving
changes and a time inside a daylight-saving gap maps to a real instant (no day is skipped).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_EN_DAYS = {name: i for i, name in enumerate(DAY_NAMES)} | {
    full: i for i, full in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
# 周一 / 星期一 / 礼拜一 … ; 日 and 天 both name Sunday
_ZH_DAY = re.compile(r"^(?:周|星期|礼拜)([一二三四五六日天])$")
_ZH_DAY_INDEX = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
# zones as Chinese speakers name them (the zone's main city, or how the time is called)
ZONE_NAMES = {"北京时间": "Asia/Shanghai", "北京": "Asia/Shanghai", "上海": "Asia/Shanghai", "中国": "Asia/Shanghai",
              "中国时间": "Asia/Shanghai", "东八区": "Asia/Shanghai", "香港": "Asia/Hong_Kong", "台北": "Asia/Taipei",
              "新加坡": "Asia/Singapore", "东京": "Asia/Tokyo", "首尔": "Asia/Seoul", "伦敦": "Europe/London",
              "柏林": "Europe/Berlin", "巴黎": "Europe/Paris", "纽约": "America/New_York",
              "洛杉矶": "America/Los_Angeles", "旧金山": "America/Los_Angeles", "西雅图": "America/Los_Angeles",
              "悉尼": "Australia/Sydney"}
_OFFSET = re.compile(r"^(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.I)
_FIXED = re.compile(r"^Etc/GMT([+-])(\d{1,2})$")


# -- what members type ----------------------------------------------------------------------------


def parse_time(token: str) -> str | None:
    """'20:30', '8:05', '20：30' -> 'HH:MM'; None when it is not a time of day."""
    m = _TIME.match(token)
    return f"{int(m.group(1)):02d}:{m.group(2)}" if m else None


def zh_weekday(token: str) -> int | None:
    """0 (Monday) .. 6 (Sunday) from 周一/星期一/礼拜一 …; None for anything else."""
    m = _ZH_DAY.match(token)
    return _ZH_DAY_INDEX[m.group(1)] if m else None


def weekday_of(token: str) -> int | None:
    """0 (Monday) .. 6 (Sunday) from mon/monday/周一/星期一 …; None if it is no day."""
    day = zh_weekday(token)
    return day if day is not None else _EN_DAYS.get(token.lower())


def is_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone (``Asia/Shanghai``, ``UTC``)."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+\-/]*", name):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _offset(token: str) -> re.Match[str] | None:
    return _OFFSET.match(token.replace("＋", "+").replace("－", "-"))


def looks_like_offset(token: str) -> bool:
    """Whether ``token`` is written as an offset (UTC+8, GMT-5:30), valid or not."""
    return _offset(token) is not None


def zone_of(token: str) -> str | None:
    """The IANA zone a member means: an IANA name, a Chinese name (北京时间, 上海), or a whole-hour
    offset (UTC+8, GMT+8 -> ``Etc/GMT-8``); None if it is none of these."""
    if token in ZONE_NAMES:
        return ZONE_NAMES[token]
    m = _offset(token)
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


# -- local days ---------------------------------------------------------------------------------


def local_date(when: float, tz: str) -> str:
    """The ISO date in ``tz`` at the UTC epoch ``when``."""
    return datetime.fromtimestamp(when, ZoneInfo(tz)).date().isoformat()


def end_of_day(now: float, tz: str, days: int = 0) -> float:
    """UTC epoch just before midnight that ends the local day ``days`` after today, in ``tz``."""
    zone = ZoneInfo(tz)
    day = datetime.fromtimestamp(now, zone).date() + timedelta(days=days + 1)
    return datetime(day.year, day.month, day.day, tzinfo=zone).timestamp() - 0.001


def next_local(hhmm: str, tz: str, after: float, weekday: int | None = None) -> float:
    """The UTC epoch of the first local ``hhmm`` in ``tz`` strictly after ``after``: on any day, or
    on ``weekday`` (0 = Monday) only. A daily reminder and a weekly recap are both this."""
    zone = ZoneInfo(tz)
    local = datetime.fromtimestamp(after, zone)
    hour, minute = int(hhmm[:2]), int(hhmm[3:])
    day, step = local.date(), timedelta(days=1 if weekday is None else 7)
    if weekday is not None:
        day += timedelta(days=(weekday - local.weekday()) % 7)
    for _ in range(3):
        moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).timestamp()
        if moment > after:
            return moment
        day += step
    raise AssertionError("a local time recurs within three of its periods")
