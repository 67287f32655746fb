"""The question bank: topic files in ``questions/*.yaml``, their schema, loading, validation and tooling.

- ``bot.bank.loader``: ``QuestionBank.load`` (what the bot runs on) and ``BankError``;
- ``bot.bank.validate``: ``quizbot questions validate`` (every problem, each with file and line);
- ``bot.bank.importer``: study notes -> bank entries, merged into the topic files;
- ``bot.bank.cli``: the ``import`` and ``questions`` commands of the ``quizbot`` CLI.

The engine only needs ``QuestionBank`` (and ``fold`` for matching topic names), re-exported here.
"""

from bot.bank.loader import BankError, LineLoader, QuestionBank, fold, parse_question, parse_topic_file

__all__ = ["BankError", "LineLoader", "QuestionBank", "fold", "parse_question", "parse_topic_file"]
