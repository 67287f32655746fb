"""The engine's Markdown -> Telegram HTML, split into messages that fit Telegram's 4096 limit.

Why HTML: it is the least error-prone parse mode (only ``<``, ``>`` and ``&`` need escaping), and it
has ``<blockquote expandable>`` to fold a long model answer.

The Markdown is parsed by ``bot.markdown`` (CommonMark + GFM tables and strike + formulas); this
module only walks that tree. What each node becomes:

* ``**b**``/``*i*``/``~~s~~`` -> ``<b>``/``<i>``/``<s>``; `` `code` `` -> ``<code>``; fenced and indented
  code -> ``<pre>`` (``<pre><code class="language-x">`` with an info string); links and ``<https://…>``
  autolinks -> ``<a href>`` (http, https and tg only; anything else is shown as ``label (url)``);
* headings -> bold lines; lists -> ``•``/``◦`` or numbered lines, a loose item's further paragraphs
  indented under it; ``>`` quotes -> ``<blockquote>``; rules -> a line of ``─``;
* GFM tables -> aligned monospace ``<pre>`` (Telegram has no tables; CJK counts two columns);
* formulas -> ``<code>`` holding the LaTeX as written, never read as emphasis;
* every text, raw HTML included, is escaped: the output uses only Telegram's tags and entities.

Telegram rejects entities inside ``code``/``pre``, and inside a blockquote it allows only styles: in
those places links, code and tables become plain text (``plain`` mode). Inside the folded part (an
expandable blockquote) the whole document is rendered that way, and a quote becomes ``▎`` lines.

How splitting stays safe: each top-level block is rendered on its own, so its tags are balanced.
Blocks are then packed greedily into messages, measured in UTF-16 code units of the HTML source
(Telegram counts UTF-16 units of the text after parsing, which is never longer, so the bound is
conservative). Only a single block longer than a whole message is cut inside: ``split_html`` walks
tags, entities and characters, cuts at a line, else a word, else a character boundary, closes the
open tags and re-opens them in the next piece, and marks the cut with ``…``.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass

from markdown_it.tree import SyntaxTreeNode

from bot.markdown import MATH_BLOCK, MATH_INLINE, math_source, parse, parse_inline, plain_text, table_lines

log = logging.getLogger(__name__)

MAX_MESSAGE = 4096
FOLD_OPEN = "<blockquote expandable>"
FOLD_CLOSE = "</blockquote>"
CUT_MARKER = "…"
RULE = "──────────"
_SAFE_URL = re.compile(r"^(https?://|tg://)[^\s\"<>]+$", re.I)
_LANG = re.compile(r"[\w+#-]+")


def tg_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def _attr(text: str) -> str:
    """An attribute value: Telegram knows only the entities &lt; &gt; &amp; &quot; (no &#x27;)."""
    return esc(text).replace('"', "&quot;")


# ---------------------------------------------------------------- inline


def _inline(node: SyntaxTreeNode, plain: bool, in_bold: bool = False) -> str:
    """An inline subtree -> HTML. ``plain``: no ``<code>``/``<a>`` (blockquotes, link labels)."""
    kind = node.type
    if kind == "text":
        return esc(node.content)
    if kind in ("softbreak", "hardbreak"):
        # chat text keeps the author's line breaks (joining them with spaces reads wrong in Chinese)
        return "\n"
    if kind == "code_inline":
        return esc(node.content) if plain else f"<code>{esc(node.content)}</code>"
    if kind in MATH_INLINE:
        source = esc(math_source(node))
        return source if plain else f"<code>{source}</code>"
    if kind == "strong":
        inner = _children(node, plain, True)
        return inner if in_bold else f"<b>{inner}</b>"  # a bold heading needs no bold inside
    if kind == "em":
        return f"<i>{_children(node, plain, in_bold)}</i>"
    if kind == "s":
        return f"<s>{_children(node, plain, in_bold)}</s>"
    if kind in ("link", "image"):
        url = str(node.attrs.get("href" if kind == "link" else "src", ""))
        label = _children(node, True, in_bold) or esc(url)
        if node.markup == "autolink":
            label = esc(url.removeprefix("mailto:"))
        if plain or not _SAFE_URL.match(url):
            return label if html.unescape(label) == url.removeprefix("mailto:") else f"{label} ({esc(url)})"
        return f'<a href="{_attr(url)}">{label}</a>'
    if node.children:
        return _children(node, plain, in_bold)
    return esc(node.content)  # anything else the parser may produce is shown as text


def _children(node: SyntaxTreeNode, plain: bool, in_bold: bool = False) -> str:
    return "".join(_inline(c, plain, in_bold) for c in node.children)


def render_inline(text: str, *, plain_code: bool = False) -> str:
    """One line of inline Markdown -> Telegram HTML (no block structure: ``1. x`` is not a list)."""
    return _inline(parse_inline(text), plain_code)


# ---------------------------------------------------------------- blocks


def _pre(body: str, lang: str = "") -> str:
    lang = lang.split()[0] if lang.split() else ""
    if lang and _LANG.fullmatch(lang):
        return f'<pre><code class="language-{esc(lang)}">{esc(body)}</code></pre>'
    return f"<pre>{esc(body)}</pre>"


def _indent(block: str, pad: str) -> str:
    """Indent a block under a list item; preformatted text keeps its own columns."""
    if block.startswith("<pre>") or pad == "":
        return block
    return "\n".join(pad + line if line else line for line in block.split("\n"))


def _list(node: SyntaxTreeNode, folded: bool, level: int) -> str:
    items: list[str] = []
    number = int(node.attrs.get("start", 1) or 1)
    for item in node.children:
        if node.type == "ordered_list":
            bullet = f"{esc(item.info or str(number))}{esc(item.markup or '.')}"
            number += 1
        else:
            bullet = "•" if level == 0 else "◦"
        lead = "  " * min(level, 3)
        parts: list[str] = []
        for k, child in enumerate(item.children):
            if child.type in ("bullet_list", "ordered_list"):
                parts.append(_list(child, folded, level + 1))
            elif k == 0:
                parts.append(f"{lead}{bullet} {_block(child, folded, level)}")
            else:
                # a loose item's further paragraphs stay inside the item, under its text
                parts.append(_indent(_block(child, folded, level), lead + " " * (len(bullet) + 1)))
        items.append("\n".join(parts) if parts else f"{lead}{bullet}")
    return "\n".join(items)


def _block(node: SyntaxTreeNode, folded: bool, level: int = 0) -> str:
    """One block -> HTML with balanced tags. ``folded``: only styles (inside a blockquote)."""
    kind = node.type
    if kind == "paragraph":
        return _children(node.children[0], folded) if node.children else ""
    if kind == "heading":
        return f"<b>{_children(node.children[0], folded, True)}</b>" if node.children else ""
    if kind in ("fence", "code_block"):
        body = node.content.rstrip("\n")
        if not body.strip():
            return ""
        return esc(body) if folded else _pre(body, node.info)
    if kind in MATH_BLOCK:
        return esc(math_source(node)) if folded else f"<pre>{esc(math_source(node))}</pre>"
    if kind == "table":
        text = "\n".join(table_lines(node))
        return esc(text) if folded else f"<pre>{esc(text)}</pre>"
    if kind == "hr":
        return RULE
    if kind in ("bullet_list", "ordered_list"):
        return _list(node, folded, level)
    if kind == "blockquote":
        text = "\n".join(b for b in (_block(c, True) for c in node.children) if b)
        # blockquotes cannot nest: inside the folded part a quote becomes marked lines
        return "\n".join("▎" + ln for ln in text.split("\n")) if folded else f"<blockquote>{text}</blockquote>"
    if kind == "inline":
        return _children(node, folded)
    if node.children:
        return "\n\n".join(b for b in (_block(c, folded, level) for c in node.children) if b)
    return esc(node.content)


def markdown_blocks(md: str, *, folded: bool = False) -> list[str]:
    """Markdown -> a list of self-contained HTML blocks (each with balanced tags)."""
    blocks = (_block(node, folded) for node in parse(md.expandtabs(4)).children)
    return [b for b in blocks if b.strip()]


def render_markdown(md: str) -> str:
    """One HTML string, not split (for short texts: button alerts, tests)."""
    return "\n\n".join(markdown_blocks(md))


def plain_inline(text: str) -> str:
    """Inline Markdown with the markers removed (table cells, poll texts)."""
    return plain_text(parse_inline(text))


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
