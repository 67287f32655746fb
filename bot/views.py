"""Markdown for what the engine shows: questions, reveals, rankings, leaderboards, stats, topics.

Pure functions from plain data to Markdown strings; the engine decides when, adapters decide how
it looks on each platform. Member-supplied text (names, answers) is escaped so it cannot inject
formatting.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.catalogue import say
from bot.events import Event
from bot.model import ChatRef, Kind, Question, Round
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
    capped: str | None = None  # why the local grader held the score down: term_list | length
    feedback: str = ""  # the LLM judge's one-line feedback
    judge: str = "local"  # who gave the score: local | llm:<model>
    fallback: bool = False  # the LLM judge was asked but failed: the score is the local one
    private: bool = False  # written where the chat cannot read it: its text is never shown there


def member_lines(a: ScoredAnswer, lang: str) -> list[str]:
    """What the reveal says under a member's score: the judge's feedback, or why the local grader
    held the score down. Feedback on a private answer may quote it, so the group never sees that."""
    if a.judge != "local" and a.feedback and not a.private:
        return [f"   _{md_escape(clip(a.feedback, FEEDBACK_PREVIEW))}_"]
    if a.capped in ("term_list", "length"):
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
            n = sum(1 for a in answers if kp.text in a.hits)
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
            detail = ", ".join(a.hits) if a.hits else "—"
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


def ranking_lines(rows: Sequence[tuple[str, int, int]], empty: str) -> list[str]:
    """rows: (name, total score, answers). Ties share a rank."""
    if not rows:
        return [empty]
    out, prev, rank = [], None, 0
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    for i, (name, total, count) in enumerate(rows, 1):
        if total != prev:
            rank, prev = i, total
        out.append(f"{medals.get(rank, f'{rank}.')} **{md_escape(name)}** {total} ({count})")
    return out
