"""Tests of the notes importer: every seed shape, general shapes, non-questions, merging, ids, re-import.

Seed excerpts live in tests/fixtures/notes/; the whole study notes are read from the folder named by
QUIZBOT_SEEDS, and those tests are skipped when it is not set.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path

import pytest
import yaml

from bot.bank import QuestionBank
from bot.bank.cli import register
from bot.bank.importer.entries import import_texts, make_id, normalise, parse_notes, similar_prompts
from bot.bank.importer.writer import merge_into_bank
from bot.bank.validate import validate

HERE = Path(__file__).resolve().parent
NOTES = HERE / "fixtures" / "notes"
# The user's study notes are not part of the repository: the whole-notes tests run when QUIZBOT_SEEDS
# names the folder that holds them, and skip otherwise.
SEEDS = Path(os.environ["QUIZBOT_SEEDS"]).expanduser() if os.environ.get("QUIZBOT_SEEDS") else Path("QUIZBOT_SEEDS unset")
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed notes not found at {SEEDS}")


def note(name: str):
    return parse_notes((NOTES / name).read_text(encoding="utf-8"), name)


def seed(prefix: str) -> tuple[str, str]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return path.name, path.read_text(encoding="utf-8")


def prompts(entries) -> list[str]:
    return [e.prompt for e in entries]


def no_titles(entries) -> None:
    for e in entries:
        assert not re.search(r"(篇|面|部分)$", e.prompt), e.prompt


def assert_only_unanswered_errors(bank: Path, unanswered: set[str]) -> None:
    """Every validation error of an imported bank is an entry the notes leave without an answer."""
    for p in validate(bank):
        if p.is_error:
            qid = re.search(r"question (\S+):", p.message)
            assert qid and qid.group(1) in unanswered and "needs an 'answer'" in p.message, str(p)


# --- seed shapes (excerpts) -------------------------------------------------------------------


def test_seed000_q_headings_answers_takeaways_followups():
    entries = note("seed000_excerpt.md")
    assert prompts(entries) == ["能解释一下LLM的预训练过程吗？", "能具体说说RLHF是怎么工作的吗？"]
    q1, follow = entries
    assert "标准答案" not in q1.answer and "**无标注**" in q1.answer and "心得" in q1.answer
    texts = [k["text"] for k in q1.key_points]
    assert texts[:2] == ["无标注", "预测下一个词"]  # the 心得 takeaway leads the key points
    assert {"text": "预测下一个词", "aliases": ["next token prediction"]} in q1.key_points
    assert q1.sources == [{"file": "seed000_excerpt.md", "section": "核心问答对准备 / Q1"}]
    assert follow.answer.startswith("**回答要点：**") and "- 首先训练一个奖励模型" in follow.answer
    assert [k["text"] for k in follow.key_points][:2] == ["训练一个奖励模型，学习人类偏好", "用PPO算法让LLM最大化奖励模型的分数"]  # no "首先"
    assert follow.topic == "alignment"


def test_seed001_answer_bodies_and_section_question_lists():
    entries = note("seed001_excerpt.md")
    first = entries[0]
    assert first.prompt == "微调时的训练数据是怎么构建的？如何保证样本多样性和质量？"
    assert "| 数据类比 | 占比 | 来源 | 目的 |" in first.answer  # table kept
    assert "如何保证样本质量？" in first.answer  # a question-like line inside an answer stays there
    assert "**N-gram**去重" in first.answer
    assert not any("保证样本质量" == e.prompt.rstrip("？") for e in entries)
    unanswered = [e for e in entries[1:] if e.answer]
    assert unanswered == []  # "## 5." and the numbered section items have no answer
    ps = prompts(entries)
    assert "Agent怎么评估效果" in ps  # no question mark, but in a list of questions
    assert ps[-2] == "如果子agent回复不对怎么办？反思？跳不出去怎么办？限制次数"
    assert not any(p.startswith("考察点") for p in ps)
    assert entries[-1].sources[0]["section"] == "4. 项目难点与故障排查 / 9"


def test_seed002_nested_lists_labels_links_and_subnumbering():
    entries = note("seed002_excerpt.md")
    ps = prompts(entries)
    no_titles(entries)
    assert "什么是大模型" not in ps and "AI面试与职业机会" not in ps  # link headings are a table of contents
    assert "LoRA篇" not in ps and "大模型（LLMs）基础面" not in ps
    assert ps[:4] == ["目前 主流的开源模型体系 有哪些？", "prefix LM 和 causal LM 区别是什么？",
                      "涌现能力是啥原因？", "大模型LLM的架构介绍？"]
    assert "模型参数迭代实验" in ps  # a leaf of a question list
    assert "P-tuning 思路是什么？" in ps and "Byte-Pair Encoding(BPE) 如何构建词典？" in ps
    sub = next(e for e in entries if e.prompt == "什么是 LoRA？")
    assert sub.sources[0]["section"].endswith("参数高效微调(PEFT) 面 / LoRA篇 / 1.1")
    rms = next(e for e in entries if e.prompt == "RMS Norm 的计算公式写一下？")
    assert rms.sources[0]["section"].endswith("Layer Normalization 篇 / RMS Norm 篇")
    assert all(e.answer is None for e in entries)
    assert len(entries) == 34


def test_seed003_scraped_page_bullets_latex_json_and_bare_questions():
    entries = note("seed003_excerpt.txt")
    assert prompts(entries) == [
        "目前主流的开源模型体系有哪些?", "大模型LLM的 训练目标 是什么?", "涌现能力的原因",
        "SFT(Supervised Fine-Tuning,有监督微调)数据集格式", "RM(Reward Model,奖励模型)数据格式",
        "PPO(强化学习)数据格式",
    ]
    first, objective, emergent, sft, _rm, _ppo = entries
    assert first.answer.startswith("- 目前主流的开源模型体系分三种:") and "\n  - 1.Prefix Decoder系\n    - 介绍:" in first.answer
    assert "$$\\mathcal{L} = - \\sum_{t=1}^{T}" in objective.answer  # [ … ] -> $$ … $$
    assert "- $x_t$:第 t 个 token" in objective.answer
    assert "1. 核心数学目标" in objective.answer  # numbered parts of an answer are not questions
    assert "“涌现能力”(Emergent Abilities)" in emergent.answer
    assert '```json\n{\n  "instruction": "将下面句子翻译为英文",' in sft.answer  # smart quotes straightened
    assert all(e.sources[0]["section"].startswith(("基础面", "训练集面")) for e in entries)


def test_seed004_numbered_headings_concept_lists_images_and_placeholders():
    entries = note("seed004_excerpt.md")
    ps = prompts(entries)
    assert ps == ["主流开源体系", "语言模型结构分类", "涌现能力的原因", "什么是 LLMs 复读机问题",
                  "什么情况用Bert模型，什么情况用LLaMA、ChatGLM", "建议的软件环境是什么",
                  "大模型推理时显存涨的那么多还一直占着？"]
    structure = entries[1]
    assert "Pasted image" not in structure.answer and "![[" not in structure.answer
    assert {"text": "因果语言模型", "aliases": ["Causal Language Model", "CLM"]} in structure.key_points
    repeat = entries[3]
    assert repeat.answer.startswith("1. 数据偏差：") and "\n对策：\n1. 多样性训练数据" in repeat.answer
    assert [k["text"] for k in repeat.key_points][:2] == ["数据偏差", "训练目标的限制"]
    assert "LLaMA模型：？" in entries[4].answer  # the author's placeholder is kept, not a question
    assert entries[5].sources[0]["section"] == "四 LLM软硬件配置面"
    assert entries[0].sources[0]["section"] == "一 LLM基础面 / 1"


# --- whole seeds ------------------------------------------------------------------------------


@needs_seeds
def test_whole_seed000():
    name, text = seed("000")
    entries = parse_notes(text, name)
    assert len(entries) == 8 and all(e.answer for e in entries)
    assert not any("口述" in e.prompt or "建议" in e.prompt or "解释（" in e.prompt for e in entries)


@needs_seeds
def test_whole_seed001():
    name, text = seed("001")
    entries = parse_notes(text, name)
    assert len(entries) == 103  # 17 + 33 + 26 + 11 + 10 + 6 numbered questions
    assert sum(1 for e in entries if e.answer) == 4
    sections = {e.sources[0]["section"].split(" / ")[0] for e in entries}
    assert sections == {"1. 大模型学习笔记", "2. 技术选型与深度对比", "3. 工程化与系统设计",
                        "4. 项目难点与故障排查", "5. 项目迭代与业务思考", "6. 具体技术细节与参数调优"}


@needs_seeds
def test_whole_seed002():
    name, text = seed("002")
    entries = parse_notes(text, name)
    assert len(entries) == 164
    no_titles(entries)
    for expected in ("应用模式变更", "LangChain 缺乏标准的可互操作数据类型问题", "痛点5：如何让LLM基于query和context得到高质量的respose",
                     "LLMs 各模型分别用了 哪种 Layer normalization？", "写一下 Deep Norm 代码实现？"):
        assert expected in prompts(entries)


@needs_seeds
def test_whole_seed003():
    name, text = seed("003")
    entries = parse_notes(text, name)
    assert len(entries) == 16 and all(e.answer for e in entries)
    assert "简单 介绍一下 大模型(LLMs)" in prompts(entries) and "大模型(LLMs)的优缺点" in prompts(entries)
    assert not {"优点", "缺点", "总结", "基础面", "训练集面", "LLMs面试"} & set(prompts(entries))


@needs_seeds
def test_whole_seed004():
    name, text = seed("004")
    entries = parse_notes(text, name)
    assert len(entries) == 35 and all(e.answer for e in entries)
    assert entries[-1].sources[0]["section"] == "六 LLM微调面 / 17"


@needs_seeds
def test_all_seeds_merge_and_validate(tmp_path):
    result = import_texts([seed(p) for p in ("000", "001", "002", "003", "004")])
    assert result.found == 326 and len(result.entries) == 282
    assert {n[:3]: (r.found, r.answered, r.merged) for n, r in result.files.items()} == {
        "000": (8, 8, 0), "001": (103, 4, 12), "002": (164, 0, 31), "003": (16, 16, 0), "004": (35, 35, 1)}
    report = merge_into_bank(result.entries, tmp_path)
    unanswered = {e.id for e in result.entries if not e.answer}
    assert report.unanswered == len(unanswered) > 0 and sum(report.added.values()) == 282
    # answered entries carry their origin; the only errors are the questions the notes leave unanswered
    assert_only_unanswered_errors(tmp_path, unanswered)
    doc = yaml.safe_load((tmp_path / "basics.yaml").read_text(encoding="utf-8"))
    assert all(q["answer_origin"] == "notes" for q in doc["questions"] if "answer" in q)


# --- general shapes ---------------------------------------------------------------------------


def test_q_and_a_lines_in_english_and_chinese():
    entries = note("qa_lines.md")
    assert prompts(entries) == ["What is the KV cache?", "什么是灾难性遗忘？", "为什么需要位置编码？",
                                "Why is LayerNorm used in transformers?"]
    assert entries[0].answer.startswith("It stores the keys") and "**Memory**" in entries[0].answer
    assert "缓解：混入通用数据" in entries[1].answer
    assert entries[3].answer == "It stabilises training by normalising activations per token."


def test_bold_answer_marker():
    entries = note("bold_answer.md")
    assert prompts(entries) == ["Why does Adam need bias correction?", "What does weight decay do in AdamW?"]
    assert entries[0].answer.startswith("The moment estimates") and "**Answer:**" not in entries[0].answer
    assert entries[1].key_points[0]["text"] == "Decoupled decay"


def test_questions_listed_first_answered_later():
    entries = note("list_then_answers.md")
    assert prompts(entries) == ["What is multi-head attention?", "Why scale the dot product by sqrt(d_k)?",
                                "What does the causal mask do?"]
    assert entries[1].answer.startswith("Without scaling")
    assert entries[2].answer == "It hides future positions so that token *t* only attends to tokens before it."


def test_details_blocks():
    entries = note("details.md")
    assert prompts(entries) == ["What is retrieval-augmented generation?", "How do you choose a chunk size?"]
    assert "<details>" not in entries[0].answer and "**Retriever**" in entries[0].answer
    assert entries[1].answer.startswith("Trade off context completeness")


def test_english_notes_and_mixed_shapes():
    entries = note("english.md")
    assert prompts(entries) == ["Explain the difference between pre-training and fine-tuning",
                                "How do you detect overfitting during fine-tuning?"]
    assert [k["text"] for k in entries[1].key_points] == ["validation loss", "training loss falls", "the model overfits"]
    mixed = note("mixed_shapes.md")
    assert prompts(mixed) == ["什么是自注意力？", "多头注意力的作用是什么？", "What is RoPE?",
                              "Why does ALiBi extrapolate?", "What is GQA?", "Why use MQA?"]
    assert mixed[1].answer.startswith("| 头 | 作用 |")
    assert mixed[3].answer == "- It adds a linear distance penalty instead of learned positions."
    assert mixed[5].answer is None


def test_section_titles_statements_and_numbered_answer_items_are_not_questions():
    entries = note("not_questions.md")
    assert prompts(entries) == ["什么是 Transformer？"]
    answer = entries[0].answer
    assert "3. 为什么要残差连接？因为能缓解梯度消失。" in answer and "如何理解注意力？" in answer


# --- merging, ids, topics ---------------------------------------------------------------------


def test_duplicates_merge_within_and_across_notes_keeping_the_longest_answer():
    a = "# A\n\n## 1. 什么是灾难性遗忘？\n\n短答案。\n\n# B\n\n1. 什么是灾难性遗忘?\n2. 如何缓解灾难性遗忘？\n"
    b = "### 什么是灾难性遗忘\n\n微调新任务后忘记旧知识，叫做灾难性遗忘，需要混入通用数据来缓解。\n"
    result = import_texts([("a.md", a), ("b.md", b)])
    assert prompts(result.entries) == ["什么是灾难性遗忘？", "如何缓解灾难性遗忘？"]
    merged = result.entries[0]
    assert merged.answer.startswith("微调新任务后忘记旧知识")
    assert merged.sources == [{"file": "a.md", "section": "A / 1"}, {"file": "a.md", "section": "B / 1"},
                              {"file": "b.md"}]
    assert merged.to_dict()["source"] == merged.sources  # several sources -> a list
    assert (result.files["a.md"].merged, result.files["b.md"].merged) == (2, 0)


def test_similar_but_different_questions_stay_apart():
    def same(x: str, y: str) -> bool:
        return similar_prompts(normalise(x), normalise(x), normalise(y), normalise(y))

    assert same("如果召回的答案不是想要的，该怎么处理？", "如何召回的答案不是想要的，该怎么处理？")
    assert same("大模型LLM进行SFT操作的时候在学习什么？", "LLM进行SFT操作的时候在学习什么")
    assert not same("P-tuning 优点是什么？", "P-tuning 缺点是什么？")
    assert not same("What is LoRA?", "What is QLoRA?")
    assert not same("什么是绝对位置编码？", "什么是相对位置编码？")
    assert not same("ALiBi (Attention with Linear Biases) 思路是什么？", "ALiBi (Attention with Linear Biases) 有什么优点？")


def test_ids_are_stable_and_follow_the_prompt():
    text = (NOTES / "seed004_excerpt.md").read_text(encoding="utf-8")
    first = import_texts([("n.md", text)]).entries
    again = import_texts([("n.md", text)]).entries
    assert [e.id for e in first] == [e.id for e in again]
    assert all(re.fullmatch(r"[a-z]+-[0-9a-f]{8}", e.id) for e in first)
    extended = import_texts([("n.md", "## 0 什么是 MoE？\n\n混合专家。\n\n" + text)]).entries
    assert {e.id for e in first} <= {e.id for e in extended}  # adding a question renumbers nothing
    e = first[3]
    assert e.id == make_id(e.topic, normalise(e.prompt))
    assert normalise("3. 什么是 LoRA？") == normalise("什么是lora")


def test_topics_and_difficulty():
    entries = note("seed002_excerpt.md")
    topic = {e.prompt: e.topic for e in entries}
    assert topic["什么是 LoRA？"] == "peft"
    assert topic["Layer Norm 的计算公式写一下？"] == "components"
    assert topic["样本量规模增大，训练出现OOM错"] == "infra"
    assert next(e for e in entries if e.prompt == "什么是 LoRA？").difficulty == 1


# --- writing into the bank: curation survives re-import ----------------------------------------


CHOICE_FILE = """# Choice questions written by hand.
topic: basics
title: {zh: 模型基础与架构, en: Model basics & architecture}
aliases: [基础, basics]
questions:
  - id: basics-chatglm-family   # keep this comment
    kind: choice
    prompt: ChatGLM 属于哪一类模型结构？
    options: [Prefix Decoder, Causal Decoder, Encoder-Decoder]
    correct: [0]
    explanation: 前缀部分双向注意力、生成部分自回归。
