"""Unit tests of the Discord text pipeline: Markdown rendering (and the bugs the one parse fixed),
escaping of member text, the splitter, packing embeds into
messages, rendering replies, and the button layout.

The splitter's promises, checked on the long fixture answer and on random texts:
every piece within the limit (UTF-16 units); nothing lost, repeated or reordered (whitespace aside);
paragraph, then line, then sentence/word boundaries preferred; a cut inside a word only with "…" on
both sides; code fences and bold closed and re-opened across a cut.
"""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.embeds import Outgoing, message_chars, pack, render
from adapters.discord.text import CUT, _is_cjk, dlen, split_text, take, to_discord
from adapters.discord.views import MODAL_RE, answer_modal, build_view, label_of, modal_value
from bot.model import ChatRef, UserRef
from bot.replies import Button, Reply, ReplyKind
from bot.views import md_escape

CHAT = ChatRef("discord", "1")


def squash(text: str) -> str:
    return re.sub(r"\s", "", text)


def check_pieces(pieces: list[str], limit: int) -> None:
    assert pieces and all(p.strip() for p in pieces)
    for p in pieces:
        assert dlen(p) <= limit, (dlen(p), limit)


# -- the long fixture answer ------------------------------------------------------------------------


@pytest.fixture
def long_answer(bank) -> str:
    return to_discord(bank.question("arch-kv-cache-long").answer)


def test_long_answer_is_about_7300_characters(long_answer):
    assert 7000 < len(long_answer) < 7600 and long_answer.count("\n\n") == 29


@pytest.mark.parametrize("limit", [4096, 3000, 2000, 1024, 500, 239, 100, 50])
def test_long_answer_split_keeps_everything_in_order(long_answer, limit):
    pieces = split_text(long_answer, limit)
    check_pieces(pieces, limit)
    assert squash("".join(pieces)) == squash(long_answer)
    assert "…" not in "".join(pieces)  # Chinese and spaced words always offer a boundary


def test_long_answer_cut_at_paragraphs_when_they_fit(long_answer):
    pieces = split_text(long_answer, 4096)
    assert len(pieces) == 2
    assert pieces[0].endswith("<tag&16>") and pieces[1].startswith("**第17段")
    paragraphs = long_answer.split("\n\n")
    assert "\n\n".join(pieces) == "\n\n".join(paragraphs)  # exactly the paragraphs, regrouped


def test_long_answer_below_paragraph_size_cuts_at_sentences(long_answer):
    pieces = split_text(long_answer, 200)  # paragraphs are ~240 characters
    check_pieces(pieces, 200)
    assert all(p.endswith(("。", ">")) for p in pieces)  # a sentence or a paragraph ends each piece
    assert squash("".join(pieces)) == squash(long_answer)


def test_long_answer_packed_into_messages(long_answer):
    scores = "**Answer** · prompt\n\n**Scores**\n" + "\n".join(f"{i}. **M{i}** 5/10" for i in range(40))
    pages = pack([scores, long_answer])
    assert len(pages) == 2
    for page in pages:
        assert len(page) <= 10 and sum(dlen(d) for d in page) <= 6000
        assert all(dlen(d) <= 4096 for d in page)
    assert pages[0][0] == scores
    assert squash("".join(pages[0][1:] + pages[1])) == squash(long_answer)


# -- boundaries ---------------------------------------------------------------------------------------


def test_short_text_is_one_piece():
    assert split_text("hello world", 100) == ["hello world"]
    assert take("hello", 40) == ("hello", "")


def test_prefers_paragraph_then_line_then_word():
    para = "a" * 30 + "\n\n" + "b" * 30
    assert split_text(para, 50) == ["a" * 30, "b" * 30]
    lines = "word " * 5 + "\n" + "x" * 30
    assert split_text(lines, 50)[0] == ("word " * 5).strip()
    words = " ".join(["word"] * 30)
    pieces = split_text(words, 50)
    assert all(p.split() == ["word"] * len(p.split()) for p in pieces)  # no word cut


def test_cjk_without_spaces_is_cut_between_characters_without_marker():
    text = "模型" * 3000
    pieces = split_text(text, 4096)
    check_pieces(pieces, 4096)
    assert "".join(pieces) == text and CUT not in "".join(pieces)


def test_cjk_punctuation_never_starts_a_piece():
    text = "这是一个句子，" * 200
    for p in split_text(text, 100)[1:]:
        assert p[0] not in "，。"


