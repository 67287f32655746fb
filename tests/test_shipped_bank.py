"""The shipped bank: loads, has at least 80 choice questions that fit a Telegram quiz poll and a
Discord button row, and every answered open question carries at least 3 key points."""

from __future__ import annotations

from collections import Counter

from bot.bank import QuestionBank
from bot.model import Kind
from tests.conftest import REPO

BANK = QuestionBank.load(REPO / "questions")
SEEDS = {"000_bb6898f6b048721e.txt", "001_e9f0a7d6af599f29.txt", "002_d7b90d9a4ba98447.txt",
         "003_af0a565c7c4a04e6.txt", "004_f9240c2c746bdf46.txt"}


def test_at_least_80_choice_questions_within_poll_limits():
    choice = [q for q in BANK.all_questions() if q.kind is Kind.CHOICE]
    assert len(choice) >= 80
    for q in choice:
        assert len(q.prompt) <= 300, q.id
        assert 3 <= len(q.options) <= 6 and all(len(o) <= 100 for o in q.options), q.id
        assert q.correct and all(0 <= c < len(q.options) for c in q.correct), q.id
        assert len(q.explanation) <= 200 and q.explanation.count("\n") <= 2, q.id
        assert q.sources and all(s.file in SEEDS for s in q.sources), q.id
    per_topic = Counter(q.topic for q in choice)
    assert len(per_topic) >= 9  # spread over the topics the seeds state facts for


def test_topics_have_both_titles_and_questions():
    for topic in BANK.topics.values():
        assert topic.title_zh and topic.title_en and topic.questions, topic.slug


def test_answered_questions_have_at_least_three_key_points():
    answered = [q for q in BANK.all_questions() if q.kind is Kind.OPEN and q.answer]
    assert answered
    thin = [q.id for q in answered if len(q.key_points) < 3]
    assert thin == []
