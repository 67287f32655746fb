"""The optional LLM judge: a model reads the meaning of open answers, the local grader stays the fallback.

Modules: ``prompt`` (the rubric, the request's delimited blocks, the validated reply), ``cache``
(judgements and the daily call count in SQLite), ``client`` (``LLMJudge``: the ``openai`` client
with limits, retries and budget), ``grader`` (``JudgedGrader``: local + judge behind the
``bot.grading.Grader`` interface), ``background`` (``Judgements``: judging stored answers in the
background and settling them before a reveal).

``build_grader(settings, store)`` is what the engine calls: the local grader when no judge is
configured, else the judged grader. Importing this package does not import ``openai``; building a
judged grader does.
"""

from __future__ import annotations

from bot.config import Settings
from bot.grading import Grader, LocalGrader
from bot.storage import Store


def build_grader(settings: Settings, store: Store | None) -> Grader:
    if not settings.llm_enabled:
        return LocalGrader()
    from bot.judge.cache import JudgeCache
    from bot.judge.client import LLMJudge
    from bot.judge.grader import JudgedGrader

    return JudgedGrader(LLMJudge(settings, JudgeCache(store) if store is not None else None))


__all__ = ["build_grader"]
