"""Monotone claims: "越大越好", "the more data the better", a one-way street no model answer states.

The field is full of settings with a sweet spot (the rank r, the batch size, top-k, the vocabulary size,
the calibration set, the learning rate, the number of epochs): a confident misconception often states
one of them as a one-way street ("标定集越小越好", "检索到的片段越多越好", "词表越小越好", "the more
retrieved chunks the better", "set it as large as possible"), naming the question's own terms and no
negation word, so no other rule reads it. A model answer of the bank never makes such a claim (none of
its model answers does), so an answer that does says something its material does not.

A *monotone claim* is an affirmed clause of the shape

* Chinese: 越 X 越好 / 越准 / 越强 / 越稳 / 越优 / 越有效 (X at most six characters, no punctuation;
  "越来越强", more and more, is a trend, not a claim);
* English: "the more/larger/smaller/... X, the better/more accurate/stronger/safer", "as large/small/
  many/... as possible", "more/bigger/larger is (always) better";

and not denied ("并不是越长越好", "not the more the better": a negation cue within a few characters before
it), nor weighed by a contrast after it in its sentence ("r 越大表达能力越强，但显存也更多"), nor made by
the model answer itself. An answer that is not short and makes one loses ``MONOTONE_COST`` points,
never below ``MONOTONE_FLOOR``, on top of a point lost by ``bot.grading.straying``; ``bot.grading.local``
says why at the reveal (``capped == "monotone"`` and a zh/en feedback line). Over the seven tuning sets
(304 questions x 8 answers) such a claim is made by 23 wrong answers, 2 partial ones (one sentence each:
short answers are left alone), 2 negated and 2 off-topic answers, and by no good answer, translation
or paraphrase.
"""

from __future__ import annotations

import re

MONOTONE_COST = 1
MONOTONE_FLOOR = 1  # a misconception about this question still beats another topic

_ZH = r"越(?!来)[^，。；、,.;:：！？!?\s]{1,6}?越(?:好|准|强|稳|优|有效)"
_EN = (r"\bthe (?:more|larger|bigger|smaller|fewer|less|higher|lower|longer|shorter|greater)\b[^,.;:!?]{0,40},? "
       r"the (?:better|more accurate|stronger|safer)\b"
       r"|\bas (?:large|big|small|many|few|much|high|low|long|short) as possible\b"
       r"|\b(?:more|bigger|larger) is (?:always )?better\b")
CLAIM = re.compile(f"{_ZH}|{_EN}", re.IGNORECASE)
_HINTS = ("越", "better", "possible", "stronger", "accurate", "safer", "Better")
# a negation right before the claim denies it: "并不是越长越好", "不一定越多越好", "it is not the case that ..."
_DENIED = re.compile(r"(?:不是|并非|不一定|未必|不见得|\bnot\b|\bnever\b|n't)\W{0,3}(?:\w{0,3}\W{0,2})?$",
                     re.IGNORECASE)
# a contrast after the claim, in its sentence, weighs it: "r 越大表达能力越强，但显存也更多"
_CONTRAST = re.compile(r"[^。.!?！？]*?(?:但|不过|然而|代价|\bbut\b|\bhowever\b|\bat the cost\b)", re.IGNORECASE)


def claims(text: str) -> list[str]:
    """The affirmed monotone claims of a text (see the module docstring)."""
    out = []
    for m in CLAIM.finditer(text):
        if _DENIED.search(text, max(0, m.start() - 8), m.start()) or _CONTRAST.match(text, m.end()):
            continue
        out.append(m.group(0))
    return out


def overclaims(answer: str, model_answer: str | None) -> bool:
    """Does the answer claim a one-way street its model answer does not?"""
    # every form holds one of these words: a substring test spares most answers the expression
    if not any(hint in answer for hint in _HINTS) or not CLAIM.search(answer):
        return False
    return bool(claims(answer)) and not (model_answer and claims(model_answer))
