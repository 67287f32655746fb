"""Markdown for what the engine shows: questions, reveals, rankings, leaderboards, stats, topics.

Pure functions from plain data to Markdown strings; the engine decides when, adapters decide how
it looks on each platform. Member-supplied text (names, answers) is escaped so it cannot inject
formatting.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.catalogue import say
from bot.events import Event
from bot.model import CAP_REASONS, ChatRef, Kind, Question, Round
from bot.replies import Button, Reply, ReplyKind

LETTERS = "ABCDEFGHIJKL"
ANSWER_PREVIEW = 300  # characters of a member's answer shown in a discussion reveal
FEEDBACK_PREVIEW = 160  # characters of the judge's feedback shown per member; longer is folded with "…"

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|<>~$])")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def code_safe(text: str) -> str:
    """Member text for a code span (`…`): Markdown is inert there, but a backtick would end the
    span and a line break the line, so both are replaced."""
    return " ".join(text.replace("`", "'").split())


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def duration(seconds: float, lang: str) -> str:
    seconds = int(round(seconds))
    if seconds % 60 == 0 and seconds >= 60:
        return f"{seconds // 60} 分钟" if lang == "zh" else f"{seconds // 60} min"
    return f"{seconds} 秒" if lang == "zh" else f"{seconds} s"


def reveal_when(closes_at: float, posted_on: str, tz: str, lang: str) -> str:
    """When a question of the day posted on local date ``posted_on`` is revealed: "today 21:00",
    "tomorrow 09:00" or a date, so a time alone is never read as a deadline of the wrong day."""
    local = datetime.fromtimestamp(closes_at, ZoneInfo(tz))
    time = local.strftime("%H:%M")
    days = (local.date() - date.fromisoformat(posted_on)).days
    if days <= 0:
        return say(lang, "when_today", time=time)
    if days == 1:
        return say(lang, "when_tomorrow", time=time)
    return say(lang, "when_date", date=local.date().isoformat(), time=time)


def question_text(q: Question, header: str, hint: str, lang: str) -> str:
    parts = [header, "", q.prompt]
    if q.kind is Kind.CHOICE:
        parts.append("")
        parts.extend(f"{LETTERS[i]}. {opt}" for i, opt in enumerate(q.options))
    elif q.is_discussion:
        parts += ["", "*" + say(lang, "discussion_note") + "*"]
    parts += ["", "_" + hint + "_"]
    return "\n".join(parts)


def question_reply(chat: ChatRef, rnd: Round, q: Question, header: str, hint: str, lang: str,
                   window: float | None) -> Reply:
    """A question as posted: choice questions with one button per option, open questions in a
    group with the *answer privately* button. Options appear in the round's order."""
    q = q.in_order(rnd.option_order)
    if q.kind is Kind.CHOICE:
        buttons = tuple(
            Button(f"{LETTERS[i]}. {opt}", f"qb:pick:{rnd.id}:{i}") for i, opt in enumerate(q.options)
        )
        return Reply(chat, ReplyKind.QUESTION, question_text(q, header, hint, lang), buttons=buttons,
                     options=q.options, correct=q.correct, explanation=q.explanation, round_id=rnd.id,
                     question_id=q.id, window=window)
    buttons = () if chat.private else (Button(say(lang, "answer_privately"), f"qb:ans:{rnd.id}"),)
    return Reply(chat, ReplyKind.QUESTION, question_text(q, header, hint, lang), buttons=buttons,
                 round_id=rnd.id, question_id=q.id, window=window)


def error_reply(event: Event, lang: str, key: str, **fields: object) -> Reply:
    """A catalogue message telling the member what could not be accepted (only they need to see it)."""
    return Reply(event.chat, ReplyKind.ERROR, say(lang, key, **fields), to_user=event.user)


def next_buttons(chat: ChatRef, lang: str) -> tuple[Button, ...]:
    """In a private chat a reveal or ranking offers the next question."""
    return (Button(say(lang, "next_button"), "qb:next"),) if chat.private else ()


@dataclass(frozen=True)
class ScoredAnswer:
    name: str
    score: int
    hits: Sequence[str]
    text: str | None
    choice: int | None
    contradicted: Sequence[str] = ()  # key points the answer denies
    capped: str | None = None  # why the local grader held the score down: one of CAP_REASONS
    feedback: str = ""  # the LLM judge's one-line feedback
    judge: str = "local"  # who gave the score: local | llm:<model>
    fallback: bool = False  # the LLM judge was asked but failed: the score is the local one
    private: bool = False  # written where the chat cannot read it: its text is never shown there


SHOWN_CAPS = CAP_REASONS  # the local grader's reasons, as the reveal words them


def credited_hits(a: ScoredAnswer) -> Sequence[str]:
    """The key points the reveal credits an answer with. None when the local grader scored it as
    off topic: a point's words met in an answer about another subject (a 0/10 beside "✅ chunking"
    reads as a grading error), nor when it found the points named only inside claims about other things
    (``bot.grading.precision``): they earned nothing."""
    return () if a.capped in ("off_topic", "foreign") and a.judge == "local" else a.hits


def member_lines(a: ScoredAnswer, lang: str) -> list[str]:
    """What the reveal says under a member's score: the judge's feedback, or why the local grader
    held the score down. Feedback on a private answer may quote it, so the group never sees that."""
    if a.judge != "local" and a.feedback and not a.private:
        return [f"   _{md_escape(clip(a.feedback, FEEDBACK_PREVIEW))}_"]
    if a.capped in SHOWN_CAPS and a.judge == "local":
        return [f"   _{say(lang, 'cap_' + a.capped)}_"]
    return []


