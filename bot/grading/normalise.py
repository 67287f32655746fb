"""Text preparation shared by every grading rule: one canonical token stream for Chinese, English and mixed text.

An answer (or a key-point phrase) becomes a ``Text``: a list of tokens where a Chinese character is a
token, an English word is a token (case-folded, British ``-ise`` folded to ``-ize``, then stemmed
with the Snowball English stemmer so that "caches", "caching" and "cache" are one token), and
punctuation survives only as two kinds of boundary: a clause break ("，", ",", "、", ":") and a
sentence break ("。", ".", "!", "?", ";", a newline), rendered "|" and "#". Key points and answers go through exactly the
same pipeline, so whatever the pipeline does to one it does to the other.

Tokens are also rendered into one flat string (``Text.flat``): a Chinese character as itself, an
English token as `` word `` (spaces on both sides, so a phrase " lora " cannot match inside
"qlora"), a clause break as "|" and a sentence break as "#". Phrase search is then a plain
``str.find`` and ``Text.token_at`` maps a position back to its token.

Before stemming, the bilingual glossary (``bot.grading.glossary``) rewrites common English terms
into their Chinese form, so "reward model" and "奖励模型" are the same tokens and the same content
scores alike in either language.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_right
from decimal import ROUND_DOWN, Decimal
from functools import lru_cache
from itertools import accumulate, repeat

import snowballstemmer

from bot.grading.glossary import GLOSSARY, SELF_WORDS
from bot.grading.trie import trie_pattern

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CLAUSE = "|"  # ASCII, so that "is this token Chinese?" is the single comparison ``token >= CJK_MIN``
SENTENCE = "#"
CJK_MIN = "\u3400"
_PAST_ANY_END = sys.maxsize  # (i, _PAST_ANY_END) sorts after every span (i, end)

_KEEP = re.compile(rf"[^0-9a-z{CJK}]+")
_PLAIN_WORD = re.compile(rf"[0-9A-Za-z{CJK}]")
_CONTRACTION = re.compile(r"(?<=[a-z])n[’']t\b")
_CANT = re.compile(r"\b(can|won|shan)[’']?t\b")
_CANT_FORMS = {"can": "can not", "won": "will not", "shan": "shall not"}
# "I'm", "they're", "we've", "it'll", "I'd", "it's", "let's"; any other 's is a possessive ("the domain's
# jargon" is "domain jargon")
_CLITIC = re.compile(r"\b([a-z]+)[’'](m|re|ve|ll|d|s)\b")
_CLITIC_FORMS = {"m": " am", "re": " are", "ve": " have", "ll": " will", "d": " would"}
_IS_BEFORE = frozenset(("it", "that", "there", "here", "what", "who", "where", "how", "he", "she", "this"))


def _clitic(match: re.Match[str]) -> str:
    word, clitic = match.group(1), match.group(2)
    if clitic != "s":
        return word + _CLITIC_FORMS[clitic]
    if word == "let":
        return "let us"
    return word + " is" if word in _IS_BEFORE else word
_BRITISH = re.compile(r"(?<=[a-z]{3})is(ation|ations|e|ed|es|ing|er|ers)\b")
_RENDERED = re.compile(rf"[{CJK}]|{re.escape(CLAUSE)}|{re.escape(SENTENCE)}| [^ ]+ ")
_STEMMER = snowballstemmer.stemmer("english")
# full-width marks that NFKC would fold and that every pattern here already reads as their ASCII twins
_FULL_WIDTH_SAFE = re.compile("[，：；！？（）]")


def normalise(text: str) -> str:
    """NFKC (folds full-width letters and digits), case-folded, punctuation and spaces removed."""
    return _KEEP.sub("", unicodedata.normalize("NFKC", text).casefold())


def has_words(text: str) -> bool:
    """False for empty, punctuation- or emoji-only text: nothing a grader could read."""
    # an ASCII letter or digit, or a CJK character, survives NFKC and case folding as such: the
    # answer path then skips normalising the whole text (the common case)
    return _PLAIN_WORD.search(text) is not None or bool(normalise(text))


# a Latin letter with a mark: the mark of a math symbol is part of its name ("ŷ" is y-hat, "x̄" x-bar); any
# other mark is dropped ("naïve" is "naive"); before, such letters were dropped altogether
_ACCENTED = re.compile("[\u00c0-\u024f\u1e00-\u1eff]|[a-z][\u0300-\u036f]+")
_MARKED = re.compile("[\u00c0-\u024f\u1e00-\u1eff\u0300-\u036f]")
_MARK_NAMES = {"\u0302": "hat", "\u0304": "bar", "\u0305": "bar", "\u0303": "tilde"}


def _plain_letter(match: re.Match[str]) -> str:
    parts = unicodedata.normalize("NFD", match.group())
    return parts[0] + "".join(_MARK_NAMES.get(c, "") for c in parts[1:])


def fold(text: str) -> str:
    """NFKC, case-folded, English contractions expanded ("doesn't" -> "does not", "won't" -> "will not",
    "I'm" -> "i am"), a possessive 's dropped."""
    # NFKC is the costliest step of preparing a Chinese answer, and the only thing it changes in most
    # of them is full-width punctuation, which the patterns below read in either width: skip it then
    if not text.isascii() and not unicodedata.is_normalized("NFKC", _FULL_WIDTH_SAFE.sub("", text)):
        text = unicodedata.normalize("NFKC", text)
    folded = text.casefold()
    if not folded.isascii() and _MARKED.search(folded):  # one character class: cheap on Chinese text
        folded = _ACCENTED.sub(_plain_letter, folded)
    folded = fold_numbers(folded)
    if "'" not in folded and "’" not in folded:
        return folded
    folded = _CANT.sub(lambda m: _CANT_FORMS[m.group(1)], folded)
    return _CLITIC.sub(_clitic, _CONTRACTION.sub(" not", folded))


