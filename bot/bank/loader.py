"""Load ``questions/*.yaml`` into an in-memory, read-only QuestionBank.

One YAML file per topic (schema: ``bot.bank.schema``). Loading runs the very checks of ``quizbot
questions validate`` (``bot.bank.checks``): it stops at the first file with an error and raises a
``BankError`` with that error's file, line and message, where the validator goes on and reports every
problem. So whatever the validator calls an error, the bot refuses to start on.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.bank.checks import Problem, bank_problems, check_file, topic_files
from bot.bank.schema import ChoiceQuestion, OpenQuestion, TopicFile, fold
from bot.model import KeyPoint, Kind, Question, Source, Topic

log = logging.getLogger(__name__)


class BankError(Exception):
    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file, self.line, self.message = file, line, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")


def _refuse(problems: Iterable[Problem]) -> None:
    """Raise the first error: the same problem, file and line ``quizbot questions validate`` reports."""
    for p in problems:
        if p.is_error:
            raise BankError(p.file, p.line, p.message)


def _question(m: OpenQuestion | ChoiceQuestion, topic: str) -> Question:
    choice = m if isinstance(m, ChoiceQuestion) else None
    opened = m if isinstance(m, OpenQuestion) else None
    return Question(
        id=m.id,
        topic=topic,
        kind=Kind.CHOICE if choice else Kind.OPEN,
        prompt=m.prompt,
        answer=m.answer.strip() if m.answer and m.answer.strip() else None,
        key_points=tuple(KeyPoint(kp.text, tuple(kp.aliases)) for kp in m.key_points),
        options=tuple(choice.options) if choice else (),
        correct=tuple(choice.correct) if choice else (),
        explanation=choice.explanation if choice else "",
        difficulty=m.difficulty,
        tags=tuple(m.tags),
        sources=tuple(Source(s.file, s.section or "") for s in m.source),
        answer_origin=m.answer_origin or "",
        correction=(m.correction or "").strip(),
        discussion=bool(opened and opened.discussion),
        rubric=tuple(opened.rubric or ()) if opened else (),
    )


def to_topic(model: TopicFile) -> Topic:
    """The domain ``Topic`` of a validated topic file."""
    title = model.title
    questions = []
    for q in model.questions or []:
        if not isinstance(q, (OpenQuestion, ChoiceQuestion)):  # pragma: no cover - never validates
            raise TypeError(f"unexpected question model {type(q).__name__}")
        questions.append(_question(q, model.topic))
    return Topic(
        slug=model.topic,
        title_zh=(title.zh if title and title.zh else model.topic).strip(),
        title_en=(title.en if title and title.en else model.topic).strip(),
        aliases=tuple(model.aliases),
        questions=tuple(questions),
    )


def parse_topic_file(path: Path, label: str | None = None) -> Topic:
    """One topic file, or a BankError naming its first error (``label`` is the name errors carry)."""
    check = check_file(path, label if label is not None else path.name)
    _refuse(check.problems)
    assert check.model is not None  # no error means the model validated
    return to_topic(check.model)


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
        checks = []
        for f in topic_files(directory):  # stop at the first broken file
            check = check_file(f, str(f))
            _refuse(check.problems)
            checks.append(check)
        _refuse(bank_problems(checks))
        topics = [to_topic(c.model) for c in checks if c.model is not None]
        bank = cls.from_topics(topics, [c.label for c in checks])
        warnings = sum(1 for c in checks for p in c.problems if not p.is_error)
        log.info("bank loaded: %d topics, %d questions from %s%s", len(bank.topics), len(bank.by_id), directory,
                 f" ({warnings} warning(s): quizbot questions validate)" if warnings else "")
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
