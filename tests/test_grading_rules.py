"""The local grader's rules one by one: assertion vs negation, sentences vs term lists, length,
zh/en parity and stemming, discussion rubrics. Deterministic, no network."""

from __future__ import annotations

import pytest

from bot.grading import TERM_LIST_CAP, grade
from bot.grading.local import ON_TOPIC_POINTS, SHORT_HIT_FLOOR
from bot.grading.normalise import Text
from bot.model import KeyPoint, Kind, Question

RLHF = Question(
    id="t-rlhf", topic="alignment", kind=Kind.OPEN, prompt="RLHF 是怎么工作的？",
    answer="先 SFT，再用人类偏好排序数据训练奖励模型，最后用 PPO 最大化奖励并加 KL 惩罚，防止偏离参考模型。",
    key_points=(KeyPoint("奖励模型", ("reward model",)), KeyPoint("PPO", ("近端策略优化",)),
                KeyPoint("人类偏好", ("human preference",)), KeyPoint("KL惩罚", ("KL penalty", "KL约束"))),
)
ALL = {"奖励模型", "PPO", "人类偏好", "KL惩罚"}


# --- asserted, not mentioned -------------------------------------------------------------------

@pytest.mark.parametrize("text, contradicted", [
    ("RLHF 不需要奖励模型，也不用 PPO，和人类偏好无关，更不需要 KL 约束。", ALL),
    ("RLHF does not need a reward model, it does not use PPO, and it is unrelated to human preferences.",
     {"奖励模型", "PPO", "人类偏好"}),
    ("奖励模型是不需要的。PPO 也没用。", {"奖励模型", "PPO"}),
    ("The reward model is not needed. PPO is useless.", {"奖励模型", "PPO"}),
    ("用监督学习而不是 PPO 来训练。", {"PPO"}),
    ("We use plain supervised learning rather than PPO.", {"PPO"}),
    ("人工排序和 PPO 都不必要。", {"PPO"}),
    ("奖励模型、PPO 和 KL 惩罚都用不上，人类偏好也没用。", ALL),  # a list, then 都 + a negated predicate
    ("RLHF 里不存在奖励模型，PPO 也帮不上忙。", {"奖励模型", "PPO"}),  # 不存在 before its object, 帮不上忙 after
])
def test_negated_key_points_are_contradicted_and_cost_points(text, contradicted):
    result = grade(RLHF, text)
    assert set(result.contradicted) == contradicted
    assert not set(result.hit) & contradicted
    assert result.score == 0
    assert "否定" in result.feedback


@pytest.mark.parametrize("text, hit", [
    ("RLHF 不仅需要奖励模型，而且还要用 PPO 来优化。", {"奖励模型", "PPO"}),  # 不仅…而且
    ("奖励模型不是不需要的，它根据人类偏好给回答打分。", {"奖励模型", "人类偏好"}),  # double negation
    ("如果没有奖励模型，就没法用 PPO 优化，所以要先根据人类偏好训练奖励模型。", {"奖励模型", "PPO", "人类偏好"}),
    ("用 PPO 而不是监督学习，奖励模型来自人类偏好。", {"奖励模型", "PPO", "人类偏好"}),  # negation of another term
    ("PPO 解决了训练不稳定的问题，奖励模型给人类偏好打分。", {"奖励模型", "PPO", "人类偏好"}),
    ("奖励模型的打分和人类偏好不同，需要用 PPO 和 KL 惩罚来纠正。", ALL),  # 不同 = different
    ("无论哪种任务，奖励模型都没问题，PPO 也不能少，人类偏好很重要，KL惩罚是必须的。", ALL),
    ("RLHF 的奖励模型不需要人工逐条写答案，只要人类偏好排序就能训练，之后用 PPO 优化。",
     {"奖励模型", "PPO", "人类偏好"}),  # the negation belongs to another predicate
    ("Not only a reward model but also PPO is used, with human preferences and a KL penalty.", ALL),
    ("We use PPO rather than plain supervised learning; the reward model learns human preferences.",
     {"奖励模型", "PPO", "人类偏好"}),
    ("Without a reward model there would be nothing for PPO to maximise, so we train one on human preferences.",
     {"奖励模型", "PPO", "人类偏好"}),  # counterfactual explanation
])
def test_negation_false_positives(text, hit):
    result = grade(RLHF, text)
    assert set(result.hit) == hit and not result.contradicted