"""


def _import(tmp_path: Path, *names: str):
    notes = [(n, (NOTES / n).read_text(encoding="utf-8")) for n in names]
    result = import_texts(notes)
    return result, merge_into_bank(result.entries, tmp_path)


def test_import_appends_to_existing_choice_file_without_touching_it(tmp_path):
    (tmp_path / "basics.yaml").write_text(CHOICE_FILE, encoding="utf-8")
    result, report = _import(tmp_path, "seed004_excerpt.md")
    text = (tmp_path / "basics.yaml").read_text(encoding="utf-8")
    assert text.startswith(CHOICE_FILE)  # byte for byte, comment included
    assert report.added["basics"] == sum(1 for e in result.entries if e.topic == "basics")
    doc = yaml.safe_load(text)
    assert doc["questions"][0]["id"] == "basics-chatglm-family" and len(doc["questions"]) > 1
    new_file = (tmp_path / "inference.yaml").read_text(encoding="utf-8")
    assert new_file.splitlines()[1:4] == ["topic: inference", "title: {zh: 推理与部署, en: Inference & deployment}",
                                          "aliases: [推理, 部署, 量化, kv cache, vllm, deployment, quantization]"]
    assert "    answer: |\n" in new_file and "\n    answer_origin: notes\n" in new_file
    assert report.unanswered == sum(1 for e in result.entries if not e.answer)
    assert_only_unanswered_errors(tmp_path, {e.id for e in result.entries if not e.answer})


def test_reimport_keeps_curated_prompt_answer_and_key_points(tmp_path):
    _import(tmp_path, "seed000_excerpt.md")
    path = tmp_path / "pretrain.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    q = doc["questions"][0]
    q["prompt"] = "请解释 LLM 的预训练过程。"  # curated wording: now only the id links it to the notes
    q["answer"] = "人工整理过的答案。"
    q["key_points"] = [{"text": "自监督", "aliases": ["self-supervised"]}]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    _result, report = _import(tmp_path, "seed000_excerpt.md")
    assert path.read_text(encoding="utf-8") == before
    assert report.unchanged == 2 and sum(report.added.values()) == 0


def test_reimport_adds_sources_and_fills_missing_answers_only(tmp_path):
    (tmp_path / "sft.yaml").write_text(
        "topic: sft\ntitle: {zh: 有监督微调 SFT, en: Supervised fine-tuning}\nquestions:\n"
        "  - id: sft-hand-written\n    kind: open\n    prompt: 什么是灾难性遗忘?\n"
        "    source: {file: mine.md, section: x}\n", encoding="utf-8")
    _result, report = _import(tmp_path, "qa_lines.md")
    q = next(q for q in yaml.safe_load((tmp_path / "sft.yaml").read_text(encoding="utf-8"))["questions"]
             if q["id"] == "sft-hand-written")
    assert q["prompt"] == "什么是灾难性遗忘?"  # not replaced by the imported wording
    assert q["answer"].startswith("微调新任务时模型**忘记旧知识**")  # filled: it had none
    assert q["source"] == [{"file": "mine.md", "section": "x"}, {"file": "qa_lines.md"}]
    assert report.answers_filled == 1 and report.sources_added == 1
    _result, again = _import(tmp_path, "qa_lines.md")
    assert again.sources_added == 0 and again.answers_filled == 0 and sum(again.added.values()) == 0


MERGED = """\
topic: sft
title: {zh: 有监督微调 SFT, en: Supervised fine-tuning}
questions:
  - id: sft-kept
    kind: open
    prompt: KV cache 是什么，为什么能加速解码？
    answer: 缓存过去 token 的 K 和 V。
    answer_origin: written
    merged_ids: [inference-8b182851]   # 'What is the KV cache?' was merged into this entry
  - id: sft-talk
    prompt: 什么是灾难性遗忘？
    discussion: true
    rubric: [现象, 原因, 缓解]
