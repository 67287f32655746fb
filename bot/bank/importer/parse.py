"""Structure parser of the importer: which lines of a note are questions, and which lines answer them.

Input is the ``Line`` list of ``bot.bank.importer.lines``; output is ``Candidate`` values (prompt, the raw
answer lines, the section path). Four sources of questions are recognised, in this order:

1. headings: ``### Q1: …``, ``## 3. 为什么…？``, ``## 5 省内存的…方法`` — a heading is a question when it
   says so (marker, ``?``, question words) or when it is a numbered leaf among question-like siblings;
   its body (down to the next question or section heading) is the answer;
2. explicit markers: ``Q:``/``A:``, ``问：``/``答：``, ``<details>`` (rewritten to markers earlier);
3. "starters" inside a section: a bare line that surely is a question (``?``, closing particle), an
   isolated short question-like line in plain text (web pages lose their headings), and a numbered
   sequence of short titles each followed by a body (``1. 数据集格式`` + explanation);
4. question lists: leftover list items are questions when they end in ``?`` or when most items of the
   section's list are questions (then ``9. Agent怎么评估效果`` counts too); bold or ``…篇``/``…面``
   items are group labels and go into the section path.

Everything not claimed is context (section titles, statements, advice) and is never a question.
Numbered items inside an answer stay in that answer because an open question owns all lines up to
the next starter.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from bot.bank.importer.headings import analyse, clean_prompt
from bot.bank.importer.layout import (
    is_ask_back,
    is_non_question,
    lead_symbols_off,
    norm_prompt,
    trailing_question_list,
)
from bot.bank.importer.lines import (
    Line,
    a_marker,
    is_answers_label,
    is_bold_only,
    is_label_text,
    is_stop_title,
    preprocess,
    q_marker,
    question_level,
    split_number,
    strip_markup,
    title_core,
    tokenize,
)

log = logging.getLogger(__name__)

MAX_PROMPT = 300  # longer "questions" are paragraphs that happen to contain a question mark
_DEFINITION = re.compile(r"^(\*\*|__)[^*_]{1,40}\1\s*[:：]")
_TERMINAL = ("。", "．", ".", "，", ",", "；", ";", "：", ":", "！", "!")


@dataclass
class Candidate:
    prompt: str
    body: list[Line]
    section: list[str]
    number: str = ""
    line: int = 0
    plain: bool = False

    @property
    def section_text(self) -> str:
        parts = [p for p in self.section if p]
        if self.number:
            parts.append(self.number)
        return " / ".join(parts)


@dataclass
class _Span:
    kind: str  # bare | qa | seq | ans
    prompt: str
    number: str
    line: int
    path: list[str]
    body: list[Line] = field(default_factory=list)
    state: str = "a"  # qa: "q" while the prompt may continue, then "a"
    blank_since: bool = False
    target: Candidate | None = None


@dataclass
class _Node:
    line: Line
    children: list[_Node] = field(default_factory=list)

    def walk(self):
        for c in self.children:
            yield c
            yield from c.walk()


def parse(text: str) -> list[Candidate]:
    """Every question of one note, in document order (duplicates are merged later)."""
    return _Parser(text).run()


class _Parser:
    def __init__(self, text: str) -> None:
        self.lines = tokenize(preprocess(text))
        has_heading = any(ln.kind == "heading" for ln in self.lines)
        has_markers = any(ln.kind == "text" and (q_marker(ln.text) or a_marker(ln.text)) for ln in self.lines)
        # text scraped from a web page: no headings, so isolated short lines play their role
        self.plain = not has_heading and not has_markers
        self.out: list[Candidate] = []
        self.pending: dict[str, Candidate] = {}  # numbered list questions awaiting a later answer

    # -- headings --------------------------------------------------------------------------

    def run(self) -> list[Candidate]:
        lines = self.lines
        heads = [i for i, ln in enumerate(lines) if ln.kind == "heading"]
        info = analyse(lines, heads)
        level1 = [i for i in heads if lines[i].level == 1]
        title_idx = heads[0] if heads and level1 == [heads[0]] else None  # the note's own title
        first = heads[0] if heads else len(lines)
        self._block(lines[:first], [], answers=False)
        stack: list[tuple[int, str]] = []
        pos = 0
        i = first
        index: list[Candidate] = []  # a run of unanswered questions that numbered headings may answer
        index_next, mark = 0, 0
        while i < len(lines):
            ln, h = lines[i], info[i]
            fresh = self.out[mark:]
            if len(fresh) >= 2 and not any(_answered(c) for c in fresh):
                index, index_next = fresh, 1
            elif any(_answered(c) for c in fresh):
                index = []
            mark = len(self.out)
            while stack and stack[-1][0] >= ln.level:
                stack.pop()
            while pos < len(heads) and heads[pos] <= i:
                pos += 1
            nxt = heads[pos] if pos < len(heads) else len(lines)
            end = next((j for j in heads[pos:] if lines[j].level <= ln.level), len(lines))
            number = split_number(lead_symbols_off(strip_markup(ln.text)))[0]
            if index and number == str(index_next) and index_next <= len(index) and (
                    index_next > 1 or self._numbered_run(heads, i) == len(index)
                    or all(c.number == str(k + 1) for k, c in enumerate(index))):
                # "## 3. <reworded title>" answers question 3 of the list above it
                body = lines[i + 1 : end]
                tail = trailing_question_list(body)
                index[index_next - 1].body = self._heading_body(body[:tail] if tail is not None else body)
                index_next += 1
                mark = len(self.out)  # questions listed after the answer may form the next index
                if tail is not None:
                    self._block(body[tail:], [t for _, t in stack], answers=False)
                i = end
                continue
            if number and number != str(index_next):
                index = []
            if h.question:
                end = nxt
                for j in heads[pos:]:
                    if lines[j].level <= ln.level or info[j].question or info[j].answers:
                        end = j
                        break
                else:
                    end = len(lines)
                # a "Q:" line (or a <details> question) inside the body starts the next question
                cut = next((k for k in range(i + 1, end) if lines[k].kind == "text" and lines[k].indent <= 3
                            and q_marker(lines[k].text) is not None), end)
                tail = trailing_question_list(lines[i + 1 : cut])
                if tail is not None:
                    cut = i + 1 + tail
                self._emit(h.prompt, self._heading_body(lines[i + 1 : cut]), [t for _, t in stack],
                           h.number, ln.no)
                if tail is not None:
                    mark = len(self.out)  # the open questions after the answer may form the next index
                if cut < end:
                    self._block(lines[cut:end], [t for _, t in stack], answers=False)
                i = end
                continue
            if i != title_idx:
                stack.append((ln.level, h.title))
            self._block(lines[i + 1 : nxt], [t for _, t in stack], answers=h.answers)
            i = nxt
        return _fold_repeats(self.out)

    def _numbered_run(self, heads: list[int], at: int) -> int:
        """How many sibling headings from ``at`` on are numbered 1, 2, 3, … in order."""
        level, n = self.lines[at].level, 0
        for j in heads[heads.index(at):]:
            ln = self.lines[j]
            if ln.level < level:
                break
            if ln.level == level:
                if split_number(lead_symbols_off(strip_markup(ln.text)))[0] != str(n + 1):
                    break
                n += 1
        return n

    def _heading_body(self, lines: list[Line]) -> list[Line]:
        """The answer under a question heading: markers dropped, sub-headings turned into bold lines."""
        body: list[Line] = []
        for ln in lines:
            if ln.kind == "heading":
                title = strip_markup(ln.text)
                if is_answers_label(title) or a_marker(title + "：") or not title:
                    continue
                body.append(Line(ln.no, f"**{title}**", "text", 0, f"**{title}**"))
                continue
            if ln.kind in ("text", "item") and ln.indent <= 3:
                am = a_marker(ln.text) if ln.kind == "text" else None
                if am is not None:
                    if am.text and am.tag not in ("回答要点", "答题要点"):
                        body.append(Line(ln.no, " " * ln.indent + am.text, "text", ln.indent, am.text))
                    elif am.tag in ("回答要点", "答题要点"):
                        # keep the label: the key-point extractor reads the list under it
                        body.append(Line(ln.no, f"**{am.tag}：**{am.text}", "text", 0, f"**{am.tag}：**{am.text}"))
                    continue
            body.append(ln)
        return body

    # -- one section's body (pass 1: starters and spans) ------------------------------------

    def _block(self, lines: list[Line], path: list[str], answers: bool) -> None:
        if not any(ln.kind != "blank" for ln in lines):
            return
        qlist = self._question_list(lines)
        asking = _question_paragraphs(lines)
        label: str | None = None
        open_: _Span | None = None
        seq: tuple[int, int] | None = None  # (indent, next number) of a numbered question sequence
        free: list[Line] = []

        def here() -> list[str]:
            return path + ([label] if label else [])

        def flush() -> None:
            nonlocal free
            if any(f.kind in ("text", "item") for f in free):
                self._free(free, here(), qlist)
            free = []

        def close() -> None:
            nonlocal open_
            if open_ is not None:
                self._close(open_, qlist)
            open_ = None

        def start(kind: str, prompt: str, number: str, ln: Line, target: Candidate | None = None) -> _Span:
            nonlocal open_
            close()
            flush()
            open_ = _Span(kind, prompt, number, ln.no, here(), target=target)
            return open_

        for idx, ln in enumerate(lines):
            if ln.kind in ("code", "fence", "table") or ln.kind == "blank":
                if open_ is not None:
                    open_.body.append(ln)
                    if ln.kind == "blank":
                        open_.blank_since = True
                else:
                    free.append(ln)
                continue
            if ln.kind == "hr":
                close()
                flush()
                seq = None
                continue
            if ln.kind == "heading":  # only reached for the title of a note; treat as a label
                close()
                flush()
                label = strip_markup(ln.text)
                continue
            text = ln.text
            top = ln.indent <= 3
            if top:
                qm = q_marker(text)
                if qm is not None and (qm.text or idx + 1 < len(lines)):
                    sp = start("qa", qm.text, f"{qm.tag}{qm.number}" if qm.tag != "Q" or qm.number else "", ln)
                    sp.state = "q"
                    continue
                am = a_marker(text)
                if am is not None:
                    if open_ is not None and open_.kind == "qa" and open_.state == "q":
                        open_.state = "a"
                        if am.text:
                            open_.body.append(Line(ln.no, am.text, "text", 0, am.text))
                        continue
                    if am.number and am.number in self.pending:
                        sp = start("ans", "", am.number, ln, self.pending[am.number])
                        if am.text:
                            sp.body.append(Line(ln.no, am.text, "text", 0, am.text))
                        continue
                    if open_ is not None:
                        if am.text:
                            open_.body.append(Line(ln.no, " " * ln.indent + am.text, "text", ln.indent, am.text))
                        continue
            if open_ is not None and open_.kind == "qa" and open_.state == "q":
                if ln.kind == "text" and not open_.blank_since:
                    open_.prompt = f"{open_.prompt} {strip_markup(text)}".strip()
                    continue
                open_.state = "a"
            fresh_bare = open_ is not None and open_.kind == "bare" and not any(b.kind != "blank" for b in open_.body)
            if top and ln.kind == "text" and _colon_label(text) and (open_ is None or fresh_bare or is_ask_back(text)):
                close()  # "RAG：" / "我提问:" over a run of lines: a label, not an answer
                flush()
                seq = None
                label = title_core(text) or strip_markup(text)
                continue
            if top and self._is_label(lines, idx, open_ is not None):
                close()
                flush()
                seq = None
                label = title_core(text) or strip_markup(text)
                answers = answers or is_answers_label(text)
                continue
            if seq and ln.kind == "item" and ln.indent == seq[0] and ln.number == str(seq[1]):
                start("seq", text, ln.number, ln)
                seq = (seq[0], seq[1] + 1)
                continue
            if (seq and ln.kind == "item" and ln.indent <= seq[0] and open_ is not None and open_.kind == "seq"
                    and (question_level(text) == 2 or re.fullmatch(r"\d+", ln.number or "-"))):
                close()  # a list of questions (or a new numbering) at the run's level: the Q&A run is over
                seq = None
            if answers and ln.kind == "item" and top and ln.number in self.pending:
                target = self.pending[ln.number]
                sp = start("ans", "", ln.number, ln, target)
                if not _restates(text, target.prompt):
                    sp.body.append(Line(ln.no, text, "text", 0, text))
                continue
            core = strip_markup(text)
            if ln.kind == "text" and top and len(core) <= MAX_PROMPT and not _DEFINITION.match(text):
                lvl = question_level(text)
                in_answer = open_ is not None and open_.kind == "qa" and open_.state == "a"
                fresh_bare = open_ is None or (open_.kind == "bare" and not any(b.kind != "blank" for b in open_.body))
                if not in_answer and (lvl == 2 or (idx in asking and fresh_bare) or (
                        self.plain and lvl == 1 and ln.indent == 0 and _isolated(lines, idx)
                        and len(core) <= 40 and not core.endswith(_TERMINAL))):
                    start("bare", text, "", ln)
                    continue
            if open_ is None and ln.kind == "item" and top and re.fullmatch(r"\d+", ln.number or "-"):
                if self._sequence(lines, idx):
                    seq = (ln.indent, int(ln.number) + 1)
                    start("seq", text, ln.number, ln)
                    continue
            if open_ is not None:
                open_.body.append(ln)
            else:
                free.append(ln)
        close()
        flush()

    def _is_label(self, lines: list[Line], idx: int, inside: bool) -> bool:
        ln = lines[idx]
        text = ln.text
        if question_level(text) == 2 or ln.kind not in ("text", "item"):
            return False
        if inside:
            # inside an answer only an unmistakable section title ends it ("训练集面" on its own line)
            if ln.indent != 0 or ln.kind != "text":
                return False
            core = title_core(text)
            suffix = is_label_text(text) and not is_stop_title(text)
            return (suffix or is_answers_label(text)) and (_isolated(lines, idx) or is_bold_only(text)) and len(core) <= 30
        if is_bold_only(text) or is_answers_label(text):
            return True
        if ln.kind == "item":
            # a bullet "说明:" inside an explanation is not a section; "- LoRA篇" is
            return is_label_text(text) and not is_stop_title(text)
        return is_label_text(text)

    def _sequence(self, lines: list[Line], idx: int) -> bool:
        """A numbered run of short titles, each followed by an explanation, is a list of Q&A."""
        first = lines[idx]
        members, n, stop = [idx], int(first.number), len(lines)
        for j in range(idx + 1, len(lines)):
            ln = lines[j]
            if ln.kind in ("text", "item") and ln.indent <= first.indent and self._is_label(lines, j, False):
                stop = j
                break
            if ln.kind == "item" and ln.indent == first.indent and re.fullmatch(r"\d+", ln.number or "-"):
                if ln.number == str(n + 1):
                    members.append(j)
                    n += 1
                else:
                    stop = j
                    break
        if len(members) < 2:
            return False
        bounds = members[1:] + [stop]
        with_body, questions_inside = 0, 0
        body_lines = 0
        inner_body = False
        for k, (m, end) in enumerate(zip(members, bounds, strict=True)):
            content = [b for b in lines[m + 1 : end] if b.kind not in ("blank", "hr")]
            if content:
                with_body += 1
                inner_body = inner_body or k < len(members) - 1
            body_lines += len(content)
            questions_inside += sum(1 for b in content if b.kind in ("text", "item") and question_level(b.text) == 2)
        if not inner_body or any(_DEFINITION.match(lines[m].text) for m in members):
            return False  # "1. **概念理解类**：…" lists describe, they do not ask
        texts = [strip_markup(lines[m].text) for m in members]
        if any(len(t) > 80 or t.endswith(("。", ".")) for t in texts):
            return False
        if not self.plain and not any(question_level(t) >= 1 for t in texts):
            return False  # in Markdown, titles without any question word are sub-headings of notes
        if with_body < 0.8 * max(1, len(members) - 1):
            return False
        return questions_inside * 2 < max(body_lines, 1)

    def _close(self, sp: _Span, qlist: bool) -> None:
        if sp.kind == "ans":
            if sp.target is not None and not any(b.kind != "blank" for b in sp.target.body):
                sp.target.body = sp.body
            return
        items = [b for b in sp.body if b.kind == "item"]
        qitems = [b for b in items if question_level(b.text) == 2]
        prose = [b for b in sp.body if b.kind == "text"]
        if sp.kind in ("bare", "qa") and len(qitems) >= 2 and len(qitems) * 2 >= len(items) and len(prose) <= 1:
            # "以下问题常考？" followed by a list of questions: an intro, the list holds the questions
            self._free(sp.body, sp.path + [clean_prompt(sp.prompt)], True)
            return
        self._emit(sp.prompt, sp.body, sp.path, sp.number, sp.line)

    # -- pass 2: leftover lines as an outline (question lists, labels) ------------------------

    def _question_list(self, lines: list[Line]) -> bool:
        leaves = []
        for idx, ln in enumerate(lines):
            if ln.kind != "item" or is_bold_only(ln.text) or is_label_text(ln.text):
                continue
            if is_answers_label(ln.text):
                break
            nxt = next((b for b in lines[idx + 1 :] if b.kind != "blank"), None)
            if nxt is not None and nxt.indent >= ln.indent + 2 and nxt.kind in ("item", "text"):
                if question_level(ln.text) < 2:
                    continue
            leaves.append(question_level(ln.text))
        n = len(leaves)
        if n < 2:
            return False
        n2 = sum(1 for v in leaves if v == 2)
        n1 = sum(1 for v in leaves if v >= 1)
        return n2 / n >= 0.5 or (n >= 3 and n1 / n >= 0.7)

    def _free(self, lines: list[Line], path: list[str], qlist: bool) -> None:
        roots: list[_Node] = []
        stack: list[_Node] = []
        for ln in lines:
            if ln.kind in ("blank", "hr", "fence", "code", "table"):
                if stack and ln.kind != "blank" and ln.kind != "hr":
                    stack[-1].children.append(_Node(ln))
                continue
            node = _Node(ln)
            while stack and ln.indent < stack[-1].line.indent + 2:
                stack.pop()
            (stack[-1].children if stack else roots).append(node)
            stack.append(node)
        self._walk(roots, path, qlist)

    def _walk(self, nodes: list[_Node], path: list[str], qlist: bool) -> None:
        sticky: str | None = None
        for node in nodes:
            ln = node.line
            if ln.kind not in ("item", "text"):
                continue
            text = ln.text
            core = strip_markup(text)
            lvl = question_level(text)
            here = path + ([sticky] if sticky else [])
            colon = core.endswith((":", "：")) and bool(node.children)
            if lvl < 2 and (is_bold_only(text) or is_label_text(text) or colon or is_answers_label(text)):
                title = title_core(text) or core
                if node.children:
                    self._walk(node.children, path + [title], qlist)  # a label replaces the sticky one
                    sticky = None
                else:
                    sticky = title
                continue
            is_q = lvl == 2 or (qlist and ln.kind == "item" and not _DEFINITION.match(text))
            if is_q and core and len(core) <= MAX_PROMPT:
                desc = [d.line for d in node.walk()]
                child_q = any(d.kind in ("item", "text") and (question_level(d.text) == 2 or is_label_text(d.text))
                              for d in desc)
                if child_q and lvl < 2 or (lvl == 0 and ln.marker[:1].isalpha()):
                    self._walk(node.children, here + [title_core(text) or core], qlist)  # "1. LLM Basics"
                    continue
                body = [] if child_q else desc
                number = ln.number or split_number(core)[0]
                cand = self._emit(text, body, here, number, ln.no)
                if cand is not None and number:
                    self.pending[number] = cand
                if child_q and cand is not None:
                    self._walk(node.children, here + [cand.prompt], qlist)
            elif node.children:
                self._walk(node.children, here, qlist)

    def _emit(self, prompt: str, body: list[Line], path: list[str], number: str, line: int) -> Candidate | None:
        clean = clean_prompt(prompt)
        if not clean or is_non_question(clean) or any(is_ask_back(p) for p in path if p):
            return None
        cand = Candidate(clean, body, [p for p in path if p], number, line, self.plain)
        self.out.append(cand)
        return cand


def _isolated(lines: list[Line], idx: int) -> bool:
    before = idx == 0 or lines[idx - 1].kind in ("blank", "heading", "hr")
    after = idx + 1 >= len(lines) or lines[idx + 1].kind in ("blank", "heading", "hr")
    return before and after


def _restates(text: str, prompt: str) -> bool:
    """An answers-section item that repeats its question ("1. What is X?") carries no answer text."""
    if question_level(text) < 2:
        return False
    a = re.sub(r"\W+", "", clean_prompt(text).casefold())
    b = re.sub(r"\W+", "", prompt.casefold())
    return bool(a) and (a in b or b in a)


def _answered(cand: Candidate) -> bool:
    return any(b.kind not in ("blank", "hr") for b in cand.body)


def _fold_repeats(cands: list[Candidate]) -> list[Candidate]:
    """A question listed first and repeated later with its answer is one question (kept where it was listed)."""
    first: dict[str, Candidate] = {}
    out: list[Candidate] = []
    for cand in cands:
        key = norm_prompt(cand.prompt)
        earlier = first.get(key) if key else None
        if earlier is not None and not _answered(earlier) and _answered(cand):
            earlier.body = cand.body
            continue
        if key:
            first.setdefault(key, cand)
        out.append(cand)
    return out


def _colon_label(text: str) -> bool:
    """A short line ending in a colon that names what follows: "RAG：", "面试官提问:", "我提问:"."""
    core = strip_markup(text).strip()
    return core.endswith((":", "：")) and 2 <= len(core) <= 20 and question_level(core[:-1]) < 2


def _question_paragraphs(lines: list[Line]) -> set[int]:
    """Lines of paragraphs that are runs of questions, one per line ("ReAct 是啥？\nCoT 是啥？\n短链系统")."""
    out: set[int] = set()
    run: list[int] = []
    for idx in [*range(len(lines)), len(lines)]:
        ln = lines[idx] if idx < len(lines) else None
        if ln is not None and ln.kind == "text" and ln.indent <= 3:
            run.append(idx)
            continue
        texts = [lines[k].text for k in run if not _colon_label(lines[k].text)]
        levels = [question_level(t) for t in texts]
        if (len(texts) >= 3 and levels.count(2) >= 1 and sum(1 for v in levels if v) >= 0.5 * len(texts)
                and all(len(strip_markup(t)) <= 120 for t in texts)):
            out.update(k for k in run if not _colon_label(lines[k].text)
                       and not strip_markup(lines[k].text).endswith(("。", ".")))
        run = []
    return out
