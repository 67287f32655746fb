"""The engine's Markdown -> Discord Markdown, and the splitter that cuts long text at Discord's limits.

Discord renders most of the engine's Markdown as is (bold, italic, code, fences, lists, quotes).
What it lacks is adapted here:

* ``#`` headings become bold lines (headings in embeds render inconsistently across clients);
* GFM tables become an aligned monospace block (Discord has no tables);
* formulas (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``) are left as written, with the characters
  Discord would take for formatting (``\\ * _ ~ | `` ``) backslash-escaped so ``x_i`` stays ``x_i``
  and ``\\[`` does not lose its backslash.

Splitting (``take`` / ``split_text``) cuts at a paragraph break if one lies in the second half of the
room, else a line break, else a sentence end, else a word boundary (whitespace, or between CJK
characters, which have no spaces), and only as a last resort inside a word, marking the cut with
``…`` on both sides. A cut inside a code fence closes the fence and re-opens it (same info string)
in the next piece; a cut inside ``**bold**`` closes and re-opens the bold. Lengths are counted in
UTF-16 code units (``dlen``), as Discord counts them, so an emoji outside the BMP counts twice.
"""

from __future__ import annotations

import logging
import re
import unicodedata

log = logging.getLogger(__name__)

CUT = "…"
RESERVE = 8  # room kept free for what a cut appends: "…", "\n```", "**"
MIN_FILL = 0.5  # a higher-level boundary is taken only if it keeps at least this share of the room
MIN_ROOM = 32  # below this a piece cannot carry its markers; callers never ask for less

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})(.*)$")
_HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_INLINE = re.compile(
    r"(?P<code>(`+).+?\2)"
    r"|(?P<math>\$\$.+?\$\$|\$(?=\S)[^$\n]+?(?<=\S)\$|\\\(.+?\\\)|\\\[.+?\\\])"
)
_MATH_SPECIAL = re.compile(r"([\\*_~|`])")
_DISPLAY_OPEN = re.compile(r"^\s*(\$\$|\\\[)\s*$")
_DISPLAY_CLOSE = {"$$": re.compile(r"^\s*\$\$\s*$"), "\\[": re.compile(r"^\s*\\\]\s*$")}
_BOLD = re.compile(r"\*\*")
_CODE_SPAN = re.compile(r"(`+).+?\1", re.S)
# punctuation that must not start a piece (it belongs to the text before it)
_CLOSING = set("，。、；：！？）」』》】〉,.;:!?)]}”’")
_SENTENCE_END = re.compile(r"[。！？；]|[.!?;](?=\s)")


def dlen(text: str) -> int:
    """Length as Discord counts it: UTF-16 code units."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


# ------------------------------------------------------------------------------------- Markdown


def to_discord(markdown: str) -> str:
    """Adapt the engine's Markdown to what Discord renders (see the module docstring)."""
    out: list[str] = []
    lines = markdown.replace("\r\n", "\n").split("\n")
    fence: str | None = None
    display: re.Pattern[str] | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if fence is not None:
            out.append(line)
            if line.strip().startswith(fence) and not line.strip()[len(fence):].strip():
                fence = None
            i += 1
            continue
        if display is not None:
            out.append(_escape_math(line))
            if display.match(line):
                display = None
            i += 1
            continue
        m = _FENCE.match(line)
        if m:
            fence = m.group(1)
            out.append(line)
            i += 1
            continue
        m = _DISPLAY_OPEN.match(line)
        if m:
            display = _DISPLAY_CLOSE[m.group(1)]
            out.append(_escape_math(line))
            i += 1
            continue
        if line.lstrip().startswith("|") and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1]):
            j = i + 2
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                j += 1
            out.extend(_table(lines[i:j]))
            i = j
            continue
        m = _HEADING.match(line)
        if m:
            title = m.group(2).replace("**", "")
            out.append(f"**{_inline(title)}**" if title else "")
        else:
            out.append(_inline(line))
        i += 1
    return "\n".join(out)


def _escape_math(text: str) -> str:
    return _MATH_SPECIAL.sub(r"\\\1", text)


def _inline(line: str) -> str:
    return _INLINE.sub(lambda m: m.group("code") or _escape_math(m.group("math")), line)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[str]) -> list[str]:
    """A GFM table as an aligned monospace block (wide CJK characters count two columns)."""
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for i, row in enumerate(rows) if i != 1]
    ncols = max(len(r) for r in cells)
    cells = [r + [""] * (ncols - len(r)) for r in cells]
    widths = [max(_width(r[c]) for r in cells) for c in range(ncols)]

    def fmt(row: list[str]) -> str:
        return " | ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()

    body = [fmt(cells[0]), "-+-".join("-" * w for w in widths)] + [fmt(r) for r in cells[1:]]
    return ["```", *(line.replace("```", "ˋˋˋ") for line in body), "```"]