"""


def test_reimport_skips_merged_ids_and_leaves_discussion_questions_unanswered(tmp_path):
    path = tmp_path / "sft.yaml"
    path.write_text(MERGED, encoding="utf-8")
    result, report = _import(tmp_path, "qa_lines.md")
    assert "inference-8b182851" in {e.id for e in result.entries}
    # the merged question is already present: not appended anywhere; the discussion question matched by
    # prompt gains the notes' source but no answer (curators made it a discussion question)
    assert not (tmp_path / "inference.yaml").exists()
    assert report.added == {"components": 2} and report.answers_filled == 0 and report.sources_added == 1
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["questions"][0] == yaml.safe_load(MERGED)["questions"][0]
    talk = doc["questions"][1]
    assert "answer" not in talk and talk["source"] == {"file": "qa_lines.md"}
    assert not [p for p in validate(tmp_path) if p.is_error]
    new = yaml.safe_load((tmp_path / "components.yaml").read_text(encoding="utf-8"))["questions"]
    assert [q["answer_origin"] for q in new] == ["notes", "notes"]


def test_a_merged_id_that_is_live_or_listed_twice_is_refused(tmp_path):
    (tmp_path / "sft.yaml").write_text(MERGED.replace("[inference-8b182851]", "[sft-talk, sft-gone]"),
                                       encoding="utf-8")
    (tmp_path / "rag.yaml").write_text(
        "topic: rag\ntitle: {zh: 检索增强, en: RAG}\nquestions:\n  - id: rag-kept\n    kind: choice\n"
        "    prompt: 选哪个？\n    options: [a, b, c]\n    correct: [0]\n    merged_ids: [sft-gone]\n",
        encoding="utf-8")
    errors = sorted(str(p) for p in validate(tmp_path) if p.is_error)
    assert errors == [f"{tmp_path / 'sft.yaml'}:9: merged id 'sft-gone' is listed twice (first at "
                      f"{tmp_path / 'rag.yaml'}:9)",
                      f"{tmp_path / 'sft.yaml'}:9: merged id 'sft-talk' is the id of a live question "
                      f"({tmp_path / 'sft.yaml'}:10); list only ids of removed questions"]

# --- CLI --------------------------------------------------------------------------------------


def _cli(argv: list[str], questions_dir: str | None = None) -> tuple[int, argparse.Namespace]:
    parser = argparse.ArgumentParser(prog="quizbot")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    args.questions_dir = questions_dir
    return args.func(args), args


def test_cli_dry_run_prints_parseable_entries_and_reports_to_stderr(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _ = _cli(["import", str(NOTES / "seed004_excerpt.md"), "--dry-run", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0 and not list(tmp_path.iterdir())  # nothing written
    groups = json.loads(out)
    assert sum(len(g["questions"]) for g in groups) == 7
    assert "questions found: 7" in err and "per topic:" in err
    code, _ = _cli(["import", str(NOTES / "seed004_excerpt.md"), "--dry-run"])
    docs = yaml.safe_load(capsys.readouterr().out)
    assert code == 0 and docs[0]["topic"] == "basics" and docs[0]["questions"][0]["prompt"] == "主流开源体系"


def test_cli_import_writes_into_the_questions_dir(tmp_path, capsys):
    bank = tmp_path / "bank"
    code, _ = _cli(["import", str(NOTES / "qa_lines.md")], questions_dir=str(bank))
    out = capsys.readouterr().out
    assert code == 0 and "bank: 4 new entries" in out and "questions found: 4" in out
    assert len(QuestionBank.load(bank).by_id) == 4
    code, _ = _cli(["import", str(tmp_path / "missing.md")], questions_dir=str(bank))
    assert code == 2


def test_explanatory_article_has_no_questions():
    assert note("article.md") == []  # numbered section titles, statements, code: nothing to ask


def test_numbered_questions_with_answer_markers():
    entries = note("numbered_answers.md")
    assert [(e.prompt, e.answer) for e in entries] == [
        ("什么是 KV cache？", "缓存历史 token 的 K 和 V，避免重复计算。"),
        ("为什么 decoder-only 成为主流？", "- zero-shot 能力强\n- 训练效率高"),
        ("手写一下 softmax", None),
    ]
    assert entries[2].difficulty == 3 and entries[0].difficulty == 1


def test_flow_style_bank_file_is_rewritten_without_losing_data(tmp_path):
    write = "topic: rag\ntitle: {zh: RAG 与 LangChain, en: RAG & LangChain}\n" \
            "questions: [{id: rag-x, kind: choice, prompt: 选哪个？, options: [a, b, c], correct: [0]}]\n"
    (tmp_path / "rag.yaml").write_text(write, encoding="utf-8")
    merge_into_bank(import_texts([("n.md", "Q: RAG 的 chunk 怎么切分？\nA: 按语义段落切分并保留重叠。\n")]).entries, tmp_path)
    text = (tmp_path / "rag.yaml").read_text(encoding="utf-8")
    assert "__line__" not in text
    doc = yaml.safe_load(text)
    assert doc["questions"][0] == {"id": "rag-x", "kind": "choice", "prompt": "选哪个？", "options": ["a", "b", "c"],
                                   "correct": [0]}
    assert doc["questions"][1]["answer"] == "按语义段落切分并保留重叠。"


# --- round-trip writing (ruamel.yaml) ----------------------------------------------------------

CURATED = """\
# Supervised fine-tuning: curated by hand.
topic: sft
title: {zh: 有监督微调 SFT, en: Supervised fine-tuning}   # shown in /topics
aliases: [微调, finetune]
questions:
  # --- curated answers ---
  - id: sft-curated
    kind: open
    prompt: 什么是灾难性遗忘?   # wording chosen by the group
    answer: |
      人工整理的答案，**不要覆盖**。
    answer_origin: notes
    correction: "EWC 是弹性权重巩固，不是共享"
    key_points:
      - text: 忘记旧知识
        aliases: [forgetting, 遗忘]   # aliases typed by members
    difficulty: 2
    source: {file: mine.md, section: x}

  # an experience question
  - id: sft-talk
    prompt: 介绍一次你做 SFT 的经历
    discussion: true
    rubric: [背景与目标, 数据怎么来的, 量化结果]
  - id: sft-empty
    kind: open
    prompt: What is the KV cache?
    difficulty: 3   # set by a curator
    tags: ['kv', "cache"]
