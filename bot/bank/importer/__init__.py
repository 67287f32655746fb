"""Study notes (Markdown or plain text) -> question-bank entries, merged into ``questions/<topic>.yaml``.

The stages, one module each:

1. ``lines``: notes -> classified ``Line`` values (heading, list item, code, table, text) and the small
   text heuristics the parser is built on;
2. ``parse``: which lines are questions and which lines answer them (``Candidate`` values);
3. ``enrich``: answer Markdown, key points, topic and difficulty of each candidate;
4. ``entries``: one ``Entry`` per question, near-duplicates merged, stable ids (the entry point:
   ``import_texts`` / ``import_files``);
5. ``writer``: merge entries into the topic files without losing curation.
"""

from bot.bank.importer.entries import Entry, ImportResult, import_files, import_texts
from bot.bank.importer.writer import BankWriteError, MergeReport, merge_into_bank

__all__ = ["BankWriteError", "Entry", "ImportResult", "MergeReport", "import_files", "import_texts",
           "merge_into_bank"]
