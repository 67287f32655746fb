"""The near-duplicate finder (``quizbot questions duplicates``) and the merged cross-topic pairs."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.bank import QuestionBank
from bot.bank.duplicates import candidates, normalise
from bot.model import Kind, Question

BANK = QuestionBank.load(Path(__file__).resolve().parent.parent / "questions")


def q(qid: str, topic: str, prompt: str, kind: Kind = Kind.OPEN) -> Question:
    return Question(qid, topic, kind, prompt)


def test_normalise_drops_case_width_punctuation_and_filler():
    assert normalise("请简述一下 RM（奖励模型）的数据格式？") == normalise("RM(奖励模型)数据格式")
    assert normalise("What is LoRA?") == "whatislora"


def test_candidates_across_topics_only_unless_within():
    qs = [q("a-1", "a", "RM（奖励模型）的数据格式是什么？"), q("b-1", "b", "奖励模型 RM 的数据格式？"),
          q("a-2", "a", "RM 的数据格式？"), q("c-1", "c", "PPO 的原理"),
          q("b-2", "b", "RM（奖励模型）的数据格式是什么？", Kind.CHOICE)]
    pairs = candidates(qs, 0.6)
    assert {(p.a.id, p.b.id) for p in pairs} == {("a-1", "b-1"), ("b-1", "a-2")}  # never open vs choice
    within = {(p.a.id, p.b.id) for p in candidates(qs, 0.6, within=True)}
    assert ("a-1", "a-2") in within
    assert all(p.score >= 0.6 for p in pairs) and pairs == sorted(pairs, key=lambda p: -p.score)


def test_shipped_bank_has_no_close_cross_topic_pair_left():
    assert [(p.a.id, p.b.id, round(p.score, 2)) for p in candidates(BANK.all_questions(), 0.7)] == []


def test_merged_duplicates_keep_every_source_and_their_removed_id():
    merged = {"rag-2eb45639": ("projects-03e465db", 3), "inference-mc-llama-length": ("basics-mc-rope-length", 2),
              "pretrain-mc-from-scratch": ("projects-mc-finetune-share", 1),
              "pretrain-mc-knowledge-stage": ("sft-mc-knowledge-stage", 1)}
    raw = {}
    for path in (Path(__file__).resolve().parent.parent / "questions").glob("*.yaml"):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            raw[item["id"]] = item
    for kept, (removed, sources) in merged.items():
        assert removed not in BANK.by_id
        assert removed in raw[kept]["merged_ids"] and isinstance(raw[kept]["source"], list)
        assert len(BANK.question(kept).sources) == sources
