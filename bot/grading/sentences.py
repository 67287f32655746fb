"""Does an answer explain in sentences, or list terms? And is it a plain "I don't know"?

Term lists are detected by **function-word density per clause**, with no model: a clause counts as
a sentence when it is long enough to state something and carries grammatical glue (Chinese
particles, pronouns, auxiliaries, connectives: 的/了/是/把/被/让/就/也/会/能/因为…; English
articles, auxiliaries, pronouns, prepositions: the/is/are/to/by/which/can…). A list of terms has
almost none: "LoRA、低秩分解、冻结原权重、rank、alpha" or "NF4, double quantization, paged
optimizer". Each clause counts towards "sentence" length in proportion to its glue (full at
``MIN_GLUE``); an answer whose sentence length is less than ``SENTENCE_SHARE`` of its length is a
term list.

Why not a segmenter with part-of-speech tags (jieba's ``posseg``, pkuseg, HanLP)? The answer path
must grade thousands of answers per second on two cores; part-of-speech tagging of a 300-character
answer costs milliseconds in pure Python and loads a dictionary of tens of megabytes at start,
while the question asked here ("are there predicates and connectives around the terms?") is
answered by the closed class of function words, which is small, stable and language-specific
rather than domain-specific. Characters that are also common inside technical terms (能 in 性能,
对 in 对齐, 用 in 通用) count half, so a term does not pass for a sentence.
"""

from __future__ import annotations

import re
import sys

from bot.grading.normalise import CJK_MIN, CLAUSE, SENTENCE, Text, fold, normalise

SENTENCE_SHARE = 0.4  # sentence-like clauses must carry at least this share of the answer's length
MIN_CLAUSE = 5  # a clause shorter than this (in Chinese-character equivalents) states nothing
MIN_GLUE = 1.0  # function-word weight a clause needs to count fully as a sentence
EN_WEIGHT = 1.7  # an English word carries about as much as 1.7 Chinese characters

_STRONG_ZH = set("的了是把被让就也都却这那它们我你他因所但并才很还再又吗呢着给将越吧啊么该先")
_WEAK_ZH = set("会能要使从对于以为在有没不无可用来去和与或及即则每只最比其此些种样得更当时一个加上到出过成变做起后")
# two-character function words whose characters are not markers on their own (根 and 据 are in 数据)
_GLUE_WORDS = re.compile("根据|通过|进行|然后|之后|之前|以后|以前|比如|例如|也就是|就是|需要|能够|用来|用于|来说|相当于|"
                         "等于|属于|负责|包括|主要|一般|通常|往往|直接|同样|其中|分别|一起|只是|只有|不仅|而且|虽然|"
                         "尽管|由于|导致|使得|防止|避免|保证|确保|提高|降低|减少|增加|提升|缓解|解决")
_STRONG_EN = {"the", "a", "an", "is", "are", "was", "were", "be", "been", "to", "in", "on", "at", "by", "from", "as",
              "that", "which", "who", "this", "these", "those", "it", "its", "they", "them", "their", "we",
              "our", "you", "your", "i", "not", "no", "but", "so", "becaus", "if", "then", "than", "can",
              "could", "will", "would", "should", "may", "might", "must", "do", "doe", "did", "has", "have",
              "had", "also", "onli", "just", "into", "through", "when", "while", "where", "how", "what", "whi",
              "each", "everi", "all", "there", "here", "such", "veri", "more", "less", "most", "use", "make",
              "get", "let", "keep", "allow", "help", "lead", "caus", "need", "mean", "becom", "instead"}
_WEAK_EN = {"and", "or", "of", "for", "with"}

_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)、])\s+\S")
_TABLE_ROW = re.compile(r"^\s*\|?[^|\n]+\|[^|\n]+\|")
_EQUATION = re.compile(r"[^=<>!\s]\s*(?:=|≈|∝)\s*[^=\s]|\$[^$\n]+\$")
_IDK = re.compile(
    r"不知道|不清楚|不太清楚|不会|不懂|不太懂|不了解|没学过|没听过|没听说过|忘了|忘记了|不记得|不确定|答不上来?|"
    r"跳过|不晓得|不造|pass|idk|dunno|no idea|no clue|not sure|don'?t know|do not know|have no idea|"
    r"can'?t remember|forgot|skip"
)
_IDK_FILLER = re.compile(
    r"我|真的|完全|这个|这道?题|题目|抱歉|对不起|不好意思|呃+|嗯+|啊+|哈+|额+|唉|也|还|是|了|呀|吧|啦|的|有点|"
    r"sorry|honestly|really|i|im|am|the|answer|this|question|to|totally|just|um+|uh+|hmm+|[?？!！.。,，~…\s]"
)


