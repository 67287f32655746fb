"""Contradictions of the model answer's claims: a key point named in a sentence that reverses its direction.

Negation (``bot.grading.negation``) catches an answer that denies a key point ("不需要奖励模型").
A wrong answer more often *names* the point and then states the opposite of what the model answer
says about it: "DPO ... uses more memory than PPO" where the model answer says DPO's memory is
lower, "训练 loss 越高越好", "Post-LN 梯度最稳定、训练更快". Such a hit should not earn the point.

The check is general and cheap:

* a *direction cue* is a word that says which way something goes, on one of a few axes: amount
  (增大/减小, 提高/降低, 更多/更少, increase/decrease, higher/lower, more/less, larger/smaller),
  speed (更快/更慢, faster/slower), quality (更好/更差, better/worse) and order (之前/之后,
  before/after). A negation right before the cue ("不会降低", "not faster") flips its sign. English
  verbs arrive in their Chinese form where the glossary folds them ("reduces" -> 降低);
* each cue carries its *objects*: the units (Chinese bigrams, English stems) of the few tokens around
  it in its clause ("显存更少" -> {显存}), without function words, other cue words and adverbs of
  degree ("急剧", "sharply": "效果急剧下降" and "困惑度急剧上升" are about different things), and not
  across a coordinator ("更大 batch 或更少的卡": 更少 is about 卡). An adjective before its noun or a
  verb before its object is about that noun only ("省下的显存可以开更大的 batch", "larger batch",
  "improves encoding efficiency"); in a question comparing named things, a cue belongs to the one
  named nearest before it ("Causal LM 训练效率更高" says nothing about a point on Prefix LM);
* once per question, each key point gets the cues of the model-answer sentences that mention it;
* for an answer, only when it holds a cue word at all (a set intersection at C level), each hit key
  point whose model cues share an axis is located (the sentences where a phrase of it is affirmed),
  and the point is *contradicted* when a cue there has the opposite sign of a model cue on the same
  axis about a shared object, and no cue there agrees with that model cue.

Two more misstatements are read the same way, against the model answer and the points' wording:

* a point whose every mention is removed or replaced ("把缓存全部去掉", "用暴力检索代替 HNSW", "the
  cache is removed") is contradicted, unless the model answer (or the point itself) removes it too
  ("GRPO 去掉了 critic"); in "replace X with Y" / "把 X 替换成 Y" only X is removed, and a Chinese
  removal verb with an object of its own removes that object, not the thing before it ("用
  FlashAttention 省掉注意力矩阵", but "缓存去掉之后" and "缓存删掉了" remove the cache); removing what a
  point about cleaning data names agrees with it ("删掉重复的、有害的" for "清洗去重去有害"), removing the
  cleaning step itself ("skip dedup") does not; and a point the answer also states in another order,
  away from any removal verb, is not removed by a loose mention beside one;
* a point worded with one term of an opposite pair of the field (串行/并行, 同步/异步, 静态/动态,
  离散/连续, 稠密/稀疏, 精确/近似, 冻结/解冻 ...) is contradicted by an answer that plainly says the other
  term and never its own ("请求一个个串行跑" against "无依赖工具并行执行"); a question whose points use
  both terms contrasts them, and the pair is left alone there, and a term after 比/than is the
  baseline of the point's comparison, not its claim ("比离散提示更稳定"); it lives in
  ``bot.grading.opposition``.

Subjects are not parsed ("A 比 B 快" and "B 比 A 快" look alike), so a swap of the compared things
is not caught; the check errs towards leaving a hit alone. One case is cheap to read, though: in a
question comparing named things (Latin terms of the prompt, "DPO和PPO"), a denial whose clause names
only another compared thing than the key point does ("GRPO 不需要 critic" against "PPO需要critic")
states the contrast, and ``misattributed`` takes back its contradiction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.grading.matching import Answer, Phrase, Verdict, _bag, close_mentions, mentions
from bot.grading.negation import NEGATIVE_KINDS, negated
from bot.grading.normalise import CJK_MIN, Text
from bot.grading.sentences import _STRONG_EN, _STRONG_ZH, _WEAK_EN, _WEAK_ZH
from bot.grading.trie import trie_pattern

FLIP_WINDOW = 6  # tokens before a cue, within its clause, where a negation reverses it
OBJECT_WINDOW = 5  # tokens on each side of a cue, within its clause, that say what the cue is about

# (axis, sign) -> cue words; Chinese words are two characters (they are found as bigram units),
# English words are Snowball stems (as the answer's tokens are)
_CUES: dict[tuple[str, int], tuple[str, ...]] = {
    ("amount", 1): ("增大", "增加", "增多", "提高", "提升", "升高", "加大", "扩大", "变大", "变多", "更多", "更大",
                    "更高", "越大", "越多", "越高", "上升", "变长", "更长", "越长", "加长", "翻倍", "上涨", "增长", "higher", "larger",
                    "bigger", "more", "grow", "rais", "longer", "doubl", "rise", "greater", "climb", "lengthen",
                    "heighten"),
    ("amount", -1): ("减小", "减少", "降低", "下降", "变小", "变少", "更少", "更小", "更低", "越小", "越少", "越低",
                     "缩小", "节省", "减轻", "变短", "更短", "越短", "缩短", "减半", "lower", "smaller", "fewer", "less", "reduc",
                     "shrink", "cut", "shorter", "halv", "declin", "diminish", "lessen", "shorten"),
    ("speed", 1): ("更快", "加快", "加速", "变快", "越快", "faster", "quicker"),
    ("speed", -1): ("更慢", "变慢", "减慢", "越慢", "拖慢", "slower"),
    ("quality", 1): ("更好", "越好", "更准", "更优", "更强", "越强", "变强", "better", "stronger"),
    ("quality", -1): ("更差", "越差", "变差", "更糟", "更弱", "越弱", "变弱", "减弱", "wors", "weaker"),
    ("order", 1): ("之前", "以前", "befor"),
    ("order", -1): ("之后", "以后", "after"),
}
_KIND: dict[str, tuple[str, int]] = {w: key for key, words in _CUES.items() for w in words}
CUE_UNITS = frozenset(_KIND)
_FLIP = frozenset(("不", "没", "未", "别", "not", "no", "never"))
_STOP = frozenset(_STRONG_EN | _WEAK_EN | {"than", "much", "far", "even", "way", "sharpli", "significant", "sever",
                                            "rapid", "drastic", "dramat", "greatli", "slight", "gradual", "consider"})
_GLUE_ZH = frozenset(_STRONG_ZH | _WEAK_ZH | set("比越更较"))
# adverbs of degree say how much, not what: "效果急剧下降" and "困惑度急剧上升" share no object
_DEGREE = frozenset(("急剧", "显著", "明显", "大幅", "大大", "迅速", "快速", "逐渐", "略微", "稍微", "非常", "很多",
                     "一些", "有所", "进一步", "剧烈", "成倍", "多少", "得多", "不少"))
# a coordinator ends a cue's reach: in "更大 batch 或更少的卡", 更少 is about 卡, not batch
_COORDINATORS = frozenset(("或", "和", "与", "及", "而", "or", "and", "but", "whil"))


@dataclass(frozen=True, slots=True)
class DirectionCue:
    axis: str
    sign: int
    objects: frozenset[str]
    at: int = 0  # the cue's first token


def _objects(tokens: list[str], lo: int, hi: int) -> frozenset[str]:
    """Content units of tokens[lo:hi] (no boundaries inside): Chinese bigrams and English stems."""
    out = set()
    for i in range(lo, hi):
        tok = tokens[i]
        if tok >= CJK_MIN:
            if i + 1 < hi and tokens[i + 1] >= CJK_MIN:
                pair = tok + tokens[i + 1]
                if pair not in _KIND and pair not in _DEGREE and not (tok in _GLUE_ZH and tokens[i + 1] in _GLUE_ZH):
                    out.add(pair)
        elif tok not in _STOP and tok not in _KIND and not tok.isdigit():
            out.add(tok)
    return frozenset(out)


# Chinese cue verbs that take an object after them ("降低显存", "提升编码效率")
_VERBS_ZH = frozenset(("增大", "增加", "提高", "提升", "升高", "加大", "扩大", "减小", "减少", "降低", "缩小", "节省",
                       "减轻", "缩短", "加快", "加速", "减慢", "拖慢", "翻倍", "减半"))
_ARTICLES = frozenset(("the", "a", "an", "their", "its", "our", "your"))


def _attributive(tokens: list[str], word: str, after: int, hi: int) -> bool:
    """Does the cue bind to the noun after it (an adjective before its noun, a verb before its object)
    rather than to what precedes it? "省下来的显存可以开更大的 batch": 更大 is about batch, not 显存."""
    if after >= hi:
        return False
    nxt = tokens[after]
    if word >= CJK_MIN:
        if word[0] in "更越":
            return nxt == "的"
        return word in _VERBS_ZH and nxt >= CJK_MIN and nxt not in _GLUE_ZH
    while nxt in _ARTICLES and after + 1 < hi:
        after += 1
        nxt = tokens[after]
    return nxt not in _STOP and nxt not in _KIND and nxt not in _FLIP and not nxt.isdigit() and nxt not in "|#"


def direction_cues(text: Text, start: int = 0, end: int | None = None) -> list[DirectionCue]:
    """Direction cues in tokens [start, end) of a text, each with its sign (negation-flipped) and objects."""
    tokens = text.tokens
    end = len(tokens) if end is None else end
    out = []
    i = start
    while i < end:
        tok = tokens[i]
        word, width = None, 1
        if tok >= CJK_MIN:
            if i + 1 < end and tok + tokens[i + 1] in _KIND:
                word, width = tok + tokens[i + 1], 2
        elif tok in _KIND:
            word = tok
        if word is None:
            i += 1
            continue
        axis, sign = _KIND[word]
        cs, ce = text.span_of(i, text.clauses)
        # "不会让显存变大", "does not make it faster": a negation shortly before the cue in its clause
        if sum(1 for j in range(max(cs, i - FLIP_WINDOW), i) if tokens[j] in _FLIP) % 2:
            sign = -sign
        lo, hi = max(cs, i - OBJECT_WINDOW), min(ce, i + width + OBJECT_WINDOW)
        for j in range(i - 1, lo - 1, -1):
            if tokens[j] in _COORDINATORS:
                lo = j + 1
                break
        for j in range(i + width, hi):
            if tokens[j] in _COORDINATORS:
                hi = j
                break
        if _attributive(tokens, word, i + width, hi):
            # "开更大的 batch", "larger batch", "improves encoding efficiency": about the noun that follows,
            # up to the next function word ("longer ones | without perplexity blowing up")
            lo = i
            j = i + width
            while j < hi and (tokens[j] in _ARTICLES or tokens[j] == "的"):
                j += 1
            while j < hi and tokens[j] not in _STOP and tokens[j] not in _FLIP and tokens[j] not in _GLUE_ZH \
                    and tokens[j] != "without":
                j += 1
            hi = j
        objects = _objects(tokens, lo, i) | _objects(tokens, i + width, hi)
        if objects:
            out.append(DirectionCue(axis, sign, objects, i))
        i += width
    return out


def _opposed(said: list[DirectionCue], model: list[DirectionCue]) -> list[DirectionCue]:
    """The model cues that a cue of ``said`` reverses (same axis, a shared object, the other sign)."""
    return [m for m in model if any(a.axis == m.axis and a.sign != m.sign and a.objects & m.objects for a in said)]


def _agrees(said: list[DirectionCue], m: DirectionCue) -> bool:
    return any(a.axis == m.axis and a.sign == m.sign and a.objects & m.objects for a in said)


_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*")


def compared(prompt: str, points) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """Per key point of a question comparing named things ("prefix LM 和 causal LM", "DPO 和 PPO"): the
    flat forms of the compared names its text uses, and of the other ones; empty where it names none.
    A name is a Latin word of the prompt in its rendered form ("prefix" -> 前缀), a word every compared
    thing shares ("LM") left out."""
    forms = [Text(w).flat for w in _NAME.findall(prompt)]
    names = [f for f in dict.fromkeys(forms) if forms.count(f) == 1 and f.strip() and f.strip() not in _STOP]
    out = []
    for text, _phrases in points:
        flat = Text(text).flat
        own = tuple(n for n in names if n in flat) if len(names) >= 2 else ()
        out.append((own, tuple(n for n in names if n not in own) if own else ()))
    return tuple(out)


def _about_other(text: Text, s: int, e: int, cue: DirectionCue, own: tuple[str, ...], other: tuple[str, ...]) -> bool:
    """Is a cue of sentence [s, e) about another compared thing than the point's own? Its subject is the
    compared name nearest before it in the sentence ("Prefix LM 理解更充分；Causal LM 训练效率更高"), or
    the first one after it when none comes before."""
    if not other:
        return False
    starts, flat = text.starts, text.flat
    lo, at = starts[s], starts[cue.at]
    hi = starts[e] if e < len(starts) else len(flat)
    before = max(((flat.rfind(n, lo, at), n) for n in (*own, *other)), default=(-1, ""))
    if before[0] >= 0:
        return before[1] in other
    after = min(((p, n) for n in (*own, *other) if (p := flat.find(n, at, hi)) >= 0), default=(-1, ""))
    return after[0] >= 0 and after[1] in other


class ModelDirections:
    """Per key point of one question, the direction cues of the model-answer sentences that mention it.
    In a comparison, a sentence about another compared thing ("Causal LM 训练效率更高" for a point about
    Prefix LM) says nothing about the point's own direction, and an answer's sentence about another
    thing is not read against the point either ("the prefix LM is less efficient" against "Causal 训练高效")."""

    __slots__ = ("points", "axes", "compared")

    def __init__(self, model_answer: str, points: tuple[tuple[str, tuple[Phrase, ...]], ...],
                 prompt: str = "") -> None:
        model = Answer(model_answer)
        spans = model.text.sentences
        per_sentence = [direction_cues(model.text, s, e) for s, e in spans]
        self.compared = compared(prompt, points)
        self.points: list[list[DirectionCue]] = []
        for (_text, phrases), (own, other) in zip(points, self.compared, strict=True):
            said: set[int] = set()
            for phrase in phrases:
                for start, _end in close_mentions(phrase, model):
                    said.update(k for k, (s, e) in enumerate(spans) if s <= start < e)
            self.points.append([c for k in sorted(said) for c in per_sentence[k]
                                if not _about_other(model.text, *spans[k], c, own, other)])
        self.axes = frozenset(c.axis for cues in self.points for c in cues)


def _hit_sentences(phrases: tuple[Phrase, ...], answer: Answer) -> set[tuple[int, int]]:
    """Sentences of the answer where one of the phrases is mentioned with its own polarity."""
    text = answer.text
    out = set()
    # mentions in another word order only where no phrase is mentioned in its own (the looser match
    # costs a walk over token positions)
    for find in (close_mentions, mentions):
        for phrase in phrases:
            for start, end in find(phrase, answer):
                if negated(text, answer.cues, start, end, weak=phrase.negative) == phrase.negative:
                    out.add(text.span_of(start, text.sentences))
        if out:
            break
    return out


def reverse_hits(directions: ModelDirections | None, points, answer: Answer,
                 verdicts: list[Verdict]) -> list[Verdict]:
    """The verdicts with every hit whose sentence reverses the model answer's direction made CONTRADICTED."""
    if directions is None or not directions.axes:
        return verdicts
    present = answer.all_units & CUE_UNITS
    if not present or not directions.axes.intersection(_KIND[w][0] for w in present):
        return verdicts
    kinds = {_KIND[w] for w in present}
    units = answer.all_units
    out = list(verdicts)
    everywhere: list[DirectionCue] | None = None
    for k, verdict in enumerate(verdicts):
        model = directions.points[k]
        # cheap necessary condition first: an opposite cue word somewhere and an object of the model cue
        if verdict is not Verdict.HIT or not any((m.axis, -m.sign) in kinds and not m.objects.isdisjoint(units)
                                                 for m in model):
            continue
        own, other = directions.compared[k]
        said = [c for s, e in _hit_sentences(points[k][1], answer) for c in direction_cues(answer.text, s, e)
                if not _about_other(answer.text, s, e, c, own, other)]
        opposed = _opposed(said, model) if said else []
        if not opposed:
            continue
        # an answer that states the model's direction anywhere ("减小 batch") is not contradicting it,
        # even if another sentence describes the opposite as a cause ("batch 拼得更大了")
        if everywhere is None:
            everywhere = direction_cues(answer.text)
        if not all(_agrees(everywhere, m) for m in opposed):
            out[k] = Verdict.CONTRADICTED
    return out


