"""End to end on Telegram: *My feedback* under a group reveal. The judge (a loopback fake
OpenAI-compatible server) writes long feedback that quotes the answers; each member who presses the
button gets their own result as the button's alert (at most 200 characters). What does not fit goes
whole to the member's private chat, or, when they never started the bot, the alert says to open it.
Another member's press never shows the first member's feedback, and nothing of it reaches the group."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from fake_bot_api import FakeBotAPI
from tg_support import buttons, deadline, deep_link_payload, eventually, force_questions, visible

from adapters.telegram.render import tg_len

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "llm"))
from fake_openai import FakeOpenAI, judged_by  # noqa: E402

GROUP = FakeBotAPI.group(-100880, "Feedback group")
ALICE_ANSWER = "我们组的秘方 **私密** <b>配方</b>：SFT 后数据分布偏移。"
ALICE_FEEDBACK = ("你写了“**私密** <b>配方</b>”，这和题目无关；只提到了数据分布偏移，没有说明灾难性遗忘、数据质量的影响，"
                  "也没有给出混入通用数据、降低学习率或使用 LoRA 这样的对策。建议按原因和对策两部分重新组织答案，"
                  "每个原因说明它如何让模型变傻，再说明对应的缓解办法，这样才能拿到更高的分数。")
BOB_ANSWER = "SFT 之后模型出现灾难性遗忘，所以要混入通用数据。"
BOB_FEEDBACK = ("Bob 说到了灾难性遗忘和混入通用数据，但没有解释数据分布偏移和数据质量为什么会让模型变差；"
                "请补充这两点，并说明它们和遗忘之间的关系，例如低质量、单一的指令数据会让模型变得刻板，"
                "而分布不同会让模型过拟合到新任务上，忘掉预训练学到的通用能力。")


def judgement(verdicts: list[str], score: int, feedback: str) -> str:
    return json.dumps({"points": [{"n": i, "verdict": v} for i, v in enumerate(verdicts, 1)], "score": score,
                       "feedback": feedback}, ensure_ascii=False)


@pytest.fixture
def settings(settings, llm: FakeOpenAI):
    return judged_by(settings, llm)


async def test_each_member_gets_only_their_own_feedback(tg, fake, engine, llm, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    alice, bob, carol = fake.user(81, "Alice"), fake.user(82, "Bob"), fake.user(83, "Carol")
    llm.script.extend([judgement(["hit", "missed", "missed", "missed"], 2, ALICE_FEEDBACK),
                       judgement(["missed", "hit", "missed", "hit"], 5, BOB_FEEDBACK)])
    try:
        async with deadline():
            fake.message(GROUP, alice, "/quiz sft")
            [question] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"])
            # Alice answers privately through the question's deep link (so she has started the bot)
            mark = fake.mark()
            fake.message(fake.private(alice), alice, f"/start {deep_link_payload(question)}")
            await fake.wait_for("sendMessage", lambda c: c.chat_id == alice["id"], since=mark)
            fake.message(fake.private(alice), alice, ALICE_ANSWER)
            await fake.wait_for("sendMessage", lambda c: c.chat_id == alice["id"], count=2, since=mark)
            await eventually(lambda: _served(llm, 1))  # judged first: the first scripted judgement is hers
            # Bob answers in the group by replying; he never opened a private chat with the bot
            fake.message(GROUP, bob, BOB_ANSWER, reply_to=question.result)
            await fake.wait_for("setMessageReaction", since=mark)
            await eventually(lambda: _served(llm, 2))
            mark = fake.mark()
            fake.message(GROUP, alice, "/reveal")
            [reveal] = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP["id"], since=mark)

            public = visible(reveal.text)
            assert "配方" not in public and "秘方" not in public  # Alice's words and the feedback quoting them
            assert "Bob 说到了灾难性遗忘" in public  # a group answer keeps its public feedback line
            [button] = [b for b in buttons(reveal) if b.get("callback_data", "").startswith("qb:fb:")]
            assert button["text"] == "📝 My feedback" and len(button["callback_data"].encode()) <= 64

            # Alice: the alert is clipped, the full text (escaped, not formatted) is in her private chat
            mark = fake.mark()
            fake.press(alice, reveal.result, button["callback_data"])
            [answered] = await fake.wait_for("answerCallbackQuery", since=mark)
            alert = answered.params["text"]
            assert answered.params.get("show_alert") is True and tg_len(alert) <= 200
            assert "Score: 2/10" in alert and alert.endswith("The full feedback is in your private chat with me.")
            [full] = fake.find("sendMessage", lambda c: c.chat_id == alice["id"], since=mark)
            text = visible(full.text)
            assert "Score: 2/10 (judged by fake-judge)" in text and "Points hit: 数据分布偏移" in text
            assert ALICE_FEEDBACK.replace("**私密** <b>配方</b>", "") in text.replace("**私密** <b>配方</b>", "")
            assert "**私密** <b>配方</b>" in text and "<b>配方</b>" not in full.text  # shown as typed, never as markup
            assert "Bob" not in text

            # Bob: his own result; he has not started the bot, so the alert tells him how to get the rest
            fake.fail_next("sendMessage", 403, description="Forbidden: bot can't initiate conversation with a user",
                           match=lambda p: p.get("chat_id") == bob["id"])
            mark = fake.mark()
            fake.press(bob, reveal.result, button["callback_data"])
            [answered] = await fake.wait_for("answerCallbackQuery", since=mark)
            alert = answered.params["text"]
            assert answered.params.get("show_alert") is True and tg_len(alert) <= 200
            assert "Score: 5/10" in alert and "Points hit: 灾难性遗忘, 混入通用数据" in alert and "Bob 说到了" in alert
            assert alert.endswith("For the full text, open a private chat with me (Start), then press again.")
            assert "配方" not in alert and "数据分布偏移" not in alert.split("Points hit:")[1].split("\n")[0]

            # Carol did not answer: she is told so, and learns nobody else's result
            mark = fake.mark()
            fake.press(carol, reveal.result, button["callback_data"])
            [answered] = await fake.wait_for("answerCallbackQuery", since=mark)
            assert answered.params["text"] == "You did not answer this question."
            assert answered.params.get("show_alert") is True

        # nothing of the presses was posted in the group
        presses = [c for c in fake.calls if c.method == "sendMessage" and c.chat_id == GROUP["id"]
                   and c.params.get("text") and ("Your result" in c.params["text"] or "did not answer" in c.params["text"])]
        assert presses == []
    finally:
        await engine.stop_judging()


async def _served(llm: FakeOpenAI, n: int) -> bool:
    return llm.served >= n
