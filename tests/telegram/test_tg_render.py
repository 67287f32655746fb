"""Unit tests of the Markdown -> Telegram HTML renderer and its splitting at 4096 characters, the
rendering bugs the one Markdown parse fixed, and the property that every output is valid Bot-API HTML."""

from __future__ import annotations

import random
import re
import unicodedata
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tg_support import check_html, visible

from adapters.telegram.render import (
    CUT_MARKER,
    FOLD_OPEN,
    MAX_MESSAGE,
    markdown_blocks,
    render_inline,
    render_markdown,
    render_message,
    split_html,
    tg_len,
    to_plain,
)
from bot.bank import QuestionBank
from bot.views import md_escape

# -- inline ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("md", "html"),
    [
        ("**bold**", "<b>bold</b>"),
        ("__bold__", "<b>bold</b>"),
        ("*it*", "<i>it</i>"),
        ("_it_", "<i>it</i>"),
        ("~~gone~~", "<s>gone</s>"),
        ("`a<b>&c`", "<code>a&lt;b&gt;&amp;c</code>"),
        ("**bold _and it_**", "<b>bold <i>and it</i></b>"),
        ("a < b && c > d", "a &lt; b &amp;&amp; c &gt; d"),
        ("snake_case_name stays", "snake_case_name stays"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("[docs](https://example.com/a?b=1&c=2)", '<a href="https://example.com/a?b=1&amp;c=2">docs</a>'),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),  # not a link: shown as written
        (r"\*not italic\*", "*not italic*"),
        (r"\<tag\>", "&lt;tag&gt;"),
        ("**数据分布偏移**：SFT", "<b>数据分布偏移</b>：SFT"),
    ],
)
def test_inline(md, html):
    assert render_inline(md) == html


@pytest.mark.parametrize(
    "formula",
    ["$a_i * b_j$", "$$\\sum_i x_i * y_i$$", "\\(softmax(QK^T/\\sqrt{d_k})\\)", "$\\hat y_i-y_i$"],
)
def test_formulas_are_left_as_written(formula):
    html = render_inline(f"see {formula} here")
    assert "<i>" not in html and "<b>" not in html
    assert visible(html) == f"see {formula} here"


def test_engine_escaped_names_render_literally():
    name = "*Evil* <b>name</b> _x_ `y`"
    html = render_inline(f"1. **{md_escape(name)}** 10/10")
    assert visible(html) == f"1. {name} 10/10"
    check_html(html)


# -- blocks ---------------------------------------------------------------------------------------


def test_headings_lists_and_rules():
    html = render_markdown("# Title\n\n- one\n- **two**\n  - nested\n\n1. first\n2. second\n\n---\n\nend")
    assert html.startswith("<b>Title</b>")
    assert "• one\n• <b>two</b>\n  ◦ nested" in html
    assert "1. first\n2. second" in html
    assert "──" in html
    check_html(html)


def test_heading_closing_hashes_need_a_space():
    assert render_markdown("# C# language") == "<b>C# language</b>"
    assert render_markdown("## Title ##") == "<b>Title</b>"
    assert render_markdown("#hashtag") == "#hashtag"


def test_fenced_code_becomes_pre_with_language_and_keeps_text():
    html = render_markdown("```python\nif a < b and c & d:\n    print('**x**')\n```")
    assert html == ('<pre><code class="language-python">if a &lt; b and c &amp; d:\n'
                    "    print('**x**')</code></pre>")


def test_unclosed_fence_runs_to_the_end():
    html = render_markdown("```\ncode\nmore")
    assert html == "<pre>code\nmore</pre>"


def test_gfm_table_is_aligned_preformatted_text():
    md = "| 方法 | score |\n|---|---:|\n| **LoRA** | 9 |\n| full fine-tuning | 10 |"
    html = render_markdown(md)
    assert html.startswith("<pre>") and html.endswith("</pre>")
    lines = visible(html).split("\n")
    assert lines[0].startswith("方法") and "LoRA" in lines[2] and "**" not in html
    # the column separator lines up on screen (a CJK character is two columns wide)
    widths = {sum(2 if unicodedata.east_asian_width(ch) == "W" else 1 for ch in line.split("|")[0])
              for line in (lines[0], lines[2], lines[3])}
    assert len(widths) == 1


