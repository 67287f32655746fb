"""Local times for the review queue: the end of a member's day, the next reminder moment."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")


def parse_time(token: str) -> str | None:
    """'20:30', '8:05', '20：30' -> 'HH:MM'; None when it is not a time of day."""
    m = _TIME.match(token)
    return f"{int(m.group(1)):02d}:{m.group(2)}" if m else None


def is_zone(name: str) -> bool:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+\-/]*", name):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def end_of_day(now: float, tz: str, days: int = 0) -> float:
    """UTC epoch just before midnight that ends the local day ``days`` after today, in ``tz``."""
    zone = ZoneInfo(tz)
    day = datetime.fromtimestamp(now, zone).date() + timedelta(days=days + 1)
    return datetime(day.year, day.month, day.day, tzinfo=zone).timestamp() - 0.001


def local_date(when: float, tz: str) -> str:
    return datetime.fromtimestamp(when, ZoneInfo(tz)).date().isoformat()


def next_reminder(hhmm: str, tz: str, after: float) -> float:
    """The first ``hhmm`` local time in ``tz`` strictly after ``after`` (UTC epoch). zoneinfo maps
    a time inside a daylight-saving gap to a real instant, so a day is never skipped."""
    zone = ZoneInfo(tz)
    hour, minute = int(hhmm[:2]), int(hhmm[3:])
    day = datetime.fromtimestamp(after, zone).date()
    for offset in range(3):
        d = day + timedelta(days=offset)
        moment = datetime(d.year, d.month, d.day, hour, minute, tzinfo=zone).timestamp()
        if moment > after:
            return moment
    raise AssertionError("a local time recurs within three days")
