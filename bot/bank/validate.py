"""``quizbot questions validate``: every problem of the question bank, each with its file and line.

``bot.bank.QuestionBank.load`` stops at the first broken file; this module reads every file and
reports everything it finds: YAML syntax, schema (required fields, types, unknown keys), ids unique
across the bank, topic slugs unique, topic names/aliases that collide between topics, empty answers,
``correct`` indexes out of range, and choice questions that would not fit a Telegram quiz poll
(question <= 300 characters, 2..12 options of <= 100 characters, explanation <= 200 characters with
at most 2 line feeds) or a Discord button label (<= 80 characters: only a warning, the adapter can
fall back to numbered buttons).

Lines come from ``bot.bank.loader.LineLoader`` / the composed YAML node tree, so they point at the field.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.bank.loader import BankError, LineLoader, QuestionBank, fold

log = logging.getLogger(__name__)

POLL_QUESTION_MAX = 300
POLL_OPTION_MAX = 100
POLL_OPTIONS_MIN, POLL_OPTIONS_MAX = 2, 12
PREFERRED_OPTIONS = (3, 6)
EXPLANATION_MAX = 200
EXPLANATION_MAX_LINE_FEEDS = 2
DISCORD_LABEL_MAX = 80

TOP_KEYS = {"topic", "title", "aliases", "questions"}
QUESTION_KEYS = {"id", "kind", "prompt", "answer", "key_points", "options", "correct", "explanation",
                 "difficulty", "tags", "source",
                 "answer_origin", "correction", "discussion", "rubric"}
KEY_POINT_KEYS = {"text", "aliases"}
SOURCE_KEYS = {"file", "section"}
TITLE_KEYS = {"zh", "en"}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int | None
    message: str
    severity: str = "error"  # "error" fails validation; "warning" is reported only

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"


def _lines(node: yaml.Node | None, path: tuple = (), out: dict | None = None) -> dict[tuple, int]:
    """1-based line of every node of the document, keyed by its path (keys and list indexes)."""
    out = {} if out is None else out
    if node is None:
        return out
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark)
            out[path + (k, "<key>")] = key.start_mark.line + 1
            _lines(value, path + (k,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _lines(value, path + (i,), out)
    return out


class _FileCheck:
    """Schema checks of one topic file; bank-wide checks use what it collects."""

    def __init__(self, path: Path, label: str) -> None:
        self.path, self.label = path, label
        self.problems: list[Problem] = []
        self.lines: dict[tuple, int] = {}
        self.slug: str | None = None
        self.names: list[tuple[str, int]] = []  # (name, line) the topic answers to
        self.ids: list[tuple[str, int]] = []
        self.questions = 0

    def line(self, *path) -> int | None:
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.lines:
                return self.lines[path[:cut]]
        return None

    def err(self, path: tuple, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.label, self.line(*path), message, severity))

    def warn(self, path: tuple, message: str) -> None:
        self.err(path, message, "warning")

    def run(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.err((), f"cannot read: {exc}")
            return
        try:
            doc = yaml.load(text, Loader=LineLoader)  # noqa: S506 - LineLoader is a SafeLoader
            self.lines = _lines(yaml.compose(text, Loader=LineLoader))  # noqa: S506
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = f"{exc.context + ', ' if exc.context else ''}{exc.problem}"
            self.problems.append(Problem(self.label, mark.line + 1 if mark else None, f"YAML syntax: {problem}"))
            return
        except yaml.YAMLError as exc:
            self.err((), f"YAML syntax: {exc}")
            return
        if doc is None:
            self.err((), "empty file: a topic file needs 'topic', 'title' and 'questions'")
            return
        if not isinstance(doc, dict):
            self.err((), "a topic file must be a mapping with 'topic', 'title' and 'questions'")
            return
        self._header(doc)
        questions = doc.get("questions")
        if questions is None:
            self.warn(("questions",) if "questions" in doc else (), "no questions")
            return
        if not isinstance(questions, list):
            self.err(("questions",), "'questions' must be a list")
            return
        for i, raw in enumerate(questions):
            self.questions += 1
            if not isinstance(raw, dict):
                self.err(("questions", i), "each question must be a mapping (id, kind, prompt, ...)")
                continue
            self._question(raw, ("questions", i))

    def _header(self, doc: dict) -> None:
        for key in doc:
            if key != "__line__" and key not in TOP_KEYS:
                self.err((key, "<key>"), f"unknown key '{key}' (expected {', '.join(sorted(TOP_KEYS))})")
        slug = doc.get("topic")
        if not isinstance(slug, str) or not slug.strip():
            self.err(("topic",), "missing 'topic' (the topic's slug, e.g. sft)")
        else:
            self.slug = slug
            self.names.append((slug, self.line("topic")))
            if not _SLUG.match(slug):
                self.warn(("topic",), f"topic slug '{slug}' should be lower-case letters, digits and '-'")
            if self.path.stem != slug:
                self.warn(("topic",), f"topic '{slug}' lives in {self.path.name}; {slug}.yaml is expected")
        title = doc.get("title")
        if title is None:
            self.warn((), "missing 'title: {zh: ..., en: ...}' (the slug is shown instead)")
        elif not isinstance(title, dict):
            self.err(("title",), "'title' must be {zh: ..., en: ...}")
        else:
            for key in title:
                if key != "__line__" and key not in TITLE_KEYS:
                    self.err(("title", key, "<key>"), f"unknown title key '{key}' (expected zh, en)")
            for lang in ("zh", "en"):
                value = title.get(lang)
                if value is None:
                    self.warn(("title",), f"title has no '{lang}'")
                elif not isinstance(value, str) or not value.strip():
                    self.err(("title", lang), f"title.{lang} must be a non-empty string")
                else:
                    self.names.append((value, self.line("title", lang)))
        aliases = doc.get("aliases")
        if aliases is not None:
            if not isinstance(aliases, list):
                self.err(("aliases",), "'aliases' must be a list of strings")
            else:
                for i, a in enumerate(aliases):
                    if not isinstance(a, str) or not a.strip():
                        self.err(("aliases", i), "each alias must be a non-empty string")
                    else:
                        self.names.append((a, self.line("aliases", i)))

    def _strings(self, value, path: tuple, what: str) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.err(path, f"{what} must be a list of strings")
            return []
        out = []
        for i, v in enumerate(value):
            if not isinstance(v, str) or not v.strip():
                self.err(path + (i,), f"{what} items must be non-empty strings")
            else:
                out.append(v)
        return out

    def _question(self, q: dict, p: tuple) -> None:
        for key in q:
            if key != "__line__" and key not in QUESTION_KEYS:
                self.err(p + (key, "<key>"), f"unknown key '{key}' in a question")
        qid = q.get("id")
        if not isinstance(qid, str) or not qid.strip():
            self.err(p + ("id",), "question needs a non-empty string 'id'")
            qid = None
        else:
            self.ids.append((qid.strip(), self.line(*p, "id")))
            if re.search(r"\s", qid.strip()):
                self.warn(p + ("id",), f"id '{qid}' contains spaces")
        name = f"question {qid}" if qid else "question"
        prompt = q.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            self.err(p + ("prompt",), f"{name} needs a non-empty string 'prompt'")
            prompt = ""
        kind = q.get("kind", "open")
        if kind not in ("open", "choice"):
            self.err(p + ("kind",), f"{name}: kind must be 'open' or 'choice', not {kind!r}")
            return
        if "answer" in q:
            answer = q["answer"]
            if answer is None or (isinstance(answer, str) and not answer.strip()):
                self.err(p + ("answer",), f"{name}: answer is empty (remove the key for a discussion question)")
            elif not isinstance(answer, str):
                self.err(p + ("answer",), f"{name}: answer must be a string (Markdown)")
        self._key_points(q.get("key_points"), p + ("key_points",), name)
        difficulty = q.get("difficulty", 2)
        if isinstance(difficulty, bool) or not isinstance(difficulty, int) or not 1 <= difficulty <= 3:
            self.err(p + ("difficulty",), f"{name}: difficulty must be 1, 2 or 3")
        self._strings(q.get("tags"), p + ("tags",), "tags")
        self._sources(q.get("source"), p + ("source",), name)
        if kind == "choice":
            self._choice(q, p, name, prompt)
        else:
            for key in ("options", "correct", "explanation"):
                if key in q:
                    self.warn(p + (key, "<key>"), f"{name}: '{key}' is ignored for open questions")

    def _key_points(self, value, path: tuple, name: str) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            self.err(path, f"{name}: key_points must be a list")
            return
        seen = set()
        for i, kp in enumerate(value):
            if isinstance(kp, str):
                text = kp
            elif isinstance(kp, dict):
                for key in kp:
                    if key != "__line__" and key not in KEY_POINT_KEYS:
                        self.err(path + (i, key, "<key>"), f"{name}: unknown key '{key}' in a key point")
                text = kp.get("text")
                self._strings(kp.get("aliases"), path + (i, "aliases"), "key point aliases")
            else:
                self.err(path + (i,), f"{name}: key points must be strings or {{text, aliases}}")
                continue
            if not isinstance(text, str) or not text.strip():
                self.err(path + (i,), f"{name}: key point needs a non-empty 'text'")
            elif fold(text) in seen:
                self.warn(path + (i,), f"{name}: key point '{text}' is listed twice")
            else:
                seen.add(fold(text))

    def _sources(self, value, path: tuple, name: str) -> None:
        if value is None:
            return
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            ip = path + (i,) if isinstance(value, list) else path
            if not isinstance(item, dict) or not isinstance(item.get("file"), str) or not item["file"].strip():
                self.err(ip, f"{name}: source must be {{file: ..., section: ...}} or a list of them")
                continue
            for key in item:
                if key != "__line__" and key not in SOURCE_KEYS:
                    self.err(ip + (key, "<key>"), f"{name}: unknown key '{key}' in a source")
            if "section" in item and item["section"] is not None and not isinstance(item["section"], (str, int)):
                self.err(ip + ("section",), f"{name}: source section must be a string")

    def _choice(self, q: dict, p: tuple, name: str, prompt: str) -> None:
        if len(prompt) > POLL_QUESTION_MAX:
            self.err(p + ("prompt",), f"{name}: prompt has {len(prompt)} characters; a Telegram quiz poll "
                                      f"takes at most {POLL_QUESTION_MAX}")
        options = q.get("options")
        if not isinstance(options, list):
            self.err(p + ("options",), f"{name}: a choice question needs a list of 'options'")
            options = []
        n = len(options)
        if options and not POLL_OPTIONS_MIN <= n <= POLL_OPTIONS_MAX:
            self.err(p + ("options",), f"{name}: {n} options; a poll takes {POLL_OPTIONS_MIN} to {POLL_OPTIONS_MAX}")
        elif options and not PREFERRED_OPTIONS[0] <= n <= PREFERRED_OPTIONS[1]:
            self.warn(p + ("options",), f"{name}: {n} options; 3 to 6 read best")
        seen: set[str] = set()
        for i, opt in enumerate(options):
            op = p + ("options", i)
            if isinstance(opt, bool) or not isinstance(opt, (str, int, float)) or not str(opt).strip():
                self.err(op, f"{name}: option {i + 1} must be a non-empty string")
                continue
            text = str(opt)
            if len(text) > POLL_OPTION_MAX:
                self.err(op, f"{name}: option {i + 1} has {len(text)} characters; a Telegram poll option "
                             f"takes at most {POLL_OPTION_MAX}")
            elif len(text) > DISCORD_LABEL_MAX:
                self.warn(op, f"{name}: option {i + 1} has {len(text)} characters; Discord button labels take "
                              f"{DISCORD_LABEL_MAX} (numbered buttons will be used)")
            if fold(text) in seen:
                self.warn(op, f"{name}: option {i + 1} repeats an earlier option")
            seen.add(fold(text))
        correct = q.get("correct")
        cp = p + ("correct",)
        if correct is None:
            self.err(cp if "correct" in q else p, f"{name}: a choice question needs 'correct' (option indexes)")
        else:
            values = correct if isinstance(correct, list) else [correct]
            if not values:
                self.err(cp, f"{name}: 'correct' is empty")
            for i, c in enumerate(values):
                where = cp + (i,) if isinstance(correct, list) else cp
                if isinstance(c, bool) or not isinstance(c, int):
                    self.err(where, f"{name}: 'correct' must hold option indexes (0-based integers), not {c!r}")
                elif options and not 0 <= c < n:
                    self.err(where, f"{name}: correct index {c} is out of range (options 0..{n - 1})")
            if len(values) > 1:
                self.warn(cp, f"{name}: {len(values)} correct options; a Telegram quiz poll takes exactly one")
        explanation = q.get("explanation")
        if explanation is not None:
            ep = p + ("explanation",)
            if not isinstance(explanation, str):
                self.err(ep, f"{name}: explanation must be a string")
            else:
                if len(explanation.strip()) > EXPLANATION_MAX:
                    self.err(ep, f"{name}: explanation has {len(explanation.strip())} characters; Telegram "
                                 f"takes at most {EXPLANATION_MAX}")
                if explanation.strip().count("\n") > EXPLANATION_MAX_LINE_FEEDS:
                    self.err(ep, f"{name}: explanation has more than {EXPLANATION_MAX_LINE_FEEDS} line feeds")


def _files(path: Path) -> tuple[list[Path], Path]:
    if path.is_dir():
        return sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")), path
    return [path], path.parent


def validate(path: str | Path) -> list[Problem]:
    """Every problem of a bank directory or one topic file, in file order."""
    path = Path(path)
    if not path.exists():
        return [Problem(str(path), None, "no such file or directory")]
    files, _root = _files(path)
    if not files:
        return [Problem(str(path), None, "no topic files (*.yaml) found", "warning")]
    checks = []
    for f in files:
        check = _FileCheck(f, str(f))
        check.run()
        checks.append(check)
    problems = [p for c in checks for p in c.problems]
    problems.extend(_bank_checks(checks))
    if path.is_dir() and not any(p.is_error for p in problems):
        try:  # the loader is the final judge: anything it rejects that we missed is still reported
            QuestionBank.load(path)
        except BankError as exc:
            problems.append(Problem(str(path / exc.file) if exc.file else str(path), exc.line, exc.message))
    log.debug("validated %d file(s): %d problem(s)", len(files), len(problems))
    return problems


def _bank_checks(checks: list[_FileCheck]) -> list[Problem]:
    out: list[Problem] = []
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
            first = slugs[c.slug]
            out.append(Problem(c.label, c.line("topic"), f"topic '{c.slug}' is also defined in {first[0]}"))
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
    return out


def summary(path: str | Path, problems: list[Problem]) -> str:
    """One line for a clean bank: files, topics, questions, warnings."""
    files, _ = _files(Path(path))
    topics, questions = 0, 0
    for f in files:
        try:
            doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue
        if isinstance(doc, dict):
            topics += 1
            questions += len(doc.get("questions") or []) if isinstance(doc.get("questions"), list) else 0
    warnings = sum(1 for p in problems if not p.is_error)
    return (f"OK: {len(files)} file(s), {topics} topic(s), {questions} question(s)"
            + (f", {warnings} warning(s)" if warnings else ""))