def test_quote_and_paragraph_line_breaks():
    html = render_markdown("> quoted *x*\n> more\n\nline one\nline two")
    assert html == "<blockquote>quoted <i>x</i>\nmore</blockquote>\n\nline one\nline two"


def test_folded_part_uses_no_entities_telegram_forbids_in_blockquotes():
    blocks = markdown_blocks("`code` and [l](https://x.y)\n\n```\npre\n```\n\n> q\n\n|a|b|\n|-|-|\n|1|2|",
                             folded=True)
    joined = "\n".join(blocks)
    assert "<code>" not in joined and "<pre>" not in joined and "<a " not in joined
    assert "<blockquote>" not in joined
    assert "code" in joined and "https://x.y" in joined and "pre" in joined


def test_to_plain_strips_markup():
    assert to_plain("**Question 1/1** · *arch* `x<y`") == "Question 1/1 · arch x<y"


# -- splitting ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return QuestionBank.load("tests/fixtures/questions")


def test_kv_cache_long_answer_splits_into_valid_chunks(bank):
    q = bank.question("arch-kv-cache-long")
    chunks = render_message("**Answer** · " + q.prompt, "**Model answer**\n\n" + q.answer)
    assert len(chunks) >= 2
    texts = []
    for chunk in chunks:
        assert tg_len(chunk) <= MAX_MESSAGE
        texts.append(check_html(chunk))
        assert chunk.count(FOLD_OPEN) <= 1
    whole = "".join(texts)
    for n in range(1, 31):
        assert f"<tag&{n}>" in whole
        assert f"Paragraph {n}**" not in whole and f"Paragraph {n}" in whole
    # paragraphs are never cut: every chunk boundary falls between two of them
    assert all(CUT_MARKER not in t for t in texts)
    assert whole.replace("\n", "").count("KV cache 保存已计算的 key 和 value") == 30 * 6


def test_the_folded_answer_stays_folded_in_every_chunk(bank):
    q = bank.question("arch-kv-cache-long")
    chunks = render_message("title", q.answer)
    assert chunks[0].startswith("title\n" + FOLD_OPEN)
    for chunk in chunks[1:]:
        assert chunk.startswith(FOLD_OPEN) and chunk.endswith("</blockquote>")


def test_an_over_long_paragraph_is_cut_at_words_with_a_marker_and_tags_reopened():
    words = " ".join(f"w{i}" for i in range(3000))
    md = f"intro **bold {words} end** tail"
    chunks = render_message(md)
    assert len(chunks) >= 3
    texts = [check_html(c) for c in chunks]
    assert all(tg_len(c) <= MAX_MESSAGE for c in chunks)
    assert all(t.endswith(CUT_MARKER) for t in texts[:-1])
    assert chunks[1].startswith("<b>")  # bold re-opened after the cut
    rebuilt = "".join(t.removesuffix(CUT_MARKER) for t in texts)
    assert rebuilt == visible(render_inline(md))


def test_text_without_spaces_is_cut_at_characters():
    md = "字" * 10000
    chunks = render_message(md)
    assert all(tg_len(c) <= MAX_MESSAGE for c in chunks)
    assert "".join(visible(c).removesuffix(CUT_MARKER) for c in chunks) == md


def test_long_code_block_is_split_inside_pre_at_lines_without_marker():
    code = "\n".join(f"x_{i} = {i} < {i + 1}" for i in range(1200))
    chunks = render_message(f"```python\n{code}\n```")
    assert len(chunks) >= 2
    for chunk in chunks:
        check_html(chunk)
        assert chunk.startswith('<pre><code class="language-python">') and chunk.endswith("</code></pre>")
    assert "\n".join(visible(c) for c in chunks) == code


def test_entities_are_never_cut():
    md = "&<>" * 3000
    chunks = render_message(md)
    for chunk in chunks:
        check_html(chunk)
        assert not re.search(r"&[a-z]*$", chunk.removesuffix(CUT_MARKER))


def test_emoji_count_as_two_utf16_units():
    md = "😀" * 3000  # 3000 characters, 6000 UTF-16 units
    chunks = render_message(md)
    assert len(chunks) == 2
    assert all(tg_len(c) <= MAX_MESSAGE for c in chunks)