def test_one_huge_word_is_cut_with_markers_on_both_sides():
    url = "https://example.com/" + "x" * 9000
    pieces = split_text(url, 4096)
    check_pieces(pieces, 4096)
    assert pieces[0].endswith(CUT) and pieces[1].startswith(CUT) and pieces[-1].startswith(CUT)
    assert "".join(p.strip(CUT) for p in pieces) == url


def test_emoji_counted_as_discord_counts_them():
    text = "🥇" * 3000  # two UTF-16 units each
    assert dlen(text) == 6000
    pieces = split_text(text, 4096)
    check_pieces(pieces, 4096)
    assert "".join(p.strip(CUT) for p in pieces) == text


def test_zwj_emoji_sequence_is_not_split():
    family = "👨\u200d👩\u200d👧"
    pieces = split_text(family * 400, 100)
    for p in pieces:
        core = p.strip(CUT)
        assert not core.startswith("\u200d") and not core.endswith("\u200d")


def test_code_fence_closed_and_reopened_across_a_cut():
    code = "```python\n" + "\n".join(f"value_{i} = compute({i})" for i in range(400)) + "\n```\nafter the code"
    pieces = split_text(code, 1000)
    check_pieces(pieces, 1000)
    assert len(pieces) > 5
    for p in pieces[:-1]:
        fences = [line for line in p.split("\n") if line.startswith("```")]
        assert len(fences) % 2 == 0, p[:40]  # balanced in every piece
    for p in pieces[1:-1]:
        assert p.startswith("```python\n")  # re-opened with its language
    lines = [ln for p in pieces for ln in p.split("\n") if ln.startswith("value_")]
    assert lines == [f"value_{i} = compute({i})" for i in range(400)]
    assert pieces[-1].endswith("after the code")


def test_bold_closed_and_reopened_across_a_word_cut():
    text = "**" + " ".join(f"bold{i}" for i in range(100)) + "** plain"
    pieces = split_text(text, 120)
    for p in pieces:
        assert p.count("**") % 2 == 0, p


def test_rejects_a_room_too_small_for_markers():
    with pytest.raises(ValueError):
        take("x" * 100, 10)


def check_words(text: str, pieces: list[str]) -> None:
    """Every word of ``text`` appears whole, in order; a word may continue into the next piece only
    across a cut marked with "…" or between CJK characters."""
    words, i, partial = text.split(), 0, ""
    for k, piece in enumerate(pieces):
        hard_in = k > 0 and piece.startswith(CUT) and pieces[k - 1].endswith(CUT)
        hard_out = k + 1 < len(pieces) and piece.endswith(CUT) and pieces[k + 1].startswith(CUT)
        body = piece[1 if hard_in else 0: len(piece) - (1 if hard_out else 0)]
        tokens = body.split()
        for j, token in enumerate(tokens):
            assert not partial or j == 0, f"a split word resumed mid-piece: {token!r}"
            assert words[i].startswith(partial + token), (words[i], partial, token)
            partial += token
            if partial == words[i]:
                i, partial = i + 1, ""
            else:
                rest = words[i][len(partial):]
                assert j == len(tokens) - 1, f"word {words[i]!r} broken inside a piece"
                assert hard_out or _is_cjk(partial[-1]) or _is_cjk(rest[0]), \
                    f"cut inside {words[i]!r} without a marker"
    assert i == len(words) and not partial


@pytest.mark.parametrize("seed", range(60))
def test_random_texts_keep_content_words_and_limits(seed):
    rng = random.Random(seed)
    vocab = ["the", "KV", "cache", "注意力", "机制", "，", "。", "emoji🥇", "a-very-long-token" * rng.randint(1, 30),
             "\n", "\n\n", "- item", "1. step", "x", "end.", "why?"]
    text = " ".join(rng.choice(vocab) for _ in range(rng.randint(50, 1500)))
    limit = rng.choice([60, 100, 333, 1024, 4096])
    pieces = split_text(text, limit)
    check_pieces(pieces, limit)
    assert squash("".join(pieces)).replace(CUT, "") == squash(text)
    check_words(text, pieces)


# -- Markdown for Discord ------------------------------------------------------------------------------


def test_headings_become_bold_lines_but_not_inside_code():
    md = "# Title\n## **Sub** title ##\ntext\n```\n# comment\n```"
    # blocks keep the author's spacing: no blank line is added where there was none
    assert to_discord(md) == "**Title**\n**Sub title**\ntext\n```\n# comment\n```"


