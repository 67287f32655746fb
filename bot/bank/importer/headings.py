"""Headings of a note: which are questions (with their prompt), which are section titles or answer sections.

Part of the structure parser (``bot.bank.importer.parse``). A heading is a question when it says so (a
``Q1:`` marker, ``?``, a closing question particle, question words among question-like siblings) or when it
is a numbered leaf among question-like headings of its depth. A long knowledge note that has its own
interview section (``## 高频面试题``, ``## FAQ``) asks only there: its other headings are questions only
when phrased as questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.bank.importer.layout import is_interview_title, lead_symbols_off
from bot.bank.importer.lines import (
    Line,
    is_answers_label,
    is_label_text,
    is_link_only,
    is_stop_title,
    q_marker,
    question_level,
    split_number,
    strip_markup,
    strip_quotes,
)


def clean_prompt(text: str) -> str:
    text = lead_symbols_off(strip_markup(text))  # "🧠 大模型…" / "• What…"
    qm = q_marker(text)
    if qm:
        text = qm.text
    text = split_number(text)[1] if re.match(r"^\d", text) else text
    text = strip_quotes(text)
    return re.sub(r"\s+", " ", text).strip()



@dataclass
class Head:
    title: str = ""
    prompt: str = ""
    number: str = ""
    question: bool = False
    answers: bool = False



def analyse(lines: list[Line], heads: list[int]) -> dict[int, Head]:
    """Which headings are questions (and their prompts), which are section titles or answer sections."""
    facts: dict[int, dict[str, Any]] = {}  # per heading: its text and the signals below
    for k, i in enumerate(heads):
        ln = lines[i]
        text = ln.text
        clean = strip_markup(text)
        qm = q_marker(clean)
        num, rest = split_number(clean)
        lvl = question_level(qm.text if qm else rest)
        # sub-headings follow directly: the next heading is deeper
        children = k + 1 < len(heads) and lines[heads[k + 1]].level > ln.level
        nxt = heads[k + 1] if k + 1 < len(heads) else len(lines)
        body = any(b.kind != "blank" for b in lines[i + 1 : nxt])
        asks = sum(1 for b in lines[i + 1 : nxt] if b.kind in ("text", "item") and question_level(b.text) == 2) >= 2
        parent = None
        for j in reversed(heads[:k]):
            if lines[j].level < ln.level:
                parent = j
                break
        facts[i] = dict(text=text, clean=clean, qm=qm, num=num, rest=rest, lvl=lvl, children=children,
                        body=body, asks=asks, parent=parent, link=is_link_only(text),
                        label=is_label_text(clean) or is_stop_title(clean),
                        colon=clean.rstrip().endswith((":", "：")))
    for f in facts.values():
        f["qlike"] = bool(f["qm"]) or (f["lvl"] >= 1 and not f["link"] and not f["label"] and not f["colon"])
    by_level: dict[int, list[dict]] = {}
    siblings: dict[tuple, list[dict]] = {}
    for i in heads:
        f = facts[i]
        if not f["children"]:
            by_level.setdefault(lines[i].level, []).append(f)
        siblings.setdefault((f["parent"], lines[i].level), []).append(f)

    def share(group: list[dict]) -> float:
        return sum(g["qlike"] for g in group) / len(group) if group else 0.0

    interview = {i for i in heads if is_interview_title(facts[i]["clean"])}

    def in_interview(i: int | None) -> bool:
        while i is not None:
            if i in interview:
                return True
            i = facts[i]["parent"]
        return False

    out = {}
    for i in heads:
        f = facts[i]
        level = lines[i].level
        depth_q = share(by_level.get(level, [])) >= 0.5 and len(by_level.get(level, [])) >= 2
        sib = share(siblings[(f["parent"], level)])
        h = Head(title=f["clean"] if not f["link"] else strip_markup(f["text"]))
        h.answers = is_answers_label(f["clean"])
        arabic = bool(re.fullmatch(r"\d+(?:\.\d+)*", f["num"]))
        if f["qm"]:
            h.question, h.prompt, h.number = True, clean_prompt(f["qm"].text), f"{f['qm'].tag}{f['qm'].number}"
        elif h.answers or (f["link"] and f["lvl"] < 2):
            pass  # "## [什么是大模型](Part1.html)" is a table-of-contents entry, not a question
        elif f["lvl"] == 2 and not f["label"]:
            h.question = True
        elif f["colon"] or f["label"] or f["children"] or f["asks"]:
            pass  # a heading over its own list of questions is a topic, not a question
        elif interview and not in_interview(i):
            pass  # a knowledge note with its own interview section: its other headings explain
        elif f["lvl"] == 1 and (depth_q or sib >= 0.5):
            h.question = True
        elif arabic and depth_q:
            h.question = True
        elif f["body"] and depth_q and sib >= 0.75:
            h.question = True
        if h.question and not h.prompt:
            h.prompt, h.number = clean_prompt(f["rest"]), f["num"]
        if h.question and not h.prompt:
            h.question = False
        out[i] = h
    return out
