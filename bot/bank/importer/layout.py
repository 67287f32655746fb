"""How a note is laid out around its questions: helpers of the structure parser (``bot.bank.importer.parse``).

- a dedicated interview section (``## 高频面试题``, ``## FAQ``, ``## Interview questions``) in a long knowledge
  note: outside it, headings are explanations unless phrased as questions;
- a question index (a list of questions with no answers, numbered or not) answered later under headings
  numbered 1..n with reworded titles: matched by number;
- a trailing list of open questions after the last ``---`` of an answer (``Prompt：`` + question lines);
- questions asked *by the candidate* in an interview write-up (面经 "反问" / "我提问") are not quiz questions;
- link-only "answers" (``[点击查看答案](…)``), ``...`` placeholders and "不做解答" are no answers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from bot.bank.importer.lines import Line, question_level, strip_markup, title_core

_INTERVIEW = re.compile(
    r"^(?:(?:高频|常见|经典|典型|相关|核心|必考|补充)?(?:面试题|面试问题|面试考点|面试常考题?|面试八股|八股)"
    r"(?:汇总|精选|合集|整理|与答案|及答案)?|faq|faqs|interview questions?|common (?:interview )?questions|"
    r"q ?& ?a|questions?(?: and answers)?|问答|常见问题)$",
    re.I,
)
# the candidate's own questions at the end of an interview (反问环节) ask the company, not the candidate
ASK_BACK = re.compile(r"^(?:我(?:的)?提问|我问|反问(?:环节|面试官)?|问面试官|questions? (?:i|we) asked)\s*[:：]?$", re.I)
_NON_QUESTION = re.compile(
    r"^(?:点击|展开|查看|显示)*\s*(?:查看)?(?:答案|解析|详情|参考答案|详解|原文|链接)|^(?:show|view|see) (?:the )?answer|"
    r"^[.…。·\s]*$",
    re.I,
)
_NON_ANSWER = re.compile(
    r"^(?:略|暂略|不做解答|不作解答|暂不解答|无|暂无|待补充|待完善|待更新|todo|tbd|n/?a|同上|见上|见下|"
    r"(?:点击|展开)?查看答案|答案见[^\n]{0,20})[。.!！]*$",
    re.I,
)
_ANSWER_LINK = re.compile(r"\[[^\]]*(?:答案|解析|answer|solution)[^\]]*\]\([^)]*\)", re.I)
_LEAD_SYMBOLS = re.compile(r"^[\W_]+", re.U)


def is_interview_title(text: str) -> bool:
    return bool(_INTERVIEW.match(title_core(text).strip()))


def is_ask_back(text: str) -> bool:
    return bool(ASK_BACK.match(title_core(text).strip()))


def is_non_question(prompt: str) -> bool:
    """"点击查看答案", "..." — link texts and placeholders that happen to sit where a question would."""
    return bool(_NON_QUESTION.match(prompt.strip()))


def is_non_answer(answer: str) -> bool:
    """An answer that says there is none: "略", "不做解答", "TODO", a bare "[点击查看答案](…)" link, "..."."""
    text = _ANSWER_LINK.sub("", answer)
    text = strip_markup(text).strip().strip("()（）[]【】")
    return not text or bool(_NON_ANSWER.match(text)) or not re.sub(r"[.…。·\s]", "", text)


def lead_symbols_off(text: str) -> str:
    """"🧠 1. 大模型…" -> "1. 大模型…": emoji and bullets before a heading's number or words."""
    out = text.strip()
    while out and (unicodedata.category(out[0])[0] in "SPZC" or out[0] in "\ufe0f\u200d") and out[0] not in "(（[【":
        out = out[1:].lstrip()
    return out


def trailing_question_list(lines: Sequence[Line]) -> int | None:
    """Index of a ``---`` after which an answer only lists further (open) questions, else None.

    "…answer…\\n---\\nPrompt：\\nReAct 是啥？\\nCoT 是啥？…" — the lines after the rule are questions of their
    own, not part of the answer above them.
    """
    for k, ln in enumerate(lines):
        if ln.kind != "hr":
            continue
        rest = [b for b in lines[k + 1 :] if b.kind != "blank"]
        if len(rest) < 3 or any(b.kind in ("code", "fence", "table", "heading") for b in rest):
            continue
        asking = sum(1 for b in rest if question_level(b.text) >= 1)
        labels = sum(1 for b in rest if len(strip_markup(b.text)) <= 20 and b.text.rstrip().endswith((":", "：")))
        if asking >= 2 and asking + labels >= 0.6 * len(rest):
            return k
    return None


def norm_prompt(prompt: str) -> str:
    text = unicodedata.normalize("NFKC", prompt).casefold()
    text = re.sub(r"^\s*(?:q(?:uestion)?\s*\d*\s*[:：.]|\d{1,3}(?:\.\d{1,3})*[.、)）:：]?)\s*", "", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")
