"""zh/en parity of the local grader: the glossary folds English into the Chinese forms of the bank,
every key point of the bank can be reached in English, and the same content scores alike in
Chinese, English and mixed text. The labelled-set figure is in tests/test_grading_agreement.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.bank import QuestionBank
from bot.grading import grade, negation, sentences
from bot.grading.glossary import GLOSSARY
from bot.grading.normalise import CLAUSE, SENTENCE, Text, fold, render
from bot.model import KeyPoint, Kind, Question

REPO = Path(__file__).resolve().parent.parent
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")


def _rendered(term: str) -> str:
    return render(fold(term)).strip(CLAUSE + SENTENCE)


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return QuestionBank.load(REPO / "questions")


def test_every_key_point_of_the_bank_has_an_english_phrase(bank):
    unreachable = [
        f"{q.id}: {kp.text}" for q in bank.all_questions() for kp in q.key_points
        if not any(_LATIN.search(p) and not _CJK.search(p) for p in (kp.text, *kp.aliases))
    ]
    assert unreachable == []


def test_no_english_term_folds_into_two_chinese_forms():
    """Snowball gives some different words one stem (tokenizer/token, adaptive/adapter, labeling/label):
    a term whose stem already belongs to another entry would be folded into the wrong form."""
    owner: dict[str, str] = {}
    clashes = []
    for zh, terms in GLOSSARY.items():
        for term in terms:
            key = _rendered(term)
            if owner.setdefault(key, zh) != zh:
                clashes.append(f"{term!r} -> {zh}, but {key.strip()!r} is {owner[key]}")
    # decoder/decoding share a stem and fold into 解码器, which contains 解码: harmless, kept
    assert [c for c in clashes if "解码" not in c] == []


def test_single_glossary_words_are_not_function_or_cue_words():
    """Folding a function word ("more", "need", "help") would hide the glue the term-list and
    negation rules read, and change what an English sentence says."""
    reserved = set(sentences._STRONG_EN) | sentences._WEAK_EN | negation._FILLER_EN
    for _kind, (_zh, en) in negation._GROUPS:
        reserved |= {_rendered(w).strip() for w in en}
    single = {_rendered(t).strip(): t for terms in GLOSSARY.values() for t in terms if " " not in _rendered(t).strip()}
    assert sorted(t for key, t in single.items() if key in reserved) == []


@pytest.mark.parametrize("word, form", [
    ("tokens", "token"),  # not folded into 分词器: "token" is far more common than "tokenizer"
    ("tokenizers", "分词器"),  # the term keeps a stem of its own, so it can be folded
    ("adapters", "适配器"),
    ("adaptive", "adapt"),
    ("regularly", "regular"),  # not 正则化: only "regularization" and its verb are the term
    ("regularisation", "正则化"),
    ("generally", "general"),
    ("optimising", "优化"),
    ("optimizers", "优化器"),
    ("behaviour", "behavior"),
    ("licence", "licens"),
    ("losses", "损失"),
    ("bidirectional", "双向"),
    ("retries", "重试"),
    ("gradient norms", "梯度范数"),  # not 梯度 + 归一化: a gradient's norm is no normalisation
    ("identical", "一致"),
    ("clarifying", "澄清"),  # Snowball gives "clarifying" and "clarification" different stems
    ("clarification", "澄清"),
])
def test_words_fold_as_expected(word, form):
    assert "".join(Text(word).tokens) == form


GRPO = Question(
    id="t-grpo", topic="alignment", kind=Kind.OPEN, prompt="GRPO 和 PPO 的区别？",
    answer="GRPO 去掉了价值模型，对同一个 prompt 采样一组回答，用组内奖励的均值和标准差做标准化，作为优势；"
           "KL 惩罚直接加在损失里。这样省显存，训练也更稳定。",
    # as in the bank: English aliases where the wording differs, Chinese-only ones where the glossary
    # carries the English ("standard deviation" -> 标准差, "within the group" -> 组内, "saves memory" -> 节省显存)
    key_points=(KeyPoint("去掉价值模型", ("去掉critic", "no critic", "drops the value model", "no value model")),
                KeyPoint("组内奖励标准化作优势", ("组内标准化", "组内均值", "标准差")),
                KeyPoint("KL加在损失里", ("KL in loss", "KL penalty in the loss")),
                KeyPoint("省显存更稳定", ("省显存", "更稳定"))),
)


@pytest.mark.parametrize("zh, en", [
    ("GRPO 去掉了价值模型。它对每个 prompt 采样一组回答，用奖励减去组内均值再除以标准差作为优势。"
     "KL 惩罚直接加在损失里，所以省显存，训练更稳定。",
     "GRPO drops the value model. For each prompt it samples a group of responses and uses the reward minus the "
     "group mean, divided by the standard deviation, as the advantage. The KL penalty goes straight into the loss, "
     "which saves memory and makes training more stable."),
    ("GRPO 不要价值模型，一组回答的奖励做组内标准化当优势。",
     "GRPO needs no value model; the rewards of a group of responses are standardised within the group as the "
     "advantage."),
])
def test_same_content_scores_alike_in_chinese_english_and_mixed(zh, en):
    zh_score, en_score = grade(GRPO, zh).score, grade(GRPO, en).score
    assert abs(zh_score - en_score) <= 1, (zh_score, en_score)
    mixed = grade(GRPO, zh.replace("价值模型", "value model").replace("标准差", "standard deviation")).score
    assert abs(mixed - zh_score) <= 1, (mixed, zh_score)
