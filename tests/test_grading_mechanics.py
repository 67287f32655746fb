"""The grader's mechanics give exactly what their straightforward versions give.

The tokeniser, the unit extraction, the phrase search and the sentence/term-list measures were
rewritten for speed (C-level passes instead of Python loops). Each ``_reference_*`` function below is
the plain version the fast one replaced, kept here as the specification: for every labelled answer,
every model answer, key point, alias and prompt of the shipped bank, and for generated mixed
Chinese/English text, the fast and the plain version must return equal values (and dicts the same
insertion order).
"""

from __future__ import annotations

import importlib
import unicodedata
from bisect import bisect_right
from collections import Counter
from itertools import accumulate, chain, compress, count
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.bank import QuestionBank
from bot.grading import matching, negation, sentences
from bot.grading.matching import Answer, Phrase, PointIndex
from bot.grading.negation import Cue
from bot.grading.normalise import CJK_MIN, CLAUSE, SENTENCE, Text

REPO = Path(__file__).resolve().parent.parent
# the module, not the package's ``normalise`` function of the same name
normalise = importlib.import_module("bot.grading.normalise")


# ---------------------------------------------------------------- reference versions (plain Python)

def _reference_fold(text: str) -> str:
    if not text.isascii() and not unicodedata.is_normalized("NFKC", normalise._FULL_WIDTH_SAFE.sub("", text)):
        text = unicodedata.normalize("NFKC", text)
    folded = normalise._ACCENTED.sub(normalise._plain_letter, text.casefold())
    # both passes always: the checks that skip them are only shortcuts
    folded = normalise._DIGIT_FIGURE.sub(normalise._fold_digits, folded)
    folded = normalise._NUMERAL_FIGURE.sub(normalise._fold_numeral, folded)
    if "'" not in folded and "’" not in folded:
        return folded
    folded = normalise._CANT.sub(lambda m: normalise._CANT_FORMS[m.group(1)], folded)
    return normalise._CLITIC.sub(normalise._clitic, normalise._CONTRACTION.sub(" not", folded))


def _reference_render(folded: str) -> str:
    if "(" in folded or "（" in folded:
        folded = normalise._CALL.sub(r" \1 ", folded)
    if "/" in folded:
        folded = normalise._SLASH.sub(" ", folded)
    folded = normalise._IDENTIFIER.sub("", folded)
    parts = normalise._WORD.split(folded)
    parts[1::2] = [f"\x01{normalise.stem(w)}\x02" for w in parts[1::2]]
    flat = "".join(parts)
    flat = normalise._CLAUSE.sub(CLAUSE, normalise._SENT.sub(SENTENCE, flat))
    return normalise._DROP.sub("", flat).replace("\x01", " ").replace("\x02", " ")


def _reference_spans(tokens: list[str], breaks: frozenset[str]) -> list[tuple[int, int]]:
    spans, start = [], 0
    for i in compress(count(), map(breaks.__contains__, tokens)):
        if i > start:
            spans.append((start, i))
        start = i + 1
    if len(tokens) > start:
        spans.append((start, len(tokens)))
    return spans


def _reference_text(raw: str) -> dict:
    """What ``Text.__init__`` sets, computed the plain way."""
    flat = _reference_render(_reference_fold(raw))
    parts = normalise._GLOSSARY_RE.split(flat)
    if len(parts) > 1:
        parts[1::2] = map(normalise._GLOSSARY_MAP.__getitem__, parts[1::2])
        flat = "".join(parts)
    pieces = normalise._RENDERED.findall(flat)
    starts = [0, *accumulate(map(len, pieces))][:-1]
    tokens = [p[1:-1] if p[0] == " " else p for p in pieces]
    return {"flat": flat, "tokens": tokens, "starts": starts,
            "sentences": _reference_spans(tokens, frozenset((SENTENCE,))),
            "clauses": _reference_spans(tokens, frozenset((SENTENCE, CLAUSE)))}


def _reference_token_at(text: Text, pos: int) -> int:
    return bisect_right(text.starts, pos) - 1


def _reference_span_of(text: Text, index: int, spans: list[tuple[int, int]]) -> tuple[int, int]:
    i = bisect_right(spans, (index, len(text.tokens) + 1)) - 1
    if i >= 0 and spans[i][0] <= index < spans[i][1]:
        return spans[i]
    return index, index + 1


def _reference_units(tokens) -> set[str]:
    out: set[str] = set()
    run: list[str] = []
    for tok in (*tokens, SENTENCE):
        if tok >= CJK_MIN:
            run.append(tok)
            continue
        if len(run) == 1:
            out.add(run[0])
        out.update(run[i] + run[i + 1] for i in range(len(run) - 1))
        run = []
        if tok not in (CLAUSE, SENTENCE):
            out.add(tok)
    return out


