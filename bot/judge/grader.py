"""``JudgedGrader``: the local grader plus the LLM judge, behind the one ``Grader`` interface.

``grade()`` is the local grade (immediate, stored as the local score). ``await judge()`` asks the
LLM and turns its verdicts into a ``Grade`` (``judge="llm:<model>"``); when the judge fails for
any reason (timeout, HTTP error, invalid reply, unknown point numbers, budget) the failure is
logged and the local grade comes back unchanged (``judge="local"``), which is how a caller tells a
fallback from a judgement.
"""

from __future__ import annotations

import logging

from bot.grading import LocalGrader
from bot.judge.cache import Judgement
from bot.judge.client import JudgeFailure, LLMJudge
from bot.judge.prompt import Verdict, points_of
from bot.model import Grade, Question

log = logging.getLogger(__name__)


def to_grade(question: Question, judgement: Judgement, judge: str) -> Grade:
    """The judge's verdicts as a Grade: a partial point is not counted as hit (its credit is in the
    score), a contradicted one is listed as such."""
    points = points_of(question)
    by = {v: tuple(p for p, pv in zip(points, judgement.verdicts, strict=True) if pv is v) for v in Verdict}
    missed = tuple(p for p, v in zip(points, judgement.verdicts, strict=True) if v in (Verdict.MISSED, Verdict.PARTIAL))
    return Grade(judgement.score, by[Verdict.HIT], missed, contradicted=by[Verdict.CONTRADICTED], judge=judge,
                 feedback=judgement.feedback)


class JudgedGrader:
    def __init__(self, judge: LLMJudge, local: LocalGrader | None = None) -> None:
        self.llm = judge
        self.local = local or LocalGrader()
        self.name = judge.name

    def grade(self, question: Question, text: str, lang: str = "zh") -> Grade:
        return self.local.grade(question, text, lang)

    def judges(self, question: Question) -> bool:
        """Whether ``judge`` would consult the LLM for this question (it has points to check)."""
        return bool(points_of(question))

    async def judge(self, question: Question, text: str, lang: str = "zh") -> Grade:
        try:
            judgement = await self.llm.judgement(question, text, lang)
        except JudgeFailure as exc:
            log.warning("judge %s failed on %s (%s): the local grade stands", self.name, question.id, exc,
                        extra={"judge": self.name, "reason": exc.reason})
            return self.grade(question, text, lang)
        except Exception:
            log.exception("judge %s broke on %s: the local grade stands", self.name, question.id)
            return self.grade(question, text, lang)
        return to_grade(question, judgement, self.name)

    async def close(self) -> None:
        await self.llm.close()