# Numbers with a magnitude are written many ways: "3.7M", "3.7 million", "370万", "三百七十万"; "7B",
# "70亿", "七十亿"; "131,072" and "13 万"; "1.2T" and "1.2万亿". Each is rewritten as one Chinese-unit
# form (``_number_form``), kept to two significant digits, so that an answer and a key point that
# state the same figure meet in either language. Bare "m"/"b"/"k"/"t" count only right after digits
# ("7B", "128k": a model size, a context length), never after a space ("30 m" may be metres); "几十亿",
# "数万" (vague amounts) are left alone. "三百多万"/"300多万" (more than 3 million) is read as its lower
# bound, 300万, as "over 3 million" would be.
_ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_SCALES = {"十": 10, "百": 100, "千": 1000}
_MAGNITUDES = {
    "k": 3, "thousand": 3, "千": 3, "m": 6, "million": 6, "百万": 6, "b": 9, "billion": 9,
    "t": 12, "trillion": 12, "万": 4, "十万": 5, "千万": 7, "亿": 8, "十亿": 9, "百亿": 10, "千亿": 11,
    "万亿": 12,
}
# two passes, each a pattern that starts with one character class, so that the engine skips ahead to
# a digit or a numeral instead of trying every position; the Chinese one runs only on a text with 万 or 亿
_DIGIT_FIGURE = re.compile(
    r"(\d[\d,]*(?:\.\d+)?)(?:(k|m|b|t)|\s?(thousand|million|billion|trillion)"
    r"|\s?多?(万亿|十万|百万|千万|十亿|百亿|千亿|万|亿|千)|(?<=,\d\d\d))(?![a-z0-9])"
)
_NUMERAL_FIGURE = re.compile(r"([零一二两三四五六七八九十百千]+)多?(万亿|万|亿)")
# a digit right before a unit or a thousands separator: most texts have none and skip the first pass
_DIGIT_BEFORE_UNIT = re.compile(r"\d(?:[kmbt,万亿千多]|\s(?:[万亿千]|thousand|million|billion|trillion))")
_PLAIN_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
# what may not stand right before a figure: a letter or digit makes it part of a name ("q4_k", "a100"), and
# a vague word makes it vague ("几十亿", "数万", "第三万"); checked on the few matches, not at every position
_NOT_BEFORE_DIGITS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.,_")
_NOT_BEFORE_NUMERAL = frozenset("几数多第万")
_BARE_WORDS = {(10, 4): "十万", (100, 4): "百万", (1000, 4): "千万", (10, 8): "十亿", (100, 8): "百亿",
               (1000, 8): "千亿"}