def subjects_of(prompt: str, points) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """Per key point of a comparison question ("DPO和PPO的区别"), the compared things its text names
    and the other ones the prompt names; empty pairs for a question that names fewer than two."""
    named = frozenset(t for t in Text(prompt).tokens if t < CJK_MIN and len(t) >= 2 and t.isalpha()
                      and t not in _STOP)
    out = []
    for text, _phrases in points:
        own = named.intersection(Text(text).tokens) if len(named) >= 2 else frozenset()
        out.append((own, named - own if own else frozenset()))
    return tuple(out)


def misattributed(subjects, points, answer: Answer, verdicts: list[Verdict]) -> list[Verdict]:
    """The verdicts with a denial that is about another compared thing made MISSED: "GRPO 不需要 critic"
    denies nothing about the point "PPO需要critic价值模型"; it states the contrast."""
    out = verdicts
    text = answer.text
    for k, verdict in enumerate(verdicts):
        own, other = subjects[k]
        if verdict is not Verdict.CONTRADICTED or not other or other.isdisjoint(answer.token_set):
            continue
        clauses = {text.span_of(start, text.clauses) for phrase in points[k][1]
                   for start, end in mentions(phrase, answer)
                   if negated(text, answer.cues, start, end, weak=phrase.negative) != phrase.negative}
        if clauses and all(own.isdisjoint(text.tokens[s:e]) and not other.isdisjoint(text.tokens[s:e])
                           for s, e in clauses):
            out = list(out) if out is verdicts else out
            out[k] = Verdict.MISSED
    return out


