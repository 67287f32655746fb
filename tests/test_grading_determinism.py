"""The local grader gives the same grade in every process: no grade may depend on string hashing.

Python randomises ``str`` hashes per process (PYTHONHASHSEED), so iterating a set of units in an
order-sensitive way would give a member a different score after a restart. The answers of the four
labelled files (against their own question and another one) and a denial of every key point of each
question are graded in two child processes with different hash seeds; the grades must be identical.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

_SCRIPT = """
from bench.grading_agreement import BANK, CATEGORIES, LABELLED, load_labelled
from bot.bank import QuestionBank
from bot.grading import LocalGrader
bank = QuestionBank.load(BANK)
grader = LocalGrader()
entries = [entry for name in ("labelled", "heldout", "heldout2", "heldout3")
           for entry in load_labelled(LABELLED.with_name(f"grading_{name}.yaml"))]
questions = [bank.question(entry["id"]) for entry in entries]
for entry, question, other in zip(entries, questions, questions[1:] + questions[:1]):
    for category in CATEGORIES:
        print(repr(grader.grade(question, entry[category])))
        print(repr(grader.grade(other, entry[category])))
    # every key point named and denied: many fuzzy mentions spread over clauses
    points = [kp.text for kp in question.key_points]
    print(repr(grader.grade(question, "不需要" + "，也不用".join(points) + "，和这个无关。")))
"""


def _grades(seed: str) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    return done.stdout.splitlines()


def test_grades_do_not_depend_on_the_hash_seed():
    first, second = _grades("1"), _grades("2")
    assert len(first) >= 17 * 160  # every category of every labelled question was graded
    assert first == second