def _reference_units_at(tokens, offset: int = 0) -> dict[str, int]:
    out: dict[str, int] = {}
    last = len(tokens) - 1
    for i, tok in enumerate(tokens):
        if tok >= CJK_MIN:
            if i < last and tokens[i + 1] >= CJK_MIN:
                out.setdefault(tok + tokens[i + 1], offset + i)
            elif not i or tokens[i - 1] < CJK_MIN:
                out.setdefault(tok, offset + i)
        elif tok != CLAUSE and tok != SENTENCE:
            out.setdefault(tok, offset + i)
    return out


def _reference_answer(raw: str) -> dict:
    """What ``Answer.__init__`` sets (and ``positions`` returns), computed the plain way."""
    text = Text(raw)
    toks = text.tokens
    sentence_units = [(s, e, _reference_units_at(toks[s:e], s)) for s, e in text.sentences]
    positions: dict[str, list[int]] = {}
    for i, tok in enumerate(toks):
        positions.setdefault(tok, []).append(i)
    return {"cues": _reference_find_cues(text), "sentence_units": sentence_units,
            "all_units": set().union(*(found for _s, _e, found in sentence_units)), "token_set": set(toks),
            "positions": positions}


def _reference_starts_inside(phrase: Phrase, toks: list[str], start: int) -> bool:
    """A mention starting on the second character of 然后/之后/最后/之前 ... (not 虽然|后…)."""
    if phrase.tokens[0] not in "后前" or start == 0 or toks[start] not in "后前":
        return False
    before = toks[start - 1]
    if before == "然":
        return start < 2 or toks[start - 2] not in "虽既当显自果仍依竟居固不突偶"
    return before in "之最随提目"


def _reference_ends_inside(phrase: Phrase, toks: list[str], last: int) -> bool:
    """A mention ending on the first character of 大幅/大大/大量/多少 ..."""
    return phrase.tokens[-1] in "大小高多少" and toks[last] in "大小高多少" and last + 1 < len(toks) \
        and toks[last + 1] in "幅大量度少数"


def _reference_exact(phrase: Phrase, answer: Answer):
    flat, text = answer.text.flat, answer.text
    pos = flat.find(phrase.flat)
    while pos != -1:
        start = text.token_at(pos if phrase.flat[0] != " " else pos + 1)
        end = start + len(phrase.tokens)
        if not _reference_starts_inside(phrase, text.tokens, start) and \
                not _reference_ends_inside(phrase, text.tokens, end - 1):
            yield start, end
        pos = flat.find(phrase.flat, pos + 1)


def _reference_spread(phrase: Phrase, answer: Answer, where: dict[str, list[int]]):
    """``where``: ``_reference_answer_positions(answer)``, built once per answer."""
    need = phrase.tokens
    if any(t not in where for t in need):
        return
    limit = 2 * len(need)
    for first in where[need[0]]:
        stop = min(_reference_span_of(answer.text, first, answer.text.sentences)[1], first + limit)
        pos = first
        for t in need[1:]:
            found = where[t]
            k = bisect_right(found, pos)
            if k == len(found) or found[k] >= stop:
                break
            pos = found[k]
        else:
            if not _reference_swapped(phrase, answer.text, first, pos + 1) and \
                    not _reference_starts_inside(phrase, answer.text.tokens, first) and \
                    not _reference_ends_inside(phrase, answer.text.tokens, pos):
                yield first, pos + 1


def _reference_swapped(phrase: Phrase, text: Text, start: int, end: int) -> bool:
    """The opposite term of one the phrase says, and not that term, within a few tokens of a mention."""
    cs, ce = _reference_span_of(text, start, text.clauses)
    window = "".join(t if t >= CJK_MIN else f" {t} "
                     for t in text.tokens[max(cs, start - matching.SWAP_REACH):min(ce, end + matching.SWAP_REACH)])
    return any(own in phrase.flat and own not in window and any(o in window for o in others)
               for own, others in matching._SWAPS.items())


def _reference_answer_positions(answer: Answer) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = {}
    for i, tok in enumerate(answer.text.tokens):
        positions.setdefault(tok, []).append(i)
    return positions


