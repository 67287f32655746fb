"""Importer enrichment: answer Markdown, key points (with aliases), topic and difficulty of a question.

Input is what ``bot.bank.importer.parse`` found (a prompt, raw answer lines, a section path); output are
the fields of a bank entry. Everything is a heuristic over the text itself — no model, no network —
so curators are expected to polish key points; re-imports never overwrite what they curated.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from bot.bank.importer.lines import (
    Line,
    a_marker,
    hint_marker,
    item_parts,
    strip_images,
    strip_markup,
)

log = logging.getLogger(__name__)

MAX_KEY_POINTS = 6
MIN_KEY_POINTS = 2  # fewer than this is no checklist: the entry is left for a curator
MAX_KEY_POINT_CHARS = 40
_TYPO_BULLETS = "•·▪●◦‣○■□➢►✓✔"

# --- answer Markdown ---------------------------------------------------------------------------

_DISPLAY_MATH = re.compile(r"(?<![\w\]])\[\s+([^\[\]]*\\[A-Za-z]+[^\[\]]*?)\s+\](?![(\w])")
_INLINE_MATH = re.compile(r"\(\s*((?:[^()\u4e00-\u9fff]|\([^()\u4e00-\u9fff]*\))+?)\s*\)")
_SIMPLE_SUB = re.compile(r"^[A-Za-z]_\{?[\w<>=+\-]{1,6}\}?$")


def _math(text: str) -> str:
    """Scraped pages print ``\\[ … \\]`` / ``\\( … \\)`` as ``[ … ]`` / ``( … )``: restore ``$$`` / ``$``."""
    text = _DISPLAY_MATH.sub(lambda m: f"$${m.group(1).strip()}$$", text)

    def inline(m: re.Match) -> str:
        inner = m.group(1).strip()
        if re.search(r"\\[A-Za-z]+", inner) or _SIMPLE_SUB.match(inner):
            return f"${inner}$"
        return m.group(0)

    return _INLINE_MATH.sub(inline, text)


def render_answer(body: list[Line], plain: bool) -> tuple[str | None, list[tuple[str, str]]]:
    """Markdown answer and key-point hints (``(kind, text)``: a takeaway paragraph or list item)."""
    rows = [ln for ln in body]
    while rows and rows[0].kind in ("blank", "hr"):
        rows.pop(0)
    while rows and rows[-1].kind in ("blank", "hr"):
        rows.pop()
    if not rows:
        return None, []
    indents = [ln.indent for ln in rows if ln.kind not in ("blank", "code", "fence")]
    cut = min(indents) if indents else 0
    out: list[str] = []
    hints: list[tuple[str, str]] = []
    in_hint = False
    prev_kind = ""
    code_cut = cut
    for ln in rows:
        lead = len(ln.raw) - len(ln.raw.lstrip(" "))
        raw = ln.raw[min(cut, lead):]
        if ln.kind == "fence" and prev_kind != "code":
            code_cut = min(cut, lead)  # code keeps its indentation relative to its fence
        if ln.kind in ("code", "fence"):
            out.append(ln.raw[min(code_cut, lead):])
            prev_kind = ln.kind
            continue
        if ln.kind == "blank":
            if out and out[-1] != "":
                out.append("")
            if in_hint and prev_kind != "item":
                in_hint = False
            prev_kind = "blank"
            continue
        if ln.kind == "hr":
            out.append("---")
            continue
        text = _math(strip_images(raw)).rstrip()
        if not text.strip():
            continue  # the line held only an image embed
        if ln.kind == "item":
            m = re.match(r"^(\s*)(\S+?)(\s*)(?=\S)", text)
            parts = item_parts(text)
            if parts and m:
                marker = parts[1]
                rest = text[len(m.group(1)) + len(marker):].lstrip()
                if marker[0] in _TYPO_BULLETS:
                    marker = "-"
                elif re.fullmatch(r"\d+[、)）]", marker):
                    marker = marker[:-1] + "."
                elif re.fullmatch(r"\d+\.", marker) and not rest[:1].isspace():
                    pass
                text = m.group(1) + marker + " " + rest  # "1.Prefix" -> "1. Prefix", "•x" -> "- x"
                if in_hint:
                    hints.append(("item", parts[3]))
        else:
            hm = hint_marker(strip_markup(text))
            if hm is not None:
                in_hint = True
                if hm.text:
                    hints.append(("para", hm.text))
            elif in_hint and ln.kind == "text":
                in_hint = False
            am = a_marker(text)
            if am is not None and not am.text and am.tag not in ("回答要点", "答题要点"):
                continue
            if plain and ln.kind == "text" and prev_kind == "text" and out and out[-1] != "":
                out.append("")  # scraped lines are separate blocks, not one wrapped paragraph
        out.append(text)
        prev_kind = ln.kind
    while out and out[-1] in ("", "---"):
        out.pop()
    while out and out[0] in ("", "---"):
        out.pop(0)
    answer = "\n".join(out).strip("\n")
    if not strip_markup(answer).strip():
        return None, hints
    return answer, hints


# --- key points --------------------------------------------------------------------------------

_GENERIC = {
    "目标", "结果", "任务", "数据", "特点", "原理", "优点", "缺点", "适用", "总结", "问题", "方法", "效果",
    "类型", "注意", "注意事项", "例如", "概念", "原因", "对策", "实现", "考虑", "限制", "好处", "说明",
    "用途", "流程", "目的", "主流方法", "解决方案", "核心", "结论", "定义", "作用", "场景", "示例", "举例",
    "数据示例", "字段说明", "典型格式", "介绍", "代表模型", "适用任务", "区别", "答案", "标准答案", "心得",
    "回答要点", "为什么需要", "训练数据构建", "如何保证样本质量", "step", "note", "example", "examples",
    "pros", "cons", "summary", "answer", "definition", "idea", "实践中", "大模型", "模型", "LLM", "主干数据", "专项数据", "通用数据",
}
_BOLD = re.compile(r"(\*\*|__)(.+?)\1")
_LEAD = re.compile(r"^((?:[^：:，,。；;()（）]|[（(][^()（）]{1,50}[)）]){2,70}?)\s*[：:]\s*(?=\S)")
_BRACKET = re.compile(r"【\s*([^【】]{2,20}?)\s*】")
_PAREN_ALIAS = re.compile(r"^(.+?)\s*[（(]\s*([^()（）]+?)\s*[)）](.{0,6})$")
_HAS_CJK = re.compile(r"[\u4e00-\u9fff]")
_HAS_LATIN = re.compile(r"[A-Za-z]")


def fold_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def _split_top(text: str) -> list[str]:
    """Split on ，、；; outside brackets."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "(（[【":
            depth += 1
        elif ch in ")）]】":
            depth = max(0, depth - 1)
        if depth == 0 and ch in "，,、；;。":
            parts.append(cur)
            cur = ""
            continue
        cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def _phrase(text: str, limit: int = 20) -> str | None:
    """A short key-point phrase out of a hint / list item ("数据清洗：去重…" -> "数据清洗"), or None."""
    t = strip_markup(text).strip().strip("。.；;，,")
    lead = _LEAD.match(t)
    if lead and _short_lead(lead.group(1)):
        return _short_lead(lead.group(1))
    if t and len(t) <= limit:
        return t
    first = _split_top(t)[0] if t else ""
    return first if 3 <= len(first) <= 16 else None  # "首先训练一个奖励模型，学习…" -> its first clause


def _short_lead(lead: str) -> str | None:
    """A list-item lead usable as a key point: short once a parenthetical gloss is set aside."""
    lead = lead.strip()
    bare = re.sub(r"\s*[（(][^()（）]*[)）]", "", lead)
    return lead if 2 <= len(bare) <= 20 else None


_STEP = re.compile(r"^(?:第\s*[\d一二三四五六七八九十]+\s*(?:步|阶段|点|部分|种|条|个)|步骤\s*[\d一二三四五六七八九十]*|"
                   r"(?:step|phase|stage|part|point)\s*\d*)$", re.I)
_ORDINAL = re.compile(r"^(?:第[\d一二三四五六七八九十]+|首先|其次|然后|接着|再次|最后|最终|另外|此外|总之|"
                      r"first(?:ly)?|second(?:ly)?|third(?:ly)?|next|then|finally|lastly)$", re.I)
_ORDINAL_LEAD = re.compile(r"^(?:首先|其次|然后|接着|再次|最后|另外|此外|第[\d一二三四五六七八九十]+[，,、:：]?|"
                           r"(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|next|then|finally|lastly)[,:]?\s+|"
                           r"\d{1,2}[.、)）]\s*)", re.I)
_GENERIC_EN = {
    "overview", "background", "process", "method", "methods", "approach", "benefits", "advantages",
    "disadvantages", "challenges", "limitations", "key characteristics", "key components", "key features",
    "key findings", "key techniques", "types", "prevention", "detection", "mitigation", "importance",
    "best practices", "how it works", "practical implications", "use case", "use cases", "core idea",
    "key insight", "features", "components", "usage", "results", "pros and cons", "trade-offs", "tradeoffs",
    "best for", "mathematical intuition", "examples", "definition",
}
_GENERIC_ZH = {
    "简介", "特点", "应用场景", "功能作用", "关键能力", "关键特性", "常见类型", "训练方式", "推理流程", "实践经验",
    "核心组件", "核心思想", "核心概念", "优化技巧", "常用指标", "关键指标", "选择标准", "优势", "劣势", "挑战",
    "缺点", "优点", "背景", "原理", "思路", "步骤", "方案", "实践", "用法", "注意点", "常用方法", "主要方法",
}
_GENERIC_KEYS = {fold_key(g) for g in (*_GENERIC, *_GENERIC_EN, *_GENERIC_ZH)}


def _ok(text: str) -> bool:
    """A key point is a claim or a term: no step label, ordinal, bare number, generic word or long sentence."""
    t = text.strip()
    if len(t) < 2 or len(t) > MAX_KEY_POINT_CHARS or len(re.sub(r"[（(][^()（）]*[)）]", "", t)) > 30:
        return False
    key = fold_key(t)
    if not key or key in _GENERIC_KEYS or key.isdigit() or _STEP.match(t) or _ORDINAL.match(t):
        return False
    if re.fullmatch(r"[\d\s.,%×x+\-/:：]+", t):
        return False  # "2:8", "10-20%", "4×"
    if t[0] in "$([（" or t.endswith((":", "：")):
        return False  # formulas and "…分三种:" intros are not things to mention
    if "|" in t or t.count("(") + t.count("（") != t.count(")") + t.count("）"):
        return False  # a torn table row or parenthesis
    if re.match(r"^(?:为什么|为何|如何|怎么|是否)|^(?i:what|why|how|when|which)\b", t):
        return False  # a sub-question heading ("为什么用正弦函数") is no claim
    return not re.search(r"[。？?！!]", t)


def _unlead(phrase: str | None) -> str | None:
    """"首先训练一个奖励模型" -> "训练一个奖励模型": an ordinal in front is not part of the claim."""
    if not phrase:
        return phrase
    out = _ORDINAL_LEAD.sub("", phrase.strip(), count=1).strip()
    return out or None


_STATIC_GLOSSARY = {
    "灾难性遗忘": ["catastrophic forgetting"], "困惑度": ["perplexity", "PPL"], "奖励模型": ["reward model", "RM"],
    "有监督微调": ["SFT", "supervised fine-tuning"], "监督微调": ["SFT"], "指令微调": ["instruction tuning"],
    "人类反馈强化学习": ["RLHF"], "强化学习": ["reinforcement learning", "RL"], "预训练": ["pretraining", "pre-training"],
    "微调": ["fine-tuning", "finetune"], "量化": ["quantization"], "剪枝": ["pruning"], "知识蒸馏": ["distillation"],
    "蒸馏": ["distillation"], "梯度累积": ["gradient accumulation"], "梯度裁剪": ["gradient clipping"],
    "分布式训练": ["distributed training"], "混合精度": ["mixed precision"], "过拟合": ["overfitting"],
    "正则化": ["regularization"], "数据增强": ["data augmentation"], "位置编码": ["positional encoding"],
    "旋转位置编码": ["RoPE"], "自注意力": ["self-attention"], "多头注意力": ["multi-head attention", "MHA"],
    "幻觉": ["hallucination"], "检索增强生成": ["RAG"], "思维链": ["CoT", "chain of thought"],
    "混合专家": ["MoE", "mixture of experts"], "学习率": ["learning rate"], "交叉熵": ["cross-entropy"],
    "自回归": ["autoregressive"], "涌现能力": ["emergent abilities"], "自监督学习": ["self-supervised learning"],
    "参数高效微调": ["PEFT"], "显存": ["GPU memory", "VRAM"], "分词": ["tokenization"], "分词器": ["tokenizer"],
    "词表": ["vocabulary"], "去重": ["deduplication", "dedup"], "数据清洗": ["data cleaning"],
    "损失函数": ["loss function"], "层归一化": ["LayerNorm"], "激活函数": ["activation function"],
    "长度外推": ["length extrapolation"], "批量大小": ["batch size"], "张量并行": ["tensor parallelism"],
    "流水线并行": ["pipeline parallelism"], "数据并行": ["data parallelism"], "零样本": ["zero-shot"],
    "少样本": ["few-shot"], "向量数据库": ["vector database"], "智能体": ["agent"], "工具调用": ["tool calling"],
    "增量学习": ["incremental learning"], "多任务学习": ["multi-task learning"], "偏好对齐": ["preference alignment"],
    "无标注": ["unlabeled"], "预测下一个词": ["next token prediction"], "均衡采样": ["balanced sampling"],
    "数据分布偏差": ["distribution shift"], "数据偏移": ["distribution shift"], "温度参数": ["temperature"],
}


def _glossary(text: str) -> dict[str, list[str]]:
    """Pairs written in the answer itself: 困惑度（Perplexity）, RLHF (…), Low-Rank Adaption (LoRA)."""
    pairs: dict[str, list[str]] = {}

    def add(key: str, *aliases: str) -> None:
        k = fold_key(key)
        if not k:
            return
        bucket = pairs.setdefault(k, [])
        for a in aliases:
            a = a.strip()
            if a and fold_key(a) != k and a not in bucket:
                bucket.append(a)

    plain = strip_markup(text)
    for m in re.finditer(r"([\u4e00-\u9fff]{2,12})\s*[（(]\s*([A-Za-z][^()（）]{1,60}?)\s*[)）]", plain):
        run, inner = m.group(1), [p.strip() for p in re.split(r"[,，/、]", m.group(2)) if p.strip()]
        for start in range(0, max(1, len(run) - 1)):
            if len(run) - start >= 2:
                add(run[start:], *inner)
    for m in re.finditer(r"\b([A-Za-z][A-Za-z\- ]{3,60}?)\s*[（(]\s*([A-Z][A-Za-z0-9\-]{1,10})\s*[)）]", plain):
        add(m.group(1), m.group(2))
        add(m.group(2), m.group(1))
    for m in re.finditer(r"\b([A-Z][A-Za-z0-9\-]{1,10})\s*[（(]\s*([A-Za-z][A-Za-z\- ]{4,60}?)\s*[)）]", plain):
        add(m.group(1), m.group(2))
    return pairs


def _with_aliases(text: str, glossary: dict[str, list[str]]) -> dict:
    text = text.strip()
    aliases: list[str] = []
    m = _PAREN_ALIAS.match(text)
    if m:
        main, inner = m.group(1).strip(), m.group(2).strip()
        parts = [p.strip() for p in re.split(r"[,，/、]|\bor\b", inner) if p.strip()]
        if _HAS_LATIN.search(inner) or (_HAS_CJK.search(inner) and not _HAS_CJK.search(main)):
            aliases.extend(parts)
        text = (main + m.group(3)).strip()  # "GPT（Generative Pre-trained Transformer）系列" -> "GPT系列"
    for source in (glossary.get(fold_key(text), []), _STATIC_GLOSSARY.get(text, [])):
        for a in source:
            if a not in aliases:
                aliases.append(a)
    for zh, ens in _STATIC_GLOSSARY.items():  # English key point -> its Chinese name
        if any(fold_key(e) == fold_key(text) for e in ens) and zh not in aliases:
            aliases.append(zh)
    unique: list[str] = []
    for a in aliases:
        if fold_key(a) != fold_key(text) and all(fold_key(a) != fold_key(u) for u in unique):
            unique.append(a)
    aliases = unique[:4]
    return {"text": text, "aliases": aliases} if aliases else {"text": text}


_DEFINES = re.compile(
    r"(?:^|[。；;\n]|\*\*)\s*([A-Za-z][\w\-+/. ]{1,28}?|[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9\-]{1,11})\s*"
    r"(?:（[^）]{1,30}）|\([^)]{1,30}\))?\s*(?:是|指的是|指|即|means|is an?|refers to)\s*\S"
)


def _clauses(answer: str) -> list[str]:
    """Clauses of the answer's prose (not code, tables or headings) short enough to be one claim each."""
    out: list[str] = []
    code = False
    for row in answer.split("\n"):
        if row.lstrip().startswith(("```", "~~~")):
            code = not code
            continue
        if code or row.lstrip().startswith(("|", "#", "$$")):
            continue
        parts = item_parts(row)
        text = strip_markup(parts[3] if parts else row)
        for piece in re.split(r"[。；;！!？?]|[,，:：]\s*|\.\s+|\b(?:when|while|because|so that|so|which)\b", text):
            piece = piece.strip(" .。\"'“”")
            if 8 <= len(piece) <= MAX_KEY_POINT_CHARS and not re.match(r"(?i)^(it|this|that|they|these)\b", piece):
                out.append(piece)
    return out


def key_points(answer: str | None, hints: list[tuple[str, str]], prompt: str = "") -> list[dict]:
    """What a good answer must mention: takeaways first, then bold terms, list leads (causes, remedies),
    terms the answer defines ("X 是…"), 【marked】 terms — between 2 and 6, or none when fewer make sense."""
    if not answer:
        return []
    found: list[str] = []
    seen: set[str] = set()
    asked = fold_key(prompt)

    def take(phrase: str | None) -> None:
        phrase = _unlead(phrase)
        if phrase and fold_key(phrase) and fold_key(phrase) in asked and len(fold_key(phrase)) < len(asked):
            return  # the question's own subject is no point to check an answer for
        if phrase and _ok(phrase) and fold_key(phrase) not in seen and len(found) < MAX_KEY_POINTS:
            seen.add(fold_key(phrase))
            found.append(phrase.strip())

    for kind, text in hints:
        if kind == "para":
            for piece in _split_top(strip_markup(text)):
                take(_phrase(piece))
        else:
            take(_phrase(text))
    code = False
    for row in answer.split("\n"):
        if row.lstrip().startswith(("```", "~~~")):
            code = not code
            continue
        if code or hint_marker(strip_markup(row)):
            continue
        for m in _BOLD.finditer(row):
            take(m.group(2).strip().rstrip("：:").strip())
    code = False
    for row in answer.split("\n"):
        if row.lstrip().startswith(("```", "~~~")):
            code = not code
            continue
        parts = None if code else item_parts(row)
        if parts is None:
            continue
        itext = strip_markup(parts[3])
        lead = _LEAD.match(itext)
        if lead:
            take(_short_lead(lead.group(1)))
        elif parts[0] <= 4 and len(itext) <= 16 and not re.search(r"[，,。；;:：]", itext):
            take(itext)
        elif parts[0] >= 2 and itext.endswith((":", "：")) and len(itext) <= 21:
            take(itext[:-1].strip())  # a nested sub-header ("Encoder-Decoder:") names one point
    for m in _BRACKET.finditer(answer):
        take(m.group(1))
    for row in answer.split("\n"):
        if not row.lstrip().startswith(("```", "|")):
            for m in _DEFINES.finditer(strip_markup(row)):
                take(m.group(1).strip())
    if not found:
        # a run-together list: "减小批量大小、分布式训练、…" or "Transformer架构  自注意力机制  多头注意力"
        for row in answer.split("\n"):
            if row.lstrip().startswith(("|", "```", "#")):
                continue
            pieces = [strip_markup(p) for piece in _split_top(row.strip().strip("。"))
                      for p in re.split(r"\s{2,}", piece) if p.strip()]
            if 3 <= len(pieces) <= 10 and all(len(p) <= 16 for p in pieces):
                for p in pieces:
                    take(p)
    if len(found) < MIN_KEY_POINTS:
        for clause in _clauses(answer):  # short answers: their own clauses are the claims
            if not any(fold_key(f) in fold_key(clause) or fold_key(clause) in fold_key(f) for f in found):
                take(clause)
            if len(found) >= 4:
                break
    if len(found) < MIN_KEY_POINTS:
        return []  # one stray term is no checklist; the import report lists the entry for a curator
    glossary = _glossary(answer)
    return [_with_aliases(t, glossary) for t in found]


# --- topic -------------------------------------------------------------------------------------

TOPICS: dict[str, dict] = {
    "basics": {"zh": "模型基础与架构", "en": "Model basics & architecture",
               "aliases": ["基础", "架构", "模型架构", "basics", "architecture"]},
    "pretrain": {"zh": "预训练与数据", "en": "Pretraining & data",
                 "aliases": ["预训练", "预训练数据", "pretraining", "pre-training"]},
    "sft": {"zh": "有监督微调 SFT", "en": "Supervised fine-tuning",
            "aliases": ["微调", "指令微调", "finetune", "fine-tuning"]},
    "peft": {"zh": "参数高效微调 PEFT·LoRA", "en": "Parameter-efficient fine-tuning",
             "aliases": ["参数高效微调", "lora", "qlora", "p-tuning"]},
    "alignment": {"zh": "对齐：RLHF·PPO·DPO·GRPO", "en": "Alignment & RLHF",
                  "aliases": ["对齐", "强化学习", "rlhf", "ppo", "dpo", "grpo"]},
    "inference": {"zh": "推理与部署", "en": "Inference & deployment",
                  "aliases": ["推理", "部署", "量化", "kv cache", "vllm", "deployment", "quantization"]},
    "infra": {"zh": "训练工程与硬件", "en": "Training infrastructure & hardware",
              "aliases": ["显存", "分布式", "分布式训练", "硬件", "gpu", "deepspeed", "infrastructure"]},
    "rag": {"zh": "RAG 与 LangChain", "en": "RAG & LangChain",
            "aliases": ["检索增强", "检索", "langchain", "retrieval"]},
    "agents": {"zh": "智能体", "en": "Agents", "aliases": ["agent", "智能体", "工具调用", "tool use"]},
    "evaluation": {"zh": "评测", "en": "Evaluation", "aliases": ["评估", "评测", "benchmark", "eval"]},
    "components": {"zh": "组件：位置编码·归一化·分词·激活", "en": "Components",
                   "aliases": ["组件", "位置编码", "归一化", "分词", "激活函数", "tokenizer", "attention"]},
    "projects": {"zh": "项目与场景", "en": "Projects & scenarios",
                 "aliases": ["项目", "场景", "业务", "场景题", "projects", "scenarios"]},
}

# (pattern, weight): CJK patterns match as substrings, ASCII ones on word boundaries
_KEYWORDS: dict[str, list[tuple[str, float]]] = {
    "basics": [("架构", 1.5), ("transformer", 1), ("decoder", 1.5), ("encoder", 1.5), ("涌现", 3), ("开源模型", 3),
               ("模型体系", 3), ("prefix lm", 3), ("causal lm", 3), ("大模型类别", 3), ("bert", 1), ("gpt", 0.5),
               ("参数量", 1), ("训练目标", 3), ("复读机", 3), ("decoder-only", 3), ("语言模型", 1), ("长文本", 1.5),
               ("句子长度", 2), ("上限", 1), ("幻觉", 1.5), ("推理能力", 2), ("模型结构", 2), ("优缺点", 0.5),
               ("大模型", 0.3), ("重复生成", 2), ("175b", 2), ("模型架构", 2)],
    "pretrain": [("预训练", 2), ("pretrain", 2), ("continue pretrain", 3), ("语料", 1.5), ("预训练数据", 3),
                 ("token 重复", 3), ("训练集", 2), ("数据集来源", 2), ("数据来源", 1), ("注入知识", 3),
                 ("知识注入", 3), ("领域知识", 1.5), ("词表扩增", 2), ("从头", 1.5), ("去重", 1), ("redpajama", 2),
                 ("中文大模型", 1.5), ("训练自己的大模型", 2), ("训练过程", 1), ("训练流程", 1), ("数据集", 1)],
    "sft": [("sft", 3), ("有监督微调", 3), ("监督微调", 3), ("指令微调", 3), ("instruction tuning", 3),
            ("微调数据", 2.5), ("全参数微调", 1), ("全参微调", 1), ("微调", 1.5), ("fine-tun", 1.5), ("冷启动", 2),
            ("灾难性遗忘", 2), ("遗忘", 1.5), ("chat还是base", 3), ("多轮对话", 1), ("数据集构造", 1.5),
            ("padding", 1), ("llamafactory", 2), ("样本", 0.5), ("数据格式", 1), ("指令", 0.5)],
    "peft": [("lora", 3), ("qlora", 3), ("adalora", 3), ("peft", 3), ("p-tuning", 3), ("prefix-tuning", 3),
             ("prompt-tuning", 3), ("前缀微调", 3), ("适配器", 3), ("adapter", 3), ("参数高效", 3), ("提示学习", 3),
             ("prompting", 2), ("秩", 2), ("rank", 1.5), ("alpha", 1), ("冻结", 1.5), ("低秩", 2)],
    "alignment": [("rlhf", 3), ("ppo", 3), ("dpo", 3), ("grpo", 3), ("kto", 2), ("奖励模型", 3), ("reward", 2),
                  ("rm", 2), ("偏好", 2), ("对齐", 2), ("强化学习", 2.5), ("rl", 2), ("honest", 3), ("合规", 1.5),
                  ("人类反馈", 3), ("安全", 0.5)],
    "inference": [("推理速度", 3), ("推理时", 2), ("推理加速", 3), ("推理", 1), ("kv cache", 3), ("kv-cache", 3),
                  ("kvcache", 3), ("vllm", 3), ("pagedattention", 3), ("量化", 3), ("int8", 2.5), ("int4", 2),
                  ("fp16", 2), ("部署", 2.5), ("生成时的参数", 3), ("解码", 2), ("beam", 2), ("top-p", 2),
                  ("温度", 1), ("吞吐", 2), ("延迟", 1.5), ("时延", 1.5), ("批处理", 2), ("投机", 2),
                  ("上下文长度", 1), ("长上下文", 1.5), ("显存占用", 1)],
    "infra": [("显存", 2.5), ("分布式", 3), ("gpu", 2), ("cpu", 1), ("deepspeed", 3), ("多卡", 2.5), ("oom", 3),
              ("梯度累积", 2), ("混合精度", 2), ("硬件", 2.5), ("软硬件", 3), ("软件环境", 3), ("张量并行", 3),
              ("流水线并行", 3), ("数据并行", 3), ("优化器", 2.5), ("adamw", 3), ("sgd", 2), ("梯度", 1),
              ("省内存", 3), ("训练效率", 1), ("资源分配", 1.5), ("调度", 1), ("多线程", 2), ("多进程", 2),
              ("计算资源", 1), ("几张卡", 2), ("多少张卡", 2.5), ("训练了多久", 1.5)],
    "rag": [("rag", 3), ("检索", 2.5), ("召回", 2.5), ("向量库", 3), ("向量数据库", 3), ("langchain", 3),
            ("llamaindex", 3), ("chunk", 3), ("embedding", 1.5), ("graphrag", 3), ("知识库", 2.5), ("文档对话", 3),
            ("rerank", 3), ("重排", 3), ("切分", 2), ("memory", 1)],
    "agents": [("agent", 3), ("智能体", 3), ("工具调用", 3), ("多工具", 3), ("tool", 2), ("function call", 3),
               ("langgraph", 3), ("规划", 2.5), ("planning", 2.5), ("workflow", 2), ("dag", 2), ("react", 1.5),
               ("推理链路", 2), ("反思", 2)],
    "evaluation": [("评测", 3), ("评估", 2.5), ("benchmark", 3), ("mmlu", 3), ("困惑度", 2), ("perplexity", 2),
                   ("指标", 2), ("评估体系", 3), ("a/b", 2), ("hallucination rate", 2), ("验证集", 1),
                   ("评测集", 3)],
    "components": [("位置编码", 3), ("rope", 3), ("alibi", 3), ("长度外推", 3), ("layernorm", 3), ("layer norm", 3),
                   ("layer normalization", 3), ("rms norm", 3), ("deep norm", 3), ("归一化", 3),
                   ("normalization", 3), ("tokenizer", 3), ("分词", 2.5), ("bpe", 3), ("wordpiece", 3),
                   ("sentencepiece", 3), ("词表", 2), ("激活函数", 3), ("gelu", 3), ("swish", 3), ("glu", 3),
                   ("ffn", 3), ("multi-head", 2.5), ("多头", 2.5), ("mla", 3), ("mqa", 3), ("gqa", 3),
                   ("flash attention", 3), ("注意力", 1.5), ("attention", 1.5), ("softmax", 1), ("mse", 1.5)],
    "projects": [("项目", 3), ("你的", 1.5), ("你们", 2), ("你在", 2), ("你是", 1.5), ("你做", 2), ("你自己", 2),
                 ("你会", 1.5), ("你觉得", 1.5), ("你设置", 2), ("实习", 3), ("业务", 2.5), ("场景题", 2.5),
                 ("推荐系统", 3), ("推荐场景", 3), ("广告", 3), ("电商", 3), ("llm4rec", 3), ("落地", 2),
                 ("用户行为日志", 3), ("选型", 2), ("亮点", 2), ("深挖", 3), ("遇到的困难", 3), ("遇到过的困难", 3),
                 ("客户", 2), ("搜推", 3), ("rq-vae", 2)],
}
_COMPILED = {
    topic: [(re.compile(re.escape(k) if not k.isascii() else rf"(?<![a-z0-9]){re.escape(k)}(?![a-z0-9])"), w)
            for k, w in words]
    for topic, words in _KEYWORDS.items()
}


def classify(prompt: str, answer: str | None, section: str) -> str:
    """Keyword vote: the prompt counts most, then the section path, then (capped) the answer."""
    scores = dict.fromkeys(_KEYWORDS, 0.0)
    texts = ((prompt, 3.0, 2), (section, 1.0, 1), (answer or "", 0.3, 3))
    for text, weight, cap in texts:
        folded = unicodedata.normalize("NFKC", text).casefold()
        for topic, patterns in _COMPILED.items():
            for pattern, w in patterns:
                n = len(pattern.findall(folded))
                if n:
                    scores[topic] += weight * w * min(n, cap)
    best = max(scores, key=lambda t: scores[t])
    return best if scores[best] > 0 else "basics"


# --- difficulty --------------------------------------------------------------------------------

_HARD = re.compile(r"推导|手推|手写|公式|证明|代码实现|实现mask|如何设计|设计一个|系统级|高并发|权衡|调度策略|如何优化|"
                   r"诊断|调试|溢出|震荡|derive|prove|implement|from scratch|trade-?off|design", re.I)
_EASY = re.compile(r"什么是|是什么|介绍一下|简单介绍|有哪些|指什么|what is|what are|define|name ", re.I)
_MEDIUM = re.compile(r"区别|对比|比较|为什么|为何|如何|怎么|原因|优缺点|why|how|difference|compare", re.I)


def difficulty(prompt: str, answer: str | None) -> int:
    """1 easy .. 3 hard: definitions are easy, derivations / design / debugging are hard."""
    if _HARD.search(prompt):
        level = 3
    elif _EASY.search(prompt) and not _MEDIUM.search(prompt):
        level = 1
    else:
        level = 2
    if answer and len(answer) > 1500 and level < 3:
        level += 1
    return level
