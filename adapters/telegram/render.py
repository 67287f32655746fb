"""The engine's Markdown -> Telegram HTML, split into messages that fit Telegram's 4096 limit.

Why HTML: it is the least error-prone parse mode (only ``<``, ``>`` and ``&`` need escaping), and it
has ``<blockquote expandable>`` to fold a long model answer.

How splitting stays safe: the Markdown is first cut into *blocks* (paragraphs, lists, code fences,
tables, headings); each block is rendered on its own, so its tags are balanced. Blocks are then
packed greedily into messages, measured in UTF-16 code units of the HTML source (Telegram counts
UTF-16 units of the text after parsing, which is never longer, so the bound is conservative). Only a
single block longer than a whole message is cut inside: ``split_html`` walks tags, entities and
characters, cuts at a line, else a word, else a character boundary, closes the open tags and
re-opens them in the next piece, and marks the cut with ``…``.

Supported Markdown (the subset the engine writes): ``**bold**``, ``*italic*``/``_italic_``,
``~~strike~~``, `` `code` ``, fenced code, ``-``/``*``/``1.`` lists (nested by indentation), GFM tables
(rendered as aligned preformatted text), ``#`` headings (bold lines), ``>`` quotes, links, rules.
Formulas (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``) are left as written: their ``*`` and ``_``
are never taken for emphasis. All other text, including the bank's, is HTML-escaped.

Inside the folded part (an expandable blockquote) only bold/italic/strike are used: Telegram allows
no other entity inside a blockquote, so code, pre, tables and links become plain text there.
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from dataclasses import dataclass

log = logging.getLogger(__name__)

MAX_MESSAGE = 4096
FOLD_OPEN = "<blockquote expandable>"
FOLD_CLOSE = "</blockquote>"
CUT_MARKER = "…"


def tg_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def esc(text: str) -> str:
    return html.escape(text, quote=False)


# ---------------------------------------------------------------- inline

_INLINE = re.compile(
    r"""
    (?P<code>`+)(?P<codebody>.+?)(?P=code)
  | (?P<math>\$\$.+?\$\$ | \$(?=\S)[^$\n]+?(?<=\S)\$ | \\\(.+?\\\) | \\\[.+?\\\])
  | (?P<link>\[(?P<ltext>[^\]\n]+)\]\((?P<lurl>[^)\s]+)\))
  | \*\*(?=\S)(?P<bold>.+?)(?<=\S)\*\*
  | (?<!\w)__(?=\S)(?P<bold2>.+?)(?<=\S)__(?!\w)
  | ~~(?=\S)(?P<strike>.+?)(?<=\S)~~
  | \*(?=[^\s*])(?P<ital>.+?)(?<=[^\s*])\*
  | (?<!\w)_(?=[^\s_])(?P<ital2>.+?)(?<=[^\s_])_(?!\w)
  | \\(?P<escaped>[\\`*_{}\[\]()#+\-.!|~$<>])
    """,
    re.S | re.X,
)
_SAFE_URL = re.compile(r"^(https?://|tg://)[^\s\"<>]+$")


def render_inline(text: str, *, plain_code: bool = False) -> str:
    """Inline Markdown -> Telegram HTML. ``plain_code``: no ``<code>``/``<a>`` (inside blockquotes)."""
    out: list[str] = []
    pos = 0
    for m in _INLINE.finditer(text):
        out.append(esc(text[pos : m.start()]))
        pos = m.end()
        if m.group("code"):
            body = m.group("codebody")
            # CommonMark strips one space on both sides of a code span (lets `` `x` `` show backticks)
            if len(body) > 2 and body.startswith(" ") and body.endswith(" "):
                body = body[1:-1]
            out.append(esc(body) if plain_code else f"<code>{esc(body)}</code>")
        elif m.group("math"):
            out.append(esc(m.group("math")))  # formulas stay as written, readable as plain text
        elif m.group("link"):
            label = render_inline(m.group("ltext"), plain_code=True)
            url = m.group("lurl")
            if plain_code or not _SAFE_URL.match(url):
                out.append(f"{label} ({esc(url)})")
            else:
                out.append(f'<a href="{html.escape(url, quote=True)}">{label}</a>')
        elif m.group("bold") is not None or m.group("bold2") is not None:
            inner = m.group("bold") if m.group("bold") is not None else m.group("bold2")
            out.append(f"<b>{render_inline(inner, plain_code=plain_code)}</b>")
        elif m.group("strike") is not None:
            out.append(f"<s>{render_inline(m.group('strike'), plain_code=plain_code)}</s>")
        elif m.group("ital") is not None or m.group("ital2") is not None:
            inner = m.group("ital") if m.group("ital") is not None else m.group("ital2")
            out.append(f"<i>{render_inline(inner, plain_code=plain_code)}</i>")
        else:
            out.append(esc(m.group("escaped")))
    out.append(esc(text[pos:]))
    return "".join(out)


# ---------------------------------------------------------------- blocks

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([\w+#.-]*)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$")
_QUOTE = re.compile(r"^\s{0,3}>\s?(.*)$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_MATH_OPEN = re.compile(r"^\s*(\$\$|\\\[)")


def _is_table_start(lines: list[str], i: int) -> bool:
    return (
        "|" in lines[i]
        and i + 1 < len(lines)
        and "|" in lines[i + 1]
        and "-" in lines[i + 1]
        and bool(_TABLE_SEP.match(lines[i + 1]))
    )


def _starts_block(lines: list[str], i: int) -> bool:
    line = lines[i]
    return bool(
        _FENCE.match(line)
        or _HEADING.match(line)
        or _RULE.match(line)
        or _ITEM.match(line)
        or _QUOTE.match(line)
        or _MATH_OPEN.match(line)
        or _is_table_start(lines, i)
    )


def _cells(row: str) -> list[str]:
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", row)]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def plain_inline(text: str) -> str:
    """Inline Markdown with the markers removed (table cells, poll texts)."""
    return html.unescape(re.sub(r"<[^>]+>", "", render_inline(text, plain_code=True)))


def _table(rows: list[str]) -> str:
    """A GFM table as aligned plain text (wide CJK characters count two columns)."""
    parsed = [_cells(r) for r in rows]
    header, body = parsed[0], parsed[2:]
    grid = [[plain_inline(c) for c in row] for row in [header, *body]]
    ncols = max(len(r) for r in grid)
    grid = [r + [""] * (ncols - len(r)) for r in grid]
    widths = [max(_width(r[c]) for r in grid) for c in range(ncols)]

    def line(row: list[str]) -> str:
        return " | ".join(cell + " " * (widths[c] - _width(cell)) for c, cell in enumerate(row)).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([line(grid[0]), rule, *(line(r) for r in grid[1:])])


def markdown_blocks(md: str, *, folded: bool = False) -> list[str]:
    """Markdown -> a list of self-contained HTML blocks (each with balanced tags)."""
    lines = md.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4).split("\n")
    blocks: list[str] = []
    i, n = 0, len(lines)
    pre = (lambda body, lang="": esc(body)) if folded else _pre
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if fence := _FENCE.match(line):
            mark, lang = fence.group(1), fence.group(2)
            body: list[str] = []
            i += 1
            while i < n and not lines[i].strip().startswith(mark[0] * len(mark)):
                body.append(lines[i])
                i += 1
            i += 1  # the closing fence (or the end of the text)
            if body:
                blocks.append(pre("\n".join(body), lang))
            continue
        if _MATH_OPEN.match(line):
            close = "$$" if line.strip().startswith("$$") else "\\]"
            body = [line]
            rest = line.strip()[2:]
            if close not in rest:
                i += 1
                while i < n:
                    body.append(lines[i])
                    if close in lines[i]:
                        break
                    i += 1
            i += 1
            blocks.append(esc("\n".join(b.strip() for b in body)))
            continue
        if heading := _HEADING.match(line):
            blocks.append(f"<b>{render_inline(heading.group(1), plain_code=folded)}</b>")
            i += 1
            continue
        if _RULE.match(line):
            blocks.append("──────────")
            i += 1
            continue
        if _is_table_start(lines, i):
            rows = []
            while i < n and lines[i].strip() and "|" in lines[i]:
                rows.append(lines[i])
                i += 1
            blocks.append(pre(_table(rows)))
            continue
        if _QUOTE.match(line):
            inner = []
            while i < n and (m := _QUOTE.match(lines[i])):
                inner.append(m.group(1))
                i += 1
            text = "\n".join(markdown_blocks("\n".join(inner), folded=True))
            # blockquotes cannot nest: inside the folded part a quote becomes marked lines
            blocks.append("\n".join("▎" + ln for ln in text.split("\n")) if folded else f"<blockquote>{text}</blockquote>")
            continue
        if m_first := _ITEM.match(line):
            items: list[str] = []
            while i < n:
                m = _ITEM.match(lines[i])
                if m:
                    indent, marker, text = m.groups()
                    level = min(len(indent) // 2, 3)
                    bullet = esc(marker) if marker[0].isdigit() else ("•" if level == 0 else "◦")
                    items.append("  " * level + f"{bullet} {render_inline(text, plain_code=folded)}")
                    i += 1
                elif lines[i].strip() and lines[i].startswith((" ", "\t")) and items:
                    # an indented continuation line belongs to the previous item
                    items[-1] += " " + render_inline(lines[i].strip(), plain_code=folded)
                    i += 1
                elif (
                    not lines[i].strip()
                    and i + 1 < n
                    and (nxt := _ITEM.match(lines[i + 1]))
                    and nxt.group(2)[0].isdigit() == m_first.group(2)[0].isdigit()
                ):
                    i += 1  # a loose list: a blank line between items of one list keeps it together
                else:
                    break
            blocks.append("\n".join(items))
            continue
        para = [line.strip()]
        i += 1
        while i < n and lines[i].strip() and not _starts_block(lines, i):
            para.append(lines[i].strip())
            i += 1
        # Chat text keeps the author's line breaks (CommonMark would join them with spaces,
        # which reads wrong in Chinese)
        blocks.append(render_inline("\n".join(para), plain_code=folded))
    return blocks


def _pre(body: str, lang: str = "") -> str:
    if lang and re.fullmatch(r"[\w+#-]+", lang):
        return f'<pre><code class="language-{esc(lang)}">{esc(body)}</code></pre>'
    return f"<pre>{esc(body)}</pre>"


def render_markdown(md: str) -> str:
    """One HTML string, not split (for short texts: button alerts, tests)."""
    return "\n\n".join(markdown_blocks(md))


def to_plain(md: str) -> str:
    """Markdown -> plain text without any markup (poll question/options, callback alerts)."""
    return html_to_text(render_markdown(md))


def html_to_text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


# ---------------------------------------------------------------- splitting

_ATOM = re.compile(r"<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|\w+);|[^<&]|[<&]", re.S)
_TAG_NAME = re.compile(r"</?([A-Za-z][\w-]*)")


def _closers(stack: list[str]) -> str:
    return "".join(f"</{_TAG_NAME.match(t).group(1)}>" for t in reversed(stack))  # type: ignore[union-attr]


def _push(stack: list[str], atom: str) -> list[str]:
    """The open-tag stack after ``atom`` (a copy when it changes)."""
    if not atom.startswith("<") or len(atom) < 3:
        return stack
    if atom.startswith("</"):
        name = _TAG_NAME.match(atom)
        if name and stack and _TAG_NAME.match(stack[-1]).group(1) == name.group(1):  # type: ignore[union-attr]
            return stack[:-1]
        return stack
    return [*stack, atom]


def split_html(markup: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Cut HTML into pieces of at most ``limit`` UTF-16 units, never inside a tag or an entity.

    Prefers a line break, then a space, then any character; tags open at a cut are closed at the
    end of the piece and re-opened at the start of the next one. A cut that is not at a line break
    gets ``CUT_MARKER`` (outside preformatted text, where it would look like code).
    """
    atoms = _ATOM.findall(markup)
    # UTF-16 units per atom: a single character is 1 (2 outside the BMP); tags/entities: measured
    units = [(2 if ord(a) > 0xFFFF else 1) if len(a) == 1 else tg_len(a) for a in atoms]
    marker_units = tg_len(CUT_MARKER)
    pieces: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(atoms):
        prefix = "".join(stack)
        cur = stack
        closing = tg_len(_closers(cur))
        size = tg_len(prefix)
        best_line = best_space = None
        j = i
        while j < len(atoms):
            atom = atoms[j]
            new = _push(cur, atom) if atom[0] == "<" else cur
            new_closing = closing if new is cur else tg_len(_closers(new))
            new_size = size + units[j]
            if new_size + new_closing + marker_units > limit and j > i:
                break
            size, cur, closing, j = new_size, new, new_closing, j + 1
            if atom == "\n":
                best_line = (j, cur)
            elif atom == " ":
                best_space = (j, cur)
        if j == len(atoms):
            pieces.append(prefix + "".join(atoms[i:]) + _closers(cur))
            break
        # a break point in the first half would leave a tiny piece: cut harder instead
        half = i + (j - i) // 2
        best_line = best_line if best_line and best_line[0] > half else None
        best_space = best_space if best_space and best_space[0] > half else None
        end, end_stack = best_line or best_space or (j, cur)
        in_code = any(_TAG_NAME.match(t).group(1) in ("pre", "code") for t in end_stack)  # type: ignore[union-attr]
        marker = "" if (best_line or in_code) else CUT_MARKER
        body = "".join(atoms[i:end])
        if best_line:
            body = body[:-1]  # the line break itself is the boundary
        pieces.append(prefix + body + marker + _closers(end_stack))
        stack, i = end_stack, end
    return [p for p in pieces if html_to_text(p).strip()]


@dataclass(frozen=True, slots=True)
class _Block:
    html: str
    folded: bool


def _join(blocks: list[_Block]) -> str:
    out: list[str] = []
    k = 0
    while k < len(blocks):
        group = [blocks[k]]
        while k + len(group) < len(blocks) and blocks[k + len(group)].folded == blocks[k].folded:
            group.append(blocks[k + len(group)])
        body = "\n\n".join(b.html for b in group)
        out.append(f"{FOLD_OPEN}{body}{FOLD_CLOSE}" if blocks[k].folded else body)
        k += len(group)
    # a blockquote is a block of its own: one line break around it is enough
    return "\n".join(out)


def render_message(text: str, folded: str = "", limit: int = MAX_MESSAGE) -> list[str]:
    """Markdown ``text`` (+ ``folded`` in an expandable blockquote) -> HTML messages <= ``limit``."""
    blocks = [_Block(h, False) for h in markdown_blocks(text)]
    blocks += [_Block(h, True) for h in markdown_blocks(folded, folded=True)] if folded.strip() else []
    wrap = tg_len(FOLD_OPEN) + tg_len(FOLD_CLOSE)
    chunks: list[str] = []
    cur: list[_Block] = []
    size = 0  # tg_len(_join(cur)), kept up to date instead of re-joining for every block
    for block in blocks:
        budget = limit - (wrap if block.folded else 0)
        pieces = [block.html] if tg_len(block.html) <= budget else split_html(block.html, budget)
        for piece in pieces:
            units = tg_len(piece)
            if not cur:
                added = units + (wrap if block.folded else 0)
            elif cur[-1].folded == block.folded:
                added = 2 + units  # "\n\n" inside the same group
            else:
                added = 1 + units + (wrap if block.folded else 0)  # "\n" around a blockquote
            if cur and size + added > limit:
                chunks.append(_join(cur))
                cur, size = [], 0
                added = units + (wrap if block.folded else 0)
            cur.append(_Block(piece, block.folded))
            size += added
    if cur:
        chunks.append(_join(cur))
    return chunks or ["…"]