# end of file
"""


def test_reimport_keeps_comments_curated_fields_and_untouched_entries_byte_for_byte(tmp_path):
    path = tmp_path / "sft.yaml"
    path.write_text(CURATED, encoding="utf-8")
    _result, report = _import(tmp_path, "qa_lines.md")
    text = path.read_text(encoding="utf-8")
    # the curated entry matched by prompt: only its missing source was added; the talk entry is untouched
    curated_part = CURATED.split("  - id: sft-empty")[0].replace(
        "    source: {file: mine.md, section: x}\n",
        "    source:\n      - {file: mine.md, section: x}\n      - {file: qa_lines.md}\n")
    assert text.startswith(curated_part), text
    # the answerless entry was filled in place: answer after the prompt, key points after it, curation kept
    assert "  - id: sft-empty\n    kind: open\n    prompt: What is the KV cache?\n    answer: |\n" in text
    assert "\n      - **Memory** grows linearly with sequence length.\n    answer_origin: notes\n    difficulty: 3" in text
    assert "    difficulty: 3   # set by a curator\n    tags: ['kv', \"cache\"]\n" in text
    assert text.endswith("# end of file\n")
    assert report.answers_filled == 1 and report.sources_added == 2  # sft-curated, and sft-empty
    assert not [p for p in validate(tmp_path) if p.is_error]
    again = path.read_text(encoding="utf-8")
    _import(tmp_path, "qa_lines.md")
    assert path.read_text(encoding="utf-8") == again  # idempotent


def test_every_shipped_topic_file_survives_an_append_byte_for_byte(tmp_path):
    shipped = sorted((HERE.parent / "questions").glob("*.yaml")) + sorted((HERE / "fixtures" / "questions").glob("*.yaml"))
    if not shipped:
        pytest.skip("no topic files")
    for i, src in enumerate(shipped):
        bank = tmp_path / f"{i}-{src.stem}"
        bank.mkdir(parents=True)
        text = src.read_text(encoding="utf-8")
        slug = yaml.safe_load(text)["topic"]
        (bank / src.name).write_text(text, encoding="utf-8")
        entries = import_texts([("n.md", f"Q: {slug} 里一个全新的问题 {src.stem} 是什么？\nA: 一个答案。\n")]).entries
        for e in entries:
            e.topic = slug
        merge_into_bank(entries, bank)
        after = (bank / src.name).read_text(encoding="utf-8")
        assert after.startswith(text), src
        assert len(yaml.safe_load(after)["questions"]) == len(yaml.safe_load(text)["questions"]) + 1, src
