"""*My feedback* under a group reveal, through the console: each member reads their own result
(score, points hit and contradicted, why the score was capped, the grader's notes), nobody reads
another's, and a member who did not answer is told so. The public reveal keeps a private answer's
words to its author."""

from __future__ import annotations

import io

from adapters.console import ConsoleAdapter
from bot.engine import QuizEngine
from bot.events import ButtonPress
from bot.feedback import feedback_buttons, result_text
from bot.model import ChatRef
from bot.replies import CALLBACK_MAX_BYTES, Reply, ReplyKind
from bot.views import ScoredAnswer

TERM_LIST = "数据分布偏移，灾难性遗忘，数据质量，混入通用数据"  # Alice, privately: capped as a term list
DENIAL = "SFT 不需要混入通用数据，也不会灾难性遗忘。"  # Bob, in the group: two points denied
GOOD = ("SFT 的数据和预训练数据分布不同，出现数据分布偏移；模型学新任务时会灾难性遗忘旧知识；"
        "数据质量差也会让它变刻板，所以要混入通用数据。")


def force(monkeypatch, engine: QuizEngine, question_id: str) -> None:
    async def choose(chat_key, topics, discussion_share=0.0, difficulty=None, **_):
        return engine.bank.question(question_id)

    monkeypatch.setattr(engine.rounds, "choose", choose)


def press_number(console: ConsoleAdapter, reply: Reply, prefix: str) -> str:
    """The ``/press N`` of the reveal's button whose callback id starts with ``prefix``."""
    [n] = [str(i) for i, b in enumerate(reply.buttons, 1) if b.data.startswith(prefix)]
    return n


def only(replies: list[Reply], kind: ReplyKind) -> Reply:
    [reply] = [r for r in replies if r.kind is kind]
    return reply


async def play_round(engine: QuizEngine, console: ConsoleAdapter) -> Reply:
    """Alice answers privately (a term list), Bob in the group (a denial), Carol only chats; the
    reveal is returned."""
    question = only(await console.feed("/quiz sft"), ReplyKind.QUESTION)
    await console.feed("/as Carol")
    await console.feed("/me")  # Carol is a member, but does not answer
    await console.feed("/as Alice")
    await console.feed(f"/press {press_number(console, question, 'qb:ans:')}")  # answer privately
    await console.feed("/in private")
    assert only(await console.feed(TERM_LIST), ReplyKind.ACK)
    await console.feed("/in group")
    await console.feed("/as Bob")
    assert only(await console.feed(DENIAL), ReplyKind.ACK)
    return only(await console.feed("/reveal"), ReplyKind.REVEAL)


async def test_each_member_reads_only_their_own_feedback(engine: QuizEngine, monkeypatch):
    force(monkeypatch, engine, "sft-why-dumber")
    out = io.StringIO()
    console = ConsoleAdapter(engine, out=out)
    reveal = await play_round(engine, console)

    [button] = [b for b in reveal.buttons if b.data.startswith("qb:fb:")]
    assert button.label == "📝 My feedback" and button.data == f"qb:fb:{reveal.round_id}"
    assert len(button.data.encode()) <= CALLBACK_MAX_BYTES
    # the public reveal: Alice's score and points, never her words
    assert "Alice" in reveal.text and "answered privately" in reveal.text
    assert TERM_LIST not in reveal.text + reveal.folded
    n = press_number(console, reveal, "qb:fb:")

    await console.feed("/as Alice")
    alice = only(await console.feed(f"/press {n}"), ReplyKind.INFO)
    assert alice.to_user is not None and alice.to_user.name == "Alice" and alice.meta["secret"]
    assert "Score: 3/10 (local grader)" in alice.text
    assert "Points hit: 数据分布偏移, 灾难性遗忘, 数据质量, 混入通用数据" in alice.text
    assert "Grader's notes: Explain in sentences rather than listing terms." in alice.text
    assert "denies" not in alice.text  # Bob's contradicted points are his alone
    assert "[bot @ group → Alice] (info)" in out.getvalue()  # addressed to the presser

    await console.feed("/as Bob")
    bob = only(await console.feed(f"/press {n}"), ReplyKind.INFO)
    assert bob.to_user is not None and bob.to_user.name == "Bob"
    assert "Points your answer denies: ✗ 灾难性遗忘, 混入通用数据" in bob.text
    assert "Grader's notes: The answer denies: 灾难性遗忘, 混入通用数据." in bob.text
    assert "Explain in sentences" not in bob.text  # Alice's cap reason stays hers

    await console.feed("/as Carol")
    carol = only(await console.feed(f"/press {n}"), ReplyKind.INFO)
    assert carol.text == "You did not answer this question." and carol.to_user.name == "Carol"