def test_tables_become_aligned_code_blocks():
    # GFM: a table ends at a blank line (a line right under it would be one more row)
    md = "before\n| 方法 | score |\n|---|---:|\n| LoRA | 9 |\n| 全量微调 | 10 |\n\nafter"
    out = to_discord(md).split("\n")
    assert out[0] == "before" and out[1] == "```" and out[-3] == "```" and out[-2:] == ["", "after"]
    assert out[2].startswith("方法     | score") and out[3].startswith("---------+")
    assert out[5].startswith("全量微调 | 10")


def test_formulas_keep_their_characters():
    md = r"loss $L = \sum_i x_i * y_i$ and \(a_b\) but `x_y` and **bold**"
    out = to_discord(md)
    assert r"$L = \\sum\_i x\_i \* y\_i$" in out
    assert r"\\(a\_b\\)" in out
    assert "`x_y`" in out and "**bold**" in out


def test_display_math_block_escaped_line_by_line():
    md = "$$\nx_1 * x_2\n$$\nplain_text"
    assert to_discord(md) == "$$\nx\\_1 \\* x\\_2\n$$\nplain_text"


def test_angle_brackets_and_ampersands_left_alone():
    assert to_discord("a <tag&1> b") == "a <tag&1> b"


# -- rendering replies ---------------------------------------------------------------------------------


def test_ack_and_error_are_private_plain_content():
    user = UserRef("discord", "7", "Bob")
    [ack] = render(Reply(CHAT, ReplyKind.ACK, "Got your answer, Bob.", to_user=user))
    assert ack == Outgoing(content="Got your answer, Bob.", ephemeral=True)
    [err] = render(Reply(CHAT, ReplyKind.ERROR, "No such topic."))
    assert err.ephemeral and err.content == "No such topic." and not err.embeds


def test_long_error_goes_into_an_embed():
    [msg] = render(Reply(CHAT, ReplyKind.ERROR, "word " * 600))
    assert msg.ephemeral and not msg.content and len(msg.embeds) == 1


def test_reveal_text_then_model_answer_within_limits(bank):
    q = bank.question("arch-kv-cache-long")
    reply = Reply(CHAT, ReplyKind.REVEAL, "**Answer** · x\n\n**Scores**\n1. **A** 10/10",
                  folded="**Model answer**\n\n" + q.answer, buttons=(Button("Next question", "qb:next"),))
    messages = render(reply)
    assert len(messages) == 2
    for m in messages:
        assert len(m.embeds) <= 10 and message_chars(m) <= 6000 and not m.ephemeral
        assert all(dlen(e.description) <= 4096 for e in m.embeds)
    assert messages[0].embeds[0].description.startswith("**Answer**")
    assert messages[0].buttons == () and messages[-1].buttons == reply.buttons


def test_question_with_buttons_is_one_public_message(bank):
    reply = Reply(CHAT, ReplyKind.QUESTION, "**Question 1/1**\n\nprompt", buttons=(Button("Answer", "qb:ans:3"),))
    [msg] = render(reply)
    assert not msg.ephemeral and msg.buttons == reply.buttons and msg.embeds[0].colour.value == 0x5865F2


def test_many_sections_spill_into_further_messages():
    pages = pack(["x " * 1000] * 25)  # 25 embeds of 2000 characters
    assert all(len(p) <= 10 and sum(map(dlen, p)) <= 6000 for p in pages)
    assert sum(len(p) for p in pages) == 25


# -- buttons and modal ---------------------------------------------------------------------------------


def test_labels_cut_to_80_with_marker():
    assert label_of("A. short") == "A. short"
    long = label_of("A. " + "选项" * 100)
    assert len(long) == 80 and long.endswith("…")


async def test_view_layout_rows_and_persistence():
    buttons = tuple(Button(f"{chr(65 + i)}. option {i}", f"qb:pick:9:{i}") for i in range(12))
    view = build_view(buttons)
    assert view is not None and view.is_finished()  # not kept by discord.py: routed by custom id
    rows = view.to_components()
    assert [len(r["components"]) for r in rows] == [5, 5, 2]
    assert [b["custom_id"] for r in rows for b in r["components"]] == [f"qb:pick:9:{i}" for i in range(12)]
    assert build_view(()) is None


