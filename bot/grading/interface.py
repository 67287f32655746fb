"""The interface between the engine and a grader of open answers.

The engine needs two things from a grader:

* ``grade(question, text, lang)``: an immediate, synchronous grade, used to acknowledge the answer
  and stored as the local score. It must be fast (the answer path) and must not fail.
* ``await judge(question, text, lang)``: the best grade this grader can give, awaited in the
  background before the reveal. A grader that consults something slow or fallible (an LLM behind an
  API) does it here and returns its ``grade()`` result when that fails, times out or is over budget,
  so the caller never has to handle a missing grade. For the local grader both are the same.

``Grade.judge`` says who produced the score ("local" or "llm:<model>") so the reveal can show it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.model import Grade, Question


@runtime_checkable
class Grader(Protocol):
    name: str  # "local" or "llm:<model>"

    def grade(self, question: Question, text: str, lang: str = "zh") -> Grade: ...

    async def judge(self, question: Question, text: str, lang: str = "zh") -> Grade: ...
