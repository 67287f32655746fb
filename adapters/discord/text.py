"""The engine's Markdown -> Discord Markdown, and the splitter that cuts long text at Discord's limits.

The Markdown is parsed by ``bot.markdown`` (CommonMark + GFM tables and strike + formulas) and
written back out in the dialect Discord renders:

* bold, italic, strike, code spans and fences, lists and quotes as Discord writes them (``~~~``
  fences become backtick fences; quotes do not nest on Discord, so inner quotes are flattened);
* ``#`` headings become bold lines (headings in embeds render inconsistently across clients);
* GFM tables become an aligned monospace block (Discord has no tables; CJK counts two columns);
* formulas are left as written, with the characters Discord would take for formatting
  (``\\ * _ ~ | `` ``) backslash-escaped so ``x_i`` stays ``x_i`` and ``\\[`` keeps its backslash;
* text is escaped so that it stays text: formatting characters, ``[x](url)`` (no smuggled masked
  link), ``@everyone``/``@here`` and ``<@id>``-style mentions, and line starts Discord would read as
  a heading, list or quote. Blocks keep the author's spacing (a blank line only where there was one).

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

from markdown_it.tree import SyntaxTreeNode

from bot.markdown import (
    MATH_BLOCK,
    MATH_INLINE,
    blank_line_before,
    math_source,
    normalise,
    parse,
    table_lines,
)

log = logging.getLogger(__name__)

CUT = "…"
RESERVE = 8  # room kept free for what a cut appends: "…", "\n```", "**"
MIN_FILL = 0.5  # a higher-level boundary is taken only if it keeps at least this share of the room
MIN_ROOM = 32  # below this a piece cannot carry its markers; callers never ask for less

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})(.*)$")  # the splitter's view of fences in its output
_MATH_SPECIAL = re.compile(r"([\\*_~|`])")
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

RULE = "──────────"
_SPECIAL = re.compile(r"[\\*~`|\[\]]|(?<![^\W_])_|_(?![^\W_])")  # "_" between letters is no emphasis
_MENTION = re.compile(r"@(?=everyone|here)")
_MENTION_TAG = re.compile(r"<(?=[@#:]|a:|t:|/[\w -]+:\d)")  # <@id> <#id> <:emoji:id> <t:stamp> </cmd:id>
_URL = re.compile(r"https?://[^\s<>]+")
# line starts Discord reads as a heading, subtext, quote or list: "# ", "-# ", "> ", "- ", "1. "
_LINE_START = re.compile(r"^(\s*|\s*\d+)([#>+-]|(?<=\d)[.)])(?=[\s#>]|$)", re.M)
_LANG = re.compile(r"[\w+#.-]+")


def _escape_text(text: str) -> str:
    """Member or bank text as literal Discord text (bare URLs left intact so they stay links)."""
    out: list[str] = []
    pos = 0
    for m in _URL.finditer(text):
        out.append(_escape_plain(text[pos : m.start()]))
        out.append(m.group())
        pos = m.end()
    out.append(_escape_plain(text[pos:]))
    return "".join(out)


def _escape_plain(text: str) -> str:
    text = _SPECIAL.sub(lambda m: "\\" + m.group(), text)
    text = _MENTION.sub("@\u200b", text)  # what discord.py's escape_mentions does
    return _MENTION_TAG.sub(r"\\<", text)


def _escape_math(text: str) -> str:
    return _MATH_SPECIAL.sub(r"\\\1", text)


def _code_span(code: str) -> str:
    fence = "`" * (max((len(r) for r in re.findall(r"`+", code)), default=0) + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{fence}{pad}{code}{pad}{fence}"


def _link_url(url: str) -> str:
    """A link target Discord's parser reads whole (a ``)`` would end a masked link early)."""
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def _inline(node: SyntaxTreeNode, in_bold: bool = False, in_link: bool = False) -> str:
    kind = node.type
    if kind == "text":
        return _escape_text(node.content) if not in_link else _escape_plain(node.content)
    if kind in ("softbreak", "hardbreak"):
        return "\n"
    if kind == "code_inline":
        return _code_span(node.content)
    if kind in MATH_INLINE:
        return _escape_math(math_source(node))
    if kind == "strong":
        inner = _children(node, True, in_link)
        return inner if in_bold else f"**{inner}**"
    if kind == "em":
        return f"*{_children(node, in_bold, in_link)}*"
    if kind == "s":
        return f"~~{_children(node, in_bold, in_link)}~~"
    if kind in ("link", "image"):
        url = str(node.attrs.get("href" if kind == "link" else "src", ""))
        if node.markup == "autolink":
            return f"<{url}>" if url.lower().startswith(("http://", "https://")) else _escape_plain(
                url.removeprefix("mailto:"))
        label = _children(node, in_bold, True) or _escape_plain(url)
        if in_link or not url.lower().startswith(("http://", "https://")):
            return f"{label} ({_escape_plain(url)})"
        return f"[{label}]({_link_url(url)})"
    if node.children:
        return _children(node, in_bold, in_link)
    return _escape_text(node.content)


