"""The field vocabulary drawn from the content words of the whole bank's key points (both languages).

A key point says 小模型, 原权重, 自动, 瓶颈, 写死 ...; a member writing in English says "small model",
"original weights", "automatically", "bottleneck", "hard-coded". These tests check that each such
word folds into the form the key points use, that words with another everyday sense or read by the cue
rules stay as they are ("spaces" is whitespace, not 空间; "except" shares a stem with "exception"), and that
the same content written in either language grades within a point.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bank import QuestionBank
from bot.grading import grade
from bot.grading.normalise import Text, stem

BANK = QuestionBank.load(Path(__file__).resolve().parent.parent / "questions")


def _flat(text: str) -> str:
    return Text(text).flat.strip()


@pytest.mark.parametrize("en, zh", [
    ("small models", "小模型"),
    ("a larger model", "a 大模型"),
    ("original weights", "原权重"),
    ("retraining", "重新训练"),
    ("automatically", "自动"),
    ("billions", "十亿"),
    ("bottleneck", "瓶颈"),
    ("hard-coded", "写死"),
    ("fine-grained", "细粒度"),
    ("interference", "干扰"),
    ("restored", "恢复"),
    ("multimodal", "多模态"),
    ("conflicting", "冲突"),
])
def test_english_words_of_the_key_points_fold_into_their_chinese_form(en, zh):
    assert _flat(en) == zh


@pytest.mark.parametrize("zh, form", [("底座", "基座模型"), ("定制", "自定义"), ("两两", "成对")])
def test_chinese_synonyms_of_the_field_fold_into_one_form(zh, form):
    assert _flat(zh) == form


@pytest.mark.parametrize("word", ["spaces", "except", "exception", "effect", "proven", "replace", "unchanged",
                                  "irrelevant"])
def test_words_with_another_sense_or_read_by_the_cue_rules_stay_plain(word):
    # "split on spaces" is whitespace (空格), not 空间; "except" shares the stem of "exception"; "replace",
    # "unchanged" and "irrelevant" are read by the removal and negation rules in their English form
    assert _flat(word).isascii()


PAIRS = [
    ("peft-a76ae531",
     "LoRA 冻结原权重，只训练两个低秩矩阵；A 随机初始化，B 初始化为零，所以一开始增量为零，输出等于原模型；"
     "如果两者都是零就没有梯度；增量按 α/r 缩放。",
     "LoRA freezes the original weights and trains only two low-rank matrices; A is randomly initialised and B "
     "is initialised to zero, so the initial delta is zero and the output equals the original model; if both were "
     "zero there would be no gradient; the delta is scaled by alpha/r."),
    ("peft-bf215962",
     "Adapter 在每层串行插入一个小模块，是瓶颈结构：先降维、过非线性、再升维；内部有残差连接，初始化接近恒等；"
     "冻结原模型，只训练 Adapter。",
     "An adapter inserts a small module in series into every layer with a bottleneck structure: project down, a "
     "non-linearity, project up; it has a residual connection inside and a near-identity initialisation; the "
     "original model is frozen and only the adapters are trained."),
    ("peft-0afe45de",
     "Prefix tuning 在每层的 Key/Value 前拼接可训练的前缀，冻结语言模型只训练前缀；用 MLP 重参数化让训练稳定，"
     "训练完丢弃 MLP，只存前缀。",
     "Prefix tuning prepends trainable prefixes to the keys and values of every layer, freezes the language model "
     "and trains only the prefixes; an MLP reparameterization stabilises training, and after training the MLP is "
     "discarded and only the prefixes are stored."),
    ("evaluation-7764f8b8",
     "评估大模型可以用客观基准自动评测；人工评估最可靠；也可以让 LLM 作裁判打分；用成对比较和 Elo 排名；"
     "评流畅、连贯和事实准确；还要评安全和有用性。",
     "You can evaluate an LLM automatically on objective benchmarks; human evaluation is the most reliable; an LLM "
     "can act as a judge and score answers; use pairwise comparison with Elo rankings; rate fluency, coherence and "
     "factual accuracy; and assess safety and helpfulness."),
    ("inference-2009ed08",
     "量化后效果差，通常是激活里有离群值；逐层和基线对比定位出错的层；检查校准数据和 scale；用细粒度量化；"
     "用 SmoothQuant 等方法处理离群值；敏感层保持高精度。",
     "Accuracy drops after quantization usually because activations have outliers; compare each layer with the "
     "baseline to locate the faulty layer; check the calibration data and the scale; use fine-grained "
     "quantization; handle outliers with SmoothQuant and the like; keep sensitive layers in high precision."),
    ("rag-712611b2",
     "PromptTemplate 是带占位变量的模板，可以复用；ChatPromptTemplate 由不同角色的消息组成；填入变量后得到 "
     "PromptValue；PromptValue 可以转成字符串或消息列表。",
     "A PromptTemplate is a template with placeholder variables that can be reused; a ChatPromptTemplate is made of "
     "messages with different roles; filling in the variables gives a PromptValue, which can be turned into a "
     "string or a list of messages."),
    ("alignment-c967fec7",
     "构造偏好数据时，同一个 prompt 采样多个回复；调温度或者用多个模型增加差异；打分后取最好和最差的组成一对；"
     "丢弃分差太小的对；prompt 本身也要多样、均衡；最好是 on-policy 采样。",
     "To build preference data, sample multiple replies for the same prompt; raise the temperature or use several "
     "models to get more variety; score them and pair the best with the worst; discard pairs whose score gap is "
     "too small; keep the prompts diverse and balanced; ideally sample on-policy."),
    ("alignment-1e7869e3",
     'KMeans 要预先指定 K；它假设簇是球形、大小相近；对离群点敏感，也不识别噪声；密度聚类（DBSCAN、HDBSCAN）能自动确定簇数；每个簇内按质量挑代表样本；KMeans 速度快，适合超大规模'
     '数据。',
     'KMeans needs K specified in advance; it assumes spherical clusters of similar size; it is sensitive '
     'to outliers and does not recognise noise; density-based clustering (DBSCAN, HDBSCAN) determines the '
     'number of clusters automatically; within each cluster pick representative samples by quality; KMeans'
     ' is fast and suited to very large-scale data.'),
    ("basics-d0393a63",
     '理论上 RoPE 不限制长度，但超出训练长度后外推会失败；注意力是平方复杂度；KV cache 的显存随长度增长；可以用位置插值、NTK、YaRN 来扩展。',
     'In theory RoPE does not limit the length, but extrapolation fails beyond the training length; attent'
     'ion has quadratic complexity; the KV cache memory grows with length; position interpolation, NTK and'
     ' YaRN extend it.'),
    ("basics-7bf64499",
     '涌现能力是规模超过某个阈值后突然出现的能力；多步任务的成功率是各步相乘的；随着参数、数据和算力提升出现；CoT 等方法依赖规模；也可能只是评价指标造成的假象。',
     'Emergent abilities appear suddenly once scale passes a threshold; the success rate of a multi-step t'
     'ask is the product of the per-step rates; they come with more parameters, data and compute; methods '
     'such as CoT depend on scale; and they may be an artefact of the evaluation metric.'),
    ("components-10951033",
     'RoPE 按位置旋转 q 和 k；旋转后内积只依赖相对位置；用绝对的方式实现相对位置编码；维度两两分组，各组频率不同；它乘性地作用在 Q/K 上，没有参数。',
     'RoPE rotates q and k according to their position; the inner product then depends only on the relativ'
     'e position; it implements relative encoding in an absolute way; dimensions are grouped in pairs, eac'
     'h with its own frequency; it acts multiplicatively on Q/K and has no parameters.'),
    ("peft-a152f8b5",
     'LoRA 的假设是权重更新是低秩的；冻结预训练权重；旁路的 B、A 只训练两个小矩阵；训练后可以合并回原权重，推理没有额外延迟。',
     'LoRA assumes the weight update is low-rank; the pretrained weights are frozen; the B and A bypass tr'
     'ains only two small matrices; afterwards they can be merged back into the original weights, with no '
     'extra inference latency.'),
    ("peft-5e50c618",
     'Adapter 参数少，效果接近全量微调；模块化、可插拔，没有遗忘；但串行的额外层会增加推理延迟；而且不能合并进原权重。',
     'Adapters have few parameters and come close to full fine-tuning; they are modular and pluggable with'
     ' no forgetting; but the extra layers in series add inference latency, and they cannot be merged into'
     ' the original weights.'),
    ("peft-22b07f53",
     'Prompt Tuning 在小模型上效果差；收敛慢、对初始化敏感；只作用在输入层，难任务效果差；提示会占用上下文长度；软提示不可解释，也不能跨模型迁移。',
     'Prompt tuning performs poorly on small models; it converges slowly and is sensitive to initialisatio'
     'n; it acts only at the input layer, so hard tasks suffer; the prompt takes up context length; soft p'
     'rompts are not interpretable and cannot transfer across models.'),
    ("rag-bd4bc59e",
     '先解析截图，识别出里面的组件；用多模态检索找组件说明；再用多模态大模型生成解释；靠播放按钮、进度条这些细节区分相似组件；结合布局上下文或者 DOM 标签。',
     'First parse the screenshot and identify its components; use multimodal retrieval to find the compone'
     'nt descriptions; then have a multimodal large model generate the explanation; tell similar component'
     's apart by details such as play buttons and progress bars; combine this with layout context or DOM t'
     'ags.'),
    ("evaluation-a38e8166",
     'Agent 评估以任务成功率为核心指标；评估工具选择和参数是否正确；统计步数、延迟和成本；规划对照参考计划和子目标；幻觉率对照工具返回的日志；用 LLM 裁判加人工校准。',
     'For agents the task success rate is the core metric; evaluate whether tool selection and parameters '
     'are correct; count steps, latency and cost; compare the plan with a reference plan and subgoals; mea'
     'sure the hallucination rate against the tool return logs; use an LLM judge calibrated by humans.'),
    ("rag-7bf91a9f",
     'GraphRAG 建图需要大量 LLM 调用，成本高；实体消歧和对齐难；抽取质量和 schema 设计难；增量更新时只处理新增文档并合并入图；只重算受影响的社区摘要；记录来源和时间戳。',
     'Building the GraphRAG graph needs many LLM calls and is expensive; entity disambiguation and alignme'
     'nt are hard; extraction quality and schema design are hard; for incremental updates process only new'
     ' documents and merge them into the graph; recompute only the affected community summaries; record so'
     'urces and timestamps.'),
    ("pretrain-8be4b00d",
     '适度重复（大约 4 轮以内）影响小；过度重复会导致过拟合和退化；模型越大越敏感；语料内部的重复会导致记忆，需要去重；高质量数据可以适度上采样。',
     'Moderate repetition (within about 4 epochs) has little impact; excessive repetition leads to overfit'
     'ting and degradation; larger models are more sensitive; repetition inside the corpus causes memorisa'
     'tion and calls for deduplication; high-quality data can be moderately upsampled.'),
    ("projects-58f3b77e",
     '生成式推荐需要可生成的语义 ID；相似物品共享前缀，利于冷启动；用 k-means 初始化码本；重置未使用的码字并用 EMA 更新；加均衡分配约束并监控利用率；ID 冲突时追加一个消歧 token。',
     'Generative recommendation needs semantic IDs that can be generated; similar items share a prefix, wh'
     'ich helps cold start; initialise the codebook with k-means; reset unused codewords and update with E'
     'MA; add a balanced assignment constraint and monitor utilisation; on an ID conflict append a disambi'
     'guation token.'),
    ("peft-55f7d0ff",
     'AdapterDrop 移除低层的 Adapter；训练时随机丢弃，推理时可以动态调整；多任务时共享低层的计算；还可以对 AdapterFusion 剪枝。',
     'AdapterDrop removes the adapters of the lower layers; they are dropped at random during training and'
     " can be adjusted dynamically at inference; multiple tasks share the lower layers' computation; Adapt"
     'erFusion can be pruned as well.'),
    ("agents-f0c5dac7",
     '评估 Agent 看任务成功率；评估轨迹，包括规划和工具调用的正确性；统计幻觉率；看效率：延迟、成本、步数；多次运行看稳定性；用基准或沙箱，加上 LLM 评审和人工。',
     'Evaluate an agent by task success rate; evaluate the trajectory, including the correctness of planni'
     'ng and tool calls; measure the hallucination rate; look at efficiency: latency, cost and number of s'
     'teps; run it several times to check stability; use benchmarks or sandboxes plus LLM reviewers and hu'
     'mans.'),
]


@pytest.mark.parametrize("qid, zh, en", PAIRS, ids=[p[0] for p in PAIRS])
def test_the_same_content_in_either_language_grades_within_a_point(qid, zh, en):
    question = BANK.question(qid)
    assert question is not None
    zh_grade, en_grade = grade(question, zh), grade(question, en)
    assert zh_grade.score >= 7, zh_grade
    assert abs(zh_grade.score - en_grade.score) <= 1, (zh_grade, en_grade)


@pytest.mark.parametrize("british, american", [("analysed", "analyzed"), ("analysing", "analyzing"),
                                               ("dialogues", "dialogs"), ("catalogue", "catalog"),
                                               ("defence", "defense"), ("paralysed", "paralyzed")])
def test_british_spellings_beyond_ise_meet_the_american_ones(british, american):
    assert Text(british).tokens == Text(american).tokens


@pytest.mark.parametrize("word", ["analysis", "analyst", "catalyst", "dialect"])
def test_words_that_only_look_british_keep_their_stem(word):
    # a noun in -ysis, or a word with no -yse/-ogue ending, is no spelling variant
    assert Text(word).tokens == [stem(word)]


@pytest.mark.parametrize("en, zh", [
    ("gains saturate", "gain 饱和"),
    ("the loss diverges", "the 损失 发散"),
    ("training oscillates", "训练 震荡"),
    ("run it in a sandbox", "run it in a 沙箱"),
    ("traceable", "可追溯"),
    ("pluggable", "可插拔"),
    ("即插即用", "可插拔"),
    ("swappable", "可替换"),
    ("small models lag behind", "小模型 落后"),
    ("catches up with", "追平"),
    ("赶上", "追平"),
    ("inconsistent outputs", "不一致 输出"),
    ("expressive power", "表达能力"),
])
def test_how_training_and_systems_behave_folds_like_the_key_points(en, zh):
    assert _flat(en) == _flat(zh)


@pytest.mark.parametrize("word", ["replace", "replaceable", "expressive", "redundant", "center", "catch", "lag"])
def test_words_sharing_a_stem_with_a_cue_or_another_sense_stay(word):
    assert _flat(word) == f"{stem(word)}"