def test_split_html_respects_small_limits_and_nesting():
    html = "<b>bold <i>italic " + "word " * 50 + "</i> after</b>"
    pieces = split_html(html, 60)
    for p in pieces:
        assert tg_len(p) <= 60
        check_html(p)
    assert "".join(visible(p).removesuffix(CUT_MARKER) for p in pieces) == visible(html)


def test_random_documents_always_split_into_valid_chunks():
    rng = random.Random(1234)
    parts = ["**粗体 bold**", "*it*", "`co<de>`", "a & b", "<tag&1>", "$x_i * y$", "- item", "1. one",
             "| a | b |\n|---|---|\n| 1 | 2 |", "```\ncode <x>\n```", "# Head", "> quote", "plain 中文 text"]
    for _ in range(30):
        md = "\n\n".join(rng.choice(parts) * rng.randint(1, 120) for _ in range(rng.randint(5, 30)))
        limit = rng.choice([500, 1000, 4096])
        for chunk in render_message(md, md if rng.random() < 0.5 else "", limit=limit):
            assert tg_len(chunk) <= limit
            check_html(chunk)
        # nothing lost: the visible text of the chunks holds every character of the rendering
        whole = "".join(visible(c).replace(CUT_MARKER, "") for c in render_message(md, limit=limit))
        assert whole.replace("\n", "") == visible(render_markdown(md)).replace("\n", "")


def test_short_and_empty_texts():
    assert render_message("hi") == ["hi"]
    assert render_message("") == ["…"]
    assert render_message("a", "   ") == ["a"]


# -- known bugs of the hand-written parser, fixed by the one Markdown parse -------------------------


def test_link_url_with_parentheses_is_kept_whole():
    assert render_inline("[w](https://x/Foo_(bar))") == '<a href="https://x/Foo_(bar)">w</a>'


def test_triple_stars_are_bold_italic_not_stray_stars():
    assert render_inline("***x***") == "<i><b>x</b></i>"
    assert visible(render_inline("a ***b c*** d")) == "a b c d"


def test_loose_list_paragraphs_stay_in_their_item():
    html = render_markdown("1. first\n\n   more of first\n\n2. second\n\n- a\n\n  b\n- c")
    assert html == "1. first\n   more of first\n2. second\n\n• a\n  b\n• c"


def test_angle_bracket_autolinks_become_links():
    assert render_inline("<https://a.b/c?x=1&y=2>") == \
        '<a href="https://a.b/c?x=1&amp;y=2">https://a.b/c?x=1&amp;y=2</a>'
    assert markdown_blocks("see <https://a.b/c>", folded=True) == ["see https://a.b/c"]


def test_no_tag_is_ever_emitted_inside_code():
    assert render_inline("**a `b` c**") == "<b>a <code>b</code> c</b>"
    assert render_inline("`**x** [l](https://x.y) <b>`") == "<code>**x** [l](https://x.y) &lt;b&gt;</code>"
    assert render_inline("[`code` label](https://x.y)") == '<a href="https://x.y">code label</a>'
    check_strict(render_markdown("```\n**x** <i>y</i>\n```\n\n| `a` | [b](https://x.y) |\n|-|-|\n| c | d |"))


def test_raw_html_in_the_source_is_escaped_not_passed_through():
    html = render_markdown("<b>bold?</b> <script>alert(1)</script>\n\n<div>\n**x**\n</div>")
    assert "<b>bold?" not in html and "&lt;b&gt;bold?&lt;/b&gt;" in html and "&lt;script&gt;" in html
    assert "&lt;div&gt;" in html
    check_strict(html)


def test_entities_in_the_source_are_shown_as_typed():
    assert render_inline("a &amp; b &lt;") == "a &amp;amp; b &amp;lt;"


def test_cjk_bold_next_to_full_width_punctuation():
    assert render_inline("**位置编码（Positional Encoding）**是一种方法") == \
        "<b>位置编码（Positional Encoding）</b>是一种方法"


