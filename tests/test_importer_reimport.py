"""Re-importing the five study notes into a copy of the shipped bank adds nothing and never touches a curated
entry: every note question is a shipped entry or one of the ``merged_ids`` of the entry it was merged into.

Skipped when the study notes are absent (they live next to the repository, not in it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.bank.importer.entries import import_texts
from bot.bank.importer.writer import merge_into_bank

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"


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
