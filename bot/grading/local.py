"""The local grader: key-point coverage that reads assertion, sentences and length. Offline and deterministic.

An open answer scores 0..10 from the share of the question's key points it *affirms*
(``bot.grading.matching``), on a curve that flattens near full coverage (``CURVE_KNEE``: one point of
five or six left unsaid costs 1, not 2), and then:

* a key point the answer denies is *contradicted* and costs more than a hit earns
  (``CONTRADICTION_COST``): naming every term while denying it scores 0, and a misconception that
  names one point and denies another ranks below a partial answer that names one. In a comparison
  ("DPO和PPO的区别"), a denial said of the other compared thing ("DPO 不需要奖励模型" against
  "PPO需要奖励模型") states the contrast and is no contradiction;
* an answer that only lists terms (``bot.grading.sentences``) is capped at ``TERM_LIST_CAP``;
* beyond a generous normal length (three times the model answer, clamped to ``NORMAL_LENGTH``, in
  Chinese-character equivalents so that English is not penalised for being longer), coverage is
  weighed against length: twice the normal length keeps 35% of the coverage, three times 19%, so
  pasting everything (a text of all the bank's key points) cannot beat a focused answer;
* "不知道" / "I don't know" scores 0 everywhere; an on-topic answer (one that uses at least
  ``ON_TOPIC_UNITS`` words of the question's own vocabulary, beyond the field's generic words) that
  scores nothing from its points scores ``ON_TOPIC_POINTS``, so that a misconception still ranks
  above an answer about something else; one that mostly denies things (negated clauses) scores
  ``NEGATED_CAP`` (nothing), whatever it names along the way. A short answer is on topic with fewer
  units when they are a fair share of all it says (``SHORT_ON_TOPIC_SHARE``, counting the words of
  the prompt and the key points too: "GPU 比 CPU 快很多", "预训练的数据量比微调大得多"), and so is one that
  names ``PLAIN_ON_TOPIC_CONCEPTS`` of its concepts in everyday words (a paraphrase avoids its terms).
  The vocabulary holds content units only (no "的候", "the"). An answer that is not on topic earns
  no soft credit and at most ``OFF_TOPIC_CAP``, whatever point it meets by chance ("faster" in an
  answer about speculative decoding), unless it writes a key point out and shares
  ``HIT_ON_TOPIC_UNITS`` units (a short partial: "r 一般设 8 或 16");
* one correct sentence is worth more than its share of the points: a short answer (``SHORT_ANSWER``),
  or one of a single sentence (``ONE_SENTENCE``), that is on topic, affirms a key point and contradicts
  none scores at least ``SHORT_HIT_FLOOR`` ("主要看改完 prompt 之后任务成功率有没有提高", one of six
  points); a short one that explains a point in other words at least ``SHORT_SOFT_FLOOR``; an answer
  of several sentences gets no such floor, so a confident misconception that drops two terms into
  wrong claims does not outrank it;
* a hit whose sentence reverses the direction the model answer states for that point ("显存更多"
  where the model answer says 更少) is contradicted too, and so is a point the answer removes
  ("把缓存去掉") or states the opposite term of ("串行" for "并行") (``bot.grading.contradiction``), and
  one the answer names and then dismisses ("人工抽检意义不大", "is a waste of time", ``bot.grading.rejection``),
  and, in a question comparing named things, one said of the other thing ("Prefix-tuning has far fewer
  parameters" for "Prompt Tuning参数更少", ``bot.grading.roles``); a point explained in other words by a
  sentence that reverses the model answer's direction about it earns no soft credit (``bot.grading.softreading``).
* an answer that is not short and names its points only inside claims about other things of the field
  ("LoRA 的核心是低秩矩阵：它先用知识蒸馏把大模型压缩成学生模型…"), and explains no point in other words,
  earns nothing from those hits (``bot.grading.precision``, ``capped == "foreign"``); one naming at most
  half of the points, whose claims and hit sentences mostly say other things of the field, loses a point
  (``bot.grading.straying``, ``capped == "stray"``): the tie-breaker against a correct partial answer.

A discussion question with a rubric is graded against the rubric items like key points, more
leniently (``RUBRIC_THRESHOLD``, ``RUBRIC_FULL``); one with neither a rubric nor a model answer
rewards taking part (``PARTICIPATION_POINTS``).

Everything that depends only on the question (prepared phrases, the normal length, the question's
vocabulary) is built once per question and cached, so grading an answer is a single pass of
tokenising plus a few string searches per phrase.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import chain

from bot.grading.contradiction import (
    ModelDirections,
    ModelRemovals,
    misattributed,
    removed_hits,
    reverse_hits,
    subjects_of,
)
from bot.grading.matching import (
    FUZZY_THRESHOLD,
    Answer,
    Phrase,
    PointIndex,
    Verdict,
    close_mentions,
    phrases_of,
    written,
)
from bot.grading.monotone import MONOTONE_COST, MONOTONE_FLOOR, overclaims
from bot.grading.normalise import Text, units
from bot.grading.opposition import PointTerms, opposite_points
from bot.grading.precision import all_foreign, known_units, point_units
from bot.grading.rejection import rejected_hits
from bot.grading.roles import Roles, swapped_hits
from bot.grading.semantic import (
    affirmed_sentence_units,
    negated_share,
    sentence_units,
    soft_credit,
    support_of,
    with_plain_words,
)
from bot.grading.sentences import _STRONG_EN, _STRONG_ZH, _WEAK_EN, is_dont_know, is_term_list, length_of
from bot.grading.softreading import SoftReader
from bot.grading.straying import STRAY_COST, STRAY_FLOOR, Material, strays
from bot.model import Grade, Question

PARTICIPATION_POINTS = 2  # a discussion question without a rubric rewards taking part, not content
CONTRADICTION_COST = 1.5  # a denied key point costs a whole point: naming a term while denying it is wrong
TERM_LIST_CAP = 3
NEGATED_SHARE = 0.6  # an answer with at least this share of negated clauses mostly denies things
NEGATED_CAP = 0  # ... and scores at most this much, whatever it names along the way
NEGATED_MIN_CLAUSES = 2
NORMAL_LENGTH = (400, 600)  # bounds of the normal length, in Chinese-character equivalents
LENGTH_POWER = 1.5  # beyond the normal length, coverage falls as (normal / length) ** LENGTH_POWER
NORMAL_FACTOR = 3  # normal length = this many times the model answer's length
ON_TOPIC_POINTS = 1
ON_TOPIC_UNITS = 3  # distinct units of the question's own vocabulary an answer needs to be on topic
HIT_ON_TOPIC_UNITS = 2  # ... fewer for one that names a key point verbatim (a short partial: "r 一般设 8 或 16")
OFF_TOPIC_CAP = 0  # an answer about something else earns this at most, whatever point it meets by chance
SHORT_ANSWER = 30.0  # Chinese-character equivalents: about one sentence
# a short answer, or one of a single sentence, that affirms a key point (and misstates none) scores at least
# this: one correct sentence ranks above a misconception that drops a point or two into wrong claims (3 and 4
# on the score curve). It trades paraphrases for ordering: an explanation in everyday words that earns 4 now
# only ties it (seven tuning sets: ordering 0.910 -> 0.925 with the floor at 4, 0.934 with one sentence of
# up to ONE_SENTENCE; paraphrase > partial 0.94 -> 0.89 -> 0.87; held-out 5 and 6 had shown the same trade for 4,
# +0.02 and -0.06 / -0.12). Ordering is the figure short of its target on answers nobody tuned on, and
# paraphrase > partial the one with most room above its own
SHORT_HIT_FLOOR = 4
ONE_SENTENCE = 60.0  # ... a single sentence of up to this many Chinese-character equivalents (not a run-on)
SHORT_SOFT_FLOOR = 2  # ... one that explains a point in other words, at least this
# a short answer is on topic with fewer shared units when much of what it says is the question's own words
# ("GPU 比 CPU 快很多", "预训练的数据量比微调大得多", "太长了显存放不下"): counted against the vocabulary
# and the words of the prompt and the key points, generic ones included (a question about 预训练 and 微调,
# or whose key point is 显存增长, is about those words)
SHORT_ON_TOPIC_UNITS = 2
SHORT_ON_TOPIC_SHARE = 0.25  # ... of the answer's content units; a fluent answer about another topic has ~0.05-0.2
# an answer that names this many distinct concepts of the question's key points in everyday words is on topic
# too (one could be a coincidence: "快很多" in an answer about something else)
PLAIN_ON_TOPIC_CONCEPTS = 2
# units every question of the field shares: they say nothing about being on this question's topic
GENERIC_UNITS = frozenset(
    "一个 上下 下文 不同 为什 人工 什么 任务 优化 使用 分词 参数 可以 向量 哪些 型的 处理 大模 如何 学习 实现 "
    "微调 怎么 意力 注意 推理 提示 效果 数据 文本 是什 权重 模型 每个 没有 生成 的数 知识 编码 网络 能力 规模 计算 "
    "训练 语言 输入 输出 进行 长度 问题 需要 预训 领域 方法 作用 区别 原理 主要 什么 以及 因为 所以 通过 这个 就是 "
    "可能 比较 时候 我们 一般 然后 如果 这样 其实 非常 大模型 方式 结构 影响 性能 显存 速度 成本 效率 质量 "
    "llm sft gpt to al et 1 2 3 4 如".split()
)
# function characters and words: a unit holding one ("的候", "和参", "the", "onli") is grammar, not topic
_FUNCTION_ZH = frozenset(_STRONG_ZH | set("和与或及不没无在"))
_FUNCTION_EN = frozenset(_STRONG_EN | _WEAK_EN)
# coverage -> score: a reader grades a nearly complete answer generously, so above the knee the last key
# points add less than the first ones: of five or six points, one left unsaid costs 1, not 2 (hits of 5 points
# score 0 2 4 7 9 10, of 6 points 0 2 3 6 8 9 10). A translation that says one point in words no alias covers
# then stays within 1 of its original (zh/en parity on the seven tuning sets 0.97 -> 0.997). Below the knee the
# score is the share itself, where partial, wrong and off-topic answers are told apart, and the floors apply
CURVE_KNEE = 0.4
CURVE_POWER = 1.75
RUBRIC_THRESHOLD = 0.6  # rubric items are sentences: a looser overlap is enough
RUBRIC_FULL = 0.7  # covering this share of the rubric earns full marks
_RUBRIC_SPLIT = re.compile(r"[、，,;；/]|以及|和|与|及|或者|或|\band\b|\bor\b")

FEEDBACK = {
    "term_list": {"zh": "请用完整的句子解释，而不是罗列关键词。", "en": "Explain in sentences rather than listing terms."},
    "length": {"zh": "答案过长，得分按长度折算。", "en": "A long answer: coverage was weighed against its length."},
    "contradicted": {"zh": "答案否定了：{points}。", "en": "The answer denies: {points}."},
    "negated": {"zh": "答案大多在否定要点，而不是解释它们。", "en": "The answer mostly denies things instead of explaining them."},
    "off_topic": {"zh": "答案说的不是本题的内容。", "en": "The answer is about something other than this question."},
    "foreign": {"zh": "提到要点的句子大多在说参考答案里没有的内容，这些要点不计分。",
                "en": "The sentences that name the key points mostly say things the model answer does not: "
                      "those points earn nothing."},
    "stray": {"zh": "答案有不少内容是参考答案没有说的，扣 1 分。",
              "en": "Much of the answer says things the model answer does not: one point off."},
    "monotone": {"zh": "答案说某样东西越多（或越少）越好，参考答案没有这样说：扣 1 分。",
                 "en": "The answer claims more (or less) of something is always better, which the model answer "
                       "does not: one point off."},
}


def coverage_score(coverage: float) -> int:
    """Coverage (0..1) to the score 0..10: the share itself up to ``CURVE_KNEE``, flattening above it."""
    c = max(0.0, min(1.0, coverage))
    if c > CURVE_KNEE:
        x = (c - CURVE_KNEE) / (1 - CURVE_KNEE)
        c = CURVE_KNEE + (1 - CURVE_KNEE) * (1 - (1 - x) ** CURVE_POWER)
    return int(10 * c + 0.5)  # c is within 0..1, so the score is within 0..10


class Prepared:
    """What grading needs from one question, computed once."""

    __slots__ = ("points", "threshold", "normal", "vocab", "near", "rubric", "supports", "index", "subjects",
                 "directions", "removals", "terms", "roles", "known", "units", "material")

    def __init__(self, question: Question) -> None:
        self.rubric = bool(question.discussion and question.rubric)
        if self.rubric:
            self.points = tuple((item, _rubric_phrases(item)) for item in question.rubric)
            self.threshold = RUBRIC_THRESHOLD
        else:
            self.points = tuple(
                (kp.text, tuple(chain.from_iterable(map(phrases_of, (kp.text, *kp.aliases)))))
                for kp in question.key_points
            )
            self.threshold = FUZZY_THRESHOLD
        self.index = PointIndex(tuple(phrases for _text, phrases in self.points), self.threshold)
        self.subjects = subjects_of(question.prompt, self.points)
        # what the model answer says of each point (directions, removals), for the contradiction rules
        model_answer = question.answer if question.answer and not self.rubric else None
        self.directions = ModelDirections(model_answer, self.points, question.prompt) if model_answer else None
        self.removals = ModelRemovals(model_answer, self.points) if model_answer else None
        self.terms = PointTerms(self.points)
        self.roles = Roles(question.prompt, self.points)
        model = length_of(Text(question.answer)) if question.answer else 0.0
        low, high = NORMAL_LENGTH
        self.normal = max(low, min(high, NORMAL_FACTOR * model))
        words = [question.prompt, question.answer or "", *question.rubric]
        words += [w for kp in question.key_points for w in (kp.text, *kp.aliases)]
        self.vocab = frozenset(u for u in units(Text(" 。".join(words)).tokens) if _is_content(u)) - GENERIC_UNITS
        own = [question.prompt, *(w for kp in question.key_points for w in (kp.text, *kp.aliases))]
        self.near = self.vocab | frozenset(u for u in units(Text(" 。".join(own)).tokens) if _is_content(u))
        self.supports: tuple[frozenset[str], ...] = ()
        if not self.rubric and question.answer:
            self.supports = _supports(question, self.points)
        # what a correct claim about this question may say, and where each point is named (bot.grading.precision)
        self.known = known_units(self.vocab, self.supports)
        self.units = point_units(self.points)
        self.material = Material(self.known, GENERIC_UNITS | _FUNCTION_EN, _FUNCTION_ZH)  # bot.grading.straying


def _is_content(unit: str) -> bool:
    """A unit that can say what an answer is about: not a lone character or letter, no function word in it."""
    if len(unit) < 2:
        return False
    if unit.isascii():
        return unit not in _FUNCTION_EN
    return not (unit[0] in _FUNCTION_ZH or unit[1] in _FUNCTION_ZH)


@lru_cache(maxsize=1 << 16)  # asked of every unit of a few sentences per answer; the same words recur
def _is_novel_candidate(unit: str) -> bool:
    """A unit that says something of its own: a content unit, none of the field's generic words."""
    return unit not in GENERIC_UNITS and _is_content(unit)


