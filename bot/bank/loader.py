"""Load ``questions/*.yaml`` into an in-memory, read-only QuestionBank.

One YAML file per topic (schema: ``bot.bank.schema``). Loading stops at the first broken
file with a ``BankError`` that names the file and line; ``quizbot questions validate`` (see
``bot.bank.validate``) reports every problem instead of the first.
"""

from __future__ import annotations

import difflib
import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.model import KeyPoint, Kind, Question, Source, Topic

log = logging.getLogger(__name__)


class BankError(Exception):
    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file, self.line, self.message = file, line, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")


class LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the 1-based line of every mapping under the key ``__line__``."""


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def fold(text: str) -> str:
    """Case/width-insensitive form used to match topic names and aliases."""
    return unicodedata.normalize("NFKC", text).casefold().replace(" ", "").replace("_", "-")


def _strs(value, file: str, line: int, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise BankError(file, line, f"{what} must be a list of strings")
    return tuple(str(v) for v in value)


def _sources(value, file: str, line: int) -> tuple[Source, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if not isinstance(item, dict) or "file" not in item:
            raise BankError(file, line, "source must be {file: ..., section: ...} or a list of them")
        out.append(Source(str(item["file"]), str(item.get("section", "") or "")))
    return tuple(out)


def parse_question(raw: dict, topic: str, file: str) -> Question:
    line = raw.get("__line__", 0)
    for key in ("id", "prompt"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise BankError(file, line, f"question needs a non-empty string '{key}'")
    try:
        kind = Kind(raw.get("kind", "open"))
    except ValueError:
        raise BankError(file, line, f"kind must be 'open' or 'choice', not {raw.get('kind')!r}") from None
    kps = []
    for kp in raw.get("key_points") or []:
        if isinstance(kp, str):
            kps.append(KeyPoint(kp))
        elif isinstance(kp, dict) and isinstance(kp.get("text"), str):
            kps.append(KeyPoint(kp["text"], _strs(kp.get("aliases"), file, kp.get("__line__", line), "aliases")))
        else:
            raise BankError(file, line, "key_points items must be strings or {text, aliases}")
    options = _strs(raw.get("options"), file, line, "options")
    correct = raw.get("correct") or []
    if isinstance(correct, int):
        correct = [correct]
    if kind is Kind.CHOICE:
        if len(options) < 2:
            raise BankError(file, line, f"choice question {raw['id']} needs at least 2 options")
        if not correct or not all(isinstance(c, int) and 0 <= c < len(options) for c in correct):
            raise BankError(file, line, f"choice question {raw['id']}: 'correct' must index into options")
    difficulty = raw.get("difficulty", 2)
    if not isinstance(difficulty, int) or not 1 <= difficulty <= 3:
        raise BankError(file, line, "difficulty must be 1, 2 or 3")
    answer = raw.get("answer")
    return Question(
        id=raw["id"].strip(),
        topic=topic,
        kind=kind,
        prompt=raw["prompt"].strip(),
        answer=answer.strip() if isinstance(answer, str) and answer.strip() else None,
        key_points=tuple(kps),
        options=options,
        correct=tuple(correct),
        explanation=str(raw.get("explanation") or "").strip(),
        difficulty=difficulty,
        tags=_strs(raw.get("tags"), file, line, "tags"),
        sources=_sources(raw.get("source"), file, line),
        answer_origin=str(raw.get("answer_origin") or ""),
        correction=str(raw.get("correction") or "").strip(),
        discussion=raw.get("discussion") is True,
        rubric=_strs(raw.get("rubric"), file, line, "rubric"),
    )


def parse_topic_file(path: Path) -> Topic:
    file = path.name
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise BankError(file, mark.line + 1 if mark else None, f"YAML syntax: {exc.problem}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise BankError(file, None, f"cannot read: {exc}") from None
    if not isinstance(doc, dict):
        raise BankError(file, 1, "a topic file must be a mapping with 'topic', 'title' and 'questions'")
    slug = doc.get("topic")
    if not isinstance(slug, str) or not slug:
        raise BankError(file, 1, "missing 'topic' (the topic's slug)")
    title = doc.get("title") or {}
    if not isinstance(title, dict):
        raise BankError(file, doc.get("__line__", 1), "'title' must be {zh: ..., en: ...}")
    questions = doc.get("questions") or []
    if not isinstance(questions, list):
        raise BankError(file, doc.get("__line__", 1), "'questions' must be a list")
    parsed = []
    for raw in questions:
        if not isinstance(raw, dict):
            raise BankError(file, None, "each question must be a mapping")
        parsed.append(parse_question(raw, slug, file))
    return Topic(
        slug=slug,
        title_zh=str(title.get("zh") or slug),
        title_en=str(title.get("en") or slug),
        aliases=_strs(doc.get("aliases"), file, doc.get("__line__", 1), "aliases"),
        questions=tuple(parsed),
    )


@dataclass
class QuestionBank:
    topics: dict[str, Topic]
    by_id: dict[str, Question]

    @classmethod
    def from_topics(cls, topics: Iterable[Topic], files: Iterable[str] | None = None) -> QuestionBank:
        tmap: dict[str, Topic] = {}
        by_id: dict[str, Question] = {}
        names = list(files) if files is not None else None
        for i, topic in enumerate(topics):
            file = names[i] if names else topic.slug
            if topic.slug in tmap:
                raise BankError(file, 1, f"topic '{topic.slug}' is defined twice")
            tmap[topic.slug] = topic
            for q in topic.questions:
                if q.id in by_id:
                    raise BankError(file, None, f"question id '{q.id}' is used twice")
                by_id[q.id] = q
        return cls(tmap, by_id)

    @classmethod
    def load(cls, directory: str | Path) -> QuestionBank:
        directory = Path(directory)
        if not directory.is_dir():
            raise BankError(str(directory), None, "questions directory not found")
        files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
        bank = cls.from_topics((parse_topic_file(f) for f in files), [f.name for f in files])
        log.info("bank loaded: %d topics, %d questions from %s", len(bank.topics), len(bank.by_id), directory)
        return bank

    def question(self, qid: str) -> Question | None:
        return self.by_id.get(qid)

    def _names(self) -> dict[str, str]:
        """Every name a topic answers to (folded) -> slug."""
        names: dict[str, str] = {}
        for t in self.topics.values():
            for name in (t.slug, t.title_zh, t.title_en, *t.aliases):
                names.setdefault(fold(name), t.slug)
        return names

    def find_topic(self, query: str) -> Topic | None:
        slug = self._names().get(fold(query))
        return self.topics.get(slug) if slug else None

    def suggest(self, query: str, n: int = 3) -> list[Topic]:
        """Closest topics to an unknown name: substring matches first, then fuzzy similarity."""
        q = fold(query)
        names = self._names()
        picked: list[str] = []
        for name, slug in names.items():
            if q and (q in name or name in q) and slug not in picked:
                picked.append(slug)
        for name in difflib.get_close_matches(q, list(names), n=n * 3, cutoff=0.4):
            if names[name] not in picked:
                picked.append(names[name])
        return [self.topics[s] for s in picked[:n]]

    def all_questions(self) -> list[Question]:
        return list(self.by_id.values())