def test_formulas_become_code_and_are_never_emphasis():
    assert render_inline("$a_i * b_j$") == "<code>$a_i * b_j$</code>"
    assert render_markdown("$$\nx_1 * x_2\n$$") == "<pre>$$\nx_1 * x_2\n$$</pre>"
    assert render_markdown("\\[\n\\sum_i *a_i*\n\\]") == "<pre>\\[\n\\sum_i *a_i*\n\\]</pre>"
    assert markdown_blocks("$a_i$ and\n\n$$\nb_i\n$$", folded=True) == ["$a_i$ and", "$$\nb_i\n$$"]
    assert render_inline("costs $5 and $10") == "costs $5 and $10"


def test_table_cells_with_markup_are_plain_and_aligned():
    html = render_markdown("| 名字 | link |\n|---|---|\n| **粗** `c` | [x](https://x.y) |")
    assert html == "<pre>名字 | link\n-----+-----\n粗 c | x</pre>"  # 名字 and "粗 c" are both 4 columns


# -- every output is valid Telegram HTML ------------------------------------------------------------

_ALLOWED_ENTITY = re.compile(r"&(lt|gt|amp|quot);")
_STYLE_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler"}


class StrictChecker(HTMLParser):
    """Telegram's HTML: its tags with their only attributes, nested properly, nothing inside code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        parent = self.stack[-1] if self.stack else None
        ok = (
            (tag in _STYLE_TAGS and not attrs)
            or (tag == "span" and attrs == {"class": "tg-spoiler"})
            or (tag == "a" and set(attrs) == {"href"} and attrs["href"])
            or (tag == "pre" and not attrs)
            or (tag == "code" and (not attrs or (parent == "pre" and re.fullmatch(
                r"language-[\w+#-]+", attrs.get("class") or "") and set(attrs) == {"class"})))
            or (tag == "blockquote" and attrs in ({}, {"expandable": None}))
        )
        if not ok:
            self.errors.append(f"<{tag} {attrs}> is not Telegram HTML")
        if parent in ("code", "pre") and not (parent == "pre" and tag == "code"):
            self.errors.append(f"<{tag}> inside <{parent}>")
        if tag in ("blockquote", "pre") and ("blockquote" in self.stack or "pre" in self.stack):
            self.errors.append(f"<{tag}> nested in a blockquote or pre")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_entityref(self, name):
        if name not in ("lt", "gt", "amp", "quot"):
            self.errors.append(f"entity &{name};")

    def handle_charref(self, name):
        self.errors.append(f"character reference &#{name};")


def check_strict(markup: str) -> str:
    """``check_html`` plus attributes, entities and nesting exactly as the Bot API allows."""
    checker = StrictChecker()
    checker.feed(markup)
    checker.close()
    assert not checker.errors, (checker.errors, markup)
    assert not checker.stack, (checker.stack, markup)
    assert "&" not in _ALLOWED_ENTITY.sub("", re.sub(r"<[^>]*>", "", markup)), markup
    return check_html(markup)


_PIECES = ["**", "*", "_", "__", "***", "~~", "`", "``", "```", "```py\n", "~~~\n", "\n", "\n\n", " ", "  ",
           "[", "]", "(", ")", "](https://x.y/a_(b)?q=1&r='2')", "](javascript:x)", "![i](https://x.y/i.png)",
           "<", ">", "&", "&amp;", "&#39;", '"', "'", "$", "$$", "$x_1$", "\\", "\\(", "\\)", "\\[", "\\]",
           "|", "| a | b |\n|---|:-:|\n", "- ", "1. ", "   ", "> ", "# ", "---", "<https://a.b/c>",
           "<b>", "</code>", "<a href=x>", "中文", "全角（括号）", "😀", "x", "word ", "@everyone"]
markdown_text = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(text=markdown_text, folded=markdown_text, limit=st.sampled_from([64, 300, MAX_MESSAGE]))
def test_property_every_message_is_valid_telegram_html(text, folded, limit):
    chunks = render_message(text, folded, limit=limit)
    assert chunks
    for chunk in chunks:
        assert tg_len(chunk) <= limit
        check_strict(chunk)
    for block in markdown_blocks(text) + markdown_blocks(folded, folded=True):
        check_strict(block)


_NAME_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="$")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(name=st.text(_NAME_CHARS, min_size=1, max_size=30).filter(lambda s: s == s.strip() and s))
def test_property_escaped_member_names_render_literally(name):
    html = render_inline(f"1. **{md_escape(name)}** 10/10")
    check_strict(html)
    assert visible(html) == f"1. {name} 10/10"
