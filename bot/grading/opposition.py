"""Opposite terms of the field: a point worded with one term of a pair, an answer that says the other.

"请求一个个串行跑" against the point "无依赖工具并行执行", "静态 batching" against "连续批处理": an
answer that plainly says the opposite term of a point (串行/并行, 同步/异步, 静态/动态, 离散/连续,
稠密/稀疏, 精确/近似, 单向/双向 ...; the pairs are ``bot.grading.matching.OPPOSITES``), and never the
point's own term, contradicts the point. A question whose points use both terms of a pair contrasts
them, and the pair is left alone there; a term after 比/than is the baseline of the point's comparison,
not its claim ("比离散提示更稳定"); a term said only in a conditional sentence or denied is not said.
"""

from __future__ import annotations

import re

from bot.grading.glossary import GLOSSARY
from bot.grading.matching import OPPOSITE as _OPPOSITE
from bot.grading.matching import Answer, Verdict
from bot.grading.negation import negated

OPPOSITE_UNITS = frozenset(_OPPOSITE)
_TERMS = frozenset(GLOSSARY)  # the Chinese forms the glossary writes
_LONGEST = max(map(len, _TERMS))
# other words that say a term ("模糊去重" is approximate deduplication)
_SAID_AS = {"近似": ("模糊",)}  # two-character words: bigram units of an answer


# a term after these is the baseline of a comparison ("比离散提示更稳定", "steadier than discrete prompts"):
# the point claims something about the other term
_BASELINE = re.compile(r"(?:比|相比|相较|对比|不同于|而非| than | unlik | vs | versus | compar  to | compar  with )\s*$")


def _claimed(flat: str, word: str) -> bool:
    """Is ``word`` in a phrase's flat text other than as the baseline of a comparison?"""
    pos = flat.find(word)
    while pos != -1:
        if not _BASELINE.search(flat, max(0, pos - 16), pos):
            return True
        pos = flat.find(word, pos + 1)
    return False


class PointTerms:
    """Per key point, the opposite-pair terms its own wording uses ("工具并行执行" -> {并行})."""

    __slots__ = ("points", "any")

    def __init__(self, points) -> None:
        per_point = [{w for p in phrases if not p.negative for w in _OPPOSITE if _claimed(p.flat, w)}
                     for _text, phrases in points]
        # a question whose points use both terms of a pair contrasts them ("Causal 单向, Prefix 前缀双向"):
        # saying one of them is then about another compared thing, not the opposite of a point
        used = set().union(*per_point) if per_point else set()
        self.points: list[frozenset[str]] = [frozenset(w for w in found if not _OPPOSITE[w] & used)
                                             for found in per_point]
        self.any = any(self.points)


def _straddles(flat: str, pos: int, size: int) -> bool:
    """Is flat[pos:pos + size] the end of one glossary term and the start of the next ("拒绝对数概率",
    "rejected log-probabilities" folded, holds 绝对)? Such characters are no word of their own."""
    end = pos + size
    for s in range(max(0, pos - _LONGEST + 1), end):
        for e in range(s + 2, min(len(flat), s + _LONGEST) + 1):
            if (s < pos < e < end or pos < s < end < e) and flat[s:e] in _TERMS:
                return True
    return False


def _asserted(answer: Answer, word: str) -> bool:
    """Does the answer say ``word`` plainly: not negated, and not in a conditional sentence?"""
    text, flat = answer.text, answer.text.flat
    pos = flat.find(word)
    while pos != -1:
        if _straddles(flat, pos, len(word)):
            pos = flat.find(word, pos + 1)
            continue
        start = text.token_at(pos)
        ss, se = text.span_of(start, text.sentences)
        conditional = any(c.kind == "cf" and ss <= c.start < se for c in answer.cues)
        if not conditional and not negated(text, answer.cues, start, start + len(word)):
            return True
        pos = flat.find(word, pos + 1)
    return False


def opposite_points(terms: PointTerms, answer: Answer, verdicts: list[Verdict]) -> list[Verdict]:
    """The verdicts with every point whose opposite term the answer says, while it never says the point's
    own term, made CONTRADICTED ("一个个串行跑" against "无依赖工具并行执行")."""
    if not terms.any:
        return verdicts
    present = answer.all_units & OPPOSITE_UNITS  # a set test at C level first: most answers say none
    if not present:
        return verdicts
    said = {w for w in present if _asserted(answer, w)}
    said |= {w for w, others in _SAID_AS.items() if w not in said and any(o in answer.text.flat for o in others)}
    if not said:
        return verdicts
    out = verdicts
    for k, own in enumerate(terms.points):
        if not own or verdicts[k] is Verdict.CONTRADICTED or own & said:
            continue
        if any(_OPPOSITE[w] & said for w in own):
            out = list(out) if out is verdicts else out
            out[k] = Verdict.CONTRADICTED
    return out
