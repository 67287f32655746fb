"""What the real Discord refuses, for the fake server: message, modal and command payload limits.

Limits as of discord.py 2.7 / API v10: content 2000; 10 embeds;
title 256, description 4096, 25 fields (value 1024), 6000 across a message's embeds; 5 action rows of
5 buttons, custom_id 1..100, label 80; modal title 45, text input up to 4000; command names 1..32,
descriptions 1..100, 25 options, 100 commands. Lengths count UTF-16 code units, as Discord does.
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

NAME_RE = re.compile(r"^[-_\w]{1,32}$")


def u16(text: str) -> int:
    """Length as Discord counts it (UTF-16 code units; an emoji outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2


class Rejected(Exception):
    """A request the real Discord would refuse: becomes an HTTP error reply."""

    def __init__(self, status: int, code: int, message: str, *, violation: bool = True) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        # False: an error the bot is expected to meet and handle (an archived thread), not a bug
        self.violation = violation



def check_message(body: dict) -> None:
    """Raise Rejected for what Discord would refuse in a message body."""
    problems = []
    content = body.get("content") or ""
    if u16(content) > 2000:
        problems.append(f"content is {u16(content)} > 2000")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        problems.append(f"{len(embeds)} embeds > 10")
    total = 0
    for i, e in enumerate(embeds):
        for key, limit in (("title", 256), ("description", 4096)):
            n = u16(e.get(key) or "")
            total += n
            if n > limit:
                problems.append(f"embed {i} {key} is {n} > {limit}")
        fields = e.get("fields") or []
        if len(fields) > 25:
            problems.append(f"embed {i} has {len(fields)} fields")
        for f in fields:
            total += u16(f.get("name", "")) + u16(f.get("value", ""))
            if u16(f.get("value", "")) > 1024 or u16(f.get("name", "")) > 256:
                problems.append(f"embed {i} field too long")
        total += u16((e.get("footer") or {}).get("text", "")) + u16((e.get("author") or {}).get("name", ""))
    if total > 6000:
        problems.append(f"embeds hold {total} characters > 6000")
    rows = body.get("components") or []
    if len(rows) > 5:
        problems.append(f"{len(rows)} action rows > 5")
    ids = []
    for row in rows:
        items = row.get("components", [])
        if row.get("type") != 1 or not 1 <= len(items) <= 5:
            problems.append(f"bad action row {row}")
        for b in items:
            if b.get("type") == 2 and b.get("style") != 5:
                cid = b.get("custom_id") or ""
                ids.append(cid)
                if not 1 <= len(cid) <= 100:
                    problems.append(f"custom_id {cid!r} not 1..100 characters")
            if len(b.get("label") or "") > 80:
                problems.append(f"button label is {len(b['label'])} > 80")
    if len(ids) != len(set(ids)):
        problems.append(f"duplicate custom_id in {ids}")
    if not content and not embeds and not rows:
        raise Rejected(400, 50006, "Cannot send an empty message")
    if problems:
        raise Rejected(400, 50035, "Invalid Form Body: " + "; ".join(problems))


def check_modal(data: dict) -> None:
    problems = []
    if not 1 <= len(data.get("title") or "") <= 45:
        problems.append(f"modal title {data.get('title')!r} not 1..45")
    if not 1 <= len(data.get("custom_id") or "") <= 100:
        problems.append("modal custom_id not 1..100")
    inputs = [c for c in walk_components(data.get("components") or []) if c.get("type") == 4]
    if not inputs:
        problems.append("modal without a text input")
    for ti in inputs:
        if (ti.get("max_length") or 4000) > 4000:
            problems.append("text input max_length > 4000")
    if problems:
        raise Rejected(400, 50035, "Invalid Form Body: " + "; ".join(problems))


def check_commands(commands: list[dict]) -> None:
    problems = []
    if len(commands) > 100:
        problems.append("more than 100 commands")
    for c in commands:
        if not NAME_RE.match(c.get("name", "")) or c["name"] != c["name"].lower():
            problems.append(f"bad command name {c.get('name')!r}")
        if not 1 <= len(c.get("description", "")) <= 100:
            problems.append(f"/{c.get('name')}: description not 1..100")
        if len(c.get("options") or []) > 25:
            problems.append(f"/{c.get('name')}: more than 25 options")
        for o in c.get("options") or []:
            if not NAME_RE.match(o.get("name", "")) or not 1 <= len(o.get("description", "")) <= 100:
                problems.append(f"/{c['name']}: bad option {o}")
    if problems:
        raise Rejected(400, 50035, "Invalid Form Body: " + "; ".join(problems))


def walk_components(components: list[dict]):
    for c in components:
        yield c
        yield from walk_components(c.get("components") or [])
        if isinstance(c.get("component"), dict):  # a Label wraps one component
            yield from walk_components([c["component"]])
