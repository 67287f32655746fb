"""The question bank: topic files in ``questions/*.yaml``, their schema, loading, validation and tooling.

- ``bot.bank.schema``: the pydantic models of a topic file (the single source of truth);
- ``bot.bank.reader`` / ``bot.bank.checks``: bounded YAML reading, and the checks loader and validator share;
- ``bot.bank.loader``: ``QuestionBank.load`` (what the bot runs on) and ``BankError``;
- ``bot.bank.validate``: ``quizbot questions validate`` (every problem, each with file and line);
- ``bot.bank.importer``: study notes -> bank entries, merged into the topic files;
- ``bot.bank.cli``: the ``import`` and ``questions`` commands of the ``quizbot`` CLI.

The engine only needs ``QuestionBank`` (and ``fold`` for matching topic names), re-exported here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.bank.loader import BankError, QuestionBank, parse_topic_file
    from bot.bank.schema import fold

__all__ = ["BankError", "QuestionBank", "fold", "parse_topic_file"]

_HOMES = {"BankError": "bot.bank.loader", "QuestionBank": "bot.bank.loader", "parse_topic_file": "bot.bank.loader",
          "fold": "bot.bank.schema"}


def __getattr__(name: str) -> Any:
    # resolved on first use: `quizbot health` and friends build the CLI (which registers the bank
    # commands) without paying for pydantic and the schema at every start
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'bot.bank' has no attribute {name!r}")
