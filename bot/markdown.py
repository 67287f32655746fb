"""The engine's Markdown, parsed once into a syntax tree that each platform's renderer walks.

Everything the bot shows (model answers, explanations, its own texts) is Markdown. It is parsed here,
with one markdown-it-py configuration, so Telegram and Discord agree on what is bold, what is a
link and where a list item ends; the adapters only decide how each node looks.

The dialect: CommonMark with GFM tables and ``~~strike~~``; raw HTML and ``&entities;`` are *not*
recognised (``<b>`` or ``&amp;`` in a bank text is shown as written, never passed through); formulas are atoms whose source is kept
as written, so the ``_`` and ``*`` of LaTeX are never taken for emphasis:

* ``$...$`` and ``$$...$$`` (mdit-py-plugins' dollarmath; ``$5 and $10`` stays currency because a
  formula may neither start nor end with a space nor touch a digit outside its dollars);
* ``\\(...\\)`` inline, and a display formula between a line ``\\[`` and a line ``\\]`` (the rules
  below). ``\\[x\\]`` within a line stays CommonMark's escaped ``[x]``: that is how the engine escapes
  brackets in member names, which must show literally.

Chinese text needs one amendment to CommonMark's emphasis rules (the "CJK-friendly" one, as in
markdown-it-cjk-friendly): ``**位置编码（PE）**是`` is bold. Plain CommonMark refuses it, since its
closing ``**`` follows punctuation and precedes a letter; here a CJK character next to a delimiter
run counts like punctuation does (``_CjkState.scanDelims``).

Nodes of math carry the formula in ``content``, the opening delimiter in ``markup`` and the closing
one in ``info`` (see ``math_source``).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Scanned
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode
from markdown_it.utils import EnvType
from mdit_py_plugins.dollarmath import dollarmath_plugin

MATH_INLINE = frozenset({"math_inline", "math_inline_double"})
MATH_BLOCK = frozenset({"math_block", "math_block_label"})


def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F", "H")


class _CjkState(StateInline):
    """Inline state whose delimiter runs may touch CJK text the way they may touch punctuation."""

    def scanDelims(self, start: int, canSplitWord: bool) -> Scanned:  # noqa: N802 (the library's name)
        marker = self.src[start]
        pos = start
        while pos < self.posMax and self.src[pos] == marker:
            pos += 1
        last = self.src[start - 1] if start > 0 else " "  # the line's edges count as whitespace
        nxt = self.src[pos] if pos < self.posMax else " "
        last_punct = isMdAsciiPunct(ord(last)) or isPunctChar(last)
        next_punct = isMdAsciiPunct(ord(nxt)) or isPunctChar(nxt)
        last_space, next_space = isWhiteSpace(ord(last)), isWhiteSpace(ord(nxt))
        left = not next_space and (not next_punct or last_space or last_punct or _is_cjk(last))
        right = not last_space and (not last_punct or next_space or next_punct or _is_cjk(nxt))
        can_open = left and (canSplitWord or not right or last_punct)
        can_close = right and (canSplitWord or not left or next_punct)
        return Scanned(can_open, can_close, pos - start)


class _CjkInline(ParserInline):
    """The inline parser with ``_CjkState`` (markdown-it builds its state in ``parse``)."""

    def parse(self, src: str, md: MarkdownIt, env: EnvType, tokens: list[Token]) -> list[Token]:
        state = _CjkState(src, md, env, tokens)
        self.tokenize(state)
        for rule in self.ruler2.getRules(""):
            rule(state)
        return state.tokens


def _bracket_inline(state: StateInline, silent: bool) -> bool:
    """``\\(...\\)`` inside a paragraph -> a ``math_inline`` token (markup and info: the delimiters)."""
    if not state.src.startswith("\\(", state.pos):
        return False
    end = state.src.find("\\)", state.pos + 2)
    if end < 0 or not state.src[state.pos + 2 : end].strip():
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = state.src[state.pos + 2 : end]
        token.markup, token.info = "\\(", "\\)"
    state.pos = end + 2
    return True


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]].strip()


def _bracket_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A line holding only ``\\[`` opens a display formula that runs to a line holding only ``\\]``."""
    if state.sCount[start] - state.blkIndent >= 4 or _line(state, start) != "\\[":
        return False
    line = start + 1
    while line < end and _line(state, line) != "\\]":
        line += 1
    if line >= end:
        return False  # unclosed: an ordinary paragraph
    if silent:
        return True
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = state.getLines(start + 1, line, state.tShift[start], False)
    token.markup, token.info = "\\[", "\\]"
    token.map = [start, line + 1]
    state.line = line + 1
    return True


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """The one configured parser (built on first use; markdown-it parsers are reusable)."""
    md = MarkdownIt("commonmark", {"html": False})
    inline = _CjkInline()
    inline.ruler, inline.ruler2 = md.inline.ruler, md.inline.ruler2  # the preset's rules, as configured
    md.inline = inline
    md.enable(["table", "strikethrough"])
    # "&amp;" in a bank text or a member's name is shown as typed, as before (and as it would read
    # in any other plain-text field); the renderers escape "&" themselves
    md.disable("entity")
    dollarmath_plugin(md, allow_space=False, allow_digits=False, double_inline=True, allow_labels=False,
                      allow_blank_lines=False)
    md.inline.ruler.before("escape", "math_bracket", _bracket_inline)
    md.block.ruler.before("fence", "math_bracket_block", _bracket_block,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    return md


def normalise(text: str) -> str:
    """Line breaks as the parser counts lines (``lines`` for ``blank_line_before`` come from this)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse(text: str) -> SyntaxTreeNode:
    """Block-level Markdown -> the syntax tree (root node; its children are the blocks)."""
    return SyntaxTreeNode(parser().parse(normalise(text)))


def parse_inline(text: str) -> SyntaxTreeNode:
    """One line of inline Markdown (no lists or headings: ``1. **Bob**`` stays a ranking line)."""
    root = SyntaxTreeNode(parser().parseInline(normalise(text)))
    return root.children[0] if root.children else root


def math_source(node: SyntaxTreeNode) -> str:
    """A formula as the author wrote it, delimiters included (display formulas on lines of their own)."""
    opening = node.markup or "$"
    closing = node.info or opening  # dollarmath closes with its opening; the bracket rules store it
    if node.type in MATH_BLOCK:
        return f"{opening}\n{node.content.strip()}\n{closing}"
    return f"{opening}{node.content}{closing}"


def plain_text(node: SyntaxTreeNode) -> str:
    """The visible text of an inline subtree without any markup (table cells, plain-text targets)."""
    if node.type in ("text", "code_inline"):
        return node.content
    if node.type in MATH_INLINE:
        return math_source(node)
    if node.type in ("softbreak", "hardbreak"):
        return "\n"
    if node.type == "image":
        return "".join(plain_text(c) for c in node.children) or str(node.attrs.get("src", ""))
    return "".join(plain_text(c) for c in node.children)


def text_width(text: str) -> int:
    """Columns on a monospace screen: wide and full-width (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table_lines(table: SyntaxTreeNode) -> list[str]:
    """A GFM table as aligned monospace lines: header, a rule, the rows (cells as plain text).

    Cells are padded by display width so the ``|`` separators line up under CJK text too.
    """
    rows: list[list[str]] = []
    for section in table.children:  # thead, tbody
        for tr in section.children:
            cells = [" ".join(plain_text(c).split()) for c in tr.children]
            rows.append(cells)
    if not rows:
        return []
    ncols = max(len(r) for r in rows)
    rows = [r + [""] * (ncols - len(r)) for r in rows]
    widths = [max(text_width(r[c]) for r in rows) for c in range(ncols)]

    def pad(cell: str, c: int) -> str:
        return cell + " " * (widths[c] - text_width(cell))

    def line(row: list[str]) -> str:
        return " | ".join(pad(cell, c) for c, cell in enumerate(row)).rstrip()

    return [line(rows[0]), "-+-".join("-" * w for w in widths), *(line(r) for r in rows[1:])]


def blank_line_before(node: SyntaxTreeNode, lines: list[str]) -> bool:
    """Whether the author left a blank line just before this block (``lines``: the parsed source).

    Platforms that keep the author's layout join blocks with one line break where there was none,
    so ``**Key points**`` directly above its list stays directly above it.
    """
    if not node.map or node.map[0] == 0:
        return True
    return not lines[node.map[0] - 1].strip(" \t>")
