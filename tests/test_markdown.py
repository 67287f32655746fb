"""Tests of the one Markdown parse both platforms render (bot.markdown): the dialect, formulas as
atoms, CJK-friendly emphasis, tables as aligned lines, and the author's block spacing."""

from __future__ import annotations

from bot.markdown import (
    blank_line_before,
    math_source,
    normalise,
    parse,
    parse_inline,
    parser,
    plain_text,
    table_lines,
    text_width,
)


def types(text: str) -> list[str]:
    return [node.type for node in parse(text).walk()]


def inline_types(text: str) -> list[str]:
    return [node.type for node in parse_inline(text).children]


def test_the_parser_is_configured_once():
    assert parser() is parser()


def test_commonmark_with_gfm_tables_and_strike():
    assert "table" in types("| a | b |\n|---|---|\n| 1 | 2 |")
    assert "s" in types("~~gone~~")
    assert "bullet_list" in types("- a\n- b") and "ordered_list" in types("1. a\n2. b")


def test_raw_html_and_entities_stay_text():
    tree = types("<div>\n**x**\n</div>\n\n<b>y</b> &amp;")
    assert "html_block" not in tree and "html_inline" not in tree
    assert plain_text(parse_inline("<b>y</b> &amp; &lt;")) == "<b>y</b> &amp; &lt;"


def test_inline_parse_has_no_block_structure():
    assert inline_types("1. **Bob** 10/10") == ["text", "strong", "text"]
    assert plain_text(parse_inline("# not a heading")) == "# not a heading"


def test_dollar_formulas_are_atoms_with_their_source():
    nodes = parse_inline(r"loss $L = \sum_i x_i * y_i$ and $$a_b$$ end").children
    maths = [n for n in nodes if n.type.startswith("math")]
    assert [math_source(n) for n in maths] == [r"$L = \sum_i x_i * y_i$", "$$a_b$$"]
    assert "em" not in [n.type for n in nodes]


def test_currency_is_not_a_formula():
    assert inline_types("costs $5 and $10 today") == ["text"]
    assert inline_types("pay $ 3 or $ 4") == ["text"]


def test_paren_formulas_inline_and_bracket_formulas_on_their_own_lines():
    [node] = [n for n in parse_inline(r"see \(x_1 * y_1\) here").children if n.type == "math_inline"]
    assert math_source(node) == r"\(x_1 * y_1\)"
    [block] = [n for n in parse("text\n\\[\na_1 * *b*\n\\]\nmore").children if n.type == "math_block"]
    assert math_source(block) == "\\[\na_1 * *b*\n\\]"
    dollars = [n for n in parse("$$\nx_1 * x_2\n$$").children if n.type == "math_block"]
    assert [math_source(n) for n in dollars] == ["$$\nx_1 * x_2\n$$"]


def test_escaped_brackets_within_a_line_are_brackets_not_a_formula():
    # the engine escapes a member's "[x](url)" as "\[x\](url)": it must come back as that text
    assert plain_text(parse_inline(r"\[x\](https://evil.example) and \[a\_b\]")) == \
        "[x](https://evil.example) and [a_b]"


def test_an_unclosed_display_formula_is_a_paragraph():
    assert "math_block" not in types("$$\nx_1\n\nmore") and "math_block" not in types("\\[\nx_1")


def test_cjk_friendly_emphasis():
    [strong] = [n for n in parse_inline("**位置编码（Positional Encoding）**是一种方法").children if n.type == "strong"]
    assert plain_text(strong) == "位置编码（Positional Encoding）"
    assert "strong" in inline_types("这是**（重点）**的内容")
    assert "strong" not in inline_types("2 ** 3 ** 4")
    assert inline_types("snake_case_name") == ["text"]


def test_table_lines_align_cjk_columns():
    [table] = [n for n in parse("| 方法 | score |\n|---|---:|\n| **LoRA** | 9 |\n| 全量微调 | `10` |").children]
    lines = table_lines(table)
    assert lines[0] == "方法     | score" and lines[1] == "---------+------"
    assert lines[2].startswith("LoRA     | 9") and lines[3] == "全量微调 | 10"
    assert len({text_width(line.split("|")[0]) for line in (lines[0], lines[2], lines[3])}) == 1


def test_blank_line_before_follows_the_source():
    text = normalise("**Key points**\n- a\n- b\n\nend\r\n> q")
    lines = text.split("\n")
    heading, bullets, end, quote = parse(text).children
    assert not blank_line_before(bullets, lines)
    assert blank_line_before(end, lines)
    assert not blank_line_before(quote, lines)
    assert blank_line_before(heading, lines)