# Verbs that take something away ("去掉缓存", "用暴力检索代替 HNSW", "drop the cache") stand before what
# they remove; the ones of a 把 sentence or a topic-comment ("把缓存全部去掉", "reference model 直接删掉",
# "the cache is removed") stand after it.
_REMOVE_BEFORE = ("去掉", "去除", "删掉", "删除", "移除", "关掉", "关闭", "禁用", "停用", "丢掉", "丢弃", "舍弃",
                  "抛弃", "砍掉", "省掉", "省去", "跳过", "绕过", "取消", "放弃", "代替", "替代", "取代", "替换",
                  "换掉", "摆脱", "免去", "remov", "drop", "disabl", "skip", "bypass", "replac", "discard", "elimin",
                  "abandon", "delet", "omit", "cancel")  # the last three: 删除, 省掉/省去 and 取消 in English
_REMOVE_AFTER = frozenset(("去掉", "去除", "删掉", "删除", "移除", "关掉", "关闭", "禁用", "丢掉", "丢弃", "舍弃",
                           "砍掉", "省掉", "取消", "remov", "drop", "disabl", "discard", "elimin", "replac", "delet",
                           "omit", "cancel"))
# an English verb after its object is passive ("the cache is removed"); active, the thing before it is
# its subject ("the group mean replaces the critic")
_PASSIVE = frozenset(("is", "are", "was", "were", "be", "been", "get", "got"))
_REMOVE_RE = re.compile(trie_pattern([w if w >= CJK_MIN else f" {w} " for w in _REMOVE_BEFORE]))
_REMOVE_UNITS = frozenset(_REMOVE_BEFORE)  # two-character words are bigram units, English stems are tokens
_REPLACED_BY = frozenset(("with", "by", "成", "为"))
# a point about cleaning data takes things out itself ("清洗去重去有害", "filter toxic text" folds to
# 过滤有害文本): removing what it names ("删掉重复的、有害的", "去掉隐私") is the point, not its denial;
# removing the cleaning step itself ("skip dedup", "去掉过滤") still denies it
_CLEANING_RE = re.compile("清洗|清理|过滤|去重|去噪|剔除|筛掉|筛除|脱敏|去有害|去低质| scrub | sanit ")
REMOVE_WINDOW = 6  # tokens between a removal verb and what it removes (一个/全部/the/all ...)
AFTER_WINDOW = 4  # tokens between what is removed and a removal verb after it ("缓存全部去掉")