def reveal_text(q: Question, answers: Sequence[ScoredAnswer], lang: str) -> str:
    """Header, key-point checklist (with how many members hit each) and the scores."""
    lines = [say(lang, "reveal_title", prompt=clip(q.prompt, 200))]
    if q.kind is Kind.CHOICE:
        correct = ", ".join(f"{LETTERS[i]}. {q.options[i]}" for i in q.correct)
        lines += ["", say(lang, "correct_option", option=correct)]
        if q.explanation:
            lines.append(q.explanation)
    elif q.key_points:
        lines += ["", say(lang, "checklist")]
        for kp in q.key_points:
            n = sum(1 for a in answers if kp.text in credited_hits(a))
            denied = sum(1 for a in answers if kp.text in a.contradicted)
            mark = "✅" if n else "⬜"
            lines.append(f"- {mark} {kp.text}" + (f" ({n}/{len(answers)})" if answers else "")
                         + (f" · ✗ {denied}" if denied else ""))
    if q.is_discussion:
        lines += ["", say(lang, "members_answers")]
        if not answers:
            lines.append(say(lang, "no_answers"))
        for a in answers:
            if a.private:  # taking part is public, the words are not
                lines.append(f"- **{md_escape(a.name)}** {a.score}/10 · _{say(lang, 'answered_privately')}_")
            else:
                lines.append(f"- **{md_escape(a.name)}**: {md_escape(clip(a.text or '', ANSWER_PREVIEW))}")
        return "\n".join(lines)
    lines += ["", say(lang, "scores")]
    if not answers:
        lines.append(say(lang, "no_answers"))
    for rank, a in enumerate(answers, 1):
        if q.kind is Kind.CHOICE:
            pick = LETTERS[a.choice] if a.choice is not None and a.choice < len(LETTERS) else "?"
            detail = f"{pick} {'✅' if a.score else '❌'}"
        else:
            hits = credited_hits(a)
            detail = ", ".join(hits) if hits else "—"
            if a.contradicted:
                detail += " · " + ", ".join(f"✗ {p}" for p in a.contradicted)
            if a.fallback:
                detail += " " + say(lang, "local_mark")
            if a.private:
                detail += f" · _{say(lang, 'answered_privately')}_"
        lines.append(f"{rank}. **{md_escape(a.name)}** {a.score}/10 · {detail}")
        if q.kind is not Kind.CHOICE:
            lines += member_lines(a, lang)
    judges = sorted({a.judge for a in answers if a.judge != "local"})
    if judges and any(a.fallback for a in answers):
        lines += ["", "_" + say(lang, "judge_note", judge=", ".join(j.removeprefix("llm:") for j in judges)) + "_"]
    return "\n".join(lines)


def model_answer_text(q: Question, lang: str) -> str:
    if not q.answer:
        return ""
    return say(lang, "model_answer") + "\n\n" + q.answer


def best_answer(answers: Sequence[ScoredAnswer]) -> ScoredAnswer | None:
    """The highest-scoring answer the chat itself could read (the first of equals); a private
    answer is never a candidate, however good: its words stay with its author."""
    shown = [a for a in answers if not a.private and a.score > 0 and (a.text or "").strip()]
    return max(shown, key=lambda a: a.score, default=None)  # max keeps the first of equal scores


def best_answer_text(answers: Sequence[ScoredAnswer], lang: str) -> str:
    """The best group answer, quoted and attributed, at most ``ANSWER_PREVIEW`` characters."""
    best = best_answer(answers)
    if best is None:
        return ""
    quote = md_escape(clip(best.text or "", ANSWER_PREVIEW))
    return say(lang, "best_answer", name=f"**{md_escape(best.name)}**", score=best.score) + "\n\n> " + quote


def reveal_folded(q: Question, answers: Sequence[ScoredAnswer], lang: str) -> str:
    """What follows the reveal's scores: the model answer, and under it the best answer posted in
    the chat (open questions only; a discussion's answers are all listed already)."""
    parts = [model_answer_text(q, lang)]
    if q.kind is Kind.OPEN and not q.is_discussion:
        parts.append(best_answer_text(answers, lang))
    return "\n\n".join(p for p in parts if p)


def ended_text(q: Question, notice: str, lang: str) -> str:
    """A question ended without scores (/skip, /stop): the notice, the question and, for a choice
    question, its correct option, so the round still teaches something."""
    lines = [notice, "", say(lang, "reveal_title", prompt=clip(q.prompt, 200))]
    if q.kind is Kind.CHOICE:
        correct = ", ".join(f"{LETTERS[i]}. {q.options[i]}" for i in q.correct)
        lines += [say(lang, "correct_option", option=correct)]
        if q.explanation:
            lines.append(q.explanation)
    elif q.is_discussion:
        lines.append("_" + say(lang, "discussion_note") + "_")
    return "\n".join(lines)


def ranking_lines(rows: Sequence[tuple[str, int, int]], empty: str, legend: str = "") -> list[str]:
    """rows: (name, total score, answers). Ties share a rank. ``legend`` (what the number in
    brackets counts) closes a non-empty ranking."""
    if not rows:
        return [empty]
    out, prev, rank = [], None, 0
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    for i, (name, total, count) in enumerate(rows, 1):
        if total != prev:
            rank, prev = i, total
        out.append(f"{medals.get(rank, f'{rank}.')} **{md_escape(name)}** {total} ({count})")
    return out + ([legend] if legend else [])