def _reference_overlap(phrase: Phrase, answer: Answer, threshold: float):
    need = phrase.units
    for _s, _e, found in answer.sentence_units:
        toks = answer.text.tokens
        edge = {u for u in need if u in found and (
            (u == phrase.lead and _reference_starts_inside(phrase, toks, found[u]))
            or (u == phrase.tail and _reference_ends_inside(phrase, toks, found[u] + 1)))}
        common = [found[u] for u in need if u in found and u not in edge]
        content = [u for u in phrase.content if u in found and u not in edge]
        if len(common) >= threshold * len(need) and len(content) >= min(len(phrase.content),
                                                                        matching.MIN_CONTENT_SHARED):
            best: dict[tuple[int, int], list[int]] = {}
            for idx in common:
                best.setdefault(_reference_span_of(answer.text, idx, answer.text.clauses), []).append(idx)
            where = max(best.items(), key=lambda item: (len(item[1]), -item[0][0]))[1]
            if not _reference_swapped(phrase, answer.text, min(where), max(where) + 1):
                yield min(where), max(where) + 1


def _reference_candidates(index: PointIndex, answer: Answer) -> set[int]:
    phrases = [p for group in index.points for p in group]
    out = set()
    for i, p in enumerate(phrases):
        fuzzy = len(p.units) >= matching.MIN_FUZZY_UNITS
        if fuzzy and len(p.units & answer.all_units) >= index.threshold * len(p.units):
            out.add(i)
        if answer.token_set.issuperset(p.tokens) and (fuzzy or p.flat in answer.text.flat):
            out.add(i)
        if p.full and p.full in answer.text.flat:
            out.add(i)
    return out


def _reference_candidates_counted(index: PointIndex, answer: Answer) -> set[int]:
    """The counter-based version ``PointIndex.candidates`` had (same set as ``_reference_candidates``),
    with its indices by unit and by token built here."""
    phrases = [p for group in index.points for p in group]
    by_unit: dict[str, list[int]] = {}
    by_token: dict[str, list[int]] = {}
    need_u, need_t, fuzzy = [], [], []
    for i, phrase in enumerate(phrases):
        is_fuzzy = len(phrase.units) >= matching.MIN_FUZZY_UNITS
        for u in phrase.units if is_fuzzy else ():
            by_unit.setdefault(u, []).append(i)
        for t in set(phrase.tokens):
            by_token.setdefault(t, []).append(i)
        need_u.append(index.threshold * len(phrase.units) if is_fuzzy else float("inf"))
        need_t.append(len(set(phrase.tokens)))
        fuzzy.append(is_fuzzy)
    units = Counter(chain.from_iterable(map(by_unit.__getitem__, frozenset(by_unit) & answer.all_units)))
    tokens = Counter(chain.from_iterable(map(by_token.__getitem__, frozenset(by_token) & answer.token_set)))
    flat = answer.text.flat
    out = {i for i, n in units.items() if n >= need_u[i]}
    out.update(i for i, n in tokens.items() if n == need_t[i] and (fuzzy[i] or phrases[i].flat in flat))
    out.update(i for i, p in enumerate(phrases) if p.full and p.full in flat)
    return out


def _reference_find_cues(text: Text) -> list[Cue]:
    out = []
    for m in negation._CUES.finditer(text.flat):
        kind = negation._KINDS[m.group()]
        if kind == "neutral":
            continue
        start = text.token_at(m.start())
        # an A-not-A question or 不到 beside a quantity asks or compares: the rule, not a faster version
        if kind in negation._NEGATING and m.group()[0] in "不没" and negation._not_a_denial(text.tokens, start,
                                                                                         m.group()):
            continue
        out.append(Cue(start, text.token_at(m.end() - 1) + 1, kind))
    return out


def _reference_glue(tokens: list[str], joined: str | None = None) -> tuple[float, float]:
    cjk = sum(map(CJK_MIN.__le__, tokens))
    length = cjk + sentences.EN_WEIGHT * (len(tokens) - cjk)
    if joined is None:
        joined = "".join(t if t >= CJK_MIN else " " for t in tokens)
    glue = len(sentences._GLUE_WORDS.findall(joined)) + sum(filter(None, map(sentences._GLUE_WEIGHT.get, tokens)))
    return length, float(glue)


def _reference_sentence_share(text: Text) -> float:
    total = sentence = 0.0
    tokens, starts, flat = text.tokens, text.starts, text.flat
    last = len(tokens)
    for start, end in text.clauses:
        length, glue = _reference_glue(tokens[start:end],
                                       flat[starts[start]:starts[end] if end < last else len(flat)])
        total += length
        if length >= sentences.MIN_CLAUSE:
            sentence += length * min(1.0, glue / sentences.MIN_GLUE)
    return sentence / total if total else 0.0


