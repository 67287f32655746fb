"""Checks of topic files shared by the loader and ``quizbot questions validate``: one code path, one verdict.

``check_file`` reads a file (``bot.bank.reader``), validates it against ``bot.bank.schema.TopicFile`` and
turns each pydantic error into a ``Problem`` whose line comes from the YAML node map (pydantic's ``loc``
walked through the raw data: union tags and shorthand wrappers are skipped). The lint pass adds
warnings from the raw data, so they show up even in a file that also has errors. ``bank_problems``
adds what needs every file: ids and topic slugs unique, topic names and aliases that collide.

An error means the bot refuses the bank; a warning is only reported.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError
from pydantic_core import ErrorDetails, core_schema

from bot.bank.reader import ReadError, YamlDoc, YamlPath, read_yaml
from bot.bank.schema import DISCORD_LABEL_MAX, DISCUSSION_SHARE_MAX, UNION_TAGS, OpenQuestion, TopicFile, fold

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PREFERRED_OPTIONS = (3, 6)


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int | None
    message: str
    severity: str = "error"  # "error" fails validation and loading; "warning" is reported only

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"


def topic_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))


@dataclass
class FileCheck:
    """Everything known about one topic file after checking it."""

    path: Path
    label: str  # the name problems carry (the path as the user gave it)
    problems: list[Problem] = field(default_factory=list)
    doc: YamlDoc | None = None
    model: TopicFile | None = None  # set when the file has no errors
    slug: str | None = None
    names: list[tuple[str, int | None]] = field(default_factory=list)  # (name, line) the topic answers to
    ids: list[tuple[str, int | None]] = field(default_factory=list)
    merged: list[tuple[str, int | None]] = field(default_factory=list)  # (merged id, line)

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    def line(self, *path: Any) -> int | None:
        return self.doc.line(tuple(path)) if self.doc else None

    def add(self, path: YamlPath, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.label, self.line(*path), message, severity))

    def warn(self, path: YamlPath, message: str) -> None:
        self.add(path, message, "warning")


def check_file(path: Path, label: str | None = None) -> FileCheck:
    check = FileCheck(path, label if label is not None else str(path))
    try:
        check.doc = read_yaml(path)
    except ReadError as exc:
        check.problems.append(Problem(check.label, exc.line, exc.message))
        return check
    data = check.doc.data
    for line, message in check.doc.duplicates:
        check.problems.append(Problem(check.label, line, message))
    if data is None:
        check.add((), "empty file: a topic file needs 'topic', 'title' and 'questions'")
        return check
    if not isinstance(data, dict):
        check.add((), "a topic file must be a mapping with 'topic', 'title' and 'questions'")
        return check
    try:
        model = TopicFile.model_validate(data)
    except ValidationError as exc:
        model = None
        for err in exc.errors(include_url=False):
            yaml_path, message = explain(err, data)
            check.add(yaml_path, message)
    _lint(check, data)
    check.problems.sort(key=lambda p: p.line or 0)
    if check.ok:
        check.model = model
    return check


# --- pydantic errors -> (YAML path, sentence) --------------------------------------------------


def _align(loc: tuple, data: Any) -> YamlPath:
    """The YAML path of an error location: union tags and shorthand wrappers dropped, stopping where the
    raw data ends (a missing key points at its mapping)."""
    path: list[Any] = []
    cur = data
    for el in loc:
        if isinstance(cur, dict):
            if el in cur:
                path.append(el)
                cur = cur[el]
            elif isinstance(el, int) or el in UNION_TAGS:
                continue  # "source: {...}" validated as a one-item list; a question's kind tag
            else:
                path.append(el)
                cur = None
        elif isinstance(cur, list):
            if isinstance(el, int) and 0 <= el < len(cur):
                path.append(el)
                cur = cur[el]
            elif el in UNION_TAGS:
                continue
            else:
                break
        else:
            break
    return tuple(path)


_RULES = {  # what a field must be, said once per field (type errors of every kind end up here)
    "topic": "'topic' must be the topic's slug, a non-empty string (e.g. sft)",
    "title": "'title' must be {zh: ..., en: ...}",
    "questions": "'questions' must be a list",
    "prompt": "needs a non-empty string 'prompt'",
    "answer": "answer must be a string (Markdown)",
    "answer_origin": "answer_origin must be 'notes' or 'written'",
    "correction": "correction must be a non-empty string",
    "discussion": "discussion must be true or false",
    "rubric": "rubric must be a list of non-empty strings",
    "key_points": "key_points must be a list",
    "difficulty": "difficulty must be 1, 2 or 3",
    "tags": "tags must be a list of non-empty strings",
    "source": "source must be {file: ..., section: ...} or a list of them",
    "merged_ids": "merged_ids must be a list of non-empty strings (ids of questions merged into this one)",
    "file": "source must be {file: ..., section: ...} or a list of them",
    "section": "source section must be a string",
    "options": "a choice question needs a list of 'options'",
    "explanation": "explanation must be a string",
}


def _question_name(data: Any, loc: tuple) -> str | None:
    """'question <id>' (or 'question') for errors inside a question mapping, else None."""
    if len(loc) < 2 or loc[0] != "questions" or not isinstance(loc[1], int):
        return None
    questions = data.get("questions") if isinstance(data, dict) else None
    raw = questions[loc[1]] if isinstance(questions, list) and loc[1] < len(questions) else None
    if not isinstance(raw, dict):
        return None
    qid = raw.get("id")
    return f"question {qid.strip()}" if isinstance(qid, str) and qid.strip() else "question"


def explain(err: ErrorDetails, data: Any) -> tuple[YamlPath, str]:
    loc = tuple(err["loc"])
    kind, ctx = err["type"], err.get("ctx") or {}
    path = _align(loc, data)
    clean = [el for el in loc if el not in UNION_TAGS]
    fields = [el for el in clean if isinstance(el, str)]
    name_ = fields[-1] if fields else ""
    parent = fields[-2] if len(fields) > 1 else ""
    qname = _question_name(data, loc)
    index = clean[-1] if clean and isinstance(clean[-1], int) else None
    if "at" in ctx:  # a rule on a whole question/field that names the key or item it is about
        at = ctx["at"]
        path = path + (at,) if isinstance(at, str) else path + (at,) if isinstance(_get(data, path), list) else path
    if kind == "extra_forbidden":
        if qname and parent == "key_points":
            where = "a key point"
        elif qname and parent == "source":
            where = "a source"
        elif qname:
            where = "a question"
        elif parent == "title":
            where = "the title (expected zh, en)"
        else:
            where = "a topic file (expected topic, title, aliases, questions)"
        return path + ("<key>",), f"unknown key '{name_}' in {where}"
    message = _sentence(kind, err, name_, parent, index, qname, ctx)
    if qname is None or message.startswith("question needs"):
        return path, message
    if message.startswith("needs"):
        return path, f"{qname} {message}"
    return path, f"{qname}: {message}"


def _get(data: Any, path: YamlPath) -> Any:
    cur = data
    for el in path:
        try:
            cur = cur[el]
        except (KeyError, IndexError, TypeError):
            return None
    return cur


def _sentence(kind: str, err: ErrorDetails, name_: str, parent: str, index: int | None, qname: str | None,
              ctx: dict) -> str:
    custom = kind not in _BUILTIN_TYPES  # a rule of bot.bank.schema: its message is the sentence
    if name_ == "options" and index is not None:  # one option
        if custom:
            return f"option {index + 1} {err['msg']}"
        return f"option {index + 1} must be a non-empty string" + _quote_hint(err)
    if name_ == "correct":
        if kind == "missing":
            return "a choice question needs 'correct' (option indexes)"
        if custom:
            return err["msg"]
        return f"'correct' must hold option indexes (0-based integers), not {err['input']!r}"
    if custom and kind != "empty":
        return err["msg"]
    if qname is not None and name_ == "id":
        return "question needs a non-empty string 'id'"
    if qname is None and not name_ and index is None:
        return "a topic file must be a mapping with 'topic', 'title' and 'questions'"
    if name_ == "questions" and index is not None:
        return "each question must be a mapping (id, kind, prompt, ...)"
    if name_ == "aliases":
        if qname is not None:
            return "key point aliases must be a list of non-empty strings" + _quote_hint(err)
        return ("each alias must be a non-empty string" if index is not None
                else "'aliases' must be a list of strings") + _quote_hint(err)
    if parent == "key_points" or name_ == "key_points" and index is not None:
        if name_ == "text" or kind == "empty":
            return "key point needs a non-empty 'text'" + _quote_hint(err)
        return "key points must be strings or {text, aliases}"
    if parent == "title" and name_ in ("zh", "en"):
        return f"title.{name_} must be a non-empty string"
    if name_ == "topic" and kind == "missing":
        return "missing 'topic' (the topic's slug, e.g. sft)"
    if name_ == "prompt" and kind == "missing":
        return "needs a non-empty string 'prompt'"
    if name_ == "explanation" and kind == "missing":
        return "a choice question needs an 'explanation'"
    rule = _RULES.get(name_)
    if rule:
        return rule + _quote_hint(err)
    return f"{name_ or 'value'}: {err['msg']}"


def _quote_hint(err: ErrorDetails) -> str:
    """YAML reads 1.10, 42, yes, 2024-01-01 as numbers, booleans, dates: say so where a string was expected."""
    value = err.get("input")
    if err["type"] == "string_type" and value is not None and not isinstance(value, (list, dict)):
        return f" (YAML read {value!r}; put text like this in quotes)"
    return ""


_BUILTIN_TYPES = frozenset(get_args(core_schema.ErrorType))  # pydantic's own error types


# --- warnings (raw data: they appear even in a file that has errors) ---------------------------


def _lint(check: FileCheck, doc: dict) -> None:
    slug = doc.get("topic")
    if isinstance(slug, str) and slug.strip():
        check.slug = slug = slug.strip()
        check.names.append((slug, check.line("topic")))
        if not _SLUG.match(slug):
            check.warn(("topic",), f"topic slug '{slug}' should be lower-case letters, digits and '-'")
        if check.path.stem != slug:
            check.warn(("topic",), f"topic '{slug}' lives in {check.path.name}; {slug}.yaml is expected")
    title = doc.get("title")
    if title is None:
        check.warn((), "missing 'title: {zh: ..., en: ...}' (the slug is shown instead)")
    elif isinstance(title, dict):
        for lang in ("zh", "en"):
            value = title.get(lang)
            if value is None:
                check.warn(("title",), f"title has no '{lang}'")
            elif isinstance(value, str) and value.strip():
                check.names.append((value, check.line("title", lang)))
    aliases = doc.get("aliases")
    if isinstance(aliases, list):
        for i, a in enumerate(aliases):
            if isinstance(a, str) and a.strip():
                check.names.append((a, check.line("aliases", i)))
    questions = doc.get("questions")
    if questions is None:
        check.warn(("questions",) if "questions" in doc else (), "no questions")
        return
    if not isinstance(questions, list):
        return
    for i, q in enumerate(questions):
        if isinstance(q, dict):
            _lint_question(check, q, ("questions", i))


def _lint_question(check: FileCheck, q: dict, p: YamlPath) -> None:
    qid = q.get("id")
    if isinstance(qid, str) and qid.strip():
        check.ids.append((qid.strip(), check.line(*p, "id")))
        if re.search(r"\s", qid.strip()):
            check.warn(p + ("id",), f"id '{qid}' contains spaces")
    merged = q.get("merged_ids")
    if isinstance(merged, list):
        for i, mid in enumerate(merged):
            if isinstance(mid, str) and mid.strip():
                check.merged.append((mid.strip(), check.line(*p, "merged_ids", i)))
    name = f"question {qid.strip()}" if isinstance(qid, str) and qid.strip() else "question"
    kps = q.get("key_points")
    if isinstance(kps, list):
        seen: set[str] = set()
        for i, kp in enumerate(kps):
            text = kp if isinstance(kp, str) else kp.get("text") if isinstance(kp, dict) else None
            if isinstance(text, str) and text.strip():
                if fold(text) in seen:
                    check.warn(p + ("key_points", i), f"{name}: key point '{text}' is listed twice")
                seen.add(fold(text))
    kind = q.get("kind", "open")
    if kind == "open":
        for key in ("options", "correct", "explanation"):
            if key in q:
                check.warn(p + (key, "<key>"), f"{name}: '{key}' is ignored for open questions")
    elif kind == "choice":
        _lint_choice(check, q, p, name)


def _lint_choice(check: FileCheck, q: dict, p: YamlPath, name: str) -> None:
    options = q.get("options")
    if isinstance(options, list):
        n = len(options)
        if 2 <= n <= 12 and not PREFERRED_OPTIONS[0] <= n <= PREFERRED_OPTIONS[1]:
            check.warn(p + ("options",), f"{name}: {n} options; 3 to 6 read best")
        seen: set[str] = set()
        for i, opt in enumerate(options):
            if not isinstance(opt, str) or not opt.strip():
                continue
            if DISCORD_LABEL_MAX < len(opt) <= 100:
                check.warn(p + ("options", i), f"{name}: option {i + 1} has {len(opt)} characters; Discord "
                                               f"button labels take {DISCORD_LABEL_MAX} (numbered buttons will "
                                               "be used)")
            if fold(opt) in seen:
                check.warn(p + ("options", i), f"{name}: option {i + 1} repeats an earlier option")
            seen.add(fold(opt))
    correct = q.get("correct")
    if isinstance(correct, list) and len(correct) > 1:
        check.warn(p + ("correct",), f"{name}: {len(correct)} correct options; a Telegram quiz poll takes "
                                     "exactly one")


# --- the whole bank ----------------------------------------------------------------------------


def discussion_share_problem(checks: list[FileCheck]) -> Problem | None:
    """At most ``DISCUSSION_SHARE_MAX`` of the open questions may be discussion questions (rounded up,
    so a small bank may hold one): the bank exists to teach answers."""
    opened = [q for c in checks if c.model is not None for q in c.model.questions or []
              if isinstance(q, OpenQuestion)]
    discussion = sum(1 for q in opened if q.discussion)
    allowed = math.ceil(DISCUSSION_SHARE_MAX * len(opened))
    if discussion <= allowed:
        return None
    where = str(Path(checks[0].label).parent) if checks else "questions"
    return Problem(where, None, f"{discussion} of {len(opened)} open questions are discussion questions; at most "
                                f"{DISCUSSION_SHARE_MAX:.0%} ({allowed}) may be: answer the others")


def bank_problems(checks: list[FileCheck]) -> list[Problem]:
    out: list[Problem] = []
    share = discussion_share_problem(checks)
    if share is not None:
        out.append(share)
    ids: dict[str, tuple[str, int | None]] = {}
    slugs: dict[str, tuple[str, int | None]] = {}
    names: dict[str, tuple[str, str, int | None]] = {}  # folded name -> (slug, file, line)
    for c in checks:
        for qid, line in c.ids:
            if qid in ids:
                first = ids[qid]
                out.append(Problem(c.label, line, f"duplicate id '{qid}' (first used at {first[0]}:{first[1]})"))
            else:
                ids[qid] = (c.label, line)
        if c.slug is None:
            continue
        if c.slug in slugs:
            out.append(Problem(c.label, c.line("topic"), f"topic '{c.slug}' is also defined in {slugs[c.slug][0]}"))
            continue
        slugs[c.slug] = (c.label, c.line("topic"))
        for name, line in c.names:
            key = fold(name)
            if not key:
                continue
            other = names.get(key)
            if other is not None and other[0] != c.slug:
                out.append(Problem(c.label, line, f"topic name/alias '{name}' of '{c.slug}' collides with topic "
                                                  f"'{other[0]}' ({other[1]}:{other[2]})"))
            elif other is None:
                names[key] = (c.slug, c.label, line)
    out.extend(_merged_id_problems(checks, ids))
    return out


def _merged_id_problems(checks: list[FileCheck], ids: dict[str, tuple[str, int | None]]) -> list[Problem]:
    """A merged id names a question that no longer exists: a live id there would make re-imports skip a
    question the bank still holds, and one listed twice would leave it unclear which entry absorbed it."""
    out: list[Problem] = []
    seen: dict[str, tuple[str, int | None]] = {}
    for c in checks:
        for mid, line in c.merged:
            if mid in ids:
                live = ids[mid]
                out.append(Problem(c.label, line, f"merged id '{mid}' is the id of a live question "
                                                  f"({live[0]}:{live[1]}); list only ids of removed questions"))
            elif mid in seen:
                first = seen[mid]
                out.append(Problem(c.label, line, f"merged id '{mid}' is listed twice (first at "
                                                  f"{first[0]}:{first[1]})"))
            else:
                seen[mid] = (c.label, line)
    return out
