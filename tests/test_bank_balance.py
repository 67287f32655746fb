"""The shipped bank is held to the content rules: it validates; every open question is answered (with
its origin) or is a discussion question with a rubric, and discussion questions stay a small share;
the choice questions test knowledge rather than the notes and give no length or position signal.
The strict rules themselves are tested on small banks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.bank import QuestionBank
from bot.bank.stats import ChoiceBalance, OpenCounts, mentions_notes, stats_lines, strictly_longest
from bot.bank.validate import validate
from bot.model import Kind, Question

QUESTIONS = Path(__file__).resolve().parent.parent / "questions"
BANK = QuestionBank.load(QUESTIONS)
ALL = BANK.all_questions()
OPEN = [q for q in ALL if q.kind is Kind.OPEN]
CHOICE = [q for q in ALL if q.kind is Kind.CHOICE]

LONGEST_MAX, NOTES_MAX, CHOICE_MIN, PER_TOPIC_MIN, DISCUSSION_MAX = 0.35, 0.03, 250, 12, 0.15


def test_shipped_bank_validates_without_errors():
    assert [str(p) for p in validate(QUESTIONS) if p.is_error] == []


@pytest.mark.parametrize("q", OPEN, ids=lambda q: q.id)
def test_open_question_is_answered_or_a_discussion_question_with_a_rubric(q: Question):
    if q.discussion:
        assert q.answer is None and 3 <= len(q.rubric) <= 5
    else:
        assert q.answer and q.answer.strip()
        assert q.answer_origin in ("notes", "written")
        assert 3 <= len(q.key_points) <= 6
        assert not q.correction or q.answer_origin == "notes"


def test_discussion_questions_are_at_most_15_percent():
    counts = OpenCounts.of(ALL)
    assert counts.unknown == 0 and counts.answered + counts.discussion == counts.total
    assert counts.discussion <= DISCUSSION_MAX * counts.total


def test_choice_balance_within_targets():
    balance = ChoiceBalance.of(ALL)
    assert balance.count >= CHOICE_MIN
    assert balance.longest_share <= LONGEST_MAX, [q.id for q in CHOICE if strictly_longest(q)]
    assert balance.notes_share <= NOTES_MAX, [q.id for q in CHOICE if mentions_notes(q)]
    per_topic = Counter(q.topic for q in CHOICE)
    assert {t: per_topic[t] for t in BANK.topics if per_topic[t] < PER_TOPIC_MIN} == {}
    # position in the bank carries little signal even before the shuffle
    assert max(balance.positions.values()) <= 0.4 * balance.count


@pytest.mark.parametrize("q", CHOICE, ids=lambda q: q.id)
def test_choice_question_fits_a_poll_and_has_a_source_and_explanation(q: Question):
    assert len(q.prompt) <= 300 and 2 <= len(q.options) <= 12
    assert all(0 < len(o) <= 100 for o in q.options) and len(set(q.options)) == len(q.options)
    assert len(q.correct) == 1 and 0 <= q.correct[0] < len(q.options)  # a quiz poll has one answer
    assert q.explanation.strip() and len(q.explanation) <= 200 and q.explanation.count("\n") <= 2
    assert q.sources and all(s.file for s in q.sources)


def test_strictly_longest_and_notes_mentions():
    q = Question("c", "t", Kind.CHOICE, "按笔记，下列哪项正确？", options=("长长的正确选项", "短", "也短"), correct=(0,))
    assert strictly_longest(q) and mentions_notes(q)
    tie = Question("c", "t", Kind.CHOICE, "哪项正确？", options=("一样长", "同样长", "短"), correct=(0,))
    assert not strictly_longest(tie) and not mentions_notes(tie)


def test_stats_report_names_every_topic_and_the_balance_figures():
    text = "\n".join(stats_lines(BANK))
    for slug in BANK.topics:
        assert f"\n{slug} " in text
    assert "correct option strictly the longest" in text and "correct position in the bank" in text
    assert "prompts mentioning 笔记/面经/本节/原文" in text


# --- the strict rules on small banks -----------------------------------------------------------

HEAD = "topic: t\ntitle: {zh: 测试, en: Test}\nquestions:\n"
ANSWERED = "  - id: t-{n}\n    prompt: 问题{n}？\n    answer: 答案。\n    answer_origin: written\n"
TALK = "  - id: t-d{n}\n    prompt: 讲讲你的项目{n}\n    discussion: true\n    rubric: [背景, 职责, 结果]\n"


def bank_of(tmp_path: Path, body: str) -> Path:
    (tmp_path / "t.yaml").write_text(HEAD + body, encoding="utf-8")
    return tmp_path


def test_unanswered_open_question_is_an_error_with_its_line(tmp_path):
    bank = bank_of(tmp_path, ANSWERED.format(n=1) + "  - id: t-bare\n    prompt: 没有答案？\n")
    [p] = validate(bank)
    assert p.is_error and p.line == 8
    assert "question t-bare: an open question needs an 'answer'" in p.message and "'discussion: true'" in p.message


def test_answer_without_origin_is_an_error(tmp_path):
    bank = bank_of(tmp_path, "  - id: t-1\n    prompt: 问题？\n    answer: 答案。\n")
    [p] = validate(bank)
    assert p.is_error and p.line == 6 and "needs 'answer_origin: notes'" in p.message


def test_discussion_share_is_a_bank_level_error(tmp_path):
    # 6 answered + 1 discussion: ceil(15% of 7) = 2 allowed
    ok = "".join(ANSWERED.format(n=i) for i in range(6)) + TALK.format(n=1)
    assert validate(bank_of(tmp_path, ok)) == []
    QuestionBank.load(tmp_path)
    too_many = ok + TALK.format(n=2) + TALK.format(n=3)
    [p] = validate(bank_of(tmp_path, too_many))
    assert p.is_error and "3 of 9 open questions are discussion questions; at most 15% (2)" in p.message
    with pytest.raises(Exception, match="discussion questions"):
        QuestionBank.load(tmp_path)
