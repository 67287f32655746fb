"""Line-level reading of study notes for the importer (``bot.bank.importer``).

Turns raw notes (Markdown or text scraped from a web page) into classified ``Line`` values —
heading, list item, fenced code, table row, plain text — and holds the small heuristics that the
structure parser (``bot.bank.importer.parse``) is built on: how question-like a piece of text is,
whether a line is a section label, markers such as ``Q:`` / ``Answer:`` / ``心得：``.

Nothing here knows about the bank; it is pure text handling so it can be tested in isolation.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from bot.bank.importer.markup import unwrap

log = logging.getLogger(__name__)

TAB = 4

# --- line model --------------------------------------------------------------------------------


@dataclass(slots=True)
class Line:
    no: int  # 1-based line number in the (pre-processed) notes
    raw: str  # the line, tabs expanded, trailing spaces removed
    kind: str  # blank | heading | hr | fence | code | item | table | text
    indent: int = 0
    text: str = ""  # heading text / item text after the marker / stripped text
    level: int = 0  # heading level
    marker: str = ""  # list marker as written ("-", "1.", "9.1", "•")
    number: str = ""  # numeric part of a numbered marker ("1", "9.1")


_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|(?=[^\s#]))(.*?)(?:[ \t]+#+)?[ \t]*$")
_HR = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"^\s*(```+|~~~+)")
_SETEXT = re.compile(r"^ {0,3}(=+|-{2,})\s*$")
_BULLETS = "-*+•·▪●◦‣○■□➢►✓✔"
_ITEM = re.compile(
    r"^(?P<indent>[ ]*)(?P<marker>"
    r"[-*+](?=[ ]|$)"  # Markdown bullets need a space after them
    r"|[•·▪●◦‣○■□➢►✓✔]"  # typographic bullets from scraped pages may be glued to the text
    r"|\d{1,3}(?:\.\d{1,3})+\.?(?=[ ]|[^\d\s.])"  # 1.1 / 9.10 sub-numbering
    r"|\d{1,3}[.、)）](?![\d])"  # 1. 1、 1)
    r"|[(（]\d{1,3}[)）]"  # (1) （1）
    r"|[a-zA-Z][.)](?=[ ])"  # a. b)
    r")[ ]*(?P<text>.*)$"
)
_NUM = re.compile(r"\d+(?:\.\d+)*")


def expand(line: str) -> str:
    return line.expandtabs(TAB).rstrip()


def item_parts(line: str) -> tuple[int, str, str, str] | None:
    """(indent, marker, number, text) of a list item, with a nested marker (``- 1. x``) folded in."""
    m = _ITEM.match(line)
    if not m:
        return None
    indent, marker, text = len(m["indent"]), m["marker"], m["text"].strip()
    if marker in "-*+" and not text:
        return None
    if _HR.match(line):
        return None
    found = _NUM.search(marker)
    number = found.group(0) if found else ""
    inner = _ITEM.match(text)
    if inner and marker[:1] in _BULLETS and inner["marker"][:1].isdigit():
        # "- 1. 痛点1：..." is one item whose number is the inner one
        inner_number = _NUM.match(inner["marker"])
        number = inner_number.group(0) if inner_number else number
        text = inner["text"].strip()
    return indent, marker, number, text


def tokenize(text: str) -> list[Line]:
    """Classify every line. Fenced code is opaque; setext headings are recognised."""
    out: list[Line] = []
    fence: str | None = None
    fence_indent = 0
    rows = text.split("\n")
    for i, row in enumerate(rows):
        raw = expand(row)
        no = i + 1
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip(" "))
        if fence is not None and fence_indent >= 2 and stripped and indent < fence_indent:
            # a fence opened inside a list item ends with the item (CommonMark), even if never closed
            fence = None
        if fence is not None:
            kind = "code"
            if stripped.startswith(fence):
                kind, fence = "fence", None
            out.append(Line(no, raw, kind, indent, stripped))
            continue
        if not stripped:
            out.append(Line(no, raw, "blank"))
            continue
        fm = _FENCE.match(raw)
        if fm:
            fence, fence_indent = fm.group(1)[:3], indent
            out.append(Line(no, raw, "fence", indent, stripped))
            continue
        sm = _SETEXT.match(raw)
        if sm and out and out[-1].kind == "text" and (len(out) < 2 or out[-2].kind in ("blank", "heading", "hr")):
            prev = out[-1]
            prev.kind, prev.level, prev.text = "heading", 1 if sm.group(1)[0] == "=" else 2, prev.raw.strip()
            out.append(Line(no, raw, "blank"))  # the underline itself carries nothing
            continue
        if _HR.match(raw):
            out.append(Line(no, raw, "hr", indent, stripped))
            continue
        hm = _HEADING.match(raw)
        if hm:
            out.append(Line(no, raw, "heading", 0, hm.group(2).strip(), level=len(hm.group(1))))
            continue
        if stripped.startswith("|"):
            out.append(Line(no, raw, "table", indent, stripped))
            continue
        parts = item_parts(raw)
        if parts:
            ind, marker, number, itext = parts
            out.append(Line(no, raw, "item", ind, itext, marker=marker, number=number))
            continue
        out.append(Line(no, raw, "text", indent, stripped))
    return out


# --- pre-processing ----------------------------------------------------------------------------

_LANGS = {"json", "jsonl", "python", "py", "python3", "bash", "sh", "shell", "yaml", "yml", "sql", "js",
          "javascript", "ts", "typescript", "java", "c", "cpp", "c++", "go", "rust", "text", "plaintext"}
_SMART = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "，": ",", "：": ":"})
_DETAILS = re.compile(r"<details[^>]*>\s*(?:<summary[^>]*>(?P<summary>.*?)</summary>)?", re.I | re.S)
_ANSWER_SUMMARY = re.compile(
    r"^(?:show |view |see |click (?:to|for) |点击|展开|查看)*(?:the )?(?:answer|answers|solution|答案|参考答案|解答|解析|回答)"
    r"(?:\s*[(（]?(?:click|点击)[^)）]*[)）]?)?\W*$",
    re.I,
)


def _details(text: str) -> str:
    """``<details>`` blocks: an answer summary becomes ``Answer:``; a question summary becomes ``Q:``/``A:``."""

    def repl(m: re.Match) -> str:
        summary = re.sub(r"<[^>]+>", "", m["summary"] or "").strip()
        summary = re.sub(r"^\*\*(.*)\*\*$", r"\1", summary).strip()
        if not summary or _ANSWER_SUMMARY.match(summary):
            return "\n\nAnswer:\n\n"
        return f"\n\nQ: {summary}\n\nA:\n\n"

    text = _DETAILS.sub(repl, text)
    return re.sub(r"</details>", "\n", text, flags=re.I)


def _fence_flattened_code(rows: list[str]) -> list[str]:
    """Web pages lose code fences: ``json`` on its own line followed by ``{`` ... becomes a fenced block."""
    out: list[str] = []
    i, in_fence = 0, False
    while i < len(rows):
        row = rows[i]
        if _FENCE.match(row):
            in_fence = not in_fence
        lang = row.strip().lower()
        if not in_fence and lang in _LANGS and i + 1 < len(rows) and rows[i + 1].strip()[:1] in "{[":
            depth, j, block = 0, i + 1, []
            while j < len(rows):
                block.append(rows[j])
                depth += sum(rows[j].count(c) for c in "{[") - sum(rows[j].count(c) for c in "}]")
                j += 1
                if depth <= 0:
                    break
            if depth <= 0:
                out.append("```" + lang)
                out.extend(b.translate(_SMART) for b in block)
                out.append("```")
                i = j
                continue
        out.append(row)
        i += 1
    return out


_PLAIN_FENCE = re.compile(r"^\s*(```+|~~~+)\s*(text|txt|plaintext|plain|md|markdown)?\s*$", re.I)


def _unfence_question_lists(rows: list[str]) -> list[str]:
    """A ```text block that only numbers questions is a question list, not code: drop its fence lines."""
    out: list[str] = []
    i = 0
    while i < len(rows):
        m = _PLAIN_FENCE.match(rows[i])
        j = i + 1
        if m:
            while j < len(rows) and not rows[j].strip().startswith(m.group(1)):
                j += 1
            inner = [r for r in rows[i + 1 : j] if r.strip()]
            numbered = [r for r in inner if re.match(r"^\s*\d{1,3}[.、)）]", r)]
            if j < len(rows) and len(numbered) >= 2 and len(numbered) >= 0.8 * len(inner) and sum(
                    1 for r in numbered if question_level(re.sub(r"^\s*\d{1,3}[.、)）]\s*", "", r))) >= 0.5 * len(numbered):
                out.append("")
                out.extend(rows[i + 1 : j])
                out.append("")
                i = j + 1
                continue
            out.extend(rows[i : j + 1])
            i = j + 1
            continue
        out.append(rows[i])
        i += 1
    return out


def preprocess(text: str) -> str:
    """Normalise newlines and HTML leftovers so that the tokenizer sees plain Markdown lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = text.replace("\u00a0", " ").replace("&nbsp;", " ")
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = "\n".join(_unfence_question_lists(unwrap(text.split("\n"))))
    text = _details(text)
    return "\n".join(_fence_flattened_code(text.split("\n")))


# --- markup and text helpers -------------------------------------------------------------------

_IMG = re.compile(r"!\[\[[^\]]*\]\]|!\[([^\]]*)\]\([^)]*\)|<img\b[^>]*>", re.I)
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_EMPH = re.compile(r"(\*\*|__)(.+?)\1")
_URL = re.compile(r"https?://\S+")
_LEAD_NUM = re.compile(
    r"^(?:第?[一二三四五六七八九十百]+[、.．\s部分章节篇]+|\d{1,3}(?:\.\d{1,3})*[.、)）:：]?\s*(?=\D)|[(（]\d{1,3}[)）]\s*)"
)
_QUOTES = "\"'“”‘’「」『』《》"


def strip_images(text: str) -> str:
    def repl(m: re.Match) -> str:
        alt = (m.group(1) or "").strip()
        if not alt or re.match(r"(?i)^(image|img|图片?|pasted image|screenshot)\b", alt):
            return ""
        return alt

    return _IMG.sub(repl, text)


def strip_markup(text: str) -> str:
    """Plain text of one Markdown line: links -> their text, no emphasis, no images, no code ticks."""
    text = strip_images(text)
    text = _LINK.sub(r"\1", text)
    for _ in range(2):
        text = _EMPH.sub(r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)([^*]+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = text.replace("`", "")
    return re.sub(r"\s+", " ", text).strip()


def split_number(text: str) -> tuple[str, str]:
    """("9.1", "为什么需要 P-tuning？") from "9.1 为什么需要 P-tuning？"; ("", text) when unnumbered."""
    m = re.match(r"^(\d{1,3}(?:\.\d{1,3})*)[.、)）:：]?\s*(?=\D)", text)
    if m:
        return m.group(1), text[m.end():].strip()
    m = re.match(r"^(第?[一二三四五六七八九十百]+)(?:[、.．]\s*|\s+)", text)
    if m:
        return m.group(1), text[m.end():].strip()
    return "", text


def strip_quotes(text: str) -> str:
    text = text.strip()
    while len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return text


def is_bold_only(text: str) -> bool:
    t = text.strip()
    return bool(re.fullmatch(r"(\*\*|__)[^*_].*?\1[:：]?", t))


def is_link_only(text: str) -> bool:
    return bool(re.fullmatch(r"\s*\[[^\]]+\]\([^)]*\)\s*", text))


# --- how question-like is a text ---------------------------------------------------------------

_ZH_END = ("吗", "呢", "么", "什么", "如何", "怎么样", "怎样", "为什么", "为何", "哪些", "哪个", "哪种", "多少",
           "多大", "多久", "几个", "没有", "是否", "咋选", "啥", "怎么办", "怎么做", "何在", "几何")
_ZH_ANY = ("什么", "为什么", "为何", "如何", "怎么", "怎样", "哪些", "哪个", "哪种", "哪里", "哪儿", "是否",
           "是不是", "有没有", "能不能", "能否", "可否", "多少", "多大", "多久", "啥", "区别", "异同", "原因",
           "优缺点", "优劣", "介绍一下", "介绍下", "讲一下", "讲讲", "说说", "说一下", "谈谈", "解释一下", "对比一下",
           "比较一下", "推导一下", "手推", "还是", "吗", "呢")
_ZH_LEAD = ("请", "简述", "简要", "试述", "描述", "阐述", "论述", "举例", "列举", "写一下", "写出", "如何",
            "为什么", "为何", "怎么", "什么", "介绍", "解释", "对比", "比较", "推导", "说明", "分析", "讲")
_EN_LEAD = re.compile(
    r"^(what|why|how|when|which|who|whom|where|explain|describe|compare|contrast|define|discuss|derive|prove|"
    r"implement|design|can|could|do|does|did|is|are|should|would|will|tell me|walk me)\b",
    re.I,
)
_EN_ANY = re.compile(r"\b(difference between|differences between|pros and cons|trade-?offs?|vs\.?|versus)\b", re.I)
_DEFINITION = re.compile(r"^(\*\*|__)[^*_]{1,40}\1\s*[:：]")
_TRAIL = re.compile(r"[\s*_`\"'“”‘’」』)）\]】.。…~～!！]+$")


_IMPERATIVE = re.compile(
    r"^(?:(?:please\s+)?(?:explain|describe|compare|contrast|discuss|derive|define|summari[sz]e|outline|"
    r"walk (?:me|us) through|tell (?:me|us) about|talk about|give an overview of)\b|"
    r"(?:请|请你)?(?:说说|谈谈|讲讲|聊聊|介绍一下|介绍下|简单介绍|简要介绍|简述|试述|阐述|解释一下|说一下|讲一下|"
    r"对比一下|比较一下|描述一下|推导一下|手推|手写|写一下))",
    re.I,
)


def question_level(text: str) -> int:
    """2: surely a question (``?``, a closing question particle); 1: question words; 0: a statement."""
    t = _URL.sub("", strip_images(text)).strip()
    if not t or len(t) > 250:
        return 0
    plain = strip_markup(t)
    body = _TRAIL.sub("", plain)
    if re.search(r"[?？]", plain):
        return 2
    if _DEFINITION.match(t):
        return 0
    if re.search(r"[\u4e00-\u9fff]", body) and body.endswith(_ZH_END):
        return 2
    if _IMPERATIVE.match(body) and len(body) <= 120 and not plain.rstrip().endswith((":", "：", "。")):
        return 2  # "Explain …", "Compare …", "说说…", "介绍一下…" ask as much as a question mark does
    if plain.rstrip().endswith(("。", ".")) and not re.search(r"[?？]", plain):
        return 0  # a sentence that ends in a full stop states something ("what I learned" lists)
    if any(w in body for w in _ZH_ANY) or body.startswith(_ZH_LEAD):
        return 1
    if re.match(r"(?i)^(what|how|why|when|where)\s+(i|we)\s", body):
        return 0  # "What I learned", "How we trained it": a heading over statements
    if _EN_LEAD.match(body) or _EN_ANY.search(body):
        return 1
    return 0


_LABEL_SUFFIX = re.compile(r"(篇|面|部分|面经|章|节|专题|合集|汇总|目录|\bsection|\bpart|\bchapter)$", re.I)
_STOP_TITLES = {
    "总结", "小结", "概述", "简介", "前言", "背景", "参考", "参考资料", "参考文献", "参考链接", "目录", "附录",
    "说明", "备注", "注意", "注意事项", "致谢", "心得", "笔记", "结语", "后记", "summary", "conclusion",
    "conclusions", "introduction", "overview", "references", "resources", "contents", "table of contents",
    "notes", "tips", "appendix", "further reading", "links", "todo",
}
_ANSWERS_LABEL = re.compile(
    r"^(answers?|answer key|solutions?|答案|参考答案|解答|答案与解析|答案解析|参考解答)$", re.I
)


def title_core(text: str) -> str:
    """A title without numbering, markup, trailing colon or a trailing parenthetical."""
    t = strip_markup(text)
    t = split_number(t)[1]
    t = re.sub(r"\s*[(（][^()（）]*[)）]\s*$", "", t)
    return t.strip().rstrip(":：").strip()


def is_label_text(text: str) -> bool:
    """Section-like labels: "大模型（LLMs）微调面", "LoRA篇", "总结" — never a question."""
    if question_level(text) == 2:
        return False
    core = title_core(text)
    if not core:
        return False
    return bool(_LABEL_SUFFIX.search(core) and len(core) <= 40) or core.casefold() in _STOP_TITLES


def is_stop_title(text: str) -> bool:
    return title_core(text).casefold() in _STOP_TITLES


def is_answers_label(text: str) -> bool:
    return bool(_ANSWERS_LABEL.match(title_core(text)))


# --- Q / A / takeaway markers ------------------------------------------------------------------

_B = r"(?:\*\*|__)?"
_QMARK = re.compile(
    rf"^{_B}\s*(?P<tag>Q(?:uestion)?|问题?|追问|面试题)\s*(?P<num>\d+)?\s*{_B}\s*(?P<sep>[:：.．、)）])\s*{_B}\s*(?P<text>.*)$",
    re.I,
)
_AMARK = re.compile(
    rf"^{_B}\s*(?P<tag>A(?:ns(?:wer)?s?)?|答案?|回答|解答|参考答案|标准答案|回答要点|答题要点|解析)\s*(?P<num>\d+)?\s*"
    rf"{_B}\s*[:：]\s*{_B}\s*(?P<text>.*)$",
    re.I,
)
_HINT = re.compile(
    rf"^{_B}\s*(?P<tag>心得|回答要点|答题要点|要点|关键点|记忆点|得分点|划重点|key ?points?|takeaways?|tl;?dr)\s*"
    rf"{_B}\s*[:：]\s*{_B}\s*(?P<text>.*)$",
    re.I,
)


@dataclass(slots=True)
class Marker:
    tag: str
    number: str
    text: str


def q_marker(text: str) -> Marker | None:
    """``Q:``, ``Q1.``, ``Question 2:``, ``问：``, ``问题3：``, ``追问1：``, ``**Q:**`` at the start of a line."""
    m = _QMARK.match(text.strip())
    if not m:
        return None
    tag, rest = m["tag"], strip_quotes(m["text"].strip())
    if tag == "q":  # a lower-case single letter is too easily something else
        return None
    if tag.lower() == "question" and not (m["num"] or rest):
        return None
    if tag in ("问题", "问") and not m["num"] and question_level(rest) == 0:
        return None  # "问题：数据分布偏差" inside an answer is a statement, not a new question
    if m["sep"] in ".．" and not m["num"]:  # "Q. …" without a number is too easily prose
        return None
    label = {"问": "Q", "问题": "Q", "question": "Q", "面试题": "Q"}.get(tag.lower(), tag)
    label = "Q" if label.lower() == "q" else label
    return Marker(label, m["num"] or "", rest)


def a_marker(text: str) -> Marker | None:
    m = _AMARK.match(text.strip())
    if not m:
        return None
    if m["tag"] == "a":  # a lower-case single letter is too easily something else
        return None
    return Marker(m["tag"], m["num"] or "", m["text"].strip())


def hint_marker(text: str) -> Marker | None:
    m = _HINT.match(text.strip())
    return Marker(m["tag"], "", m["text"].strip()) if m else None