# what may follow a Chinese removal verb that removes the thing before it: an aspect particle or a
# complement ("缓存去掉了", "删光"), then nothing, a sentence particle or a time word ("去掉之后", "去掉以后")
_VERB_ASPECT = frozenset("了掉光完")
_VERB_TAIL = frozenset("吧啊呢的之以后再就也都才")


def _has_object(tokens: list[str], verb_end: int, clause_end: int) -> bool:
    """Does a Chinese removal verb have an object of its own after it ("用 FlashAttention 省掉 n² 的注意力
    矩阵")? Then it removes that object, not what stands before it."""
    if tokens[verb_end - 1] < CJK_MIN:
        return False  # an English verb after its object is passive
    while verb_end < clause_end and tokens[verb_end] in _VERB_ASPECT:
        verb_end += 1
    return verb_end < clause_end and tokens[verb_end] not in _VERB_TAIL


def _removals(text: Text) -> list[tuple[int, int, bool]]:
    """(first token, end token, may follow its object) of every removal verb of a text."""
    out = []
    for m in _REMOVE_RE.finditer(text.flat):
        word = m.group().strip()
        first = text.token_at(m.start() + (m.group()[0] == " "))
        after = word in _REMOVE_AFTER and (word >= CJK_MIN or (first > 0 and text.tokens[first - 1] in _PASSIVE))
        out.append((first, text.token_at(m.end() - 1) + 1, after))
    return out


