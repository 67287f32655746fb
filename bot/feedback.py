"""*My feedback*: a member's own result on a revealed open question, shown to them alone.

A group reveal lists every member's score and the points they hit, but never the words of an answer
written privately, nor the judge's feedback on it (feedback may quote the answer). Under the reveal
of an open question in a group, when at least one answer has feedback or a capped score, a button
(``qb:fb:<round>``) lets each member read their own result in full: score and who gave it, points
hit and contradicted, why the score was capped, the grader's notes or the judge's feedback. The
result is built for the presser only, from their own answer row; another member pressing the same
button gets their own result, or "you did not answer".

The reply is addressed to the presser (``to_user``) and marked ``meta["secret"]``: it must never be
posted where others can read it. Discord answers the button ephemerally and the console prints it
to the presser; Telegram shows it as the button's alert (200 characters) and, when it does not fit
there, sends it in full to the member's private chat, with ``meta["sent_privately"]`` or, when the
member has not started the bot, ``meta["open_bot"]`` appended to the alert.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.bank import QuestionBank
from bot.catalogue import say
from bot.events import ButtonPress
from bot.model import CAP_REASONS, ChatRef, Kind, Question, RoundStatus
from bot.replies import Button, Reply, ReplyKind
from bot.rounds import Rounds, contradicted_of, hits_of
from bot.views import ScoredAnswer, clip, credited_hits, error_reply, md_escape

BUTTON_PREFIX = "qb:fb:"
_DATA = re.compile(r"^qb:fb:([0-9]{1,18})$")
CAPS = CAP_REASONS  # the local grader's reasons to hold a score down
PROMPT_PREVIEW = 120  # characters of the question shown above the result (it may be read much later)


def feedback_button(round_id: int, lang: str) -> Button:
    return Button(say(lang, "feedback_button"), f"{BUTTON_PREFIX}{round_id}")


def feedback_buttons(chat: ChatRef, round_id: int, question: Question,
                     answers: Sequence[ScoredAnswer], lang: str) -> tuple[Button, ...]:
    """The button under a group reveal of an open question with something to explain privately. A
    private chat's reveal already shows its only member everything."""
    if chat.private or question.kind is not Kind.OPEN:
        return ()
    if not any(a.feedback or a.capped in CAPS for a in answers):
        return ()
    return (feedback_button(round_id, lang),)


def _points(points: Sequence[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(md_escape(p) for p in points)


def result_text(question: Question | None, answer: ScoredAnswer, lang: str, prompt: str) -> str:
    """A member's own result, in full (their feedback is escaped: it may quote their answer)."""
    if answer.judge != "local":
        by = say(lang, "feedback_by_llm", model=md_escape(answer.judge.removeprefix("llm:")))
    elif answer.fallback:
        by = say(lang, "feedback_by_fallback")
    else:
        by = say(lang, "feedback_by_local")
    lines = [say(lang, "feedback_title", prompt=md_escape(clip(prompt, PROMPT_PREVIEW))), "",
             say(lang, "feedback_score", score=answer.score, judge=by)]
    if question is None or question.kind is Kind.OPEN:
        hits = credited_hits(answer)
        lines.append(say(lang, "feedback_hits", points=_points(hits, lang) if hits else "—"))
        if answer.contradicted:
            lines.append(say(lang, "feedback_contradicted", points=_points(answer.contradicted, lang)))
    feedback = " ".join(answer.feedback.split())
    if answer.capped in CAPS and not (answer.judge == "local" and feedback):
        # the local grader's notes already say why it capped the score; a cap without notes says it here
        lines.append(say(lang, "feedback_cap", reason=say(lang, "cap_" + answer.capped)))
    if feedback:
        key = "feedback_notes" if answer.judge == "local" else "feedback_judge"
        lines.append(say(lang, key, text=md_escape(feedback)))
    return "\n".join(lines)


async def own_result(event: ButtonPress, lang: str, rounds: Rounds, bank: QuestionBank) -> list[Reply]:
    """``qb:fb:<round>``: the presser's own result on that round, for their eyes only."""
    m = _DATA.match(event.data)
    rnd = await rounds.get(int(m.group(1))) if m else None
    if rnd is None:
        return [error_reply(event, lang, "unknown_button")]
    if rnd.status is RoundStatus.OPEN:  # a forged or early press: results come with the reveal
        return [error_reply(event, lang, "feedback_not_yet")]
    # only the presser's own row is ever read: nobody can reach another member's feedback
    row = next((r for r in await rounds.answers(rnd.id) if r["user_key"] == event.user.key), None)
    if row is None:
        return [_secret(event, say(lang, "feedback_no_answer"), lang)]
    question = bank.question(rnd.question_id)
    answer = ScoredAnswer(row["name"], row["score"], hits_of(row), None, row["choice"],
                          contradicted=contradicted_of(row), capped=row["capped"], feedback=row["feedback"] or "",
                          judge=row["judge"] or "local", fallback=row["judge_state"] == "failed", private=True)
    prompt = question.prompt if question is not None else rnd.question_id
    return [_secret(event, result_text(question, answer, lang, prompt), lang)]


def _secret(event: ButtonPress, text: str, lang: str) -> Reply:
    return Reply(event.chat, ReplyKind.INFO, text, to_user=event.user,
                 meta={"secret": True, "sent_privately": say(lang, "feedback_sent_privately"),
                       "open_bot": say(lang, "feedback_open_bot")})