async def test_modal_shape_and_value_parsing():
    modal = answer_modal(42, "en", 6000)
    data = modal.to_dict()
    assert MODAL_RE.fullmatch(data["custom_id"]) and len(data["title"]) <= 45 and modal.is_finished()
    [label] = data["components"]
    assert label["component"]["max_length"] == 4000 and label["component"]["style"] == 2
    assert answer_modal(1, "zh", 500).to_dict()["components"][0]["component"]["max_length"] == 500
    rows = {"components": [{"type": 1, "components": [{"type": 4, "custom_id": "answer", "value": "v1"}]}]}
    labels = {"components": [{"type": 18, "component": {"type": 4, "custom_id": "answer", "value": "v2"}}]}
    assert modal_value(rows) == "v1" and modal_value(labels) == "v2" and modal_value({}) is None


# -- known bugs of the hand-written parsers, fixed by the one Markdown parse -------------------------


def test_link_url_with_parentheses_is_kept_whole():
    assert to_discord("[w](https://x/Foo_(bar))") == "[w](https://x/Foo_%28bar%29)"


def test_triple_stars_stay_bold_italic():
    assert to_discord("***x*** and **a *b* c**") == "***x*** and **a *b* c**"


def test_loose_list_paragraphs_stay_in_their_item():
    assert to_discord("1. first\n\n   more of first\n2. second") == "1. first\n   more of first\n2. second"


def test_angle_bracket_autolinks_are_links():
    assert to_discord("see <https://a.b/c_(d)>") == "see <https://a.b/c_(d)>"


def test_code_keeps_its_text_and_nests_in_bold():
    assert to_discord("**a `b*c` d** and ``x ` y``") == "**a `b*c` d** and ``x ` y``"
    assert to_discord("~~~\n```inner```\n~~~") == "```\nˋˋˋinnerˋˋˋ\n```"


def test_raw_html_and_entities_stay_text():
    assert to_discord("<b>x</b> &amp; <tag&1>") == "<b>x</b> &amp; <tag&1>"


def test_lists_quotes_and_rules():
    md = "**Key points**\n- a\n  - b\n\n> q *i*\n> > inner\n\n---\n\n3. three\n4. four"
    assert to_discord(md) == "**Key points**\n- a\n  - b\n\n> q *i*\n> inner\n\n──────────\n\n3. three\n4. four"


def test_text_that_would_start_a_heading_list_or_quote_stays_text():
    assert to_discord("a\n\\# h\n\\- x\n2\\. y\n\\> q") == "a\n\\# h\n\\- x\n2\\. y\n\\> q"


def test_member_text_cannot_smuggle_links_or_mentions():
    name = "[click](https://evil.example) @everyone @here <@123> <#9> ||spoiler|| *x* __y__ `z`"
    out = to_discord(f"1. **{md_escape(name)}** 10/10")
    assert "](" not in out.replace("\\](", "") and "[click]" not in out
    unescaped = re.sub(r"\\.", "", out)
    assert "@everyone" not in out and "@here" not in out and "<@" not in unescaped and "<#" not in unescaped
    assert discord_visible(out) == f"1. **{name}** 10/10"


# -- escaping holds for any member name ----------------------------------------------------------------

_NAME_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="$")
_TRICKY = st.sampled_from(["[x](https://e.x)", "@everyone", "@here", "<@1>", "<#2>", "<:e:3>", "||", "*", "_",
                           "~~", "`", "\\", "# ", "> ", "- ", "1. ", "[", "]", "(", ")", "中文", " "])
_URL = re.compile(r"https?://\S+")
_ESCAPED = re.compile(r"\\([^0-9A-Za-z\s])")  # Discord's escape rule


def discord_visible(markdown: str) -> str:
    """What Discord shows of text with backslash escapes (URLs are read whole, before escapes)."""
    out, pos = [], 0
    for m in _URL.finditer(markdown):
        out.append(re.sub(_ESCAPED, r"\1", markdown[pos:m.start()]))
        out.append(m.group())
        pos = m.end()
    out.append(re.sub(_ESCAPED, r"\1", markdown[pos:]))
    return "".join(out).replace("\u200b", "")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(parts=st.lists(st.one_of(_TRICKY, st.text(_NAME_CHARS, max_size=4)), min_size=1, max_size=12))
def test_property_escaped_member_names_stay_literal(parts):
    name = "".join(parts).strip()
    if not name or "://" in name:
        return
    out = to_discord(f"1. **{md_escape(name)}** 10/10")
    body = out.removeprefix("1. **").removesuffix("** 10/10")
    assert out == f"1. **{body}** 10/10", out
    assert discord_visible(body) == name
    unescaped = re.sub(r"\\.", "", body)
    assert not re.search(r"[*~`|\[\]]", unescaped), body  # every formatting character escaped
    assert not re.search(r"@(everyone|here)|<[@#:]", unescaped), body
