"""Re-importing the five study notes into a copy of the shipped bank adds nothing and never touches a curated
entry: every note question is a shipped entry or one of the ``merged_ids`` of the entry it was merged into.

Skipped unless QUIZBOT_SEEDS names the folder of the study notes (they are not part of the repository)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.bank.importer.entries import import_texts
from bot.bank.importer.writer import merge_into_bank

REPO = Path(__file__).resolve().parent.parent
# The user's study notes are not part of the repository: the whole-notes tests run when QUIZBOT_SEEDS
# names the folder that holds them, and skip otherwise.
SEEDS = Path(os.environ["QUIZBOT_SEEDS"]).expanduser() if os.environ.get("QUIZBOT_SEEDS") else Path("QUIZBOT_SEEDS unset")


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed notes not found at {SEEDS}")
def test_reimporting_the_study_notes_keeps_every_curated_entry(tmp_path):
    bank = tmp_path / "questions"
    shutil.copytree(REPO / "questions", bank)
    shipped = {p.name: p.read_text(encoding="utf-8") for p in bank.glob("*.yaml")}
    notes = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    result = import_texts(notes)
    report = merge_into_bank(result.entries, bank)
    for name, before in shipped.items():
        assert (bank / name).read_text(encoding="utf-8").startswith(before), name
    assert report.answers_filled == 0 and report.sources_added == 0  # curated answers and sources stand
    # the notes' questions are the bank's: each matches a shipped entry, or is listed in the merged_ids of
    # the entry curators merged it into, so nothing comes back and no file is rewritten
    assert report.added == {} and report.unanswered == 0 and report.files_written == []
    assert report.unchanged == len(result.entries)
    assert {p.name: p.read_text(encoding="utf-8") for p in bank.glob("*.yaml")} == shipped