def _zh_numeral(text: str) -> int:
    """The value of a Chinese numeral below 万 ("三百七十" -> 370, "十五" -> 15, "两千" -> 2000)."""
    total, digit = 0, None
    for char in text:
        if char in _ZH_DIGITS:
            digit = _ZH_DIGITS[char]
        else:
            total += (1 if digit is None else digit) * _ZH_SCALES[char]
            digit = None
    return total + (digit or 0)


def _number_form(value: Decimal) -> str:
    """A figure in Chinese units, truncated to two significant digits: 3700000 -> "370万"."""
    if value <= 0:
        return "0"
    shift = value.adjusted() - 1  # keep two significant digits
    value = value.scaleb(-shift).to_integral_value(ROUND_DOWN).scaleb(shift)
    for power, unit in ((12, "万亿"), (8, "亿"), (4, "万")):
        if value >= Decimal(10) ** power:
            mantissa = value.scaleb(-power).normalize()
            text = format(mantissa, "f")
            return _BARE_WORDS.get((int(mantissa), power), text + unit) if mantissa == int(mantissa) else text + unit
    return format(value.normalize(), "f")


def _fold_digits(match: re.Match[str]) -> str:
    """A figure written with digits ("3.7M", "131,072", "370 万") in its Chinese-unit form."""
    digits, letter, word, zh_unit = match.groups()
    start = match.start()
    if (start and match.string[start - 1] in _NOT_BEFORE_DIGITS) or not _PLAIN_DIGITS.fullmatch(digits):
        return match.group()
    unit = letter or word or zh_unit
    value = Decimal(digits.replace(",", ""))
    if unit is not None:
        value = value.scaleb(_MAGNITUDES[unit])
    return f" {_number_form(value)} "


def _fold_numeral(match: re.Match[str]) -> str:
    """A figure written with Chinese numerals ("三百七十万", "七十亿") in its Chinese-unit form."""
    numeral, unit = match.groups()
    start = match.start()
    if (start and match.string[start - 1] in _NOT_BEFORE_NUMERAL) or set(numeral) == {"零"}:
        return match.group()
    return f" {_number_form(Decimal(_zh_numeral(numeral)).scaleb(_MAGNITUDES[unit]))} "


def fold_numbers(folded: str) -> str:
    """Every figure with a magnitude of a folded text in its Chinese-unit form (see ``_number_form``)."""
    if _DIGIT_BEFORE_UNIT.search(folded):
        folded = _DIGIT_FIGURE.sub(_fold_digits, folded)
    if "万" in folded or "亿" in folded:
        folded = _NUMERAL_FIGURE.sub(_fold_numeral, folded)
    return folded


