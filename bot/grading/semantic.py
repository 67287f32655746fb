"""Partial credit for key points explained in other words: unit overlap with what supports each point.

Exact key-point hits (``bot.grading.matching``) need the bank's wording or an alias; an answer that
explains the same thing in plain words ("旁边挂两个很窄的小表，训练时只改这两个小表") hits few of
them. This layer gives such an answer partial credit per key point:

* once per question, each key point gets a *support*: the units (Chinese character bigrams, English
  stems after the zh/en glossary, see ``bot.grading.normalise``) of its text, its aliases and the
  sentences of the model answer that express it (those where the point or one of its aliases is
  mentioned, or that share most of its units). Units of the question's prompt and the field's generic
  words are dropped: repeating the question says nothing about the answer;
* for an answer, each sentence's units are collected from its *affirming* clauses only (a clause
  with a negation cue contributes nothing, so "不冻结原权重" earns no soft credit), except towards a
  key point that itself states an absence ("不减均值", "无推理延迟"): what it denies, an answer's
  denial of the same thing explains ("它不会先减去均值", ``Support.denied``);
* an everyday phrasing of one of the field's concepts ("变成一串数字" for 嵌入向量, see
  ``bot.grading.plainwords``) in an affirmed sentence counts as a clause of its own holding that
  concept's units, when some key point's support holds them (only for this credit: exact hits,
  contradictions and negations never read plain words); a long phrasing may lack one of its units
  (``LOOSE_PHRASING_UNITS``: a word slipped into it breaks one bigram), and a concept said with a
  negation word ("原来的模型一点都不动" for 冻结, ``PLAIN_DENIED``) is read in the denied clauses;
* a missed key point earns up to ``SOFT_WEIGHT`` of a point from the sentence closest to its
  support (matched units over ``SUPPORT_UNITS``, above a floor ``SOFT_FLOOR``), and one sentence
  explains one point: a hit point first claims its closest sentence, so a short answer that names
  one point exactly gets nothing extra from the words around it.

A paraphrase that explains several points in plain words thus beats an answer that names one point
in the bank's terms; naming a point and denying it earns nothing here (negated clauses are skipped).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import lru_cache

from bot.grading.negation import NEGATIVE_KINDS, Cue, find_cues
from bot.grading.normalise import Text, units
from bot.grading.plainwords import PLAIN
from bot.grading.plainwords_mechanisms import PLAIN_DENIED

SOFT_WEIGHT = 1.0  # the most a key point explained in other words earns, as a share of an exact hit
SUPPORT_UNITS = 3  # matched support units in one sentence that count as a full paraphrase of a point
SOFT_FLOOR = 0  # matched units that say nothing (chance overlap of everyday words)
MIN_CLAUSE_TOKENS = 3  # shorter clauses ("能。", "Yes,") say nothing either way
SUPPORT_SHARE = 0.5  # share of a key point's own units a model-answer sentence needs to support it
# a concept named in plain words earns full credit towards a point whose support holds all of its units that
# the question uses (it only ever holds those): a plain phrasing names its concept as surely as the term, however
# few units the term has. With 2, a one-unit concept (延迟, 冻结) earned half a point where its term earned one
CONCEPT_UNITS = 1
# a phrasing of this many units or more (seven Chinese characters, six English words) still names its concept
# when one of them is missing: a word slipped into it ("上一步的结果直接交给下一步" for "上一步的结果交给下一步")
# breaks one Chinese bigram, a synonym ("goes right into the next") one English stem. Shorter phrasings match
# whole: with five units, one missing let "每个位置" + "一个" elsewhere pass for "每个位置一个" in wrong answers
LOOSE_PHRASING_UNITS = 6


class Support(frozenset):
    """The units that express one key point, and ``denied``: those its own phrases state the absence of
    ("无推理延迟", "不减均值" -> 推理延迟, 减均值). An answer that denies the same thing ("推理没有额外延迟",
    "它不会先把平均值减掉") agrees with the point, so its denied clauses may explain that part of it."""

    __slots__ = ("denied",)
    denied: frozenset[str]

    def __new__(cls, found: frozenset[str] | set[str], denied: frozenset[str] = frozenset()) -> Support:
        support = super().__new__(cls, found)
        support.denied = denied
        return support

    def __reduce__(self):
        return (Support, (frozenset(self), self.denied))


class SentenceUnits(set):
    """An answer sentence's affirmed units, and ``denied``: the units of its clauses with a negation cue."""

    __slots__ = ("denied",)
    denied: frozenset[str]


def _denied_part(text: str) -> set[str]:
    """Units a phrase states the absence of: from each negation cue to the end of its clause."""
    parsed = Text(text)
    out: set[str] = set()
    for cue in find_cues(parsed):
        if cue.kind in NEGATIVE_KINDS:
            _start, end = parsed.span_of(cue.start, parsed.clauses)
            out |= units(parsed.tokens[cue.end:end])
    return out