def _reference_is_term_list(text: Text, raw: str = "") -> bool:
    share = _reference_sentence_share(text)
    if share >= sentences.SENTENCE_SHARE:
        return False
    return not raw or share + sentences.structured_share(raw) < sentences.SENTENCE_SHARE


def _reference_length_of(text: Text) -> float:
    flat = text.flat
    latin = flat.count(" ") // 2
    marks = flat.count(CLAUSE) + flat.count(SENTENCE)
    return len(text.tokens) - latin - marks + sentences.EN_WEIGHT * latin


def _reference_is_dont_know(text: str) -> bool:
    if len(text) > 120:
        return False
    folded = _reference_fold(text).replace("’", "'")
    if not sentences._IDK.search(folded) or len(normalise.normalise(folded)) > 40:
        return False
    return len(normalise.normalise(sentences._IDK_FILLER.sub("", sentences._IDK.sub("", folded)))) <= 3


# ---------------------------------------------------------------- the comparisons

def _check_text(raw: str) -> Text:
    text = Text(raw)
    ref = _reference_text(raw)
    assert {k: getattr(text, k) for k in ref} == ref, raw
    assert normalise.fold(raw) == _reference_fold(raw)
    assert normalise.render(normalise.fold(raw)) == _reference_render(_reference_fold(raw))
    assert normalise.units(text.tokens) == _reference_units(text.tokens)
    for s, e in text.sentences:
        assert normalise.units(tuple(text.tokens[s:e])) == _reference_units(text.tokens[s:e])
        found = matching._units_at(text.tokens[s:e], s)
        assert list(found.items()) == list(_reference_units_at(text.tokens[s:e], s).items()), raw
    # every token's first character and the character before it, and both ends of the flat text
    for pos in {-1, 0, len(text.flat), *(p + d for p in text.starts for d in (-1, 0))}:
        assert text.token_at(pos) == _reference_token_at(text, pos)
    # a long text: every break and its neighbours, and every third token
    size = len(text.tokens)
    indices = range(size) if size <= 120 else {*range(0, size, 3), *(i + d for i, t in enumerate(text.tokens)
                                                                      if t in (CLAUSE, SENTENCE) for d in (-1, 0, 1))}
    for index in indices:
        for spans in (text.sentences, text.clauses):
            assert text.span_of(index, spans) == _reference_span_of(text, index, spans)
    assert sentences.sentence_share(text) == _reference_sentence_share(text), raw
    assert sentences.is_term_list(text, raw) == _reference_is_term_list(text, raw)
    assert sentences.is_term_list(text) == _reference_is_term_list(text)
    assert sentences.length_of(text) == _reference_length_of(text)
    assert sentences.is_dont_know(raw) == _reference_is_dont_know(raw)
    for s, e in text.clauses:
        assert sentences._glue(text.tokens[s:e]) == _reference_glue(text.tokens[s:e])
    return text


def _check_answer(raw: str) -> Answer:
    answer = Answer(raw)
    ref = _reference_answer(raw)
    assert answer.cues == ref["cues"], raw
    assert negation.find_cues(answer.text) == ref["cues"]
    assert [(s, e, list(f.items())) for s, e, f in answer.sentence_units] == \
        [(s, e, list(f.items())) for s, e, f in ref["sentence_units"]], raw
    assert answer.all_units == ref["all_units"]
    assert answer.token_set == ref["token_set"]
    assert list(answer.positions.items()) == list(ref["positions"].items())
    return answer


def _check_phrase(phrase: Phrase, answer: Answer, where: dict[str, list[int]]) -> None:
    assert list(matching._exact(phrase, answer)) == list(_reference_exact(phrase, answer))
    if len(phrase.units) >= matching.MIN_FUZZY_UNITS:
        assert list(matching._spread(phrase, answer)) == list(_reference_spread(phrase, answer, where))
        for threshold in (matching.FUZZY_THRESHOLD, 0.6):
            assert list(matching._overlap(phrase, answer, threshold)) == \
                list(_reference_overlap(phrase, answer, threshold))


def _check_index(groups: tuple[tuple[Phrase, ...], ...], answer: Answer) -> None:
    for threshold in (matching.FUZZY_THRESHOLD, 0.6):
        index = PointIndex(groups, threshold)
        expected = _reference_candidates(index, answer)
        assert index.candidates(answer) == expected
        assert _reference_candidates_counted(index, answer) == expected


# ---------------------------------------------------------------- the corpus

