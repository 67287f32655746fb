"""The choice questions in questions/*.yaml: they load through QuestionBank.load, fit a Telegram quiz
poll (and a Discord button row), index their correct option, use unique ids, cover the fixed topic
taxonomy with zh+en titles and non-colliding aliases, and cite seed notes that exist."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.bank import QuestionBank, fold
from bot.model import Kind

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = REPO / "questions"
# The user's study notes are not part of the repository: QUIZBOT_SEEDS names their folder when present.
SEEDS = Path(os.environ["QUIZBOT_SEEDS"]).expanduser() if os.environ.get("QUIZBOT_SEEDS") else Path("QUIZBOT_SEEDS unset")

TAXONOMY = {"basics", "pretrain", "sft", "peft", "alignment", "inference", "infra", "rag", "agents",
            "evaluation", "components", "projects"}

# Telegram quiz poll limits (question, option, explanation); a poll takes 2..10 options, we keep 3..6
# so that the options also fit one row of Discord buttons.
PROMPT_MAX, OPTION_MAX, EXPLANATION_MAX, EXPLANATION_LINE_FEEDS = 300, 100, 200, 2

BANK = QuestionBank.load(QUESTIONS)
CHOICE = [q for q in BANK.all_questions() if q.kind is Kind.CHOICE]


def _raw_files() -> dict[str, dict]:
    """The YAML as written: titles default to the slug when missing, and duplicate ids must be seen
    per file, so both are checked on the raw documents rather than on the loaded bank."""
    return {p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(QUESTIONS.glob("*.y*ml"))}


def test_at_least_80_choice_questions():
    assert len(CHOICE) >= 80


@pytest.mark.parametrize("q", CHOICE, ids=lambda q: q.id)
def test_choice_question_fits_poll_limits(q):
    assert q.prompt and len(q.prompt) <= PROMPT_MAX
    assert 3 <= len(q.options) <= 6
    assert all(o.strip() and len(o) <= OPTION_MAX for o in q.options)
    assert len(set(q.options)) == len(q.options), "options must be distinct"
    assert q.correct and all(isinstance(c, int) and 0 <= c < len(q.options) for c in q.correct)
    assert q.explanation and len(q.explanation) <= EXPLANATION_MAX
    assert q.explanation.count("\n") <= EXPLANATION_LINE_FEEDS
    assert 1 <= q.difficulty <= 3
    assert q.sources and all(s.file for s in q.sources), "every choice question cites a seed"


def test_ids_unique_across_all_files():
    ids = [q["id"] for doc in _raw_files().values() for q in (doc.get("questions") or [])]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert dupes == []
    assert len(BANK.by_id) == len(ids)


def test_choice_ids_name_their_topic():
    assert [q.id for q in CHOICE if not q.id.startswith(f"{q.topic}-")] == []


def test_taxonomy_topics_with_titles_in_both_languages():
    docs = _raw_files()
    assert {doc["topic"] for doc in docs.values()} == TAXONOMY
    for name, doc in docs.items():
        assert name == f"{doc['topic']}.yaml"
        title = doc.get("title") or {}
        assert isinstance(title.get("zh"), str) and title["zh"].strip(), name
        assert isinstance(title.get("en"), str) and title["en"].strip(), name
        assert doc.get("aliases"), name


def test_aliases_do_not_collide_between_topics():
    owner: dict[str, str] = {}
    clashes = []
    for t in BANK.topics.values():
        for name in {t.slug, t.title_zh, t.title_en, *t.aliases}:
            key = fold(name)
            if owner.setdefault(key, t.slug) != t.slug:
                clashes.append((name, owner[key], t.slug))
    assert clashes == []


def test_every_topic_has_at_least_four_choice_questions():
    per_topic = Counter(q.topic for q in CHOICE)
    assert {t: per_topic[t] for t in TAXONOMY if per_topic[t] < 4} == {}


def test_correct_option_positions_vary():
    # a bank where the answer is nearly always "A" can be gamed without reading the question
    first = Counter(q.correct[0] for q in CHOICE)
    assert first.most_common(1)[0][1] <= 0.6 * len(CHOICE)
    assert len(first) >= 3


def test_sources_name_existing_seed_files():
    if not SEEDS.is_dir():
        pytest.skip("set QUIZBOT_SEEDS to the folder of the study notes to check source file names")
    seeds = {p.name for p in SEEDS.iterdir() if p.is_file()}
    unknown = sorted({(q.id, s.file) for q in BANK.all_questions() for s in q.sources if s.file not in seeds})
    assert unknown == []
