"""The field's written vocabulary: every content unit of the question bank, to tell field claims from plain words.

``bot.grading.precision`` asks of a word an answer uses outside its question's own material whether it
is a word of the field (a term, a method, a model, a number the bank's answers use somewhere:
"协同过滤", "层次聚类", "BERT", "立方") or an everyday word ("圆滚滚", "扎堆", "tidy up"). A
misconception that names the right point inside a claim about something else is made of the first;
a correct explanation in plain words of the second.

The vocabulary is the set of content units (Chinese character bigrams, English stems after the
glossary, see ``bot.grading.normalise``; no function word, none of the field's generic words) of all
prompts, model answers, key points, aliases and rubric items of the bank, stored in
``fieldwords.txt`` beside this module so that grading needs no bank and gives the same grade in every
process. It describes the field, not any one question: regenerate it after large changes to the bank
with ``python -m bot.grading.fieldwords [questions-dir]`` (a test checks it still covers the bank).
"""

from __future__ import annotations

import sys
from pathlib import Path

DATA = Path(__file__).with_name("fieldwords.txt")
LINE_WIDTH = 200  # characters per line of the stored file, so a diff after regenerating stays readable


def _load() -> frozenset[str]:
    try:
        return frozenset(DATA.read_text(encoding="utf-8").split())
    except OSError:  # without the table no word counts as the field's: the precision rule never fires
        return frozenset()


FIELD_UNITS: frozenset[str] = _load()


def bank_units(questions_dir: Path) -> frozenset[str]:
    """The content units of every question of the bank in ``questions_dir``."""
    # imported here: the grader imports this module, and the bank and the grader's tests of a unit are
    # only needed when the table is rebuilt
    from bot.bank import QuestionBank
    from bot.grading.local import GENERIC_UNITS, _is_content
    from bot.grading.normalise import Text, units

    found: set[str] = set()
    for q in QuestionBank.load(questions_dir).all_questions():
        words = [q.prompt, q.answer or "", *q.rubric, *(w for kp in q.key_points for w in (kp.text, *kp.aliases))]
        found |= {u for u in units(Text(" 。".join(words)).tokens) if _is_content(u)}
    return frozenset(found - GENERIC_UNITS)


def render(found: frozenset[str]) -> str:
    """The stored form: sorted units separated by spaces, ``LINE_WIDTH`` characters a line."""
    lines, line = [], ""
    for unit in sorted(found):
        if line and len(line) + 1 + len(unit) > LINE_WIDTH:
            lines.append(line)
            line = unit
        else:
            line = f"{line} {unit}" if line else unit
    return "\n".join([*lines, line]) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0] if args else "questions")
    if not directory.is_dir():
        print(f"error: {directory} is not a questions directory", file=sys.stderr)
        return 2
    found = bank_units(directory)
    DATA.write_text(render(found), encoding="utf-8")
    print(f"{len(found)} units written to {DATA}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