def test_a_list_item_before_another_subject_is_not_denied():
    # "词表大时也不小" says something about 词表, not about the items listed before it
    result = grade(RLHF, "RLHF 要训练奖励模型、PPO、KL 惩罚（参考模型大时也不小），再用人类偏好数据。")
    assert not result.contradicted


def test_a_stated_limit_is_not_a_denial():
    # "放不下", "跑不动": the thing is too big for the hardware, which affirms it
    result = grade(RLHF, "奖励模型太大单卡放不下，PPO 也跑不动，要用人类偏好数据分布式训练。")
    assert {"奖励模型", "PPO"} <= set(result.hit) and not result.contradicted


@pytest.mark.parametrize("text", [
    "用人类偏好数据训练奖励模型，让它学会忽略无关的回答。",
    "Train a reward model on human preferences so that it learns to ignore irrelevant answers.",
])
def test_a_negative_adjective_before_its_noun_denies_nothing_before_it(text):
    # "无关的回答" / "irrelevant answers" describe the answers; the reward model is affirmed
    result = grade(RLHF, text)
    assert {"奖励模型", "人类偏好"} <= set(result.hit) and not result.contradicted


@pytest.mark.parametrize("text", ["奖励模型是多余的。", "The reward model is irrelevant."])
def test_a_negative_predicate_at_the_end_still_denies(text):
    assert "奖励模型" in grade(RLHF, text).contradicted


def test_a_point_written_with_wu_is_met_by_other_negations():
    rope = Question("t-rope", "components", Kind.OPEN, "RoPE 的优点？", answer="RoPE 无额外参数，天然表达相对位置。",
                    key_points=(KeyPoint("无额外参数"), KeyPoint("相对位置")))
    assert "无额外参数" in grade(rope, "RoPE 用旋转表达相对位置，不需要额外参数。").hit
    assert "无额外参数" in grade(rope, "RoPE 用旋转表达相对位置，没有额外参数。").hit


def test_slash_between_words_is_not_a_clause_break():
    assert Text("I/O 密集").clauses == [(0, 4)]
    assert Text("top-k/top-p").flat.count("|") == 0


def test_negative_key_point_expects_a_negated_mention():
    dpo = Question("t-dpo", "alignment", Kind.OPEN, "DPO 和 RLHF 的区别？", answer="DPO 直接用偏好数据优化策略，无需奖励模型。",
                   key_points=(KeyPoint("无需奖励模型", ("no reward model",)), KeyPoint("偏好数据")))
    assert "无需奖励模型" in grade(dpo, "DPO 不需要单独训练奖励模型，直接在偏好数据上优化。").hit
    assert "无需奖励模型" in grade(dpo, "DPO skips the reward model and optimises on preference data directly.").hit
    plain = grade(dpo, "DPO 要先训练一个奖励模型，再用偏好数据优化。")
    assert "无需奖励模型" not in plain.hit and not plain.contradicted  # a plain mention is no proof either way


# --- explanations, not term lists ------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "奖励模型、PPO、人类偏好、KL 惩罚",
    "reward model, PPO, human preference, KL penalty",
    "RLHF: reward model + PPO + KL penalty",
    "- 奖励模型\n- PPO\n- 人类偏好\n- KL 约束",
    "RLHF、SFT、奖励模型、人类偏好、排序数据、PPO、KL 惩罚、参考模型、reward hacking",
])
def test_term_lists_are_capped(text):
    result = grade(RLHF, text)
    assert result.score <= TERM_LIST_CAP and result.capped == "term_list"
    assert "句子" in result.feedback
    assert "sentences" in grade(RLHF, text, lang="en").feedback


@pytest.mark.parametrize("text", [
    "RLHF 先根据人类偏好训练一个奖励模型，然后用 PPO 优化策略，并加上 KL 惩罚防止跑偏。",
    "RLHF trains a reward model on human preferences, then PPO maximises the reward with a KL penalty.",
    "先训练 reward model 学习 human preference，再用 PPO 去优化，同时加 KL penalty 避免模型跑偏。",
])
def test_sentences_are_not_capped(text):
    result = grade(RLHF, text)
    assert result.score == 10 and result.capped is None


def test_short_partial_sentence_is_not_a_term_list():
    result = grade(RLHF, "RLHF 就是用人类偏好来训练模型，先训练一个奖励模型给回答打分。")
    assert result.capped is None and result.score == 6  # two points of four


# --- length is no weapon ------------------------------------------------------------------------