def _labelled_answers() -> list[str]:
    out = []
    for path in sorted((REPO / "tests" / "data").glob("grading_*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            out += [v for k, v in entry.items() if k != "id" and isinstance(v, str)]
    return out


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return QuestionBank.load(REPO / "questions")


def test_labelled_answers_prepare_alike():
    answers = _labelled_answers()
    assert len(answers) >= 8 * 100
    for raw in answers:
        _check_text(raw)
        _check_answer(raw)


def test_bank_texts_prepare_alike(bank):
    questions = bank.all_questions()
    assert len(questions) >= 100
    texts = dict.fromkeys(raw for q in questions for raw in (q.prompt, q.answer or "", *q.rubric,
                                                             *(w for kp in q.key_points for w in (kp.text, *kp.aliases))))
    for raw in texts:
        _check_text(raw)


def test_key_points_are_found_alike_in_labelled_answers(bank):
    for path in sorted((REPO / "tests" / "data").glob("grading_*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            question = bank.question(entry["id"])
            groups = tuple(tuple(p for p in map(Phrase.of, (kp.text, *kp.aliases)) if p is not None)
                           for kp in question.key_points)
            texts = [v for k, v in entry.items() if k != "id"] + [question.answer or ""]
            for raw in texts:  # each answer's preparation is checked by test_labelled_answers_prepare_alike
                answer = Answer(raw)
                _check_index(groups, answer)
                where = _reference_answer_positions(answer)
                for phrase in chain.from_iterable(groups):
                    _check_phrase(phrase, answer, where)


# ---------------------------------------------------------------- generated text

# fragments that exercise every branch: Chinese runs with function words and negation cues, English
# words (stemmed, glossary terms, contractions, British spellings), numbers with periods, function
# notation, slashes, full-width forms and every kind of break
_FRAGMENTS = [
    "的", "了", "是", "不", "没有", "不需要", "无关", "不同", "如果", "但是", "都", "也", "用不上", "根据", "通过",
    "模型", "奖励模型", "显存", "训练", "低秩", "分解", "冻结", "权重", "注意力", "缓存", "去掉", "解决", "问题",
    "LoRA", "lora", "QLoRA", "reward model", "the", "is", "not", "don't", "can't", "isn't", "won’t", "caches",
    "caching", "normalisation", "behaviour", "KV cache", "attention", "and", "which", "but", "if", "without",
    "unrelated to", "irrelevant", "skip", "GPT-4", "fp16", "3.5", "v1.2.3", "P(IK)", "Φ(x)", "I/O", "top-k/top-p",
    "ＡＢＣ", "１２", "α", "β", "ΔW", "x²", "😀", "", " ", "  ",
    "，", "。", ",", ".", "、", ":", "：", ";", "；", "!", "！", "?", "？", "…", "\n", "(", ")", "（", "）",
    "|", "#", "/", "“", "”", '"', "'", "’", "-", "*", "=", "【", "】", "《", "》", "[", "]",
]
_texts = st.lists(st.sampled_from(_FRAGMENTS), max_size=40).map("".join) | st.text(
    alphabet=st.sampled_from(list("的了是不无没模型训练低秩abcdeilnorstz 019.,，。、|#()（）/'’!?\nＡα")), max_size=60)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(_texts)
def test_generated_text_prepares_alike(raw):
    _check_text(raw)
    _check_answer(raw)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(_texts, st.lists(st.lists(_texts, min_size=1, max_size=3), min_size=1, max_size=4))
def test_generated_phrases_are_found_alike(raw, points):
    answer = _check_answer(raw)
    groups = tuple(tuple(p for p in map(Phrase.of, group) if p is not None) for group in points)
    _check_index(groups, answer)
    where = _reference_answer_positions(answer)
    for phrase in chain.from_iterable(groups):
        _check_phrase(phrase, answer, where)


def test_prepared_tokens_are_what_the_flat_text_shows():
    """A sanity anchor for the references themselves: a known text and its tokens."""
    text = Text("LoRA 不需要 tokens，显存更少。")
    assert text.tokens == ["lora", "不", "需", "要", "token", "|", "显", "存", "更", "少", "#"]
    assert text.flat == " lora 不需要 token |显存更少#"
    assert text.starts == [0, 6, 7, 8, 9, 16, 17, 18, 19, 20, 21]
    assert text.sentences == [(0, 10)]
    assert text.clauses == [(0, 5), (6, 10)]
    assert list(matching._units_at(text.tokens)) == ["lora", "不需", "需要", "token", "显存", "存更", "更少"]


@pytest.mark.parametrize("text", ["abc", "①", "ＡＢＣ", "！？。", "🙂🙂", "", "   ", "不", "\u3000", "Ⅻ", "ﬁ", "…"])
def test_has_words_fast_path_agrees_with_normalising(text: str):
    from bot.grading.normalise import has_words, normalise

    assert has_words(text) == bool(normalise(text))
