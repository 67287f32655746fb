"""The question bank: topic files in ``questions/*.yaml``, their schema, loading, validation and tooling.

- ``bot.bank.schema``: the pydantic models of a topic file (the single source of truth);
- ``bot.bank.reader`` / ``bot.bank.checks``: bounded YAML reading, and the checks loader and validator share;
- ``bot.bank.loader``: ``QuestionBank.load`` (what the bot runs on) and ``BankError``;
- ``bot.bank.validate``: ``quizbot questions validate`` (every problem, each with file and line);
- ``bot.bank.importer``: study notes -> bank entries, merged into the topic files;
- ``bot.bank.cli``: the ``import`` and ``questions`` commands of the ``quizbot`` CLI.

The engine only needs ``QuestionBank`` (and ``fold`` for matching topic names), re-exported here.
"""

from bot.bank.loader import BankError, QuestionBank, parse_topic_file
from bot.bank.schema import fold

__all__ = ["BankError", "QuestionBank", "fold", "parse_topic_file"]
