"""Rejections: a key point the answer names and then dismisses ("人工抽检意义不大", "A/B tests are a waste of time").

A wrong answer often names the right thing and judges it worthless, without any negation word the
negation rules read: "购买记录放进来只会增加噪声，应该舍弃", "去重和人工抽检会降低多样性，放到最后可以
省掉", "协同过滤的 ID 信号已经过时", "staged rollouts and A/B tests are a waste of time". The trailing
denials of ``bot.grading.negation`` ("和人类偏好无关", "X 没用") deny a hit only when nothing else
stands in their clause, because a bare negative adjective often describes something else ("多余的
token"). The phrases here are explicit evaluations that something is not worth having (意义不大, 已经
过时, 可以省掉, 应该舍弃, 浪费时间, 适得其反, a waste of time, obsolete, counterproductive): said after
a mention in the same sentence, they are about what the sentence is about.

A hit is *rejected*, and contradicted, when every mention that affirms it is followed in its sentence by
such a phrase, and

* no scope breaker stands between them (a contrast or a new predicate: "重排很有用，而单独用 BM25 意义不
  大", "reranking helps, but keyword search alone is a waste of time"); an English "and"/"or" that joins
  the mention to more short items of one subject is no breaker ("hybrid search and reranking are a
  waste of time", like "混合检索和重排都是浪费时间");
* the phrase itself is not negated ("并不是浪费时间", "is not a waste of time");
* the sentence is no conditional ("不做重排的话，效果意义不大"), and the mention is not itself removed
  or denied ("去掉重排意义不大" dismisses the removal, not the reranker);
* a phrase that ends in a verb of removal has no object of its own ("推理时可以去掉旁路" removes the
  bypass, not what the sentence named before; "重排太慢，可以去掉" removes the reranker).

A point that is itself negative ("无需奖励模型") or about avoiding or solving something ("避免重复计算")
is left alone: dismissing its core agrees with it ("这种重复计算纯属浪费").
"""

from __future__ import annotations

import re

from bot.grading.contradiction import _has_object
from bot.grading.matching import Answer, Verdict, _units_at, close_mentions, mentions
from bot.grading.negation import _PREDICATE_EN, find_cues, negated
from bot.grading.normalise import CJK_MIN, CLAUSE, Text
from bot.grading.trie import trie_pattern

# explicit judgements that something is not worth having; general words of evaluation, not of any topic.
# Bare negative adjectives (多余, 没用, useless) stay with the negation rules: before a noun they describe it
_REJECTIONS = (
    "意义不大", "用处不大", "作用不大", "帮助不大", "价值不大", "没什么用", "没啥用", "没有意义", "毫无意义", "没意义",
    "已经过时", "过时了", "可以省掉", "可以省略", "可以去掉", "可以舍弃", "应该舍弃", "应该去掉", "应该丢弃", "应该抛弃",
    "不值得", "浪费时间", "纯属浪费", "是浪费", "只会增加噪声", "只会引入噪声", "只会拉低", "适得其反", "多此一举",
    "得不偿失", "大可不必",
    "waste of time", "a waste", "obsolete", "outdated", "only adds noise", "only add noise", "only hurts", "only hurt",
    "counterproductive", "of little use", "of little value",
)
_REJECT_RE = re.compile(trie_pattern(sorted({Text(w).flat for w in _REJECTIONS}, key=len, reverse=True)))


def _trigger(phrase: str) -> str:
    """The phrase's most telling unit: its last Chinese bigram (过时, 省掉, 噪声) or its longest English stem."""
    found = list(_units_at(Text(phrase).tokens))
    return found[-1] if not phrase.isascii() else max(found, key=len)


# one unit of each phrase: an answer holding none of them holds no phrase, which one C-level set test
# tells before the regex scans its text
_TRIGGERS = frozenset(map(_trigger, _REJECTIONS))
FLIP_BEFORE = 3  # tokens before a rejection where a negation reverses it ("并不是浪费时间")


# phrases that end in a verb of removal: with an object of their own they remove that object ("推理时可以去掉
# 旁路"), not what the sentence named before
_VERB_ENDED = frozenset(Text(w).flat for w in _REJECTIONS if w.endswith(("去掉", "省掉", "省略", "舍弃", "丢弃", "抛弃")))


