"""How far a negation reaches: questions, comparisons, attributive and relative clauses, contrasts and
checked clauses deny nothing outside themselves, while the plain denial next to them still does.
Each rule in Chinese and in English where both have it, with a guard that a real denial is caught."""

from __future__ import annotations

import pytest

from bot.grading.matching import Answer, Phrase, Verdict, assess


def verdict(point: str, answer: str) -> Verdict:
    phrase = Phrase.of(point)
    assert phrase is not None
    return assess(phrase, Answer(answer))


@pytest.mark.parametrize("point, answer", [
    ("用户满意度", "上线后要看用户满不满意度，再决定改不改。"),
    ("安全", "最后检查回答安不安全。"),
    ("任务完成", "看 Agent 做没做成任务完成的判定。"),
    ("覆盖", "检查测试集覆盖全不全。"),
    ("忠于资料", "评估回答是不是忠于资料。"),
    ("工具调用", "看有没有工具调用出错。"),
])
def test_an_a_not_a_question_asks_whether(point, answer):
    assert verdict(point, answer) is Verdict.HIT


@pytest.mark.parametrize("point, answer", [
    ("工具调用", "这个任务不需要工具调用。"),
    ("安全", "这种做法不安全。"),
])
def test_a_plain_denial_beside_them_is_still_a_denial(point, answer):
    assert verdict(point, answer) is Verdict.CONTRADICTED


@pytest.mark.parametrize("point, answer", [
    ("参数量", "可训练参数量连模型的万分之一都不到。"),
    ("参数量", "可训练参数量不到模型的万分之一。"),
    ("可训练参数", "可训练参数不到 1%。"),
])
def test_budao_beside_a_quantity_compares(point, answer):
    assert verdict(point, answer) is Verdict.HIT


def test_budao_without_a_quantity_still_denies():
    assert verdict("相关文档", "检索不到相关文档。") is Verdict.CONTRADICTED


@pytest.mark.parametrize("point, answer", [
    ("底座还是聊天版", "先想清楚用没对齐过的底座还是聊天版。"),
    ("模型更新", "Post-LN 深了训不稳的根本原因是训练初期模型更新太大。"),
    ("call tools at the same time", "Tools that don't depend on each other, we call tools at the same time."),
    ("called at the same time", "Tools that don't depend on each other are called at the same time."),
    ("prefill them", "For variables that do not change you can prefill them with partial."),
])
def test_a_negation_inside_an_attributive_or_relative_clause_denies_nothing_outside(point, answer):
    assert verdict(point, answer) is Verdict.HIT


@pytest.mark.parametrize("point, answer", [
    ("奖励模型", "DPO 不需要额外的奖励模型。"),
    ("奖励模型", "DPO 没有单独的奖励模型。"),
    ("reward model", "DPO does not need a separate reward model."),
])
def test_a_negated_verb_before_an_adjective_and_its_noun_still_denies(point, answer):
    assert verdict(point, answer) is Verdict.CONTRADICTED


def test_a_negation_in_a_later_clause_with_its_own_predicate_does_not_reach_back():
    answer = "更进一步 ORPO 把 SFT 和偏好对齐合并成一个阶段，SimPO 连参考模型也不要。"
    assert verdict("一个阶段", answer) is Verdict.HIT
    assert verdict("参考模型", answer) is Verdict.CONTRADICTED
    # a list of short items before 都/也 + a negated predicate is still denied item by item
    assert verdict("消息队列", "消息队列、限流和熔断都用不上。") is Verdict.CONTRADICTED


@pytest.mark.parametrize("point, answer", [
    ("ask the user to clarify", "When nothing fits, ask the user to clarify instead of making something up."),
    ("让用户澄清", "检索结果不相关时，让用户澄清而不是硬编一个答案。"),
])
def test_x_instead_of_y_affirms_x(point, answer):
    assert verdict(point, answer) is Verdict.HIT


@pytest.mark.parametrize("point, answer", [
    ("PPO", "We use supervised learning instead of PPO."),
    ("PPO", "用监督学习而不是 PPO。"),
])
def test_x_instead_of_y_denies_y(point, answer):
    assert verdict(point, answer) is Verdict.CONTRADICTED


def test_a_checked_clause_and_a_discard_are_no_denials():
    assert verdict("catastrophic forgetting", "Then check that fine-tuning did not cause catastrophic forgetting.") \
        is Verdict.HIT
    assert verdict("catastrophic forgetting", "Fine-tuning did not cause catastrophic forgetting.") \
        is Verdict.CONTRADICTED
    assert verdict("丢掉分数差不多的", "分数差不多的就不要了。") is not Verdict.CONTRADICTED
    assert verdict("用不着 HNSW", "召回阶段用不着 HNSW。") is Verdict.HIT  # the negative phrase is met
    assert verdict("HNSW", "召回阶段用不着 HNSW 这类近似索引。") is Verdict.CONTRADICTED


# --- normalisation: the same word, the same token; an everyday word is no field term ---------------

@pytest.mark.parametrize("a, b", [
    ("stably", "stable"), ("steadily", "steady"), ("I'm", "i am"), ("won't", "will not"), ("they're", "they are"),
    ("it's", "it is"), ("the domain's jargon", "the domain jargon"), ("2(ŷ - y)/N", "2(yhat - y)/N"),
])
def test_spellings_of_one_word_meet(a, b):
    from bot.grading.normalise import Text
    assert Text(a).tokens == Text(b).tokens


@pytest.mark.parametrize("everyday, term", [
    ("multiple", "multiplicative"), ("critical", "critic"), ("responsibilities", "responses"),
    ("separate", "separately"), ("respects", "respectively"), ("projects", "projection"), ("moderate", "moderation"),
    ("similar", "similarity"), ("labels", "labeling"), ("observability", "observation"), ("encodings", "encoder"),
    ("diverge", "divergence"), ("exactly", "exact"), ("ranked", "rank"), ("clusters", "clustering"),
])
def test_an_everyday_word_does_not_fold_into_a_field_term(everyday, term):
    from bot.grading.normalise import Text
    assert Text(everyday).tokens != Text(term).tokens


@pytest.mark.parametrize("word, form", [("rank", "秩"), ("critic", "价值模型"), ("projection", "投影"),
                                        ("similarity", "相似度"), ("labeling", "标注"), ("exact", "精确"),
                                        ("clustering", "聚类"), ("ranking", "排序")])
def test_the_field_term_still_folds(word, form):
    from bot.grading.normalise import Text
    assert Text(word).flat == form


def test_a_removal_verb_inside_a_negative_alias_is_its_own_word():
    assert verdict("quality does not drop", "After quantisation the quality does drop.") is not Verdict.HIT
    assert verdict("quality does not drop", "After quantisation the quality does not drop.") is Verdict.HIT


def test_function_words_do_not_make_a_fuzzy_mention():
    assert verdict("added to the logits", "The bias is added to the token embeddings.") is Verdict.MISSED
    assert verdict("6.7% of the parameters", "It needs more hyperparameters of the model.") is Verdict.MISSED
    # the content words still carry a mention with small wording differences
    assert verdict("added to the logits", "A bias gets added to the logits.") is Verdict.HIT
    assert verdict("output feeds the next", "Each step's output becomes the next step's input.") is Verdict.HIT
