"""Is a key point asserted or denied? Negation cues in the clause around a hit, in Chinese and English.

A key point counts only when the answer affirms it. ``Cues`` finds, once per answer, every cue word
with one regular expression over the flat text (``bot.grading.normalise``); ``negated`` then decides
for one hit:

* before the hit, in the same clause and at most ``WINDOW`` tokens back, an odd number of negation
  cues negates it ("不需要奖励模型", "does not need a reward model"; "不是不需要" is two and
  affirms). A scope breaker ("而是", "但", "就", "but", "and", "which" ...) starts a fresh count, so
  a negation that belongs to another predicate does not reach the hit;
* after the hit, the clause may end in a negated predicate with nothing else in it
  ("和人类偏好无关", "奖励模型是不需要的", "the reward model is not needed"); a clause that goes on
  to say something else ("LoRA 不需要更新全部参数") negates that something, not the hit, and so does
  a negative adjective before its noun ("忽略无关的内容", "ignore irrelevant content"); in a list
  whose last item ends in such a predicate after 都/也 ("消息队列、限流和熔断都用不上"), every short
  item before it is denied too;
* a few predicates negate on both sides ("不存在外推问题", "外推问题不存在");
* a negation reaches no further than its own clause: a bare 不/没/未 that a 的 closes is inside an
  attributive clause ("用没对齐过的底座", "训不稳的根本原因是…"), an English one ends at the next finite
  verb or subject ("variables that do not change | you can prefill them"), a clause with a predicate of
  its own is no list item for a later 都/也, and 连…也 is about its own object; a negated modal whose
  verb a 的 closes is attributive too ("遇到不该答的问题", "从未见过的数据"), and so is a negated
  predicate after a hit that a 的 joins to a noun of its own ("编造不存在的调用"); an English
  "without" qualifies its noun, and examples after it ("languages without spaces such as
  Chinese") are instances of the whole, not denied;
* "X instead of Y", "用 X 而不是 Y" denies Y only, and such a clause is no denial of the answer's; what
  a 被 after Y goes on to say of it is asserted ("而不是作为 L2 项被 Adam 的缩放扭曲", as "that" ends the
  denial in "instead of an L2 term that Adam's scaling distorts");
* English marks a denied list by a coordination and a plural verb ("truncation, chunking and RAG do not
  help"), as Chinese does by 都, and then every item is denied;
* never negated: a hit in a conditional or counterfactual sentence ("如果没有 KV cache，每一步都要
  重算", "without a cache it would recompute"), which explains by contrast; a negation after a
  verb of solving or avoiding ("解决了训练不稳定的问题", "avoids unnecessary work"), which is part
  of the claim, and so is a checked clause ("check that it did not forget", "确保…"), up to the end of
  its sentence unless a contrast ends it ("whether the calls succeed, and it does not loop"); an A-not-A
  question ("满不满意", "有没有用", "是不是") asks whether; 不到 beside a quantity compares ("万分之一都不到");
  and words that only look negative: lexicalised ones ("不同", "不断", "不仅…而且",
  "无论", "无损", "没问题", "非常", "区别", "未来", "差不多", "not only", "no matter").

A key point whose own text is negative ("无需奖励模型", "no reward model") is matched by its core
("奖励模型") and expects a negated mention; for those, verbs of removal ("跳过", "去掉", "skip",
"remove") count as negation too.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from bot.grading.normalise import CJK_MIN, CLAUSE, SENTENCE, Text, fold, render
from bot.grading.trie import trie_pattern

WINDOW = 16  # tokens before a hit that a negation may stand in (a Chinese character is one token)
LIST_ITEM = 8  # tokens of a list item between a hit and a predicate about the whole list ("A、B、C 都不需要")

# at one position the longest cue word wins, so lexicalised words ("不同") beat the bare cue characters
# they contain, and "unrelated to X" (negating what follows) beats "X is unrelated" (negating what
# precedes); a word listed under two kinds keeps the first
_GROUPS: list[tuple[str, tuple[tuple[str, ...], tuple[str, ...]]]] = [
    # (kind, (Chinese, English))
    ("neg", ((), ("unrelated to", "irrelevant to", "nothing to do with", "independent of"))),
    # "不存在外推问题" and "外推问题不存在": a predicate that negates what follows it as well as what precedes
    ("both", (("不存在", "没必要", "没有必要", "没用", "没有用", "用不着", "用不上"), ())),
    ("post", (("无关", "不相关", "没关系", "没有关系", "可有可无", "不重要", "无用", "不必要", "不成立", "多余",
              "用不了", "帮不上", "帮不上忙", "起不到作用", "不起作用", "没作用", "没有作用",
              "没效果", "没有效果", "无济于事", "派不上用场"),
             ("unrelated", "irrelevant", "unnecessary", "useless", "pointless", "redundant", "superfluous"))),
    ("neutral", (("不同", "不断", "不少", "不错", "不过", "不仅", "不只", "不但", "不光", "不单", "不论", "不管",
                 "不久", "不足", "不够", "不稳定", "不确定", "不一致", "不均衡", "不平衡", "不可或缺", "不得不",
                 "不可避免", "不停", "不良", "不当", "不佳", "不准确", "不合理", "不匹配", "不对称", "不连续",
                 "不可导", "不可微", "不变", "不一样", "不一定", "不易", "不好", "不高", "不大", "不小", "不多",
                 "无论", "无损", "无监督", "无偏", "无穷", "无数", "无限", "无状态", "无效", "无意义", "无序",
                 "无标签", "无标注", "无关紧要", "无线", "无缝", "无所谓", "无非", "不算", "不计",
                 "放不下", "装不下", "存不下", "塞不下", "撑不住", "扛不住", "跑不动", "吃不消", "跟不上",
                 # a verb with a potential complement says how well it goes, not that its object is absent
                 # ("术语也用不准" is "uses the jargon inaccurately"); one of inability (学不会, 记不住: "记不住前面聊过
                 # 什么" is "does not remember the conversation") still denies
                 "用不准", "用不好", "说不清", "讲不清", "分不清", "搞不清", "看不懂", "听不懂", "读不懂",
                 "答不对", "答不好", "做不好", "写不好", "算不准", "估不准",
                 "没问题", "没错", "没事", "非常", "非线性", "是非", "非结构化",
                 "非凸", "非零", "非对称", "非得", "区别", "类别", "特别", "分别", "识别", "个别", "级别",
                 "差别", "判别", "鉴别", "辨别", "告别", "性别", "别的", "别人", "别名", "未来", "未知",
                 "未必", "若干", "不能少", "不可少", "少不了", "必不可少", "不可缺", "缺一不可", "不容忽视", "不可忽视",
                 "不能忽视", "不能忽略", "不可忽略", "无可替代", "不可替代", "差不多",
                 # a warning against confusing, forgetting or underrating something states it ("不要忘了加
                 # EOS", "do not confuse it with LayerNorm"): the negation is about the verb, not what follows
                 "不要混淆", "别混淆", "不能混淆", "不要搞混", "别搞混", "不要忘记", "不要忘了", "别忘了", "别忘记",
                 "不能忘记", "不要低估", "不能低估", "不要忽视", "别忽视", "不要忽略", "别忽略"),
                ("not only", "not just", "not necessarily", "no matter", "no doubt", "nonetheless", "cannot do without",
                 "cannot be ignored", "not be ignored", "no less",
                 "nevertheless", "not bad", "not confuse", "not be confused", "never confuse", "not mistake",
                 "not mix up", "not overlook", "not underestimate", "not neglect",
                 # "forget" and "ignore" arrive folded (遗忘, 忽略); only the imperative warns ("don't forget to
                 # add EOS"): "the model does not forget" denies forgetting
                 "do not 遗忘", "never 遗忘", "do not 忽略", "never 忽略"))),
    # "X instead of Y", "用 X 而不是 Y": a contrast that denies Y only; the clause affirms X, so it
    # makes no denial of the clause (it is no "post" predicate, nor a denying clause)
    ("instead", (("而不是", "而非", "而不用"), ("rather than", "instead of"))),
    ("neg", (("并非", "绝非", "并不是", "不是", "不需要", "不需", "不用", "不要", "不必", "不会", "很少需要", "极少需要",
             "不能", "不可", "不该", "不应", "不再", "并不", "从不", "从未", "绝不", "毫不", "无需", "无须",
             "无法", "毫无", "并无", "没有", "没", "未", "别", "不", "无"),
            # "you rarely need to pretrain from scratch" is "一般不必从头预训练"
            ("no longer", "not", "no", "never", "without", "none", "nor", "rarely need", "rarely needs",
             "seldom need", "seldom needs", "rarely have to", "seldom have to",
             "neither", "nothing", "cannot", "lack", "lacks"))),
    # "分数差不多的就不要了": 不要了 discards, like 丢掉
    # 丢弃 is also where the glossary folds "discard" and "throw away"
    ("weak", (("不要了", "跳过", "省去", "省掉", "省略", "去掉", "去除", "绕过", "免去", "取消", "摆脱", "舍弃", "丢掉", "丢弃",
              "抛弃", "移除", "删掉", "砍掉", "替代", "取代"),
             # the English of 省略, 抛弃, 删掉, 砍掉 and 取消 as well
             ("skip", "skips", "bypass", "eliminate", "remove", "drop", "get rid of", "do away with",
              "dispense with", "replace", "omit", "leave out", "leaves out", "abandon", "delete", "cut out",
              "cuts out", "cancel"))),
    ("cf", (("如果", "假如", "假设", "要是", "倘若", "如若", "否则", "不然", "除非", "的话", "若"),
           # the English of 假如 too ("suppose the cache were gone"; "assume" arrives folded into 假设)
           ("if", "unless", "otherwise", "would", "suppose", "supposing", "in case"))),
    ("embed", (("解决", "避免", "防止", "缓解", "克服", "减少", "降低", "消除", "减轻", "改善", "处理", "应对",
               "修复", "抑制", "弥补", "针对", "检测", "发现", "问题", "检查", "确认", "确保"),
              # a checked clause states what must hold, not a denial: "check that it did not forget"
              ("check", "check that", "checks that", "checking that", "make sure", "make sure that", "ensure",
               "ensure that", "ensures that", "verify that", "whether", "solve", "avoid", "prevent", "mitigate", "reduce", "fix", "address", "handle", "overcome",
               "tackle", "alleviate", "deal with", "detect", "problem"))),
    ("brk", (("而是", "但是", "可是", "然而", "但", "却", "就", "才", "所以", "因此", "从而", "然后", "并且", "而且",
             "同时", "以便", "只是", "于是", "因为", "使得", "导致", "而", "只"),
            # "since", "moreover", "meanwhile": the English of 因为, 而且 and 同时
            ("but", "and", "so", "because", "which", "that", "while", "whereas", "then", "thus",
             "therefore", "hence", "instead", "only", "just", "however", "since", "moreover", "furthermore",
             "meanwhile"))),
]

_ALL = {"都", "也", "均", "全", "all", "both", "either"}
# what a clause may still hold after a hit for a trailing negation to be about the hit itself
_FILLER_CJK = set("的了是也都并其实根本完全呢吧啊和与跟同这那个一点就说真很太需要必须重有用相关系作影响帮助意义存在使该应会能可以么任何什")
_FILLER_EN = {"is", "are", "was", "were", "be", "been", "it", "this", "that", "realli", "actual", "at", "all",
              "need", "necessari", "requir", "import", "use", "help", "relev", "relat", "matter", "involv", "do",
              "doe", "did", "the", "a", "an", "to", "with", "for", "ani", "role", "part", "of", "there", "here",
              "even", "inde", "play"}


def _pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """All cue words in one prefix-tree regex (the longest word at a position wins), and their kinds."""
    kinds: dict[str, str] = {}
    for kind, (zh, en) in _GROUPS:
        for word in (*zh, *(render(fold(w)) for w in en)):
            kinds.setdefault(word, kind)
    return re.compile(trie_pattern(list(kinds))), kinds


_CUES, _KINDS = _pattern()
# the cues of a checked clause (of the "embed" kind), as their tokens joined
_CHECKED = frozenset("".join(Text(w).tokens) for w in (
    "确保", "check that", "checks that", "checking that", "make sure", "ensure", "ensures",
    "verify that", "whether"))
_CONTRAST = frozenset(("但", "但是", "可是", "然而", "而是", "却", "but", "howev", "while", "wherea"))
_NEGATING = frozenset(("neg", "both", "instead"))  # kinds that negate what follows them
NEGATIVE_KINDS = frozenset(("neg", "both", "post"))  # kinds that make a clause a denial


@dataclass(frozen=True, slots=True)
class Cue:
    start: int  # first token
    end: int  # one past the last token
    kind: str  # a kind of _GROUPS


# Cues are immutable and recur (the same kind at the same token offsets) from answer to answer: one shared
# instance per key is looked up in a fraction of a frozen dataclass's construction time
_CUE_CACHE: dict[tuple[int, int, str], Cue] = {}


def find_cues(text: Text) -> list[Cue]:
    out = []
    tokens = text.tokens
    for m in _CUES.finditer(text.flat):
        word = m.group()
        kind = _KINDS[word]
        if kind == "neutral":
            continue
        key = (text.token_at(m.start()), text.token_at(m.end() - 1) + 1, kind)
        if kind in _NEGATING and word[0] in "不没" and _not_a_denial(tokens, key[0], word):
            continue
        if kind == "neg" and word in _WARNING and _confusing_follows(tokens, key[1]):
            continue
        cue = _CUE_CACHE.get(key)
        if cue is None:
            if len(_CUE_CACHE) >= 16384:  # a few MB at most
                _CUE_CACHE.clear()
            cue = _CUE_CACHE[key] = Cue(*key)
        out.append(cue)
    return out


# "不要把 RMSNorm 和 LayerNorm 混淆", "别和 LayerNorm 搞混": a warning whose clause ends in a verb of confusing
# warns against the confusion and denies neither thing (the English "do not confuse it with" is a neutral
# word above); Chinese puts the objects between, so the verb is looked for up to the clause's end
_WARNING = frozenset(("不要", "别", "不能", "不可", "千万别", "切勿", "勿"))
_CONFUSING = ("混淆", "搞混", "弄混", "混为一谈")
CONFUSING_REACH = 16  # tokens after the warning in which its verb may stand


def _confusing_follows(tokens: list[str], at: int) -> bool:
    """Does a verb of confusing close the clause that starts at token ``at``?"""
    clause = []
    for tok in tokens[at:at + CONFUSING_REACH]:
        if tok in (CLAUSE, SENTENCE):
            break
        clause.append(tok)
    joined = "".join(clause)
    return any(verb in joined for verb in _CONFUSING)


# characters that make a quantity: "万分之一都不到", "不到 1%" compare an amount, they deny nothing
_QUANTITY = set("0123456789一二三四五六七八九十百千万亿半两几成倍%") | {"percent"}
_ALSO = set("都也还")


def _not_a_denial(tokens: list[str], at: int, word: str) -> bool:
    """A 不/没 that asks or compares: an A-not-A question ("满不满意", "有没有用", "是不是", "做没做成":
    whether, not a denial) or 不到 beside a quantity ("万分之一都不到", "不到 1%": less than)."""
    before = tokens[at - 1] if at else ""
    if before and before >= CJK_MIN and at + 1 < len(tokens) and tokens[at + 1] == before:
        return True
    if word == "不" and at + 1 < len(tokens) and tokens[at + 1] == "到":
        k = at - 1
        while k >= 0 and tokens[k] in _ALSO:
            k -= 1
        if k >= 0 and tokens[k][-1] in _QUANTITY:
            return True
        # the quantity follows, directly or after what it is a share of ("不到模型的万分之一")
        ahead = tokens[at + 2:at + 10]
        if ahead and ahead[0][0] in _QUANTITY:
            return True
        return any(t == "的" and nxt[0] in _QUANTITY for t, nxt in zip(ahead, ahead[1:], strict=False))
    return False


def _parity(cues: list[Cue]) -> bool:
    """Odd number of live negations, with breakers resetting and solving verbs neutralising."""
    odd = embedded = False
    for cue in cues:
        if cue.kind == "brk":
            odd = embedded = False
        elif cue.kind == "embed":
            embedded = True
        elif cue.kind in _NEGATING and not embedded:
            odd = not odd
    return odd


_BARE = frozenset("不没未")
ATTRIBUTIVE = 6  # tokens between a bare 不/没/未 and the 的 that closes its attributive clause
# a negated modal takes a verb, and a 的 right after that verb makes the whole an attribute of the noun
# after it ("不该答的问题", "不能用的工具", "从未见过的数据"); a longer stretch before 的 is more often an
# object with an adjective of its own ("不能用额外的奖励模型" denies the model)
_MODAL = frozenset(("不该", "不应", "不能", "不会", "不可", "不必", "不再", "从不", "从未", "绝不", "无法"))
_NOT_A_VERB = frozenset("有是把被让给对为在和跟与将")
MODAL_VERB = 2  # tokens of the verb between a negated modal and its attributive 的
# English prepositions of absence qualify the noun right after them; an example list after that noun
# names instances of the whole ("languages without spaces such as Chinese"), which they do not deny. A
# "no" before a subject quantifies it, and its examples are denied too ("no large model such as GLM uses it")
_NOUN_NEG = frozenset(("without", "lack"))
_EXAMPLE = ("such as", "for example", "for instance", "including")
# a finite verb or a subject between an English negation and a hit starts another predicate: "variables
# that do not change | you can prefill", "tools that don't depend on each other | are called at once"
_PREDICATE_EN = frozenset(("is", "are", "was", "were", "can", "could", "will", "should", "must", "may", "might",
                           "you", "we", "they", "i", "he", "she"))


# a verb of going past a bound: a negation before it is about exceeding, and the bound after it is
# stated, not denied ("不能超过训练时的最大长度", "can't go past the maximum length", "cannot exceed the
# context window", "no longer than 512 tokens")
_EXCEED = (tuple("超过"), tuple("超出"), tuple("越过"), tuple("突破"), tuple("超越"), tuple("大于"), tuple("长于"),
           tuple("多于"), ("exceed",), ("surpass",), ("beyond",), ("go", "past"), ("goe", "past"), ("get", "past"),
           ("run", "past"), ("longer", "than"), ("more", "than"), ("larger", "than"), ("bigger", "than"))
_EXCEED_FIRST = frozenset(words[0] for words in _EXCEED)


def _exceeds(tokens: list[str]) -> bool:
    """Does a verb of going past a bound (``_EXCEED``) stand among these tokens?"""
    if _EXCEED_FIRST.isdisjoint(tokens):  # the common case, at C level
        return False
    return any(tuple(tokens[i:i + len(words)]) == words
               for i, tok in enumerate(tokens) if tok in _EXCEED_FIRST for words in _EXCEED if words[0] == tok)


def _closed(tokens: list[str], cue: Cue, start: int) -> bool:
    """Does the negation ``cue`` end before the hit at ``start``? A bare 不/没/未 that a 的 closes is
    inside an attributive clause ("用没对齐过的底座", "训不稳的根本原因是…"): it describes the noun
    after 的, and denies nothing; an English one is closed by the next predicate. A negated verb of going
    past a bound denies the going past, not the bound after it ("不能超过最大长度")."""
    if cue.kind == "instead":
        # "直接作用在权重上，而不是作为 L2 项被 Adam 的缩放扭曲": 而不是 denies the alternative, and a 被 after it
        # starts what the answer says of that alternative, as "that" does in "instead of an L2 term that Adam's
        # scaling distorts"
        return "被" in tokens[cue.end:start + 1]
    if cue.kind != "neg" or cue.end >= start:
        return False
    if _exceeds(tokens[cue.end:start]):
        return True
    word = tokens[cue.start]
    if cue.end - cue.start == 1 and word in _BARE:
        return "的" in tokens[cue.end:min(start, cue.end + ATTRIBUTIVE + 1)]
    if word < CJK_MIN:
        between = tokens[cue.end:start]
        if not _PREDICATE_EN.isdisjoint(between):
            return True
        return cue.end - cue.start == 1 and word in _NOUN_NEG and _has_example(between)
    # "不该答的问题": a modal, a verb, then 的; not 有/是, which take a noun ("不会有额外的开销"), nor a
    # coverb, whose object the 的 belongs to ("不能把它的梯度清零")
    modal = "".join(tokens[cue.start:cue.end])
    return (modal in _MODAL and cue.end < start and tokens[cue.end] not in _NOT_A_VERB
            and "的" in tokens[cue.end + 1:min(start, cue.end + MODAL_VERB + 1)])


_EXAMPLE_TOKENS = tuple(tuple(Text(w).tokens) for w in _EXAMPLE)


def _has_example(tokens: list[str]) -> bool:
    """Does an example marker ("such as", "for example") stand among these tokens?"""
    for marker in _EXAMPLE_TOKENS:
        n = len(marker)
        if n and any(tuple(tokens[i:i + n]) == marker for i in range(len(tokens) - n + 1)):
            return True
    return False


def negated(text: Text, cues: list[Cue], start: int, end: int, *, weak: bool = False) -> bool:
    """Whether the hit spanning tokens [start, end) is denied by the answer (see the module docstring).

    With ``weak`` a verb of removal before the hit counts as a negation too.
    """
    cs, ce = text.span_of(start, text.clauses)
    ss, _ = text.span_of(start, text.sentences)
    if any(c.kind == "cf" and ss <= c.start < ce for c in cues):
        return False
    # a list of checks reaches the end of its sentence: "inspect whether the arguments are correct, the
    # calls succeed, and it does not loop or hallucinate tool calls" states what must hold
    # ... unless a contrast ends the list ("check whether it converges, but it does not need a reward model")
    checked = None
    if ss < cs:  # a clause of the sentence before the hit's
        checked = next((c for c in cues if c.kind == "embed" and ss <= c.start < cs
                        and "".join(text.tokens[c.start:c.end]) in _CHECKED), None)
    if checked is not None and not any(c.kind == "brk" and checked.end <= c.start < start
                                       and "".join(text.tokens[c.start:c.end]) in _CONTRAST for c in cues):
        return False
    before = [c for c in cues if cs <= c.start and c.end <= end and c.start >= start - WINDOW and c.kind != "post"
              and not _closed(text.tokens, c, start)]
    if _parity(before):
        return True
    # a removal verb inside the mention is the phrase's own word ("quality does not drop" met by "quality
    # does drop"): only one before it removes the point
    if weak and any(c.kind == "weak" and c.end <= start for c in before):
        return True
    after = [c for c in cues if end <= c.start and c.end <= ce]
    if not after:
        # only a short clause is a list item: one with a predicate of its own ("ORPO 把 SFT 和对齐合并成
        # 一个阶段，SimPO 连参考模型也不要") is not what a later 都/也 is about
        return ce - cs <= LIST_ITEM + end - start and _list_denied(text, cues, ce)
    return _trailing_denial(text, after, end, ce)


def _list_denied(text: Text, cues: list[Cue], ce: int) -> bool:
    """"消息队列、限流和熔断都用不上": a hit in one item of a list whose last item ends in a predicate
    that 都/也 extends to every item. The items are clauses (a list mark is a clause break): each one
    after the hit's must be short and cue-free up to the clause that holds the predicate."""
    nxt = next((c for c in cues if c.start >= ce), None)  # most hits have none: nothing more to do
    if nxt is None or nxt.start >= text.span_of(ce - 1, text.sentences)[1]:
        return False
    spans = text.clauses
    s, e = text.span_of(nxt.start, spans)
    k = bisect_left(spans, (ce, 0))  # the clauses between the hit's and the predicate's are list items
    while k < len(spans) and spans[k][0] < s:
        if spans[k][1] - spans[k][0] > LIST_ITEM:
            return False
        k += 1
    inside = [c for c in cues if s <= c.start and c.end <= e]
    negs = [c for c in inside if c.kind in NEGATIVE_KINDS]
    if not negs:
        return False
    extends = [i for i in range(s, negs[0].start) if text.tokens[i] in _ALL]
    if not extends:
        # "truncation, chunking and RAG do not help": English marks the list by its plural verb
        return _coordinated(text.tokens, s, negs[0].start) and _trailing_denial(text, inside, s, e)
    # "连 X 也不要": 也 is about X, the clause's own object (even X), not about the items before it
    if "连" in text.tokens[s:extends[0]]:
        return False
    return _trailing_denial(text, inside, s, e)