def _rejections(answer: Answer) -> list[int]:
    """First token of every rejection phrase of the answer that no negation stands right before."""
    text = answer.text
    out = []
    for m in _REJECT_RE.finditer(text.flat):
        at = text.token_at(m.start() + (m.group()[0] == " "))
        if any(c.kind == "neg" and at - FLIP_BEFORE <= c.start < at for c in answer.cues):
            continue
        if m.group() in _VERB_ENDED:
            end = text.token_at(m.end() - 1) + 1
            if _has_object(text.tokens, end, text.span_of(at, text.clauses)[1]):
                continue
        out.append(at)
    return out


def _rejected(answer: Answer, rejections: list[int], start: int, end: int) -> bool:
    """Is the mention [start, end) followed in its sentence by a rejection that reaches back to it?"""
    text, cues = answer.text, answer.cues
    ss, se = text.span_of(start, text.sentences)
    if any(c.kind == "cf" and ss <= c.start < se for c in cues):
        return False
    # "去掉重排意义不大": what is dismissed is the removal (weak: a removal verb before counts as a denial)
    if negated(text, cues, start, end, weak=True):
        return False
    for at in rejections:
        if end <= at < se and not any(c.kind == "brk" and end <= c.start < at and not _joins_items(text, end, c)
                                      for c in cues):
            return True
    return False


LIST_ITEM = 6  # tokens of a short list item (a Chinese character is one) between a mention and a closing "and"
_AND = frozenset(("and", "or"))


def _joins_items(text: Text, end: int, cue) -> bool:
    """Is the breaker an English "and"/"or" that joins the mention to more items of one subject ("hybrid
    search and reranking are a waste of time", "BM25, HNSW and reranking are obsolete"), as Chinese 和
    does? It is, when the mention's own clause ends right after it (nothing of its own is said there:
    "reranking helps, and BM25 is a waste" keeps the break) and each clause between is a short item."""
    if cue.end - cue.start != 1 or text.tokens[cue.start] not in _AND:
        return False
    between = text.tokens[end:cue.start]
    # a mention found by its units ends at its last unit's first character: one Chinese character
    # of it may stand before the "and"
    if between and between[0] >= CJK_MIN and between[1:2] in ([], [CLAUSE]):
        between = between[1:]
    if between and between[0] != CLAUSE:
        return False
    return _PREDICATE_EN.isdisjoint(between) and _items_short(between)


def _items_short(tokens: list[str]) -> bool:
    """Every clause of these tokens holds at most LIST_ITEM tokens."""
    n = 0
    for t in tokens:
        n = 0 if t == CLAUSE else n + 1
        if n > LIST_ITEM:
            return False
    return True


def _avoids(point: str) -> bool:
    """Is the point about avoiding or solving something ("避免重复计算", "reduces padding waste")? Then
    dismissing that thing agrees with it ("这种重复计算纯属浪费")."""
    return any(c.kind == "embed" for c in find_cues(Text(point)))


def rejected_hits(points, answer: Answer, verdicts: list[Verdict]) -> list[Verdict]:
    """The verdicts with every hit whose affirming mentions are all dismissed made CONTRADICTED."""
    if Verdict.HIT not in verdicts:
        return verdicts
    if answer.all_units.isdisjoint(_TRIGGERS):  # most answers: one set test and nothing more
        return verdicts
    rejections = _rejections(answer)
    if not rejections:
        return verdicts
    text, out = answer.text, verdicts
    for k, verdict in enumerate(verdicts):
        if verdict is not Verdict.HIT or _avoids(points[k][0]):
            continue
        phrases = [p for p in points[k][1] if not p.negative]
        # mentions in the phrase's order first, like the removal check: one in another order is looser
        spans = [(s, e) for p in phrases for s, e in close_mentions(p, answer) if not negated(text, answer.cues, s, e)]
        spans = spans or [(s, e) for p in phrases for s, e in mentions(p, answer)
                          if not negated(text, answer.cues, s, e)]
        if spans and all(_rejected(answer, rejections, s, e) for s, e in spans):
            out = list(out) if out is verdicts else out
            out[k] = Verdict.CONTRADICTED
    return out