async def test_button_only_where_there_is_something_to_explain(engine: QuizEngine, monkeypatch):
    force(monkeypatch, engine, "sft-why-dumber")
    console = ConsoleAdapter(engine, out=io.StringIO())
    await console.feed("/quiz sft")
    await console.feed(GOOD)  # full sentences, every point: no notes, no cap
    reveal = only(await console.feed("/reveal"), ReplyKind.REVEAL)
    assert "10/10" in reveal.text
    assert not [b for b in reveal.buttons if b.data.startswith("qb:fb:")]

    # a private practice reveal already shows its only member everything
    await console.feed("/in private")
    await console.feed("/quiz sft")
    replies = await console.feed(TERM_LIST)
    reveal = only(replies, ReplyKind.REVEAL)
    assert "explain in sentences" in reveal.text
    assert not [b for b in reveal.buttons if b.data.startswith("qb:fb:")]

    # a choice question has no feedback to read
    force(monkeypatch, engine, "arch-chatglm-family")
    await console.feed("/in group")
    await console.feed("/quiz arch")
    await console.feed("1")
    reveal = only(await console.feed("/reveal"), ReplyKind.REVEAL)
    assert not [b for b in reveal.buttons if b.data.startswith("qb:fb:")]


async def test_press_before_the_reveal_or_on_a_forged_button(engine: QuizEngine, monkeypatch):
    force(monkeypatch, engine, "sft-why-dumber")
    console = ConsoleAdapter(engine, out=io.StringIO())
    question = only(await console.feed("/quiz sft"), ReplyKind.QUESTION)
    await console.feed(TERM_LIST)
    me = console.user
    early = await engine.handle(ButtonPress(console.group, me, data=f"qb:fb:{question.round_id}"))
    assert early[0].kind is ReplyKind.ERROR and "after the reveal" in early[0].text
    for forged in (f"qb:fb:{question.round_id + 99}", "qb:fb:x", "qb:fb:"):
        replies = await engine.handle(ButtonPress(console.group, me, data=forged))
        assert replies[0].kind is ReplyKind.ERROR and "no longer valid" in replies[0].text, forged


def test_result_text_escapes_the_feedback_and_names_the_judge():
    answer = ScoredAnswer("Alice", 6, ["灾难性遗忘"], None, None, contradicted=["数据质量"],
                          feedback="You wrote **bold** and [a link](https://evil) <b>x</b>", judge="llm:qwen-max",
                          private=True)
    text = result_text(None, answer, "en", "Why *does* SFT hurt?")
    assert "Score: 6/10 (judged by qwen-max)" in text
    assert "Judge's feedback: You wrote \\*\\*bold\\*\\* and \\[a link\\](https://evil) \\<b\\>x\\</b\\>" in text
    assert "Your result** · Why \\*does\\* SFT hurt?" in text
    zh = result_text(None, ScoredAnswer("A", 3, [], None, None, capped="term_list", private=True), "zh", "问")
    assert "得分：3/10（本地评分）" in zh and "命中要点：—" in zh
    assert "分数封顶：请用完整的句子解释，而不是罗列关键词" in zh  # no notes stored: the cap says why
    failed = result_text(None, ScoredAnswer("A", 5, ["x"], None, None, fallback=True, private=True), "zh", "问")
    assert "模型未能评分，按本地评分" in failed


def test_feedback_buttons_rules(bank):
    open_q, choice_q = bank.question("sft-why-dumber"), bank.question("arch-chatglm-family")
    group, private = ChatRef("console", "g", private=False), ChatRef("console", "dm", private=True)
    plain = ScoredAnswer("A", 10, ["x"], "t", None)
    noted = ScoredAnswer("B", 4, ["x"], None, None, feedback="too short", judge="llm:m", private=True)
    assert feedback_buttons(group, 7, open_q, [plain], "en") == ()
    [button] = feedback_buttons(group, 7, open_q, [plain, noted], "zh")
    assert button.label == "📝 我的反馈" and button.data == "qb:fb:7"
    assert feedback_buttons(private, 7, open_q, [noted], "en") == ()
    assert feedback_buttons(group, 7, choice_q, [noted], "en") == ()


def test_an_answer_scored_off_topic_is_credited_with_no_point(bank):
    """Words of a key point met in an answer about another subject: the reveal and the member's own
    result show no point hit beside its 0/10, and say why."""
    from bot.views import reveal_text

    question = next(q for q in bank.all_questions() if q.kind.value == "open" and len(q.key_points) >= 2)
    point = question.key_points[0].text
    stray = ScoredAnswer("Bob", 0, [point], "about something else", None, capped="off_topic")
    real = ScoredAnswer("Ann", 6, [point], "an answer", None)
    text = reveal_text(question, [real, stray], "en")
    assert f"- ✅ {point} (1/2)" in text  # only Ann's hit counts in the checklist
    assert "**Bob** 0/10 · —" in text
    assert "off topic: the answer is about another subject" in text
    zh = result_text(question, stray, "zh", question.prompt)
    assert "命中要点：—" in zh and "分数封顶：答案说的不是本题的内容，按离题计分" in zh
    judged = ScoredAnswer("Bob", 4, [point], "x", None, capped="off_topic", judge="llm:qwen", feedback="ok")
    assert f"**Bob** 4/10 · {point}" in reveal_text(question, [judged], "en")  # the judge's own hits stand