def _supports(question: Question, points) -> tuple[frozenset[str], ...]:
    """Per key point, the units that express it (``bot.grading.semantic``)."""
    model = Answer(question.answer or "")
    spans = model.text.sentences
    model_units = sentence_units(model.text)
    drop = frozenset(units(Text(question.prompt).tokens)) | GENERIC_UNITS
    out = []
    for kp, (_text, phrases) in zip(question.key_points, points, strict=True):
        said = [False] * len(spans)
        for phrase in phrases:
            for start, _end in close_mentions(phrase, model):
                for i, (s, e) in enumerate(spans):
                    if s <= start < e:
                        said[i] = True
        out.append(support_of((kp.text, *kp.aliases), model_units, drop, said))
    return tuple(out)


def _shared(prep: Prepared, answer: Answer) -> int:
    """How many content units of the question's vocabulary the answer uses."""
    return len(answer.all_units & prep.vocab)


def _verbatim(prep: Prepared, answer: Answer, verdicts: list[Verdict]) -> bool:
    """Does the answer write one of the phrases of a hit point (not only some of its units, nearby)?"""
    return any(v is Verdict.HIT and any(written(p, answer) for p in phrases)
               for (_text, phrases), v in zip(prep.points, verdicts, strict=True))


def _rubric_phrases(item: str) -> tuple[Phrase, ...]:
    """A rubric item and its parts ("背景、目标和结果" -> each): meeting one part meets the item."""
    parts = [item, *(p for p in _RUBRIC_SPLIT.split(item) if len(p.strip()) >= 2)]
    phrases = (Phrase.of(p) for p in dict.fromkeys(parts))
    return tuple(p for p in phrases if p is not None)