# ------------------------------------------------------------------------------------- splitting


def _fit(text: str, units: int) -> int:
    """The largest index i such that ``dlen(text[:i]) <= units``."""
    if len(text) <= units and dlen(text) <= units:
        return len(text)
    if text[: units + 1].isascii():
        return units
    n = 0
    for i, ch in enumerate(text):
        n += 2 if ord(ch) > 0xFFFF else 1
        if n > units:
            return i
    return len(text)


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF or 0xF900 <= o <= 0xFAFF
            or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x3FFFF)


def _candidates(text: str, limit: int):
    """Cut candidates ``(level, end, start)`` with ``0 < end <= limit``: the piece is
    ``text[:end]``, the rest ``text[start:]``. Levels: 0 paragraph, 1 line, 2 sentence, 3 word."""
    window = text[: limit + 1]
    for m in re.finditer(r"\n[ \t]*\n(?:[ \t]*\n)*", window):
        yield 0, m.start(), m.end()
    for m in re.finditer(r"\n", window):
        yield 1, m.start(), m.end()
    for m in _SENTENCE_END.finditer(window):
        end = m.end()
        start = end
        while start < len(text) and text[start] in " \t":
            start += 1
        yield 2, end, start
    for m in re.finditer(r"[ \t]+", window):
        yield 3, m.start(), m.end()
    for i in range(1, len(window)):
        a, b = window[i - 1], window[i]
        if (_is_cjk(a) or _is_cjk(b)) and not a.isspace() and not b.isspace() and b not in _CLOSING:
            yield 3, i, i


def _hard_cut(text: str, limit: int) -> int:
    """A cut index inside a word that does not split a combining sequence or emoji ZWJ sequence."""
    cut = max(1, limit)
    while cut > 1 and (unicodedata.combining(text[cut]) or text[cut] in "\u200d\ufe0f\ufe0e"
                       or text[cut - 1] == "\u200d"):
        cut -= 1
    return cut


def _open_fence(piece: str) -> str | None:
    """The opening line of a code fence left open at the end of ``piece``, else None."""
    fence_line = None
    marker = ""
    for line in piece.split("\n"):
        m = _FENCE.match(line)
        if not m:
            continue
        if fence_line is None:
            fence_line, marker = line.strip(), m.group(1)
        elif line.strip().startswith(marker) and not m.group(2).strip():
            fence_line = None
    return fence_line


def _bold_open(piece: str) -> bool:
    """Whether ``piece`` leaves a ``**`` open (outside code)."""
    plain = _CODE_SPAN.sub("", piece)
    return len(_BOLD.findall(plain)) % 2 == 1


def take(text: str, room: int) -> tuple[str, str]:
    """Cut the longest good piece of at most ``room`` UTF-16 units off ``text``: ``(piece, rest)``.
    ``rest`` is "" when everything fit; otherwise it starts with whatever re-opens the piece's
    open fence or bold, or with ``…`` after a cut inside a word."""
    if room < MIN_ROOM:
        raise ValueError(f"room {room} < {MIN_ROOM}")
    if dlen(text) <= room:
        return text, ""
    limit = _fit(text, room - RESERVE)
    best: dict[int, tuple[int, int]] = {}
    for level, end, start in _candidates(text, limit):
        if 0 < end <= limit and text[:end].strip() and end > best.get(level, (0, 0))[0]:
            best[level] = (end, start)
    chosen = next((best[lv] for lv in sorted(best) if best[lv][0] >= limit * MIN_FILL), None)
    hard = chosen is None
    if hard:
        cut = _hard_cut(text, limit - 1)
        piece, rest = text[:cut], text[cut:]
    else:
        end, start = chosen
        piece, rest = text[:end].rstrip(), text[start:]
    fence = _open_fence(piece)
    if hard:
        piece, rest = piece + CUT, CUT + rest
    if fence is not None:
        piece, rest = piece + "\n```", fence + "\n" + rest
    elif _bold_open(piece):
        piece, rest = piece + "**", "**" + rest
    return piece, rest


def split_text(text: str, limit: int) -> list[str]:
    """``text`` as pieces of at most ``limit`` UTF-16 units each (see ``take``)."""
    pieces: list[str] = []
    rest = text.strip("\n")
    while rest:
        piece, rest = cut(rest, limit)
        pieces.append(piece)
    return pieces


def cut(text: str, room: int) -> tuple[str, str]:
    """``take`` with a guarantee of progress: should the markers ever outgrow what a cut removes
    (a huge fence info string), fall back to a plain cut so a caller's loop always ends."""
    piece, rest = take(text, room)
    if rest and len(rest) >= len(text):
        log.warning("splitter made no progress at %d characters; cutting plainly", len(text))
        at = _fit(text, room - 1)
        return text[:at] + CUT, text[at:]
    return piece, rest