def _children(node: SyntaxTreeNode, in_bold: bool = False, in_link: bool = False) -> str:
    return "".join(_inline(c, in_bold, in_link) for c in node.children)


def _fence(body: str, lang: str = "") -> str:
    lang = lang.split()[0] if lang.split() else ""
    lang = lang if _LANG.fullmatch(lang) else ""
    return f"```{lang}\n{body.replace('```', 'ˋˋˋ')}\n```"


def _list(node: SyntaxTreeNode, quoted: bool, lines: list[str]) -> str:
    items: list[str] = []
    number = int(node.attrs.get("start", 1) or 1)
    for item in node.children:
        if node.type == "ordered_list":
            bullet = f"{item.info or number}{item.markup or '.'}"
            number += 1
        else:
            bullet = "-"
        pad = " " * (len(bullet) + 1)
        parts = [_block(c, quoted, lines) for c in item.children]
        body = "\n".join(p for p in parts if p)
        lines = body.split("\n") if body else [""]
        items.append("\n".join([f"{bullet} {lines[0]}".rstrip(), *(pad + ln if ln else ln for ln in lines[1:])]))
    return "\n".join(items)


def _blocks(nodes: list[SyntaxTreeNode], quoted: bool, lines: list[str]) -> str:
    out: list[str] = []
    for node in nodes:
        text = _block(node, quoted, lines)
        if text:
            if out:
                out.append("\n\n" if blank_line_before(node, lines) else "\n")
            out.append(text)
    return "".join(out)


def _block(node: SyntaxTreeNode, quoted: bool, lines: list[str]) -> str:
    kind = node.type
    if kind == "paragraph":
        text = _children(node.children[0]) if node.children else ""
        return _LINE_START.sub(r"\1\\\2", text)
    if kind == "heading":
        title = _children(node.children[0], True).strip() if node.children else ""
        return f"**{title}**" if title else ""
    if kind in ("fence", "code_block"):
        body = node.content.rstrip("\n")
        return _fence(body, node.info) if body.strip() else ""
    if kind in MATH_BLOCK:
        return _escape_math(math_source(node))
    if kind == "table":
        return _fence("\n".join(table_lines(node)))
    if kind == "hr":
        return RULE
    if kind in ("bullet_list", "ordered_list"):
        return _list(node, quoted, lines)
    if kind == "blockquote":
        inner = _blocks(node.children, True, lines)
        # Discord quotes do not nest: an inner quote just continues the outer one
        return inner if quoted else "\n".join(f"> {ln}" if ln else ">" for ln in inner.split("\n"))
    if kind == "inline":
        return _children(node)
    if node.children:
        return _blocks(node.children, quoted, lines)
    return _escape_text(node.content)


def to_discord(markdown: str) -> str:
    """The engine's Markdown as Discord Markdown (see the module docstring)."""
    markdown = normalise(markdown)
    return _blocks(parse(markdown).children, False, markdown.split("\n"))


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
    if chosen is None:
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