class LocalGrader:
    """Grades open answers against key points (or a discussion rubric); see the module docstring."""

    name = "local"

    def __init__(self, cache_size: int = 4096) -> None:
        self._cache: dict[str, tuple[Question, Prepared]] = {}
        self._cache_size = cache_size

    def prepared(self, question: Question) -> Prepared:
        entry = self._cache.get(question.id)
        if entry is not None and (entry[0] is question or entry[0] == question):
            return entry[1]
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        prepared = Prepared(question)
        self._cache[question.id] = (question, prepared)
        return prepared

    def grade(self, question: Question, text: str, lang: str = "zh") -> Grade:
        lang = "zh" if lang == "zh" else "en"
        if is_dont_know(text):
            missed = tuple(kp.text for kp in question.key_points) if not question.discussion else question.rubric
            return Grade(0, missed=missed)
        prep = self.prepared(question)
        if not prep.points:
            return Grade(PARTICIPATION_POINTS if Text(text).words() else 0)
        answer = Answer(text)
        assessed = prep.index.assess(answer)
        # hook: a hit whose sentence reverses the model answer's direction is contradicted (bot.grading.contradiction)
        assessed = reverse_hits(prep.directions, prep.points, answer, assessed)
        assessed = removed_hits(prep.removals, prep.points, answer, assessed)
        assessed = opposite_points(prep.terms, answer, assessed)
        assessed = rejected_hits(prep.points, answer, assessed)
        if Verdict.CONTRADICTED in assessed:
            assessed = misattributed(prep.subjects, prep.points, answer, assessed)
        assessed = swapped_hits(prep.roles, prep.points, answer, assessed)
        verdicts = list(zip((point for point, _phrases in prep.points), assessed, strict=True))
        hit = tuple(p for p, v in verdicts if v is Verdict.HIT)
        contradicted = tuple(p for p, v in verdicts if v is Verdict.CONTRADICTED)
        missed = tuple(p for p, v in verdicts if v is Verdict.MISSED)
        term_list = is_term_list(answer.text, text)
        soft = 0.0
        on_topic = self._on_topic(prep, answer)
        # words of another topic that happen to overlap a point's support explain nothing about this one
        if prep.supports and missed and not term_list and on_topic:
            sentences = affirmed_sentence_units(answer.text, answer.cues, answer.sentence_units)
            reader = SoftReader.of(prep.directions, answer)
            soft = soft_credit(list(prep.supports), [v is not Verdict.MISSED for _p, v in verdicts], sentences,
                               reader.reverses if reader else None)
        length = length_of(answer.text)
        # hits named only inside claims about other things of the field earn nothing (bot.grading.precision)
        # (a text beyond the normal length is the length rule's: a paste names every point among other things)
        foreign = (bool(hit) and not soft and SHORT_ANSWER < length <= prep.normal and not prep.rubric
                   and all_foreign(prep.known, _is_novel_candidate, prep.units, answer,
                                   [v is Verdict.HIT for _p, v in verdicts]))
        coverage = max(0.0, ((0 if foreign else len(hit)) + soft - CONTRADICTION_COST * len(contradicted))
                       / len(verdicts))
        if prep.rubric:
            coverage = min(1.0, coverage / RUBRIC_FULL)
        # said at the reveal only when the hits would have earned something
        foreign = foreign and coverage_score((len(hit) - CONTRADICTION_COST * len(contradicted)) / len(verdicts)) > 0
        # an answer about another topic is told so, whichever rule held it down
        capped = ("foreign" if on_topic else "off_topic") if foreign else None
        raw = coverage_score(coverage)
        if length > prep.normal:
            coverage *= (prep.normal / length) ** LENGTH_POWER
            if coverage_score(coverage) < raw:
                capped = "length"
        score = coverage_score(coverage)
        if term_list and score > TERM_LIST_CAP:
            score, capped = TERM_LIST_CAP, "term_list"
        # a one-clause answer that only denies a point ("人工排序和 PPO 都不必要") denies as much as a long one
        denying = (bool(score or contradicted or foreign)
                   and (len(answer.text.clauses) >= NEGATED_MIN_CLAUSES or (contradicted and not hit))
                   and negated_share(answer.text, answer.cues) >= NEGATED_SHARE)
        if score > NEGATED_CAP and denying:
            score, capped = NEGATED_CAP, "negated"
        # "faster" or "Q、K、V" met in an answer about another topic is a coincidence, not an explanation
        if not on_topic and score > OFF_TOPIC_CAP and not (_shared(prep, answer) >= HIT_ON_TOPIC_UNITS
                                                           and _verbatim(prep, answer, assessed)):
            score, capped = OFF_TOPIC_CAP, capped or "off_topic"
        # of two answers naming the same points, the one saying much else of the field ranks lower
        if (score > STRAY_FLOOR and capped is None and length > SHORT_ANSWER and not prep.rubric
                and strays(answer, prep.material, prep.units, [v is Verdict.HIT for v in assessed])):
            score, capped = max(STRAY_FLOOR, score - STRAY_COST), "stray"
        # "越大越好", a claim no model answer makes (bot.grading.monotone); it adds to a stray answer's point
        strayed = capped == "stray"
        if (score > MONOTONE_FLOOR and capped in (None, "stray") and length > SHORT_ANSWER and not prep.rubric
                and overclaims(text, question.answer)):
            score, capped = max(MONOTONE_FLOOR, score - MONOTONE_COST), "monotone"
        # a misconception about this question (points misstated, not just denied) still beats another topic
        if score == 0 and not denying and on_topic:
            score = ON_TOPIC_POINTS
        # one correct sentence is worth more than its share of the points: a short answer that affirms a
        # point and misstates none ("主要看任务成功率有没有提高") scores like a reader would grade it. A longer
        # single sentence needs a point it names: everyday words alone in one sentence may be about anything
        short = length <= SHORT_ANSWER
        one_sentence = short or (length <= ONE_SENTENCE and len(answer.text.sentences) == 1)
        if (score < SHORT_HIT_FLOOR and capped is None and not (contradicted or term_list or denying) and on_topic
                and ((hit and one_sentence) or (soft and short)) and not prep.rubric):
            score = max(score, SHORT_HIT_FLOOR if hit else SHORT_SOFT_FLOOR)
        notes = []
        if term_list:
            notes.append(FEEDBACK["term_list"][lang])
        if contradicted:
            notes.append(FEEDBACK["contradicted"][lang].format(points="、".join(contradicted) if lang == "zh"
                                                                 else ", ".join(contradicted)))
        if strayed and capped == "monotone":
            notes.append(FEEDBACK["stray"][lang])
        if capped in ("length", "negated", "off_topic", "foreign", "stray", "monotone"):
            notes.append(FEEDBACK[capped][lang])
        return Grade(score, hit, missed, contradicted=contradicted, capped=capped, feedback=" ".join(notes))

    @staticmethod
    def _on_topic(prep: Prepared, answer: Answer) -> bool:
        if _shared(prep, answer) >= ON_TOPIC_UNITS:
            return True
        near = len(answer.all_units & prep.near)
        if near >= SHORT_ON_TOPIC_UNITS and near >= SHORT_ON_TOPIC_SHARE * sum(map(_is_content, answer.all_units)):
            return True
        # a paraphrase avoids the question's words by design: one that names several of its concepts in
        # everyday words ("把每一段变成一串数字", "找意思最接近的几段") is about this question all the same
        if not prep.supports:
            return False
        sentences = affirmed_sentence_units(answer.text, answer.cues, answer.sentence_units)
        named = with_plain_words(prep.supports, sentences)[len(sentences):]
        return len(set(map(frozenset, named))) >= PLAIN_ON_TOPIC_CONCEPTS

    async def judge(self, question: Question, text: str, lang: str = "zh") -> Grade:
        """The local grader has nothing slower to consult: its judgement is its grade."""
        return self.grade(question, text, lang)
