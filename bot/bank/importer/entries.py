"""Study notes (Markdown or plain text) -> question-bank entries in the bank schema (``bot.bank.schema``).

``import_texts`` / ``import_files`` parse each note (``bot.bank.importer.parse``), build one ``Entry`` per
question (answer Markdown, key points, topic, difficulty: ``bot.bank.importer.enrich``), give it a stable
id (``<topic>-<8 hex of sha1(normalised prompt)>``) and merge near-identical prompts — within one
note and across notes — into one entry that keeps the longest answer and lists every source.
Writing into ``questions/`` (merge mode, curation preserved) lives in ``bot.bank.importer.writer``.

Entries without an answer are discussion questions (no ``answer`` key).
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.bank.importer.enrich import classify, difficulty, key_points, render_answer
from bot.bank.importer.layout import is_non_answer
from bot.bank.importer.parse import Candidate, parse

log = logging.getLogger(__name__)

SIMILARITY = 0.9  # difflib ratio above which two normalised prompts are the same question

_LEADING = re.compile(
    r"^\s*(?:(?:Q(?:uestion)?|问题?|追问|面试题)\s*\d*\s*[:：.．、)）]\s*|\d{1,3}(?:\.\d{1,3})*[.、)）:：]?\s*|"
    r"[(（]\d{1,3}[)）]\s*)+",
    re.I,
)


def normalise(prompt: str) -> str:
    """Comparable form: NFKC, case-folded, no leading numbering, no punctuation, symbols or spaces."""
    text = unicodedata.normalize("NFKC", prompt).casefold()
    text = _LEADING.sub("", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


_LABEL_PREFIX = re.compile(r"^\s*[\u4e00-\u9fff]{2,8}\s*[:：]\s*(?=\S)")


def core_normalise(prompt: str) -> str:
    """``normalise`` without a short Chinese label in front: "后续迭代：对llm4rec…" -> "对llm4rec…"."""
    return normalise(_LABEL_PREFIX.sub("", prompt))


def _latin_tokens(norm: str) -> Counter:
    return Counter(re.findall(r"[a-z0-9]+", norm))


# single characters whose swap turns a question into a different one (优点 vs 缺点, 绝对 vs 相对 …)
_CONTRAST = [set(pair) for pair in ("优缺", "优劣", "正负", "增减", "大小", "多少", "高低", "上下", "前后", "绝相",
                                     "入出", "训推", "编解", "长短", "快慢", "加减", "新旧", "强弱", "好坏", "是否",
                                     "有无", "内外", "主次", "同异", "开闭", "升降", "左右", "难易", "真假", "对错")]
_CJK_RUN = re.compile(r"[\u3400-\u9fff]")


def _ratio(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILARITY or matcher.quick_ratio() < SIMILARITY:
        return 0.0
    return matcher.ratio()


def _contrasting_swap(a: str, b: str) -> bool:
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "replace":
            left, right = set(a[i1:i2]), set(b[j1:j2])
            if any(pair & left and pair & right and pair <= (left | right) for pair in _CONTRAST):
                return True
    return False


def same_question(a: str, b: str) -> bool:
    """Normalised prompts that are equal or nearly so.

    Near-equal means difflib ratio >= 0.9 on the whole prompt *and* on its Chinese characters alone
    (a long shared English name must not hide "思路是什么" vs "有什么优点"), identical English/number
    tokens ("lora" vs "qlora" stays apart) and no swap of contrasting characters ("优点" vs "缺点").
    """
    if a == b:
        return True
    if not a or not b or _latin_tokens(a) != _latin_tokens(b):
        return False
    if _ratio(a, b) < SIMILARITY:
        return False
    cjk_a, cjk_b = "".join(_CJK_RUN.findall(a)), "".join(_CJK_RUN.findall(b))
    if (cjk_a or cjk_b) and _ratio(cjk_a, cjk_b) < SIMILARITY:
        return False
    return not _contrasting_swap(a, b)


_FILLER = re.compile(r"大语言模型|大模型|llms|llm|请问|一下|简单|常见|的")


def stem(core: str) -> str:
    """A normalised prompt without filler words that notes add or drop freely (大模型, LLM, 的 …)."""
    return _FILLER.sub("", core)


def similar_prompts(norm_a: str, core_a: str, norm_b: str, core_b: str) -> bool:
    """Same question: compared in full, without a label prefix, and by their stems.

    Stems also match when one contains the other and covers at least 70% of it ("LLM进行SFT操作的时候
    在学习什么" vs "大模型LLM进行SFT操作的时候在学习什么"), as long as their English terms agree.
    """
    if same_question(norm_a, norm_b) or (
        _latin_tokens(norm_a) == _latin_tokens(norm_b) and same_question(core_a, core_b)
    ):
        return True
    sa, sb = stem(core_a), stem(core_b)
    if not sa or not sb or _latin_tokens(sa) != _latin_tokens(sb):
        return False
    if sa == sb or same_question(sa, sb):
        return True
    short, long_ = sorted((sa, sb), key=len)
    return len(short) >= 6 and short in long_ and len(short) >= 0.7 * len(long_)


def make_id(topic: str, norm: str, length: int = 8) -> str:
    return f"{topic}-{hashlib.sha1(norm.encode('utf-8')).hexdigest()[:length]}"


@dataclass
class Entry:
    topic: str
    prompt: str
    answer: str | None
    key_points: list[dict]
    difficulty: int
    sources: list[dict]
    norm: str
    core: str = ""  # core_normalise(prompt): also compared when merging duplicates
    id: str = ""
    tags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The bank entry, keys in the order the topic files use."""
        out: dict = {"id": self.id, "kind": "open", "prompt": self.prompt}
        if self.answer:
            out["answer"] = self.answer
            out["answer_origin"] = "notes"  # the answer is the notes' own; curators change it to 'written'
        if self.key_points:
            out["key_points"] = [dict(kp) for kp in self.key_points]
        out["difficulty"] = self.difficulty
        if self.tags:
            out["tags"] = list(self.tags)
        out["source"] = dict(self.sources[0]) if len(self.sources) == 1 else [dict(s) for s in self.sources]
        return out


@dataclass
class FileReport:
    found: int = 0  # questions seen in the note (before merging)
    answered: int = 0  # of those, with an answer
    merged: int = 0  # of those, folded into another entry (duplicate within or across notes)


@dataclass
class ImportResult:
    entries: list[Entry]
    files: dict[str, FileReport]

    @property
    def found(self) -> int:
        return sum(f.found for f in self.files.values())

    @property
    def merged(self) -> int:
        return sum(f.merged for f in self.files.values())

    def per_topic(self) -> dict[str, int]:
        return dict(sorted(Counter(e.topic for e in self.entries).items()))

    def report_lines(self) -> list[str]:
        answered = sum(1 for e in self.entries if e.answer)
        lines = [f"questions found: {self.found} in {len(self.files)} file(s); "
                 f"{len(self.entries)} after merging {self.merged} duplicate(s); "
                 f"{answered} with answers, {len(self.entries) - answered} discussion"]
        for name, rep in self.files.items():
            lines.append(f"  {name}: found {rep.found}, answered {rep.answered}, merged {rep.merged}")
        lines.append("per topic: " + ", ".join(f"{t} {n}" for t, n in self.per_topic().items()))
        bare = [e for e in self.entries if e.answer and not e.key_points]
        if bare:
            # nothing sensible could be derived: a person has to write these checklists
            lines.append(f"needs key points ({len(bare)} answered question(s) without any):")
            lines.extend(f"  {e.id}: {e.prompt[:80]}" for e in bare)
        return lines


def entry_from(cand: Candidate, file: str) -> Entry:
    answer, hints = render_answer(cand.body, cand.plain)
    if answer is not None and is_non_answer(answer):
        answer, hints = None, []  # "不做解答", "略", a lone "[点击查看答案](…)" link
    section = cand.section_text
    topic = classify(cand.prompt, answer, section)
    source = {"file": file, "section": section} if section else {"file": file}
    return Entry(topic=topic, prompt=cand.prompt, answer=answer, key_points=key_points(answer, hints, cand.prompt),
                 difficulty=difficulty(cand.prompt, answer), sources=[source], norm=normalise(cand.prompt),
                 core=core_normalise(cand.prompt))


def parse_notes(text: str, file: str) -> list[Entry]:
    """Entries of one note, in document order, before merging duplicates (ids not yet assigned)."""
    return [entry_from(c, file) for c in parse(text)]


def merge_duplicates(entries: list[Entry]) -> tuple[list[Entry], list[bool]]:
    """Fold near-identical prompts together.

    Returns the merged entries (first-occurrence order) and, per input entry, whether it was folded
    into another one (a duplicate) rather than being the one whose answer was kept.
    """
    groups: list[list[int]] = []
    keys: list[tuple[str, str]] = []
    exact: dict[str, int] = {}
    for idx, entry in enumerate(entries):
        core = entry.core or entry.norm
        gi = exact.get(entry.norm, exact.get(core, exact.get(stem(core) or core)))
        if gi is None:
            gi = next((i for i, (n, c) in enumerate(keys) if similar_prompts(entry.norm, core, n, c)), None)
        if gi is None:
            gi = len(groups)
            groups.append([])
            keys.append((entry.norm, core))
        exact.setdefault(entry.norm, gi)
        exact.setdefault(core, gi)
        if stem(core):
            exact.setdefault(stem(core), gi)
        groups[gi].append(idx)
    merged: list[Entry] = []
    folded = [False] * len(entries)
    for members in groups:
        group = [entries[i] for i in members]
        # the longest answer wins; on a tie (or none) the first occurrence keeps its wording
        best = max(range(len(group)), key=lambda k: (len(group[k].answer or ""), -k))
        for k, i in enumerate(members):
            folded[i] = k != best
        merged.append(_merge_group(group, best))
    return merged, folded


def _merge_group(group: list[Entry], best_index: int) -> Entry:
    best = group[best_index]
    if len(group) == 1:
        return best
    sources: list[dict] = []
    for e in group:
        for s in e.sources:
            if s not in sources:
                sources.append(s)
    kps = best.key_points or next((e.key_points for e in group if e.key_points), [])
    # the fullest wording names the question best ("大模型怎么评测？" over "怎么评测"); ties keep the first
    worded = max(group, key=lambda e: (len(e.core or e.norm), -group.index(e)))
    return Entry(topic=best.topic, prompt=worded.prompt, answer=best.answer, key_points=kps,
                 difficulty=best.difficulty, sources=sources, norm=worded.norm, core=worded.core)


def assign_ids(entries: Iterable[Entry]) -> None:
    """Stable ids; a (very unlikely) 8-hex collision between different prompts gets a longer hash."""
    used: dict[str, str] = {}
    for e in entries:
        length = 8
        qid = make_id(e.topic, e.norm, length)
        while qid in used and used[qid] != e.norm:
            length += 2
            qid = make_id(e.topic, e.norm, length)
        used[qid] = e.norm
        e.id = qid


def import_texts(notes: Iterable[tuple[str, str]]) -> ImportResult:
    """``notes`` are ``(file name, text)`` pairs; the file name is what ``source.file`` records."""
    files: dict[str, FileReport] = {}
    raw: list[Entry] = []
    origin: list[str] = []
    for name, text in notes:
        found = parse_notes(text, name)
        rep = files.setdefault(name, FileReport())
        rep.found += len(found)
        rep.answered += sum(1 for e in found if e.answer)
        raw.extend(found)
        origin.extend([name] * len(found))
        log.info("%s: %d question(s), %d with answers", name, len(found), sum(1 for e in found if e.answer))
    merged, folded = merge_duplicates(raw)
    for name, was_folded in zip(origin, folded, strict=True):
        if was_folded:
            files[name].merged += 1
    assign_ids(merged)
    return ImportResult(merged, files)


def import_files(paths: Iterable[str | Path]) -> ImportResult:
    notes = []
    for p in paths:
        path = Path(p)
        notes.append((path.name, path.read_text(encoding="utf-8", errors="replace")))
    return import_texts(notes)