def _removed(text: Text, cues, removals, start: int, end: int) -> bool:
    """Is the mention [start, end) the object of a removal verb in its clause (and the verb not negated)?"""
    cs, ce = text.span_of(start, text.clauses)
    for rs, re_, after in removals:
        if cs <= rs and re_ <= start and start - re_ <= REMOVE_WINDOW:
            between = (rs, start)
        elif after and end <= rs and re_ <= ce and rs - end <= AFTER_WINDOW and not _has_object(text.tokens, re_, ce):
            between = (end, rs)
        else:
            continue
        # "replace the defaults with your own prompts", "把默认提示替换成自己的": what comes after with/成/为/by
        # is the new thing, not the removed one
        if between == (rs, start) and not _REPLACED_BY.isdisjoint(text.tokens[re_:start]):
            continue
        # "不要去掉缓存" and "把缓存去掉也不行" keep it; a breaker ends the verb's reach ("去掉 X，而是…")
        if any(c.kind in NEGATIVE_KINDS and (rs - 3 <= c.start < rs or re_ <= c.start < re_ + 3) for c in cues):
            continue
        if any(c.kind == "brk" and between[0] <= c.start < between[1] for c in cues):
            continue
        return True
    return False


def _flat_of(text: Text, start: int, end: int) -> str:
    """The flat rendering of tokens [start, end)."""
    return text.flat[text.starts[start]:text.starts[end] if end < len(text.starts) else len(text.flat)]


