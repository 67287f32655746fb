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
  with a negation cue contributes nothing, so "不冻结原权重" earns no soft credit);
* an everyday phrasing of one of the field's concepts ("变成一串数字" for 嵌入向量, see
  ``bot.grading.plainwords``) in an affirmed sentence counts as a clause of its own holding that
  concept's units, when some key point's support holds them (only for this credit: exact hits,
  contradictions and negations never read plain words);
* a missed key point earns up to ``SOFT_WEIGHT`` of a point from the sentence closest to its
  support (matched units over ``SUPPORT_UNITS``, above a floor ``SOFT_FLOOR``), and one sentence
  explains one point: a hit point first claims its closest sentence, so a short answer that names
  one point exactly gets nothing extra from the words around it.

A paraphrase that explains several points in plain words thus beats an answer that names one point
in the bank's terms; naming a point and denying it earns nothing here (negated clauses are skipped).
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from bot.grading.negation import NEGATIVE_KINDS, Cue
from bot.grading.normalise import Text, units
from bot.grading.plainwords import PLAIN

SOFT_WEIGHT = 1.0  # the most a key point explained in other words earns, as a share of an exact hit
SUPPORT_UNITS = 3  # matched support units in one sentence that count as a full paraphrase of a point
SOFT_FLOOR = 0  # matched units that say nothing (chance overlap of everyday words)
MIN_CLAUSE_TOKENS = 3  # shorter clauses ("能。", "Yes,") say nothing either way
SUPPORT_SHARE = 0.5  # share of a key point's own units a model-answer sentence needs to support it
# a concept named in plain words earns full credit towards a point whose support holds all of its units that
# the question uses (it only ever holds those): a plain phrasing names its concept as surely as the term, however
# few units the term has. With 2, a one-unit concept (延迟, 冻结) earned half a point where its term earned one
CONCEPT_UNITS = 1


def support_of(point_texts: tuple[str, ...], model_sentences: list[set[str]], drop: frozenset[str],
               mentioned: list[bool]) -> frozenset[str]:
    """The units that express one key point: its own phrases and the model-answer sentences saying it."""
    own: set[str] = set()
    for text in point_texts:
        own |= units(Text(text).tokens)
    own -= drop
    found = set(own)
    for sentence, said in zip(model_sentences, mentioned, strict=True):
        if said or (own and len(sentence & own) >= SUPPORT_SHARE * len(own)):
            found |= sentence
    return frozenset(found - drop)


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
    return [{u for u, i in units_at.items() if i not in dropped} if s < max(dropped) and e > min(dropped)
            else set(units_at) for s, e, units_at in found]


def _phrasings() -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
    """Each plain phrasing as (anchor unit, its units, its concept's units); the anchor is the phrasing's
    unit shared by the fewest phrasings, so a sentence is tested against few candidates."""
    rows = [(frozenset(units(Text(plain).tokens)), frozenset(units(Text(concept).tokens)))
            for concept, plains in PLAIN.items() for plain in plains]
    rows = [(said, concept) for said, concept in rows if said and concept]
    count = Counter(u for said, _concept in rows for u in said)
    return tuple((min(said, key=lambda u: (count[u], u)), said, concept) for said, concept in rows)


_PHRASINGS = _phrasings()


@lru_cache(maxsize=4096)
def _plain_index(supports: tuple[frozenset[str], ...]) -> tuple[frozenset[str], dict[str, tuple]]:
    """The phrasings that can help one question: those whose concept shares a unit with some support
    (only those units are kept), indexed by anchor unit, each with the rank of its concept (the same
    units, the same rank; ranks follow ``PLAIN``, so the order of named concepts is fixed). Built once
    per question."""
    wanted = frozenset().union(*supports)
    ranks: dict[frozenset[str], int] = {}
    index: dict[str, list[tuple[frozenset[str], frozenset[str], int]]] = {}
    for anchor, said, concept in _PHRASINGS:
        gained = concept & wanted
        if gained and not gained <= said:
            index.setdefault(anchor, []).append((said, gained, ranks.setdefault(gained, len(ranks))))
    return frozenset(index), {k: tuple(v) for k, v in index.items()}


def with_plain_words(supports: tuple[frozenset[str], ...], sentences: list[set[str]]) -> list[set[str]]:
    """The sentences' units, then one unit set per concept a sentence describes in plain words (``PLAIN``).

    A recognised everyday phrasing names its concept as plainly as the term would, so it counts as a
    clause of its own: it may explain a key point that the rest of its sentence does not (one long
    sentence of a paraphrase often walks through several steps: "切成小段，变成一串数字，找意思最接近的几段").
    """
    anchors, index = _plain_index(supports)
    named: list[set[str]] = []
    for found in sentences:
        near = anchors & found
        if not near:
            continue
        # a concept named twice in one sentence ("打分模型", "负责打分") is one clause; named concepts go in
        # the order of their ranks, as a set's order varies between processes and grades must not
        here: dict[int, frozenset[str]] = {}
        for anchor in near:
            for said, gained, rank in index[anchor]:
                if rank not in here and said <= found:
                    here[rank] = gained
        named.extend(set(here[rank]) for rank in sorted(here))
    return sentences + named if named else sentences


def _credit(matched: int, full: int = SUPPORT_UNITS) -> float:
    share = (matched - SOFT_FLOOR) / (full - SOFT_FLOOR)
    return SOFT_WEIGHT * max(0.0, min(1.0, share))


def soft_credit(supports: list[frozenset[str]], hit: list[bool], answer_sentences: list[set[str]]) -> float:
    """Total soft credit for the missed key points (``hit`` False), in key points.

    One sentence explains one point: each hit point first claims the sentence closest to its
    support (a short answer naming one point exactly gets no extra credit from the words around
    it), then the missed points take the remaining sentences, the best-matching pair first. A concept
    named in plain words is a clause of its own (``with_plain_words``) and earns full credit with
    fewer matched units (``CONCEPT_UNITS``).
    """
    sentences = len(answer_sentences)
    answer_sentences = with_plain_words(tuple(supports), answer_sentences)
    free = set(range(len(answer_sentences)))
    for support, was_hit in zip(supports, hit, strict=True):
        if was_hit and free:
            free.discard(max(free, key=lambda i: len(answer_sentences[i] & support)))
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
        # a concept is short ("奖励模型" is two units once 模型 is dropped as generic, "延迟" one): a point whose
        # support holds all of it is explained by naming it, as by a sentence sharing three units
        total += _credit(matched) if i < sentences else _credit(
            matched, max(CONCEPT_UNITS, min(SUPPORT_UNITS, len(answer_sentences[i]))))
    return total
