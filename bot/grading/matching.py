"""Finding a key point in an answer: where it is mentioned, and whether the mention affirms or denies it.

A phrase (a key point's text or one of its aliases, or a rubric item) is prepared once: its tokens
with its own negation split off (``negation.split_polarity``), its flat rendering and its units.
It is mentioned in an answer at every place where

1. its flat form occurs verbatim (after normalisation, glossary and stemming), or
2. its tokens occur in order within one sentence, spread over at most twice the phrase's length
   ("数据的分布发生偏移" mentions "数据分布偏移"), or
3. at least ``threshold`` of its units (Chinese bigrams, English stems) occur within one sentence
   (small wording differences); 2 and 3 need a phrase of at least 3 units, so "LoRA" must be
   written as such. The shared units must hold at least two that are no English function words
   ("the", "to", "is", "of"; all of them for a phrase with fewer): grammar alone is no mention, or
4. all its tokens occur in one clause in another order or with Chinese words between them, close
   together and holding two thirds of its units ("loss 只算在生成部分" mentions "生成部分算loss",
   "冻结整个预训练模型" mentions "冻结模型"); a lone character at the phrase's edge keeps its side
   ("学习率太小" is no "小学习率"), and no English word may stand between (English says its roles
   by word order). Such a mention affirms the point when it is not negated, but a denial found
   there does not contradict it: the words between may deny something of their own.

A fuzzy mention (2, 3 or 4) that says the opposite term of a field pair where the phrase says its own
(``OPPOSITES``: "单向注意力" for "双向注意力", "稀疏检索" for "稠密检索"; and the two halves of one
design, "编码器架构" for "解码器架构", "Post-LN" for "Pre-LN") is no mention: it shares most units and
says something else.

A phrase with a comparative 更 after its subject ("训练更慢") is also met by its plain predicate
("训练慢一些"), and an amount predicate by the other adjectives of its direction ("计算量少" by
"计算量更小", "显存占用多" by "显存占用大"; never across directions), see ``phrases_of``. No mention
starts on the second character of a common word ("然后训练" is no "后训练") or ends on the first
character of a degree word ("计算量大幅减少" is no "计算量大"): Chinese is written without spaces.

Matching stays inside a sentence: a pasted text cannot assemble a key point from fragments strewn
over many sentences. Each mention is then checked for negation; the phrase is *hit* if one mention
has the phrase's polarity, *contradicted* if every mention denies a positive phrase.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from itertools import chain, compress, count

from bot.grading.negation import Cue, find_cues, negated, split_polarity
from bot.grading.normalise import CJK_MIN, CLAUSE, SENTENCE, Text

FUZZY_THRESHOLD = 0.75  # share of a phrase's units that must appear in one sentence of the answer
MIN_FUZZY_UNITS = 3  # shorter phrases are only matched verbatim
BAG_SPAN = 2.5  # tokens of a phrase met in another order lie within this many times its length
BAG_UNIT_SHARE = 2 / 3  # ... and hold this share of its units (reordering breaks the bigrams at its joints)
MIN_LATIN = 3  # a Latin-only phrase of several tokens needs this many letters ("O(n)" is too short)


# English function words say nothing about which point is meant: the units a fuzzy match shares must
# hold at least MIN_CONTENT_SHARED others (all of them, for a phrase with fewer), so that "is added to
# the token embeddings" does not meet "added to the logits" by its "to" and "the"
MIN_CONTENT_SHARED = 2
FUNCTION_WORDS = frozenset(("the", "a", "an", "to", "of", "in", "on", "at", "by", "for", "with", "from", "as", "is",
                            "are", "was", "were", "be", "been", "it", "its", "this", "that", "these", "those", "and",
                            "or", "into", "onto"))


# Opposite terms of the field. A point worded with one of them is contradicted by an answer that says the
# other (``bot.grading.opposition``), and a fuzzy mention that differs from a phrase by the opposite term is
# no mention of it: "单向注意力" shares three of the four units of "双向注意力" and says the reverse.
OPPOSITES = (("串行", "并行"), ("同步", "异步"), ("静态", "动态"), ("静态", "连续"), ("离散", "连续"),
             ("稠密", "稀疏"), ("精确", "近似"), ("单向", "双向"), ("绝对", "相对"), ("离线", "在线"),
             ("冻结", "解冻"), ("有损", "无损"))
OPPOSITE: dict[str, frozenset[str]] = {}
for _a, _b in OPPOSITES:
    OPPOSITE[_a] = OPPOSITE.get(_a, frozenset()) | {_b}
    OPPOSITE[_b] = OPPOSITE.get(_b, frozenset()) | {_a}
# pairs that only tell mentions apart: a point on the decoder is no point on the encoder ("解码器架构" is
# no "编码器架构", "Post-LN 梯度稳定" no "Pre-LN 梯度稳定"), but saying one does not deny the other, as
# both are parts of one design
_SWAPS: dict[str, frozenset[str]] = dict(OPPOSITE)
for _a, _b in (("编码器", "解码器"), (" pre ", " post ")):
    _SWAPS[_a] = _SWAPS.get(_a, frozenset()) | {_b}
    _SWAPS[_b] = _SWAPS.get(_b, frozenset()) | {_a}
SWAP_REACH = 2  # tokens on each side of a fuzzy mention where a swapped-in opposite term is looked for

# Chinese is written without spaces, so a phrase may be found starting on the second character of a
# common word: "然后训练" holds "后训练" and "之前向量" holds "前向". Such a place is no mention: these
# words are nearly always read as one word. Words that also split the other way are left out ("以后",
# "以前": "以前向传播为主" is 以|前向), and 然后 after a word ending in 然 is 虽然|后… ("虽然后训练").
_BOUNDARY_RE = re.compile(r"(?:(?<![虽既当显自果仍依竟居固不突偶])然|[之最随提目])(?=[后前])")
_BOUNDARY_SECOND = frozenset("后前")
# ... and a phrase ending in an amount adjective may be found ending on the first character of a degree
# word: "计算量大幅减少" holds "计算量大" and says the reverse
_BOUNDARY_END_RE = re.compile(r"[大小高多少](?=[幅大量度少数])")
_BOUNDARY_LAST = frozenset("大小高多少")


class Verdict(Enum):
    HIT = "hit"
    CONTRADICTED = "contradicted"
    MISSED = "missed"


def _units_at(tokens: list[str] | tuple[str, ...], offset: int = 0) -> dict[str, int]:
    """Units of a token run with the index of the first token of their first occurrence."""
    out: dict[str, int] = {}
    last = len(tokens) - 1
    for i, tok in enumerate(tokens):
        if tok >= CJK_MIN:
            if i < last and tokens[i + 1] >= CJK_MIN:
                out.setdefault(tok + tokens[i + 1], offset + i)
            elif not i or tokens[i - 1] < CJK_MIN:  # a lone character is its own unit
                out.setdefault(tok, offset + i)
        elif tok != CLAUSE and tok != SENTENCE:
            out.setdefault(tok, offset + i)
    return out


@dataclass(frozen=True, slots=True)
class Phrase:
    source: str  # the phrase as written in the bank
    tokens: tuple[str, ...]  # core tokens (own negation removed)
    flat: str  # core rendered like Text.flat
    units: frozenset[str]
    negative: bool  # the phrase itself says "no X" / "无需X"
    full: str = ""  # a negative phrase rendered with its negation ("说不知道"): met verbatim, it is affirmed
    content: frozenset[str] = frozenset()  # its units without English function words
    token_set: frozenset[str] = frozenset()
    # (own term, its opposites) for each opposite-pair term the phrase says
    swaps: tuple[tuple[str, frozenset[str]], ...] = ()
    # its first unit when that may be read across a word boundary ("后训" of "后训练" in "然后训练")
    lead: str = ""
    # its last unit when that may be read across a word boundary ("量大" of "计算量大" in "计算量大幅")
    tail: str = ""

    @classmethod
    def of(cls, source: str) -> Phrase | None:
        text = Text(source)
        core, negative = split_polarity(text)
        if not core:
            return None
        if not any(t >= CJK_MIN for t in core) and len(core) > 1 and sum(map(len, core)) < MIN_LATIN:
            return None  # "O(n)" -> "o n": too short to mean anything outside its notation
        flat = "".join(t if t >= CJK_MIN else f" {t} " for t in core)
        full = text.flat.strip(CLAUSE + SENTENCE) if negative else ""
        found = frozenset(_units_at(core))
        swaps = tuple((w, others) for w, others in _SWAPS.items() if w in flat)
        lead = core[0] + core[1] if len(core) > 1 and core[0] in _BOUNDARY_SECOND and core[1] >= CJK_MIN else ""
        tail = core[-2] + core[-1] if len(core) > 1 and core[-1] in _BOUNDARY_LAST and core[-2] >= CJK_MIN else ""
        return cls(source, tuple(core), flat, found, negative, full, found - FUNCTION_WORDS, frozenset(core), swaps,
                   lead, tail)


def _swapped(phrase: Phrase, text: Text, start: int, end: int) -> bool:
    """Does the fuzzy mention [start, end) say the opposite term of one the phrase says, and not the term
    itself ("单向注意力" for "双向注意力")? The mention may begin after the swapped term, whose units it
    does not share, so a few tokens around it are read, within its clause."""
    cs, ce = text.span_of(start, text.clauses)
    lo, hi = max(cs, start - SWAP_REACH), min(ce, end + SWAP_REACH)
    window = text.flat[text.starts[lo]:text.starts[hi] if hi < len(text.starts) else len(text.flat)]
    return any(own not in window and any(o in window for o in others) for own, others in phrase.swaps)


# A comparative 更 between a subject and its adjective ("训练更慢", "参数更少") says what the plain
# predicate says ("反量化让训练慢一些", "参数少得多"): a phrase with one is also met without it. 更 at the
# start qualifies a noun ("更大的batch") and 更新/更改/更换/更正/更替/更迭 are words of their own.
_COMPARATIVE_RE = re.compile(r"(?<=[\w\u3400-\u9fff])\s*更(?![新改换正替迭])(?=[\u3400-\u9fff])")


# Chinese says an amount with any of three adjectives of one direction: "计算量少", "计算量小" and
# "计算量低" are one claim, as are "显存占用多/大/高", and an answer says it with a degree mark
# ("计算量更小", "小得多", "大幅减小", matched in order by the spread match). A predicate adjective of a
# phrase (after its subject's last character, at the phrase's or a clause's end) is therefore also met
# by the other two adjectives of its direction, never by those of the other: "更小" never meets "大".
# After a degree or verb character it is part of another word ("差不多", "调小", "最高", "大小").
_AMOUNT_ALTERNATIVES = {"少": "小低", "小": "少低", "低": "少小", "多": "大高", "大": "多高", "高": "多大"}
_PREDICATE_RE = re.compile(
    r"(?<=[\u3400-\u9fff])(?<![更较很太过最越极不没变调降减增放缩扩加提得差多少大小高低也都仍还])"
    r"([少小低多大高])(?=$|[，,、；;。但而且和]|时)")


# a degree mark between a subject and its predicate ("参数更少", "成本较低", "改动很小"): a phrase of
# fewer than MIN_FUZZY_UNITS units is only met verbatim, so its spellings with one are listed too
# (longer phrases meet them by the spread match)
_DEGREE_MARKS = ("更", "较", "很")


def _amount_variants(source: str, short: bool) -> list[str]:
    """The spellings of a phrase with its amount predicates said by the other adjectives of their
    direction ("计算量少" -> "计算量小", "计算量低") and, for a ``short`` phrase, with a degree mark
    before them ("参数少" -> "参数更少", "参数较小" ...)."""
    found = [m.start() for m in _PREDICATE_RE.finditer(source)]
    out = []
    for up in (False, True):
        where = [i for i in found if (source[i] in "多大高") == up]
        if not where:
            continue
        for k in range(-1, 2):
            chars = list(source)
            for i in where:
                chars[i] = _AMOUNT_ALTERNATIVES[source[i]][k] if k >= 0 else source[i]
            if k >= 0:
                out.append("".join(chars))
            if short:
                for mark in _DEGREE_MARKS:
                    out.append("".join(mark + c if i in where else c for i, c in enumerate(chars)))
    return out


def phrases_of(source: str) -> tuple[Phrase, ...]:
    """The phrases a bank phrase is matched by: itself and, with a comparative 更 after its subject,
    its plain predicate (when that still holds two units); and each of these with its amount
    predicates said by the other adjectives of their direction."""
    phrase = Phrase.of(source)
    if phrase is None:
        return ()
    out = [phrase]
    spellings = [source]
    bare_source = _COMPARATIVE_RE.sub("", source)
    if bare_source != source:
        bare = Phrase.of(bare_source)
        if bare is not None and len(bare.units) >= 2 and bare.negative == phrase.negative:
            out.append(bare)
            spellings.append(bare_source)
    seen = {p.flat for p in out}
    for spelling, spelt in zip(spellings, out, strict=False):
        for variant_source in _amount_variants(spelling, len(spelt.units) < MIN_FUZZY_UNITS):
            variant = Phrase.of(variant_source)
            if variant is not None and len(variant.units) >= 2 and variant.negative == phrase.negative \
                    and variant.flat not in seen:
                seen.add(variant.flat)
                out.append(variant)
    return tuple(out)


class Answer:
    """An answer prepared once: tokens, negation cues and per-sentence units."""

    __slots__ = ("text", "cues", "sentence_units", "all_units", "token_set", "_positions", "_inside", "_inside_end")

    def __init__(self, raw: str) -> None:
        self.text = Text(raw)
        self.cues: list[Cue] = find_cues(self.text)
        toks = self.text.tokens
        self.sentence_units = [(s, e, _units_at(toks[s:e], s)) for s, e in self.text.sentences]
        self.all_units = set().union(*(found for _s, _e, found in self.sentence_units))
        self.token_set = set(toks)
        self._positions: dict[str, list[int]] | None = None
        self._inside: frozenset[int] | None = None
        self._inside_end: frozenset[int] | None = None

    def inside_word(self, phrase: Phrase, at: int) -> bool:
        """Does a mention of the phrase starting at token ``at`` start on the second character of a
        common word ("然后训练" for "后训练")?"""
        if phrase.tokens[0] not in _BOUNDARY_SECOND:
            return False
        if self._inside is None:
            flat, token_at = self.text.flat, self.text.token_at
            self._inside = frozenset(token_at(m.end()) for m in _BOUNDARY_RE.finditer(flat))
        return at in self._inside

    def ends_inside_word(self, phrase: Phrase, last: int) -> bool:
        """Does a mention of the phrase whose last token is ``last`` end on the first character of a
        degree word ("计算量大幅减少" for "计算量大")?"""
        if phrase.tokens[-1] not in _BOUNDARY_LAST:
            return False
        if self._inside_end is None:
            flat, token_at = self.text.flat, self.text.token_at
            self._inside_end = frozenset(token_at(m.start()) for m in _BOUNDARY_END_RE.finditer(flat))
        return last in self._inside_end

    @property
    def positions(self) -> dict[str, list[int]]:
        """Token -> its indices, ascending; built only when a phrase needs the spread match."""
        if self._positions is None:
            out: dict[str, list[int]] = {}
            self._positions = out
            get = out.get  # no empty list built and dropped per repeated token, as setdefault would
            for i, tok in enumerate(self.text.tokens):
                where = get(tok)
                if where is None:
                    out[tok] = [i]
                else:
                    where.append(i)
        return self._positions


def _exact(phrase: Phrase, answer: Answer):
    flat, text = answer.text.flat, answer.text
    pos = flat.find(phrase.flat)
    while pos != -1:
        start = text.token_at(pos if phrase.flat[0] != " " else pos + 1)
        end = start + len(phrase.tokens)
        if not answer.inside_word(phrase, start) and not answer.ends_inside_word(phrase, end - 1):
            yield start, end
        pos = flat.find(phrase.flat, pos + 1)


def _spread(phrase: Phrase, answer: Answer):
    need = phrase.tokens
    if not answer.token_set.issuperset(need):  # one C-level test, before the positions are built or read
        return
    where = answer.positions
    limit = 2 * len(need)
    for first in where[need[0]]:
        stop = min(answer.text.span_of(first, answer.text.sentences)[1], first + limit)
        pos = first
        for t in need[1:]:
            found = where[t]
            k = bisect_right(found, pos)
            if k == len(found) or found[k] >= stop:
                break
            pos = found[k]
        else:
            if not (phrase.swaps and _swapped(phrase, answer.text, first, pos + 1)) \
                    and not answer.inside_word(phrase, first) and not answer.ends_inside_word(phrase, pos):
                yield first, pos + 1


def _names_content(phrase: Phrase, shared: set[str]) -> bool:
    """Do the units an answer shares with the phrase hold enough that are no English function words?"""
    return len(shared & phrase.content) >= min(len(phrase.content), MIN_CONTENT_SHARED)


def _overlap(phrase: Phrase, answer: Answer, threshold: float):
    need = phrase.units
    enough = threshold * len(need)
    text = answer.text
    for _s, _e, found in answer.sentence_units:
        shared = found.keys() & need  # at C level, over the phrase's few units
        lead = phrase.lead
        if lead in shared and answer.inside_word(phrase, found[lead]):
            shared.discard(lead)  # "然后训练" holds the units of "后训练" across a word boundary
        tail = phrase.tail
        if tail in shared and answer.ends_inside_word(phrase, found[tail] + 1):
            shared.discard(tail)
        if len(shared) >= enough and _names_content(phrase, shared):
            # the mention is located in the clause that holds most of it
            best: dict[tuple[int, int], list[int]] = {}
            for idx in map(found.__getitem__, shared):
                best.setdefault(text.span_of(idx, text.clauses), []).append(idx)
            # ties go to the earliest clause: set order varies between processes, grades must not
            where = max(best.items(), key=lambda item: (len(item[1]), -item[0][0]))[1]
            if not (phrase.swaps and _swapped(phrase, text, min(where), max(where) + 1)):
                yield min(where), max(where) + 1


def _bag(phrase: Phrase, answer: Answer):
    """Every token of the phrase in one clause, in any order and with words between, close together:
    "loss 只算在生成部分" mentions "生成部分算 loss", "冻结整个预训练模型" mentions "冻结模型". The
    window must hold ``BAG_UNIT_SHARE`` of the phrase's units (a phrase whose characters
    are scattered over unrelated words is not said: "提示词会采样多" is no "提示词多样"), and two of
    its content units."""
    need = phrase.token_set
    # two C-level tests first: most phrases a sentence does not hold in any order fail one of them
    if not answer.token_set.issuperset(need) or \
            len(phrase.units & answer.all_units) < BAG_UNIT_SHARE * len(phrase.units):
        return
    where = answer.positions
    text = answer.text
    # in the phrase's order, so that ties between equally rare tokens go the same way in every process
    ordered = tuple(dict.fromkeys(phrase.tokens))
    rarest = min(ordered, key=lambda t: len(where[t]))
    others = [t for t in ordered if t != rarest]
    limit = BAG_SPAN * len(phrase.tokens)
    toks = text.tokens
    first, last = phrase.tokens[0], phrase.tokens[-1]
    for anchor in where[rarest]:
        start, end = text.span_of(anchor, text.clauses)
        lo = hi = anchor
        chosen = {rarest: anchor}
        for tok in others:
            # the occurrence nearest the anchor inside its clause
            found = where[tok]
            k = bisect_right(found, anchor)
            best = -1
            if k < len(found) and found[k] < end:
                best = found[k]
            if k and found[k - 1] >= start and (best < 0 or anchor - found[k - 1] <= best - anchor):
                best = found[k - 1]
            if best < 0:
                break
            chosen[tok] = best
            lo, hi = min(lo, best), max(hi, best)
        else:
            if hi - lo + 1 > limit:
                continue
            # a lone character at the phrase's edge keeps its side: before its noun it qualifies it,
            # after it it is a predicate ("小学习率" is a remedy, "学习率太小" a cause)
            at = chosen[first]
            if first >= CJK_MIN and at != lo and (at + 1 > hi or toks[at + 1] != phrase.tokens[1]):
                continue
            if answer.inside_word(phrase, at) or answer.ends_inside_word(phrase, chosen[last]):
                continue
            at = chosen[last]
            if last >= CJK_MIN and at != hi and (at - 1 < lo or toks[at - 1] != phrase.tokens[-2]):
                continue
            window = toks[lo:hi + 1]
            # English carries its roles in its word order ("updates can change the model" is no
            # "model update"): only Chinese characters may stand between the phrase's tokens
            if any(t < CJK_MIN and t not in need for t in window):
                continue
            shared = _units_at(window).keys() & phrase.units
            if len(shared) >= BAG_UNIT_SHARE * len(phrase.units) and _names_content(phrase, shared) \
                    and not (phrase.swaps and _swapped(phrase, text, lo, hi + 1)):
                yield lo, hi + 1


def close_mentions(phrase: Phrase, answer: Answer, threshold: float = FUZZY_THRESHOLD):
    """Mentions in the phrase's own order or by most of its units, verbatim ones first: also where a
    model answer states a point, read for the directions and removals it states (its wording is the
    bank's)."""
    yield from _exact(phrase, answer)
    if len(phrase.units) >= MIN_FUZZY_UNITS:
        yield from _spread(phrase, answer)
        yield from _overlap(phrase, answer, threshold)


def mentions(phrase: Phrase, answer: Answer, threshold: float = FUZZY_THRESHOLD):
    """Token spans where the phrase is mentioned, verbatim ones first, those in another order last."""
    yield from close_mentions(phrase, answer, threshold)
    if len(phrase.units) >= MIN_FUZZY_UNITS:
        yield from _bag(phrase, answer)


def written(phrase: Phrase, answer: Answer) -> bool:
    """Is the phrase written in the answer as such or with its tokens in order (not only its units nearby)?"""
    return phrase.flat in answer.text.flat or next(_spread(phrase, answer), None) is not None


def _may_match(phrase: Phrase, answer: Answer, threshold: float) -> bool:
    """Cheap necessary condition for any mention: most phrases of a question are absent from an answer."""
    if phrase.flat in answer.text.flat:
        return True
    if len(phrase.units) < MIN_FUZZY_UNITS:
        return False
    if answer.token_set.issuperset(phrase.tokens):
        return True
    return len(phrase.units & answer.all_units) >= threshold * len(phrase.units)


def assess(phrase: Phrase, answer: Answer, threshold: float = FUZZY_THRESHOLD, checked: bool = False) -> Verdict:
    """``checked``: the caller already knows the phrase may be mentioned (``PointIndex``)."""
    if phrase.full and phrase.full in answer.text.flat:
        return Verdict.HIT  # "说不知道" written as such, even inside a conditional ("如果检索不到就…")
    if not checked and not _may_match(phrase, answer, threshold):
        return Verdict.MISSED
    denied = False
    for start, end in close_mentions(phrase, answer, threshold):
        neg = negated(answer.text, answer.cues, start, end, weak=phrase.negative)
        if neg == phrase.negative:
            return Verdict.HIT
        # a negative phrase ("无需奖励模型") met by a plain mention is not proof of the opposite
        denied = denied or not phrase.negative
    if len(phrase.units) >= MIN_FUZZY_UNITS:
        # a mention in another order affirms, but its denial is no proof: words between the phrase's
        # tokens can carry a negation of their own ("调用了不存在的工具" is about the tool, not the call)
        for start, end in _bag(phrase, answer):
            if negated(answer.text, answer.cues, start, end, weak=phrase.negative) == phrase.negative:
                return Verdict.HIT
    return Verdict.CONTRADICTED if denied else Verdict.MISSED


class PointIndex:
    """The phrases of all key points of one question, indexed once by unit and by token, so that an
    answer finds the few phrases it may mention with set and counter operations at C level instead
    of testing every phrase (``_may_match`` for all phrases at once). A phrase written verbatim has
    all its tokens in the answer (an English token is delimited by spaces in the flat text, a Chinese
    character is a token), so only phrases whose tokens are all present are searched for."""

    __slots__ = ("points", "threshold", "_by_unit", "_units", "_need_units", "_token_sets", "_fuzzy", "_flats",
                 "_fulls")

    def __init__(self, points: tuple[tuple[Phrase, ...], ...], threshold: float) -> None:
        self.points = points
        self.threshold = threshold
        by_unit: dict[str, list[int]] = {}
        need_units: list[float] = []
        fuzzy_phrases: list[bool] = []
        phrases = [p for group in points for p in group]
        for i, phrase in enumerate(phrases):
            fuzzy = len(phrase.units) >= MIN_FUZZY_UNITS
            for u in phrase.units if fuzzy else ():
                by_unit.setdefault(u, []).append(i)
            need_units.append(threshold * len(phrase.units) if fuzzy else float("inf"))
            fuzzy_phrases.append(fuzzy)
        self._by_unit = by_unit
        self._units = frozenset(by_unit)
        self._need_units = need_units
        # one subset test per phrase at C level: an index by token costs more, as single Chinese
        # characters (的, 模, 型) list many phrases each
        self._token_sets = [frozenset(p.tokens) for p in phrases]
        self._fuzzy = fuzzy_phrases
        self._flats = [p.flat for p in phrases]
        # a negative phrase met verbatim with its negation ("说不知道") is tested on its own: its core
        # tokens need not be adjacent in the answer
        self._fulls = [(i, p.full) for i, p in enumerate(phrases) if p.full]

    def candidates(self, answer: Answer) -> set[int]:
        """Indices (over all phrases in order) of the phrases that may be mentioned: fuzzy phrases whose
        units or tokens the answer has, and phrases written verbatim."""
        units = Counter(chain.from_iterable(map(self._by_unit.__getitem__, self._units & answer.all_units)))
        need_u, fuzzy, flats = self._need_units, self._fuzzy, self._flats
        flat = answer.text.flat
        out = {i for i, n in units.items() if n >= need_u[i]}
        written = compress(count(), map(answer.token_set.issuperset, self._token_sets))
        out.update(i for i in written if fuzzy[i] or flats[i] in flat)
        if self._fulls:
            out.update(i for i, full in self._fulls if full in flat)
        return out

    def assess(self, answer: Answer) -> list[Verdict]:
        """The verdict of every key point, as ``assess_point`` would give it."""
        candidates = self.candidates(answer)
        if not candidates:
            return [Verdict.MISSED] * len(self.points)
        out = []
        first = 0  # index of the point's first phrase over all phrases
        for phrases in self.points:
            verdict = Verdict.MISSED
            for i, phrase in enumerate(phrases, first):
                if i in candidates:
                    v = assess(phrase, answer, self.threshold, checked=True)
                    if v is Verdict.HIT:
                        verdict = v
                        break
                    if v is Verdict.CONTRADICTED:
                        verdict = v
            first += len(phrases)
            out.append(verdict)
        return out


def assess_point(phrases: tuple[Phrase, ...], answer: Answer, threshold: float = FUZZY_THRESHOLD) -> Verdict:
    """A key point is hit if any of its phrases is; contradicted if one is denied and none is hit."""
    verdict = Verdict.MISSED
    for phrase in phrases:
        v = assess(phrase, answer, threshold)
        if v is Verdict.HIT:
            return v
        if v is Verdict.CONTRADICTED:
            verdict = v
    return verdict