def test_padding_a_focused_answer_lowers_its_score():
    focused = "RLHF 先根据人类偏好训练一个奖励模型，然后用 PPO 优化策略，并加上 KL 惩罚防止跑偏。"
    padding = "另外训练的时候我们还会观察很多别的指标，看看模型的输出是不是流畅自然，这一步其实挺花时间的。" * 30
    long = grade(RLHF, focused + padding)
    assert long.score < grade(RLHF, focused).score and long.capped == "length"


def test_off_topic_scores_below_on_topic_misconception():
    wrong = "RLHF 就是让标注员直接写标准答案再做 SFT，排序数据和参考模型都是多余的步骤，最大化的是准确率。"
    off = "向量数据库用 HNSW 这类近似最近邻索引，在高维 embedding 空间里快速找到最相近的文档。"
    partial = "RLHF 先根据人类偏好训练奖励模型。"
    assert grade(RLHF, off).score == 0 < ON_TOPIC_POINTS <= grade(RLHF, wrong).score < grade(RLHF, partial).score


RMS = Question("t-rms", "components", Kind.OPEN, "RMSNorm 相比 LayerNorm 有什么特点？",
               answer="RMSNorm 去掉了减均值，只按均方根缩放，所以计算更快，效果与 LayerNorm 相当。",
               key_points=(KeyPoint("去掉减均值", ("no mean subtraction",)),
                           KeyPoint("计算更快", ("faster", "less computation"))))


def test_a_point_met_by_chance_in_another_topic_earns_nothing():
    # "faster" names the point, but the answer is about speculative decoding
    off = ("Speculative decoding lets a small draft model propose tokens that the large model verifies "
           "in one pass, so generation gets faster.")
    result = grade(RMS, off)
    assert result.hit == ("计算更快",) and result.score == 0 and result.capped == "off_topic"
    assert grade(RMS, "RMSNorm is a simpler LayerNorm that is faster to compute.").score > 0


def test_a_short_partial_that_writes_a_point_is_on_topic():
    assert grade(RMS, "计算更快。").score > 0


GPU_CPU = Question("t-gpu", "inference", Kind.OPEN, "大模型在 GPU 和 CPU 上推理速度如何？",
                   answer="GPU 有数千个并行核心，显存带宽高，推理快得多；CPU 只适合跑量化后的小模型。",
                   key_points=(KeyPoint("显存带宽高", ("bandwidth",)), KeyPoint("CPU跑量化小模型", ("llama.cpp",))))


@pytest.mark.parametrize("text", ["GPU 比 CPU 快很多。", "On a GPU it is much faster than on a CPU."])
def test_a_short_answer_in_the_questions_own_words_is_on_topic(text):
    # two units of the prompt, and nothing else of substance: on topic, though it names no point
    assert grade(GPU_CPU, text).score == ON_TOPIC_POINTS


LONG_INPUT = Question(
    "t-long", "basics", Kind.OPEN, "LLaMA 的输入可以无限长吗？",
    answer="理论上 RoPE 不限长度，但实际上不行：注意力是平方复杂度，KV cache 的显存随长度增长，超出训练长度还会外推失败。",
    key_points=(KeyPoint("KV cache显存增长", ("显存不够", "memory runs out")),
                KeyPoint("注意力平方复杂度", ("quadratic attention",)),
                KeyPoint("超出训练长度外推失败", ("extrapolation fails",))),
)


@pytest.mark.parametrize("text", ["不可以，太长了显存不够。", "No: with a long input the memory runs out."])
def test_a_short_answer_in_a_key_points_generic_words_is_on_topic(text):
    # 显存 is a word of every question of the field, but this question's key point is about it
    result = grade(LONG_INPUT, text)
    assert result.hit == ("KV cache显存增长",) and result.score >= SHORT_HIT_FLOOR and result.capped is None


@pytest.mark.parametrize("text", ["MoE 用路由器给每个 token 选专家。", "A router picks experts for every token in MoE."])
def test_a_short_answer_about_another_topic_stays_off_topic(text):
    assert grade(GPU_CPU, text).score == 0


@pytest.mark.parametrize("text", [
    "GPU 不比 CPU 快，推理速度不取决于硬件，并行核心没有用，显存带宽高。",
    "A GPU is not faster than a CPU, speed does not depend on hardware, parallel cores do not help, "
    "the bandwidth is high.",
])
def test_an_answer_that_mostly_denies_scores_nothing(text):
    # it names a point along the way, but most clauses deny: below any on-topic attempt
    result = grade(GPU_CPU, text)
    assert result.hit == ("显存带宽高",) and result.score == 0 and result.capped == "negated"


