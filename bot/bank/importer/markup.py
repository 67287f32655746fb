"""Site-generator markup around study notes, rewritten into the plain Markdown the importer reads.

Notes published with MkDocs, Jekyll, Hugo or VuePress carry markup that is not part of the text:

- YAML front matter (``---`` … ``---`` at the top) — metadata, never a question;
- MkDocs admonitions (``??? question "…"``, ``!!! note``, ``???+ tip "…"``) whose body is indented by 4 (or 8)
  spaces and may nest: a question admonition becomes ``Q:``/``A:`` markers, any other one its bold title
  followed by its dedented body, so that the questions inside a "面试题" note box are seen as usual;
- inline HTML (``<span class=…>``, ``<strong>``, ``<!-- comments -->``, ``&emsp;``) and blockquote markers.

Everything works line by line and leaves fenced code untouched (a ``#`` or ``>`` in code is code).
"""

from __future__ import annotations

import re

_FRONT_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")
_ADMONITION = re.compile(
    r"^(?P<indent> *)(?:\?\?\?\+?|!!!)[ \t]*(?P<kind>[A-Za-z][\w-]*)?(?:[ \t]+[\w-]+)*"
    r"(?:[ \t]*\"(?P<title>[^\"]*)\")?[ \t]*$"
)
_QUESTION_KINDS = {"question", "faq", "quiz", "q", "interview", "help"}
_FENCE = re.compile(r"^\s*(```+|~~~+)")
_INLINE_TAGS = re.compile(r"</?(?:span|font|div|p|sup|sub|u|i|em|mark|small|center|code|kbd)\b[^>]*>", re.I)
_BOLD_TAGS = re.compile(r"</?(?:strong|b)\s*>", re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ENTITIES = {"&emsp;": " ", "&ensp;": " ", "&thinsp;": " ", "&nbsp;": " ", "&#160;": " "}


def strip_front_matter(rows: list[str]) -> list[str]:
    """Blank out a leading ``---`` YAML block (line numbers stay as they were)."""
    if not rows or rows[0].strip() != "---":
        return rows
    for end in range(1, min(len(rows), 80)):
        if rows[end].strip() in ("---", "..."):
            body = [r for r in rows[1:end] if r.strip()]
            # a real front matter block holds "key: value" lines (and their nested values), not prose
            if body and _FRONT_KEY.match(body[0].strip()):
                return [""] * (end + 1) + rows[end + 1 :]
            return rows
    return rows


def _is_question_title(kind: str, title: str) -> bool:
    from bot.bank.importer.lines import question_level  # lines imports this module at load time

    if kind.lower() in _QUESTION_KINDS:
        return bool(title.strip())
    return bool(title.strip()) and question_level(title) == 2


def admonitions(rows: list[str]) -> list[str]:
    """MkDocs admonitions -> ``Q:``/``A:`` (question boxes) or a bold title and the dedented body."""
    out: list[str] = []
    i, fence = 0, False
    while i < len(rows):
        row = rows[i]
        if _FENCE.match(row):
            fence = not fence
        m = None if fence else _ADMONITION.match(row.expandtabs(4))
        if m is None:
            out.append(row)
            i += 1
            continue
        indent = len(m["indent"])
        kind, title = m["kind"] or "", (m["title"] or "").strip()
        j, body = i + 1, []
        while j < len(rows):
            nxt = rows[j].expandtabs(4)
            if nxt.strip() and len(nxt) - len(nxt.lstrip(" ")) <= indent:
                break
            body.append(nxt)
            j += 1
        while body and not body[-1].strip():
            body.pop()
        widths = [len(b) - len(b.lstrip(" ")) for b in body if b.strip()]
        cut = min(widths) if widths else 0
        inner = admonitions([b[cut:] if b.strip() else "" for b in body])  # nested boxes
        pad = " " * indent
        if _is_question_title(kind, title):
            out.extend(["", f"{pad}Q: {title}", "", f"{pad}A:", ""])
        elif title:
            out.extend(["", f"{pad}**{title}**", ""])
        out.extend(pad + b if b else "" for b in inner)
        # the box ends its answer: what follows the box (a tip, the next paragraph) is not part of it
        out.extend(["", f"{pad}---", ""] if _is_question_title(kind, title) else [""])
        i = j
    return out


def inline_html(rows: list[str]) -> list[str]:
    """Drop presentational tags, comments and spacing entities; ``<strong>`` becomes ``**``; no ``>`` quoting."""
    text = _COMMENT.sub("", "\n".join(rows))
    out: list[str] = []
    fence = False
    for row in text.split("\n"):
        if _FENCE.match(row):
            fence = not fence
            out.append(row)
            continue
        if not fence:
            row = _BOLD_TAGS.sub("**", _INLINE_TAGS.sub("", row))
            for entity, repl in _ENTITIES.items():
                row = row.replace(entity, repl)
            # "> 面试官提问:" is a quoted line of the note itself, not a quotation to keep apart
            row = re.sub(r"^(\s*)(?:>\s?)+", r"\1", row)
        out.append(row)
    return out


def unwrap(rows: list[str]) -> list[str]:
    """All of the above, in the order that keeps each step's input well-formed."""
    return inline_html(admonitions(strip_front_matter(rows)))