def support_of(point_texts: tuple[str, ...], model_sentences: list[set[str]], drop: frozenset[str],
               mentioned: list[bool]) -> Support:
    """The units that express one key point: its own phrases and the model-answer sentences saying it."""
    own: set[str] = set()
    denied: set[str] = set()
    for text in point_texts:
        own |= units(Text(text).tokens)
        denied |= _denied_part(text)
    own -= drop
    found = set(own)
    for sentence, said in zip(model_sentences, mentioned, strict=True):
        if said or (own and len(sentence & own) >= SUPPORT_SHARE * len(own)):
            found |= sentence
    return Support(frozenset(found - drop), frozenset(denied - drop))


def sentence_units(text: Text) -> list[set[str]]:
    """Units of each sentence of a text (for the model answer: every clause counts)."""
    return [units(text.tokens[s:e]) for s, e in text.sentences]


def negated_share(text: Text, cues: list[Cue]) -> float:
    """Share of the answer's clauses (of at least ``MIN_CLAUSE_TOKENS`` tokens) that carry a negation."""
    clauses = [(s, e) for s, e in text.clauses if e - s >= MIN_CLAUSE_TOKENS]
    if not clauses:
        return 0.0
    negative = {text.span_of(c.start, text.clauses) for c in cues if c.kind in NEGATIVE_KINDS}
    return sum(1 for span in clauses if span in negative) / len(clauses)


def affirmed_sentence_units(text: Text, cues: list[Cue],
                            found: list[tuple[int, int, dict[str, int]]]) -> list[set[str]]:
    """Units of each sentence of an answer (``found``: per sentence, unit -> first token index),
    without the units first met in a clause that holds a negation cue. A negation before its predicate
    denies from the last breaker before it in its clause on ("mix in old data and use a smaller learning
    rate so the model does not forget": the advice before "so" stands, as "混一些旧数据、学习率调小，防止
    忘掉" stands in Chinese, where the purpose is a clause of its own)."""
    negative = set()
    for c in cues:
        if c.kind in NEGATIVE_KINDS:
            s, e = text.span_of(c.start, text.clauses)
            if c.kind != "post":
                s = max((b.start for b in cues if b.kind == "brk" and s <= b.start < c.start), default=s)
            negative.add((s, e))
    if not negative:
        return [set(units_at) for _s, _e, units_at in found]
    dropped = {i for s, e in negative for i in range(s, e)}
    first, last = min(dropped), max(dropped)
    out: list[set[str]] = []
    for s, e, units_at in found:
        if s < last and e > first:
            # the denied units are kept aside: a key point that states an absence may read them (``Support``)
            denied = frozenset(u for u, i in units_at.items() if i in dropped)
            sentence = SentenceUnits(units_at.keys() - denied)
            sentence.denied = denied
            out.append(sentence)
        else:
            out.append(set(units_at))
    return out


@lru_cache(maxsize=4096)
def _denies(supports: tuple[frozenset[str], ...]) -> bool:
    """Does some key point of a question state an absence (``Support.denied``)? Once per question."""
    return any(getattr(support, "denied", None) for support in supports)


def _matched(sentence: set[str], support: frozenset[str]) -> int:
    """Units of a support a sentence holds: its affirmed ones, and its denied ones the point denies too."""
    found = len(sentence & support)
    denied = getattr(sentence, "denied", None)
    if denied:
        agreed = getattr(support, "denied", None)
        if agreed:
            found += len(denied & agreed - sentence)
    return found


def _phrasings() -> tuple[tuple[tuple[str, ...], frozenset[str], frozenset[str]], ...]:
    """Each plain phrasing as (anchor units, its units, its concept's units); the anchor is the phrasing's
    unit shared by the fewest phrasings, so a sentence is tested against few candidates. A phrasing that may
    match with one unit missing (``LOOSE_PHRASING_UNITS``) has two anchors, so that either can be the one."""
    rows = [(frozenset(units(Text(plain).tokens)), frozenset(units(Text(concept).tokens)))
            for concept, plains in PLAIN.items() for plain in plains]
    rows = [(said, concept) for said, concept in rows if said and concept]
    count = Counter(u for said, _concept in rows for u in said)
    out = []
    for said, concept in rows:
        rarest = sorted(said, key=lambda u: (count[u], u))
        out.append((tuple(rarest[:2 if len(said) >= LOOSE_PHRASING_UNITS else 1]), said, concept))
    return tuple(out)


_PHRASINGS = _phrasings()
# phrasings that say their concept with a negation word: read in an answer's denied units only
_DENIED_PHRASINGS = tuple((said, concept) for said, concept in (
    (frozenset(units(Text(plain).tokens)), frozenset(units(Text(concept).tokens)))
    for concept, plains in PLAIN_DENIED.items() for plain in plains) if said and concept)