PROMPT_EVAL = Question(
    "t-prompt-eval", "agents", Kind.OPEN, "优化 Prompt 之后，怎么判断 Agent 的效果提升了？",
    answer="固定评测集，新旧 prompt 对比任务成功率；看工具调用是否正确、推理步数、token 消耗和延迟；"
           "开放回答用 LLM-as-judge 并人工抽检；上线后做 A/B 测试。",
    key_points=(KeyPoint("固定评测集", ("evaluation set",)), KeyPoint("任务成功率", ("task success rate",)),
                KeyPoint("工具调用正确", ("correct tool calls",)), KeyPoint("推理步数与token消耗", ("token cost",)),
                KeyPoint("LLM-as-judge人工抽检", ("LLM-as-judge",)), KeyPoint("A/B测试", ("A/B test",))),
)


@pytest.mark.parametrize("text", ["主要看改完 prompt 之后任务成功率有没有提高。",
                                  "Mainly whether the task success rate went up after the change."])
def test_a_short_answer_that_makes_one_point_scores_at_least_the_floor(text):
    # one point of six is 1.7/10 by share; one correct sentence is worth more to a reader
    result = grade(PROMPT_EVAL, text)
    assert result.hit == ("任务成功率",) and result.score == SHORT_HIT_FLOOR


@pytest.mark.parametrize("text", [
    "任务成功率不重要，主要看 A/B 测试。",  # it denies a point: no floor for a misstatement
    "KV cache 把之前 token 的 key 和 value 存下来。",  # another topic
])
def test_the_short_answer_floor_needs_a_correct_on_topic_point(text):
    assert grade(PROMPT_EVAL, text).score < SHORT_HIT_FLOOR


def test_a_long_answer_gets_no_short_answer_floor():
    text = ("判断 prompt 好不好主要看 perplexity，perplexity 越低 agent 推理就越准，另外模型思考得越久越好，"
            "所以 token 消耗上涨是正向信号，随手挑五六个例子对比一下任务成功率就能下结论。")
    assert grade(PROMPT_EVAL, text).score < SHORT_HIT_FLOOR


PPO_DPO = Question("t-dpo", "alignment", Kind.OPEN, "DPO 和 PPO 的区别？",
                   answer="PPO 需要先训练奖励模型再在线采样；DPO 直接用偏好对训练，不需要奖励模型。",
                   key_points=(KeyPoint("PPO需要奖励模型", ("reward model", "奖励模型")),
                               KeyPoint("DPO直接用偏好对训练", ("preference pairs", "偏好对"))))


@pytest.mark.parametrize("text, contradicted", [
    ("DPO 不需要奖励模型，直接用偏好对训练。", ()),  # the contrast, said of the other method
    ("DPO doesn't need a reward model; it trains on preference pairs directly.", ()),
    ("PPO 不需要奖励模型，DPO 直接用偏好对训练。", ("PPO需要奖励模型",)),  # the point's own subject denied
])
def test_a_denial_about_the_other_compared_thing_is_no_contradiction(text, contradicted):
    assert grade(PPO_DPO, text).contradicted == contradicted


def test_a_contradicted_point_outweighs_a_point_named_alongside_it():
    # one named point and one denied one score below one named point alone
    assert grade(PPO_DPO, "PPO 不需要奖励模型，DPO 直接用偏好对训练。").score < grade(
        PPO_DPO, "DPO 直接用偏好对训练。").score


# --- zh/en parity and stemming -------------------------------------------------------------------

KV = Question("t-kv", "inference", Kind.OPEN, "KV cache 为什么能加速推理？", answer="缓存历史 token 的 K 和 V，避免重复计算。",
              key_points=(KeyPoint("KV cache"), KeyPoint("避免重复计算", ("avoid recomputation",)),
                          KeyPoint("显存换时间")))


@pytest.mark.parametrize("text", ["KV caches keep the keys", "KV caching speeds it up", "KV cached values",
                                  "KV-cache 保存了历史", "ＫＶ　Ｃａｃｈｅ 保存历史"])
def test_stemmer_makes_forms_meet(text):
    assert "KV cache" in grade(KV, text).hit