# Snowball strips derivational suffixes, so a technical term and an everyday word can share a stem:
# "regularization" and "regularly" (regular), "generalization" and "generally" (general), "normalization"
# and "normal", "optimizer" and "optimization" (optim), "tokenizer" and "token", "adapter" and "adaptive",
# "heading" and "head". Such terms keep a stem of their own, so that the glossary can fold the term
# without folding the everyday word.
_OWN_STEMS = {
    **dict.fromkeys(("regularization", "regularizations", "regularize", "regularizes", "regularized",
                     "regularizing", "regularizer"), "regulariz"),
    **dict.fromkeys(("generalization", "generalize", "generalizes", "generalized", "generalizing"), "generaliz"),
    **dict.fromkeys(("normalization", "normalizations", "normalize", "normalizes", "normalized", "normalizing"),
                    "normaliz"),
    **dict.fromkeys(("standardization", "standardize", "standardizes", "standardized", "standardizing"),
                    "standardiz"),
    **dict.fromkeys(("optimizer", "optimizers"), "optimizer"),
    **dict.fromkeys(("tokenizer", "tokenizers"), "tokenizer"),
    **dict.fromkeys(("tokenization", "tokenize", "tokenizes", "tokenized", "tokenizing"), "tokeniz"),
    **dict.fromkeys(("adapter", "adapters", "adaptor", "adaptors"), "adapter"),
    **dict.fromkeys(("heading", "headings"), "heading"),
    # everyday words that Snowball gives the stem of a term the glossary folds: "multiple" (multiplicative),
    # "critical" (critic), "responsibilities" (responses), "separate" (separately), "respects" (respectively),
    # "projects" (projection), "moderate" (moderation), "similar" (similarity), "label"
    # (labeling), "observability" (observation), "encodings" (encoder), "diverge"
    # (divergence), "exactly" (exact), "ranked" (rank), "continue" (continuous): the term keeps a stem of
    # its own
    "multiplicative": "multiplicat",
    **dict.fromkeys(("critical", "critically"), "critical"),
    **dict.fromkeys(("responsible", "responsibility", "responsibilities"), "responsibl"),
    "separately": "separately",
    "respectively": "respectively",
    **dict.fromkeys(("projection", "projections"), "projection"),
    **dict.fromkeys(("clustering",), "clustering"),
    "moderation": "moderation",
    **dict.fromkeys(("similarity", "similarities"), "similarity"),
    **dict.fromkeys(("labeling", "labelling", "labeled", "labelled", "labeler", "labelers", "labeller", "labellers"),
                    "labeling"),
    "observability": "observability",
    **dict.fromkeys(("encoder", "encoders"), "encoder"),
    **dict.fromkeys(("divergence", "divergences"), "divergence"),
    "exactly": "exactly",
    **dict.fromkeys(("ranked", "ranking", "rankings", "ranks"), "ranking"),
    **dict.fromkeys(("rejected",), "rejected"),
    # "continue training" is no "continuous" (连续)
    **dict.fromkeys(("continue", "continues", "continued", "continuing"), "continue"),
    # a term of the field and a word Snowball gives its stem: "decoder" (解码器) and "decoding" (解码),
    # "samples" (样本) and "sampling" (采样), "distributed" (分布式) and "distribution" (分布),
    # "structured" (结构化) and "structure", "relative" (相对) and "related", "important" and "import",
    # "multiplication" and "multiple", "serving" (服务) and "serves as", "customer" and "custom"
    # (自定义), "additive" (加性) and "additional" (额外), "direction" and "direct", "experiment" and
    # "experience", "numbered" (编号) and "number", "mapping" (映射) and "map"
    **dict.fromkeys(("decoder", "decoders"), "decoder"),
    "samples": "samples",
    "distributed": "distributed",
    "structured": "structured",
    **dict.fromkeys(("relative", "relatively"), "relativ"),
    **dict.fromkeys(("important", "importance", "importantly"), "importan"),
    "multiplication": "multiplication",
    "serving": "serving",
    **dict.fromkeys(("customer", "customers"), "customer"),
    "additive": "additive",
    "addition": "addition",
    **dict.fromkeys(("direction", "directions"), "direction"),
    **dict.fromkeys(("experiment", "experiments", "experimental", "experimentation"), "experiment"),
    **dict.fromkeys(("numbered", "numbering"), "numbered"),
    **dict.fromkeys(("mapping", "mappings"), "mapping"),  # "map reduce" is no 映射
    "limited": "limited",  # 有限, not 限制
}
# British spellings that ``_BRITISH`` (-ise) does not cover
_BRITISH_WORDS = re.compile(
    r"^(?:(behavi|neighb|col|fav|hon|lab|rum|endeav|flav|vap|harb)our|(licen|defen|offen)c|(cent|met|fib)re"
    r"|(dialog|catalog|analog|monolog)ue|(anal|paral|catal)ys(?=e|ed|es|ing\b))")