# English says with a coordination and a plural verb what Chinese says with 都: "A and B do not help",
# "A, B and C are not used" (A、B 和 C 都没用) deny every item, where "A and the model does not overfit" denies
# only the last
_COORDINATORS = frozenset(("and", "or", "nor"))
_PLURAL_AUX = frozenset(("do", "are", "were", "have"))


def _coordinated(tokens: list[str], start: int, neg: int) -> bool:
    """Do the tokens from ``start`` to the negation at ``neg`` hold a coordination of short items that
    a plural auxiliary right before the negation makes the subject of the negated predicate?"""
    return (start < neg <= start + 2 * LIST_ITEM and tokens[neg - 1] in _PLURAL_AUX
            and not _COORDINATORS.isdisjoint(tokens[start:neg]))


def _trailing_denial(text: Text, after: list[Cue], end: int, ce: int) -> bool:
    """Does the clause after a hit (tokens [end, ce), cues ``after``) end in a negated predicate about it?"""
    negs = [c for c in after if c.kind in NEGATIVE_KINDS]
    if len(negs) % 2 == 0:
        return False
    covered = {i for c in after for i in range(c.start, c.end)}
    # "A 和 B 都不必要", "A、B 也没用": the negated predicate is about every subject before 都/也
    first = negs[0].start
    tail = end
    for i in range(end, first):
        if text.tokens[i] in _ALL:
            tail = i + 1
    if tail == end and _coordinated(text.tokens, end, first):  # "A and B are not used", said of A
        tail = first
    content = 0
    last = negs[-1]
    for i in range(tail, ce):
        tok = text.tokens[i]
        if i in covered or tok in _FILLER_EN or (len(tok) == 1 and tok in _FILLER_CJK):
            continue
        if i >= last.end and (last.kind == "post" or "的" in text.tokens[last.end:i]):
            # "learns to ignore irrelevant content", "忽略无关的内容", "编造不存在的调用": an adjective
            # (or a negated predicate closed by 的) before its noun describes that noun; it says nothing
            # about the hit before it. A 的 with no noun after it ("是不需要的") still predicates.
            return False
        content += 1
    return content <= 1


def split_polarity(text: Text) -> tuple[list[str], bool]:
    """A phrase's core tokens without its negation cues, and whether the phrase itself is negative."""
    cues = [c for c in find_cues(text) if c.kind in ("neg", "both", "instead", "brk", "embed")]
    negative = _parity(cues)
    if not negative:
        return text.words(), False
    drop = {i for c in cues if c.kind in _NEGATING for i in range(c.start, c.end)}
    core = [t for i, t in enumerate(text.tokens) if i not in drop and t not in (CLAUSE, SENTENCE)]
    return (core or text.words()), True