@pytest.mark.parametrize("zh, en", [
    ("RLHF 先根据人类偏好训练一个奖励模型，然后用 PPO 优化策略，并加上 KL 惩罚防止模型跑偏。",
     "RLHF first trains a reward model on human preferences, then optimises the policy with PPO and adds a "
     "KL penalty so the model does not drift."),
    ("RLHF 用人类偏好数据训练奖励模型，再让它给回答打分。",
     "RLHF uses human preference data to train a reward model that then scores the answers."),
    ("RLHF 先训练奖励模型，再用 PPO 去优化。", "RLHF 先训练 reward model，再用 PPO 去优化。"),
])
def test_same_content_in_zh_en_and_mixed_scores_alike(zh, en):
    assert abs(grade(RLHF, zh).score - grade(RLHF, en).score) <= 1


def test_glossary_folds_english_terms_into_chinese():
    assert Text("reward models").tokens == Text("奖励模型").tokens
    assert Text("catastrophic forgetting").tokens == Text("灾难性遗忘").tokens


# --- discussion questions ------------------------------------------------------------------------

PROJECT = Question(
    "t-proj", "projects", Kind.OPEN, "讲讲你做过的一个 RAG 项目", discussion=True,
    rubric=("项目背景和要解决的问题", "检索与分块方案", "效果评估与指标", "遇到的困难及解决方法"),
)


def test_discussion_is_graded_against_its_rubric():
    strong = ("我们做的是公司内部知识库问答，要解决员工找文档难的问题。检索用 BM25 加向量的混合检索，按段落分块，"
              "再用 reranker 重排。效果评估看命中率和人工打分两个指标。最大的困难是表格切块后语义断开，"
              "我们的解决方法是把表格整体作为一个块。")
    weak = "我做过一个项目，用了一些检索。"
    assert grade(PROJECT, strong).score >= 8
    assert 0 < grade(PROJECT, weak).score < grade(PROJECT, strong).score


@pytest.mark.parametrize("text", ["不知道", "没做过，不清楚", "I don't know", "🙂", ""])
def test_discussion_nothing_to_say_scores_zero(text):
    assert grade(PROJECT, text).score == 0


# --- content writers' reports: notation, conditionals, structured model answers ----------------

NOTATION = Question(
    id="t-notation", topic="evaluation", kind=Kind.OPEN, prompt="模型如何知道自己知道什么？",
    answer="让模型估计 P(IK)，即自己能答对的概率；检索不到时让模型说不知道。GELU 等于 x 乘 Φ(x)。",
    key_points=(KeyPoint("估计P(IK)", ("P(IK)",)), KeyPoint("不会就说不知道", ("说不知道",)),
                KeyPoint("GELU等于x乘Φ(x)", ("xΦ(x)",)), KeyPoint("复杂度", ("O(n)",))),
)


def test_function_notation_matches_as_one_term():
    assert "估计P(IK)" in grade(NOTATION, "先让模型估计 P(IK)，也就是它能答对这道题的概率。").hit


def test_greek_letters_are_kept():
    assert "GELU等于x乘Φ(x)" in grade(NOTATION, "GELU 的输出是 xΦ(x)，其中 Φ 是标准正态分布函数。").hit
    assert "GELU等于x乘Φ(x)" not in grade(NOTATION, "GELU 的输出是 xσ(x)，它是一个平滑的激活函数。").hit


def test_negative_alias_in_a_conditional_sentence_is_credited():
    assert "不会就说不知道" in grade(NOTATION, "如果检索不到就让模型说不知道，而不是编一个答案。").hit


def test_short_latin_alias_makes_no_false_hit():
    assert "复杂度" not in grade(NOTATION, "模型 on 设备上运行时，先估计 P(IK) 再回答。").hit


def test_bare_memory_is_not_gpu_memory():
    assert Text("the agent keeps a memory of the conversation").tokens != Text("显存").tokens
    assert "显" not in Text("the agent keeps a memory of the conversation").tokens
    assert Text("it uses less memory").flat.count("显存") == 1


@pytest.mark.parametrize("text", [
    "| 方法 | 特点 |\n| --- | --- |\n| PPO | 在线采样，需要奖励模型 |\n| DPO | 离线偏好对，无需奖励模型 |",
    "全参微调显存 = 参数 + 梯度 + 优化器状态 + 激活值。",
    "- **PagedAttention**：分块管理 KV cache，按需分配，减少碎片。\n- **量化**：GPTQ、AWQ、FP8 权重/激活。\n"
    "- **投机解码**：用草稿模型先猜几个 token 再一次验证。",
])
def test_tables_equations_and_stating_bullets_are_not_term_lists(text):
    assert grade(RLHF, text).capped != "term_list"