def is_dont_know(text: str) -> bool:
    """A reply that only says the member does not know ("不知道", "I don't know", "pass")."""
    if len(text) > 120:  # a long reply says more than "I don't know"
        return False
    folded = fold(text).replace("’", "'")
    # the search first: it rejects almost every answer, and costs a tenth of ``normalise``
    if not _IDK.search(folded) or len(normalise(folded)) > 40:
        return False
    return len(normalise(_IDK_FILLER.sub("", _IDK.sub("", folded)))) <= 3


# one dict lookup per token instead of up to four set tests; a character or word in both a strong and
# a weak set is strong
_GLUE_WEIGHT = {**dict.fromkeys(_WEAK_ZH | _WEAK_EN, 0.5), **dict.fromkeys(_STRONG_ZH | _STRONG_EN, 1.0)}


def _glue(tokens: list[str], joined: str | None = None) -> tuple[float, float]:
    """(length in Chinese-character equivalents, function-word weight) of a clause. ``joined``: the
    clause's flat rendering when the caller has it (the glue words are Chinese, and an English token
    separates Chinese runs alike whether it is rendered as itself or as a space)."""
    cjk = sum(map(CJK_MIN.__le__, tokens))  # counted at C level: a Chinese token is >= CJK_MIN
    length = cjk + EN_WEIGHT * (len(tokens) - cjk)
    if joined is None:
        joined = "".join(t if t >= CJK_MIN else " " for t in tokens)
    return length, _weight(tokens, joined)


def _weight(tokens: list[str], joined: str, at: int = 0, stop: int = sys.maxsize) -> float:
    """Function-word weight of a clause: its tokens, and the glue words of its flat rendering, which is
    ``joined[at:stop]`` (read in place: ``sentence_share`` does not copy each clause)."""
    return float(len(_GLUE_WORDS.findall(joined, at, stop)) + sum(filter(None, map(_GLUE_WEIGHT.get, tokens))))


def sentence_share(text: Text) -> float:
    """Share of the answer's length that sits in sentence-like clauses."""
    total = sentence = 0.0
    tokens, starts, flat = text.tokens, text.starts, text.flat
    last = len(tokens)
    # ``_glue`` without copying the clause: an English token is rendered " word " and a Chinese one as
    # one character (see ``length_of``), and the weight is counted only where it can matter
    for start, end in text.clauses:
        at, stop = starts[start], starts[end] if end < last else len(flat)
        latin = flat.count(" ", at, stop) // 2
        length = end - start - latin + EN_WEIGHT * latin
        total += length
        if length >= MIN_CLAUSE:  # a clause with half the glue counts half: "X 用 Y 训练 Z" is terse, not a list
            glue = _weight(tokens[start:end], flat, at, stop)
            sentence += length * min(1.0, glue / MIN_GLUE)
    return sentence / total if total else 0.0


def structured_share(raw: str) -> float:
    """Share of a raw answer's characters on lines that state something by structure, not prose:
    code blocks, Markdown table rows (a comparison table is a set of statements) and equations
    ("显存 = 参数 + 梯度 + 优化器状态")."""
    total = stated = 0
    in_code = False
    for line in raw.splitlines():
        size = len(line.strip())
        total += size
        if line.lstrip().startswith("```"):
            in_code = not in_code
            stated += size
        elif in_code or _TABLE_ROW.match(line) or _EQUATION.search(line) or _stating_bullet(line):
            stated += size
    return stated / total if total else 0.0


def _stating_bullet(line: str) -> bool:
    """A list item ("- **PagedAttention**：分块管理 KV cache，按需分配") with a clause that states something."""
    if not _BULLET.match(line):
        return False
    text = Text(line)
    for start, end in text.clauses:
        length, glue = _glue(text.tokens[start:end])
        if length >= MIN_CLAUSE and glue >= MIN_GLUE:
            return True
    return False


def is_term_list(text: Text, raw: str = "") -> bool:
    """Too little of the answer sits in sentences; ``raw`` lets structured statements count too."""
    share = sentence_share(text)
    if share >= SENTENCE_SHARE:
        return False
    return not raw or share + structured_share(raw) < SENTENCE_SHARE


def length_of(text: Text) -> float:
    """Length in Chinese-character equivalents, so that the same content weighs alike in zh and en."""
    # an English token is rendered " word " (two spaces), a Chinese character or a mark has none
    flat = text.flat
    latin = flat.count(" ") // 2
    marks = flat.count(CLAUSE) + flat.count(SENTENCE)
    return len(text.tokens) - latin - marks + EN_WEIGHT * latin