def _american(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(1) + "or"
    if match.group(2):
        return match.group(2) + "s"
    if match.group(4):  # "dialogue" is "dialog": Snowball keeps the u, so the two would not meet
        return match.group(4)
    if match.group(5):  # "analyse" is "analyze" (-ise is folded above; -yse needs its own rule)
        return match.group(5) + "yz"
    return match.group(3) + "er"


@lru_cache(maxsize=32768)
def stem(word: str) -> str:
    """Snowball English stem of a folded word; words with digits are names ("gpt4", "fp16") and stay."""
    if any(c.isdigit() for c in word) or len(word) < 3:
        return word
    word = _BRITISH_WORDS.sub(_american, _BRITISH.sub(r"iz\1", word))
    own = _OWN_STEMS.get(word)
    if own:
        return own
    # adverbs in -bly and -ily stem like their adjectives ("stably" like "stable", "steadily" like "steady")
    if len(word) > 5 and word.endswith("ly"):
        if word.endswith("bly"):
            word = word[:-1] + "e"
        elif word.endswith("ily"):
            word = word[:-3] + "y"
    return _STEMMER.stemWord(word)


_WORD = re.compile(r"([a-z0-9\u03b1-\u03c9]+(?:(?<=[0-9])\.[0-9]+)*)")
_CALL = re.compile(r"(?<=[a-z0-9\u03b1-\u03c9])[(（]([a-z0-9\u03b1-\u03c9]{1,12})[)）]")
# a period is a sentence break unless it sits between digits ("3.5"); every branch starts with a
# literal mark, so the engine can skip ahead to candidate characters
_SENT = re.compile(r"(?:[!?;。！？；…\n]|\.(?:(?![0-9])|(?<![0-9]\.)))+")
_SENT_MARKS = re.compile(r"[!?;。！？；…\n]+")  # ``_SENT`` for a text without a period: a plain class, faster
_SLASH = re.compile(r"(?<=[a-z0-9])/(?=[a-z0-9])")
_IDENTIFIER = re.compile(r"(?<=[a-z0-9])_+(?=[a-z0-9])")
_CLAUSE = re.compile(r"[,，、:：()（）\[\]【】《》“”\"|/]+")
_DROP = re.compile(rf"[^{CJK}\x01\x02a-z0-9\u03b1-\u03c9.|#]+")


class _WordForms(dict):
    """word -> its stem between markers that survive ``_DROP``; filled on first use, bounded."""

    def __missing__(self, word: str) -> str:
        if len(self) >= 65536:
            self.clear()
        form = self[word] = f"\x01{stem(word)}\x02"
        return form


_WORD_FORMS = _WordForms()


def render(folded: str) -> str:
    """The flat rendering of folded text (see the module docstring), built with C-level substitutions:
    Chinese text never goes through a Python loop, and words are looked up in a dict rather than
    passed to a substitution callback. Brackets of function-like notation ("P(IK)", "Φ(x)") are not
    clause breaks: the notation is one term."""
    if "(" in folded or "（" in folded:  # a pass saved on most answers
        folded = _CALL.sub(r" \1 ", folded)
    if "/" in folded:  # "I/O", "NTK/YaRN", "top-k/top-p": one term or alternatives, not a clause break
        folded = _SLASH.sub(" ", folded)
    if "_" in folded:  # "map_reduce", "chain_type": an identifier is one name, not the words in it
        folded = _IDENTIFIER.sub("", folded)
    parts = _WORD.split(folded)
    parts[1::2] = map(_WORD_FORMS.__getitem__, parts[1::2])
    flat = "".join(parts)
    flat = _CLAUSE.sub(CLAUSE, (_SENT if "." in flat else _SENT_MARKS).sub(SENTENCE, flat))
    # most of what ``_DROP`` removes is spaces: ``str.replace`` removes those faster, and removals commute
    return _DROP.sub("", flat.replace(" ", "")).replace("\x01", " ").replace("\x02", " ")


def _glossary_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """Compile the glossary's English terms (rendered like answers are) into one prefix-tree regex."""
    mapping: dict[str, str] = {}
    for zh, terms in GLOSSARY.items():
        for term in terms:
            key = render(fold(term)).strip(CLAUSE + SENTENCE)
            if key:
                mapping.setdefault(key, zh)
    # a Chinese form that holds a shorter Chinese variant ("基座模型" holds 基座 -> 基座模型) stands for
    # itself, or the rewrite would apply inside it ("基座模型模型") and miss the English "base model"
    variants = [key for key in mapping if not key.isascii() and key != mapping[key]]
    for word in (*GLOSSARY, *SELF_WORDS):
        if word not in mapping and (word in SELF_WORDS or any(v in word for v in variants)):
            mapping[word] = word
    # one capturing group: ``split`` then puts every matched term at the odd indices
    return re.compile(f"({trie_pattern(list(mapping))})"), mapping


_GLOSSARY_RE, _GLOSSARY_MAP = _glossary_pattern()


class Text:
    """A text as canonical tokens plus their flat rendering (see the module docstring)."""

    __slots__ = ("flat", "tokens", "starts", "sentences", "clauses")

    def __init__(self, raw: str) -> None:
        flat = render(fold(raw))
        parts = _GLOSSARY_RE.split(flat)
        if len(parts) > 1:  # terms replaced by a dict lookup, not a substitution callback
            parts[1::2] = map(_GLOSSARY_MAP.__getitem__, parts[1::2])
            flat = "".join(parts)
        pieces = _RENDERED.findall(flat)  # they cover the flat text, so offsets are running sums
        starts = list(accumulate(map(len, pieces), initial=0))
        starts.pop()
        tokens = list(map(str.strip, pieces, repeat(" ")))  # " word " -> "word"; a word holds no space
        self.flat = flat
        self.tokens = tokens
        self.starts = starts
        # (start, end) token ranges of sentences and of clauses, boundaries excluded
        sentence_breaks = _positions(tokens, SENTENCE)
        self.sentences = _between(sentence_breaks, len(tokens))
        self.clauses = _between(sorted(sentence_breaks + _positions(tokens, CLAUSE)), len(tokens))

    def token_at(self, pos: int) -> int:
        """Index of the token that covers flat position ``pos``."""
        return bisect_right(self.starts, pos) - 1

    def words(self) -> list[str]:
        """Content tokens (no boundaries)."""
        return [t for t in self.tokens if t not in (CLAUSE, SENTENCE)]

    def span_of(self, index: int, spans: list[tuple[int, int]]) -> tuple[int, int]:
        """The span (of ``self.sentences`` or ``self.clauses``) that holds token ``index``."""
        i = bisect_right(spans, (index, _PAST_ANY_END)) - 1
        if i >= 0:  # then spans[i] starts at or before ``index``
            span = spans[i]
            if index < span[1]:
                return span
        return index, index + 1


def _positions(tokens: list[str], mark: str) -> list[int]:
    # ``list.count`` and ``list.index`` scan at C level: only the few breaks go through Python
    out, i = [], -1
    for _ in range(tokens.count(mark)):
        i = tokens.index(mark, i + 1)
        out.append(i)
    return out


def _between(cuts: list[int], size: int) -> list[tuple[int, int]]:
    """The non-empty (start, end) ranges of ``range(size)`` between the ascending positions ``cuts``."""
    spans, start = [], 0
    for i in cuts:
        if i > start:
            spans.append((start, i))
        start = i + 1
    if size > start:
        spans.append((start, size))
    return spans


def is_cjk(token: str) -> bool:
    """A token is a Chinese character or an English stem, a number or a boundary (all below U+3400)."""
    return token >= CJK_MIN


def units(tokens: list[str] | tuple[str, ...]) -> set[str]:
    """Comparable units: English stems, and Chinese character bigrams (a lone character by itself)."""
    out: set[str] = set()
    run: list[str] = []
    for tok in (*tokens, SENTENCE):
        if is_cjk(tok):
            run.append(tok)
            continue
        if len(run) == 1:
            out.add(run[0])
        out.update(run[i] + run[i + 1] for i in range(len(run) - 1))
        run = []
        if tok not in (CLAUSE, SENTENCE):
            out.add(tok)
    return out
