"""The glossary's everyday field vocabulary (bot.grading.vocabulary): consistent folding, and zh/en parity.

The same content written in Chinese or in English must meet the same key points. These tests check
the mechanism (every spelling folds into its form and every form stays itself, words Snowball
confuses keep stems of their own, a short Chinese variant is not read across a word boundary) and a
set of bilingual answers written for this test, on bank questions outside the labelled sets'
answers, that must grade within one point of each other.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bank import QuestionBank
from bot.grading import grade
from bot.grading.glossary import GLOSSARY
from bot.grading.normalise import Text
from bot.grading.vocabulary import GENERAL

BANK = QuestionBank.load(Path(__file__).resolve().parent.parent / "questions")


def _flat(text: str) -> str:
    return Text(text).flat.strip("|#")


def test_every_spelling_folds_into_its_form_and_every_form_stays_itself():
    wrong = []
    for form, spellings in GLOSSARY.items():
        if _flat(form) != form:
            wrong.append(f"{form} -> {_flat(form)}")
        wrong += [f"{s} -> {_flat(s)} (not {form})" for s in spellings if _flat(s) != form]
    assert not wrong


def test_a_form_holding_a_shorter_chinese_variant_is_not_rewritten_inside():
    # 基座 folds into 基座模型; the form itself must not become 基座模型模型, or "base model" would miss it
    assert _flat("基座模型") == _flat("base model") == "基座模型"
    assert _flat("超参数") == _flat("hyperparameters") == "超参数"


@pytest.mark.parametrize("term, everyday", [
    ("decoder", "decoding"),  # 解码器 / 解码
    ("samples", "sampling"),  # 样本 / 采样
    ("distributed", "distribution"),  # 分布式 / 分布
    ("relative", "related"),  # 相对 / -
    ("numbered", "number"),  # 编号 / -
    ("mapping", "map"),  # 映射 / "map reduce"
    ("customize", "customer"),  # 自定义 / -
    ("experiment", "experience"),  # 实验 / -
    ("additional", "additive"),  # 额外 / 加性
    ("directly", "direction"),  # 直接 / -
])
def test_words_snowball_confuses_fold_apart(term, everyday):
    assert _flat(term) != _flat(everyday)


@pytest.mark.parametrize("en, zh", [
    ("position", "位置"),
    ("training samples", "样本"),
    ("users", "用户"),
    ("by default", "默认"),
    ("versions", "版本"),
    ("fails", "失败"),
    ("distributed", "分布式"),
    ("checkpoints", "检查点"),
    ("wrapper", "封装"),
    ("a few thousand", "几千"),
    ("attention scores", "注意力打分"),
    ("backup", "备用"),
    ("trade-offs", "权衡"),
    ("takes up", "占用"),
    ("element-wise", "逐元素"),
    ("autoscaling", "扩缩容"),
    ("few-shot examples", "少样本示例"),
    ("in production", "生产环境"),
    ("uniform wrapper", "统一封装"),
    ("task taxonomy", "任务分类体系"),
    ("limited", "有限"),
])
def test_english_words_fold_into_their_chinese_form(en, zh):
    assert _flat(en) == zh


@pytest.mark.parametrize("zh, form", [("误差", "错误"), ("正确率", "准确率"), ("泄漏", "泄露"), ("代价", "成本"),
                                      ("数千", "几千"), ("注意力分数", "注意力打分"), ("分类表", "分类体系")])
def test_chinese_variants_fold_into_one_form(zh, form):
    assert _flat(zh) == form


def test_a_chinese_variant_is_not_read_across_a_word_boundary():
    # 分数 (score) folds, but not the 分数 of 划分数据 / 部分数据
    assert _flat("划分数据集") == "划分数据集"
    assert _flat("部分数据") == "部分数据"


def test_for_example_introduces_an_example_and_is_no_prompt_example():
    assert _flat("for example") == "比如"
    assert "示例" not in _flat("for example, LoRA freezes the weights")
    assert "生产环境" not in _flat("the production of text")
    assert _flat("uniform distribution") == "均匀分布"  # not 统一
    assert _flat("limit") == "限制"  # a limit set on something; "limited" (有限) is an amount
    assert _flat("1.2 trillion tokens") == _flat("1.2万亿 tokens")


def test_everyday_words_near_a_term_stay_plain():
    # "serves as", "in addition", "map reduce", "our experience" are no field terms
    flat = Text("In addition, it serves as a map of our experience for the customer.").flat
    assert not any(ch >= "\u3400" for ch in flat)


# (question id, a Chinese answer, the same content in English): written for this test
PAIRS = [
    ("rag-aab8ee70",
     "默认的 memory 是进程里的一个共享对象，多个用户会互相串话。要按 session_id 给每个会话单独一份历史，"
     "历史放到 Redis 这类外部存储里，同一个会话的写入要加锁，每个请求都新建独立的实例。",
     "The default memory is one shared object inside the process, so users would see each other's turns. "
     "Keep a separate history per session_id, store the history in external storage such as Redis, lock "
     "writes to the same session, and create an independent instance for every request."),
    ("rag-963e6e58",
     "它负责存储多轮对话的消息，后端可以是内存，也可以持久化到数据库；用 session_id 区分不同会话，"
     "RunnableWithMessageHistory 会自动读写历史；历史太长时要截断或者做摘要。",
     "It stores the messages of a multi-turn conversation; the backend can be in memory or persisted to a "
     "database. A session_id tells sessions apart, RunnableWithMessageHistory reads and writes the history "
     "automatically, and when the history gets too long it must be truncated or summarised."),
    ("rag-d692b446",
     "Output Parser 把模型输出的文本解析成结构化数据，它会提供一段格式说明放进提示里，可以用 Pydantic 校验字段，"
     "解析失败时可以修复后重试；新版本更推荐 with_structured_output。",
     "An output parser turns the model's text into structured data: it supplies format instructions that go "
     "into the prompt, can validate the fields with Pydantic, and can repair and retry when parsing fails; newer "
     "versions recommend with_structured_output instead."),
    ("components-1d6dc623",
     "绝对位置编码给每个位置分配一个向量，和词嵌入相加后输入模型。一种是正弦余弦的固定编码，另一种是像 BERT、"
     "GPT-2 那样可学习的编码。缺点是长度受训练时的最大长度限制，外推效果差。",
     "Absolute position encoding assigns one vector to each position and adds it to the token embedding before "
     "the model. One kind is the fixed sinusoidal encoding, the other is learnable, as in BERT and GPT-2. The "
     "drawback is that the length is limited to the maximum training length and extrapolation is poor."),
    ("infra-a16c6c88",
     "先区分是显存 OOM 还是内存 OOM。数据用流式加载，超长样本截断；减小 batch，用梯度累积保持等效 batch；"
     "打开混合精度和梯度检查点；用 ZeRO 或 FSDP 分片，必要时 offload；还不够就改用 LoRA 或 QLoRA，或者加卡。",
     "First tell apart GPU-memory OOM from host RAM OOM. Load data in a streaming way and truncate overlong "
     "samples; reduce the batch and use gradient accumulation to keep the effective batch; turn on mixed "
     "precision and gradient checkpointing; shard with ZeRO or FSDP and offload if needed; if that is still not "
     "enough, switch to LoRA or QLoRA or add GPUs."),
    ("evaluation-eb0629a8",
     "预训练阶段看困惑度；下游任务上测零样本和少样本的表现；微调后看任务指标，并做人工评估；用多个 benchmark "
     "综合评估；上线后看 A/B 测试和用户指标。",
     "During pretraining, look at perplexity; on downstream tasks, measure zero-shot and few-shot performance; "
     "after fine-tuning, check task metrics and run a human evaluation; combine several benchmarks; once "
     "deployed, watch A/B tests and user metrics."),
    ("projects-2daa39b5",
     "流程是：接入多个来源的数据并切分；用 LLM 生成多样的问题；让教师模型生成工具调用轨迹；执行校验、用 LLM "
     "打分并去重；人工抽检，把 bad case 回流；整个流水线做编排和版本管理。",
     "The pipeline ingests data from several sources and splits it; an LLM generates diverse questions; a "
     "teacher model produces tool-calling trajectories; results are executed and verified, scored by an LLM and "
     "deduplicated; humans spot-check them and bad cases flow back; the whole pipeline is orchestrated with "
     "version management."),
    ("infra-00e145e3",
     "Linux 加上 NVIDIA 驱动和 CUDA；PyTorch 和 Hugging Face 生态；DeepSpeed 或 Megatron 这类分布式训练框架；"
     "微调用 LLaMA-Factory、推理用 vLLM；实验监控用 wandb；用容器保证各个库的版本匹配。",
     "Linux with the NVIDIA driver and CUDA; PyTorch and the Hugging Face ecosystem; a distributed training "
     "framework such as DeepSpeed or Megatron; LLaMA-Factory for fine-tuning and vLLM for inference; wandb for "
     "experiment monitoring; and containers so that library versions match."),
    ("rag-df1c2df3",
     "LangChain 抽象层太多、概念容易混淆；隐藏了很多细节，出问题难调试；默认提示很长，token 使用低效；"
     "版本变动快、文档跟不上。办法是写显式的提示并用 LangSmith 追踪排查，锁定版本，或者改用更轻量的方案。",
     "LangChain has too many abstractions and confusing concepts; it hides many details, which makes debugging "
     "hard; default prompts are long, so token usage is inefficient; versions change fast and the documentation "
     "lags behind. Remedies: write explicit prompts and trace with LangSmith, pin versions, or switch to a "
     "lighter-weight solution."),
    ("peft-19de3ec1",
     "P-tuning 不需要人工设计模板，比离散提示更稳定，只训练少量参数，还提升了 GPT 在 NLU 任务和少样本上的能力。",
     "P-tuning needs no manually designed templates, is more stable than discrete prompts, trains only a small "
     "number of parameters, and improves GPT's NLU and few-shot ability."),
    ("infra-845def0c",
     "显存由参数、梯度、优化器状态和激活值组成。用 Adam 加混合精度大约每个参数 16 字节；激活随 batch 和序列长度增长；"
     "LoRA 或 QLoRA 可以大幅降低显存，梯度检查点和 ZeRO 分片也能省。",
     "GPU memory consists of parameters, gradients, optimizer states and activations. With Adam and mixed "
     "precision it is about 16 bytes per parameter; activations grow with batch size and sequence length; LoRA "
     "or QLoRA cut memory drastically, and gradient checkpointing and ZeRO sharding save more."),
    ("rag-06f29036",
     "LangChain Agent 让 LLM 自主决定调用哪些工具，按思考、行动、观察的循环运行；每个工具有名称、描述和参数；"
     "执行器负责循环并限制迭代次数；这和步骤写死的链不一样。",
     "A LangChain agent lets the LLM decide autonomously which tools to call, running a loop of thought, action "
     "and observation; each tool has a name, a description and parameters; the executor runs the loop and limits "
     "the number of iterations; this differs from a chain whose steps are hard-coded."),
    ("rag-a5ba8c85",
     "LangChain 的文档跟不上版本迭代，同一个功能有好几种写法，示例偏玩具、缺少生产环境的说明。实际用的时候以源码和 "
     "API 参考为准，锁定版本，升级前读迁移指南。",
     "LangChain's documentation lags behind its version iterations, the same feature can be written several ways, "
     "and the examples are toy-like with little guidance for production. In practice, trust the source code and "
     "the API reference, pin the version, and read the migration guide before upgrading."),
    ("components-d06df920",
     "门控分支过 Swish（也就是 SiLU），和 up 分支逐元素相乘，再用 down 投影回去；一共三个不带偏置的线性层；"
     "为了保持参数量，中间维度取约 8d/3，比如 11008；LLaMA、PaLM 这些主流模型都用它。",
     "The gate branch goes through Swish (SiLU) and is multiplied element-wise with the up branch, then a down "
     "projection maps it back; there are three linear layers without bias; to keep the parameter count, the "
     "intermediate dimension is about 8d/3, e.g. 11008; mainstream models such as LLaMA and PaLM use it."),
    ("infra-b1a4954d",
     "I/O 密集的部分用协程，计算密集的用多进程；用消息队列把请求和 worker 池解耦；GPU 推理集中成服务并做批处理；"
     "按优先级限流和隔离；超时重试，失败时熔断降级；状态放到外部存储，服务弹性扩缩容。",
     "Use coroutines for I/O-bound work and multiple processes for compute-bound work; decouple requests from the "
     "worker pool with a message queue; centralise GPU inference as a service with batching; rate-limit and "
     "isolate by priority; retry on timeouts and trip a circuit breaker with graceful degradation on failures; "
     "keep state in external storage and autoscale the services."),
    ("rag-2d1664fb",
     "LangChain 是开发 LLM 应用的开源框架，能连接外部数据、工具和记忆，提供统一的模型接口、可以随时切换模型，"
     "用 LCEL 把组件组合成链，生态里还有 LangGraph 和 LangSmith。",
     "LangChain is an open-source framework for building LLM applications: it connects external data, tools and "
     "memory, offers a unified model interface so models can be switched, composes components into chains with "
     "LCEL, and its ecosystem includes LangGraph and LangSmith."),
]


@pytest.mark.parametrize("qid, zh, en", PAIRS, ids=[p[0] for p in PAIRS])
def test_the_same_content_in_either_language_scores_alike(qid, zh, en):
    question = BANK.question(qid)
    assert question is not None
    zh_grade, en_grade = grade(question, zh), grade(question, en)
    assert zh_grade.score >= 7, zh_grade
    assert abs(zh_grade.score - en_grade.score) <= 1, (zh_grade, en_grade)


def test_everyday_vocabulary_does_not_put_an_answer_about_something_else_on_topic():
    # a fluent English answer about another subject, full of the folded everyday words, earns nothing
    question = BANK.question("rag-aab8ee70")
    assert question is not None
    text = ("Our user study used a different version of the interface: each session started with a short "
            "description of the task, then users chose a design and we recorded which ones failed.")
    assert grade(question, text).score <= 1


def test_no_everyday_word_folds_into_a_lone_character():
    # a lone character is no content unit: "two steps" folded into "two 步" would lose its topic word
    assert all(len(form) >= 2 for form in GENERAL)


def test_general_vocabulary_is_a_separate_list_merged_into_the_glossary():
    for form, spellings in GENERAL.items():
        assert set(spellings) <= set(GLOSSARY[form])
