"""The importer on note shapes beyond the seeds: one small hand-written excerpt per shape, plus the rules for
key points (claims, 2-6 or none) and the import report that lists what a curator must finish."""

from __future__ import annotations

import re

from bot.bank.importer.entries import import_texts, parse_notes


def parsed(text: str):
    return parse_notes(text, "n.md")


def prompts(entries) -> list[str]:
    return [e.prompt for e in entries]


# 1. questions listed first, answered later (repeated bare or in bold / <strong>, separated by ---)

LIST_THEN_ANSWERS = """# 复习清单

1. 什么是梯度累积？
2. 为什么要用混合精度？
3. ZeRO-3 切分了什么？

## 解答

**什么是梯度累积？**

多个小批次的梯度先相加，攒够再更新一次，相当于更大的批量。

---

<strong>为什么要用混合精度？</strong>

半精度省显存、算得快，关键的累加仍用 FP32 保证数值稳定。

---

ZeRO-3 切分了什么？

优化器状态、梯度和参数都切分到各张卡上。
"""


def test_list_then_answers_gives_one_entry_per_question_with_its_answer():
    entries = parsed(LIST_THEN_ANSWERS)
    assert prompts(entries) == ["什么是梯度累积？", "为什么要用混合精度？", "ZeRO-3 切分了什么？"]
    assert entries[0].answer.startswith("多个小批次的梯度先相加")
    assert entries[1].answer.startswith("半精度省显存") and "<strong>" not in entries[1].answer
    assert entries[2].answer == "优化器状态、梯度和参数都切分到各张卡上。"


# 2. questions in a ```text block, answers keyed by number with reworded titles

FENCED_INDEX = """# 面试题

```text
1. KV cache 为什么能加速解码？
2. 如何估算 KV cache 的显存？
```

## 1. 加速的原因

历史 token 的 K、V 已经算过，解码时只为新 token 计算并拼接。

## 2. 显存估算

层数 × 2 × 头数 × 头维度 × 序列长度 × 字节数。
"""


def test_fenced_question_list_answered_by_number_under_reworded_titles():
    entries = parsed(FENCED_INDEX)
    assert prompts(entries) == ["KV cache 为什么能加速解码？", "如何估算 KV cache 的显存？"]
    assert entries[0].answer.startswith("历史 token 的 K、V")
    assert entries[1].answer.startswith("层数 × 2")


# 3. a knowledge note that ends with its own interview section

KNOWLEDGE_NOTE = """# 位置编码

## 概述

Transformer 本身不感知顺序，需要额外的位置信息。

## 旋转位置编码的推导

$$ q_m = R_m q $$

## 代码

```python
# 这一行是代码里的注释，不是标题
def rope(x): ...
```

## 高频面试题

### RoPE 相比绝对位置编码好在哪里？

内积只依赖相对距离，外推更好。

### 说说 ALiBi 的思路

给注意力分数加上随距离线性增长的惩罚。
"""


def test_knowledge_note_asks_only_in_its_interview_section():
    entries = parsed(KNOWLEDGE_NOTE)
    assert prompts(entries) == ["RoPE 相比绝对位置编码好在哪里？", "说说 ALiBi 的思路"]
    assert entries[0].sources[0]["section"] == "高频面试题"  # the note's own title is not a section


# 4. MkDocs admonitions (nested, 4/8-space bodies) and <details>

ADMONITIONS = """## 对齐

??? question "DPO 为什么不需要奖励模型？"

    偏好损失直接写在策略的对数概率上，**隐式奖励**由策略本身给出。

!!! note "面试题"

    ??? question "PPO 里的 KL 惩罚起什么作用？"

        防止策略偏离参考模型太远，避免**奖励黑客**。

!!! tip
    这是提示框，不是问题。

<details><summary>GRPO 的优势怎么算？</summary>

同一提示采样一组回答，用组内的均值和标准差做归一化。

</details>
"""


def test_admonitions_and_details_blocks():
    entries = parsed(ADMONITIONS)
    assert prompts(entries) == ["DPO 为什么不需要奖励模型？", "PPO 里的 KL 惩罚起什么作用？", "GRPO 的优势怎么算？"]
    assert entries[0].answer.startswith("偏好损失直接写在策略的对数概率上")
    assert entries[1].answer.startswith("防止策略偏离参考模型太远") and "这是提示框" not in entries[1].answer
    assert entries[2].answer.startswith("同一提示采样一组回答") and "<details>" not in entries[2].answer


# 5. front matter, '#' in code fences, answer links and placeholders