class ModelRemovals:
    """Per key point, whether the model answer (or the point's own wording) removes or replaces it:
    "GRPO 去掉了 critic" is then the point, not its denial."""

    __slots__ = ("points", "cleaning")

    def __init__(self, model_answer: str, points) -> None:
        model = Answer(model_answer)
        removals = _removals(model.text)
        self.points: list[bool] = []
        self.cleaning = [any(_CLEANING_RE.search(p.flat) for p in phrases) for _text, phrases in points]
        for _text, phrases in points:
            own = any(_REMOVE_RE.search(Text(p.source).flat) for p in phrases)
            said = own or any(_removed(model.text, model.cues, removals, s, e)
                              for p in phrases for s, e in close_mentions(p, model))
            self.points.append(said)


def removed_hits(model: ModelRemovals | None, points, answer: Answer, verdicts: list[Verdict]) -> list[Verdict]:
    """The verdicts with every hit whose mentions all remove or replace the point ("把缓存全部去掉",
    "用暴力检索代替 HNSW") made CONTRADICTED, unless the model answer removes it too."""
    # cheap necessary condition first (a set test at C level): a removal verb among the answer's units
    if model is None or Verdict.HIT not in verdicts or answer.all_units.isdisjoint(_REMOVE_UNITS):
        return verdicts
    removals = _removals(answer.text)
    if not removals:
        return verdicts
    text, out = answer.text, verdicts
    # the tokens a removal verb can reach: a point none of whose tokens is there is not removed
    near = {t for rs, re_, _after in removals
            for t in text.tokens[max(0, rs - AFTER_WINDOW - 2):re_ + REMOVE_WINDOW + 2]}
    for k, verdict in enumerate(verdicts):
        if verdict is not Verdict.HIT or model.points[k] or near.isdisjoint(t for p in points[k][1] for t in p.tokens):
            continue
        # mentions in the phrase's order first: one in another order is looser and may span the verb
        spans = [(s, e) for p in points[k][1] if not p.negative for s, e in close_mentions(p, answer)
                 if not negated(text, answer.cues, s, e)]
        if spans:
            # ... but a mention in another order that holds no removal verb and is kept affirms the point
            # elsewhere ("去掉前 5 层时推理快" by its units, "同一个输入同时给多个任务处理" in full)
            loose = ((s, e) for p in points[k][1] if not p.negative for s, e in _bag(p, answer)
                     if not any(s < re_ and rs < e for rs, re_, _a in removals))
            if any(not _removed(text, answer.cues, removals, s, e) and not negated(text, answer.cues, s, e)
                   for s, e in loose):
                continue
        else:
            spans = [(s, e) for p in points[k][1] if not p.negative for s, e in mentions(p, answer)
                     if not negated(text, answer.cues, s, e)]
        if spans and all(_removed(text, answer.cues, removals, s, e)
                         and (not model.cleaning[k] or _CLEANING_RE.search(_flat_of(text, s, e)))
                         for s, e in spans):
            out = list(out) if out is verdicts else out
            out[k] = Verdict.CONTRADICTED
    return out