@lru_cache(maxsize=4096)
def _plain_index(supports: tuple[frozenset[str], ...]) -> tuple[frozenset[str], dict[str, tuple], tuple]:
    """The phrasings that can help one question: those whose concept shares a unit with some support
    (only those units are kept), indexed by anchor unit, each with the units it may lack and the rank of
    its concept (the same
    units, the same rank; ranks follow ``PLAIN``, so the order of named concepts is fixed). Built once
    per question."""
    wanted = frozenset().union(*supports)
    ranks: dict[frozenset[str], int] = {}
    index: dict[str, list[tuple[frozenset[str], int, frozenset[str], int]]] = {}
    for anchors, said, concept in _PHRASINGS:
        gained = concept & wanted
        if gained and not gained <= said:
            rank = ranks.setdefault(gained, len(ranks))
            missing = 1 if len(said) >= LOOSE_PHRASING_UNITS else 0  # units the phrasing may lack in a sentence
            for anchor in anchors:
                index.setdefault(anchor, []).append((said, missing, gained, rank))
    denied = tuple((said, gained, ranks.setdefault(gained, len(ranks))) for said, gained in
                   ((said, concept & wanted) for said, concept in _DENIED_PHRASINGS) if gained)
    return frozenset(index), {k: tuple(v) for k, v in index.items()}, denied


def with_plain_words(supports: tuple[frozenset[str], ...], sentences: list[set[str]]) -> list[set[str]]:
    """The sentences' units, then one unit set per concept a sentence describes in plain words (``PLAIN``).

    A recognised everyday phrasing names its concept as plainly as the term would, so it counts as a
    clause of its own: it may explain a key point that the rest of its sentence does not (one long
    sentence of a paraphrase often walks through several steps: "切成小段，变成一串数字，找意思最接近的几段").
    """
    anchors, index, denied_forms = _plain_index(supports)
    named: list[set[str]] = []
    for found in sentences:
        near = anchors & found
        denied = getattr(found, "denied", None) if denied_forms else None
        if not (near or denied):
            continue
        # a concept named twice in one sentence ("打分模型", "负责打分") is one clause; named concepts go in
        # the order of their ranks, as a set's order varies between processes and grades must not
        here: dict[int, frozenset[str]] = {}
        for anchor in near:
            for said, missing, gained, rank in index[anchor]:
                if rank not in here and (said <= found or (missing and len(said - found) <= missing)):
                    here[rank] = gained
        if denied:
            for said, gained, rank in denied_forms:
                if rank not in here and said <= denied:
                    here[rank] = gained
        named.extend(set(here[rank]) for rank in sorted(here))
    return sentences + named if named else sentences


def _credit(matched: int, full: int = SUPPORT_UNITS) -> float:
    share = (matched - SOFT_FLOOR) / (full - SOFT_FLOOR)
    return SOFT_WEIGHT * max(0.0, min(1.0, share))


def soft_credit(supports: list[frozenset[str]], hit: list[bool], answer_sentences: list[set[str]],
                reverses: Callable[[int, int], bool] | None = None) -> float:
    """Total soft credit for the missed key points (``hit`` False), in key points.

    One sentence explains one point: each hit point first claims the sentence closest to its
    support (a short answer naming one point exactly gets no extra credit from the words around
    it), then the missed points take the remaining sentences, the best-matching pair first. A concept
    named in plain words is a clause of its own (``with_plain_words``) and earns full credit with
    fewer matched units (``CONCEPT_UNITS``). A point whose explaining sentence misstates it
    (``reverses(point, sentence)``, ``bot.grading.softreading``) earns nothing from it, nor from another.
    """
    sentences = len(answer_sentences)
    answer_sentences = with_plain_words(tuple(supports), answer_sentences)
    free = set(range(len(answer_sentences)))
    for support, was_hit in zip(supports, hit, strict=True):
        if was_hit and free:
            free.discard(max(free, key=lambda i: len(answer_sentences[i] & support)))
    # denied units count only where a point denies something and a sentence has some (few points, few answers)
    if _denies(tuple(supports)) and any(getattr(s, "denied", None) for s in answer_sentences[:sentences]):
        pairs = sorted(((_matched(answer_sentences[i], support), p, i) for p, support in enumerate(supports)
                        if not hit[p] for i in free), reverse=True)
    else:
        pairs = sorted(((len(answer_sentences[i] & support), p, i) for p, support in enumerate(supports)
                        if not hit[p] for i in free), reverse=True)
    total, done = 0.0, set()
    for matched, p, i in pairs:
        if matched <= SOFT_FLOOR:
            break
        if p in done or i not in free:
            continue
        done.add(p)
        free.discard(i)
        # the sentence closest to the point says it goes the other way: it explains nothing of it (nor,
        # a misstatement, of another point)
        if reverses is not None and i < sentences and reverses(p, i):
            continue
        # a concept is short ("奖励模型" is two units once 模型 is dropped as generic, "延迟" one): a point whose
        # support holds all of it is explained by naming it, as by a sentence sharing three units
        total += _credit(matched) if i < sentences else _credit(
            matched, max(CONCEPT_UNITS, min(SUPPORT_UNITS, len(answer_sentences[i]))))
    return total


def plain_units(supports: tuple[frozenset[str], ...]) -> frozenset[str]:
    """The units of the everyday phrasings of the concepts these supports are about: words a correct
    explanation of the question's own ideas may use (``bot.grading.precision``)."""
    _anchors, index, denied = _plain_index(supports)
    return frozenset().union(*(said for rows in index.values() for said, _missing, _gained, _rank in rows),
                             *(said for said, _gained, _rank in denied))