FRONT_MATTER = """---
title: 推理优化笔记
tags: [vllm, 推理]
---

## 什么是 PagedAttention？

```bash
# 启动服务
python -m vllm.entrypoints.openai.api_server
```

把 KV cache 按页管理，减少显存碎片。

## 什么是连续批处理？

[点击查看答案](https://example.invalid/answer)

## 投机解码为什么不改变输出分布？

...
"""


def test_front_matter_code_comments_answer_links_and_placeholders():
    entries = parsed(FRONT_MATTER)
    assert prompts(entries) == ["什么是 PagedAttention？", "什么是连续批处理？", "投机解码为什么不改变输出分布？"]
    assert "# 启动服务" in entries[0].answer and "把 KV cache 按页管理" in entries[0].answer
    assert entries[1].answer is None and entries[2].answer is None  # a link and "..." answer nothing


# 6. imperative prompts ask; numbered topic headings and "what I learned" statements do not

IMPERATIVES = """# Tokenization notes

## 1. Tokenization

- Explain byte-pair encoding
- Compare BPE and WordPiece
- 说说 SentencePiece 的特点
- 介绍一下 Unigram 分词

## 2. What I learned

- Tokenizers decide what the model can see.
- A larger vocabulary shortens sequences.
"""


def test_imperative_prompts_are_questions_topic_headings_and_statements_are_not():
    entries = parsed(IMPERATIVES)
    assert prompts(entries) == ["Explain byte-pair encoding", "Compare BPE and WordPiece", "说说 SentencePiece 的特点",
                                "介绍一下 Unigram 分词"]
    assert entries[0].sources[0]["section"].startswith("1. Tokenization")


# 7. interview write-ups: numbering restarts per round, indented / fenced answers, non-answers, 反问

MIANJING = """# 某厂大模型算法实习面经

## 一面

1. 介绍一下 LoRA 的原理
   低秩分解权重增量，只训练 A、B 两个小矩阵。
2. 手写 softmax
   ```python
   def softmax(x): ...
   ```
3. 项目里最难的地方是什么？
   不做解答

## 二面

1. DPO 和 PPO 怎么选？
   数据充足求稳定用 DPO，要在线探索用 PPO。
2. 为什么要做 warmup？

反问:

1. 团队现在做什么方向？
2. 实习生转正比例如何？
"""


def test_interview_write_up_rounds_answers_and_non_answers():
    entries = parsed(MIANJING)
    assert prompts(entries) == ["介绍一下 LoRA 的原理", "手写 softmax", "项目里最难的地方是什么？",
                                "DPO 和 PPO 怎么选？", "为什么要做 warmup？"]
    lora, soft, hard, dpo, warm = entries
    assert lora.answer == "低秩分解权重增量，只训练 A、B 两个小矩阵。"
    assert "def softmax(x)" in soft.answer
    assert hard.answer is None  # "不做解答" is no answer
    assert dpo.answer.startswith("数据充足求稳定用 DPO") and warm.answer is None
    assert [e.sources[0]["section"] for e in entries] == ["一面 / 1", "一面 / 2", "一面 / 3", "二面 / 1", "二面 / 2"]


# 8. key points are claims, 2 to 6 of them, or none (and the report says so)

STEPS = """## RLHF 的流程是怎样的？

**第 1 步**：首先做**监督微调**，让模型会按指令回答。

**第 2 步**：训练**奖励模型**，学习人类的偏好排序。

**第 3 步**：用 **PPO** 优化策略，同时加 **KL 惩罚**防止偏离。

原因：奖励模型可能被钻空子。对策：加 KL 惩罚并定期重训奖励模型。

## 为什么需要归一化？

稳定训练。
"""


def test_key_points_are_claims_between_two_and_six_or_none():
    rlhf, norm = parsed(STEPS)
    texts = [k["text"] for k in rlhf.key_points]
    assert 2 <= len(texts) <= 6
    assert texts[:3] == ["监督微调", "奖励模型", "PPO"]
    for t in texts:
        assert not re.match(r"^(第\s*\d+\s*步|首先|其次|\d+)$", t) and len(t) <= 40, t
    assert {"text": "奖励模型", "aliases": ["reward model", "RM"]} in rlhf.key_points
    assert norm.answer == "稳定训练。" and norm.key_points == []  # nothing sensible to check against


def test_import_report_lists_answered_questions_without_key_points():
    result = import_texts([("n.md", STEPS)])
    report = "\n".join(result.report_lines())
    assert "needs key points (1 answered question(s) without any):" in report
    assert "为什么需要归一化？" in report and "RLHF 的流程是怎样的？" not in report.split("needs key points")[1]
