"""The engine's use cases, driven directly and through the console chat double."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from adapters.console import ConsoleAdapter
from bot.engine import QuizEngine
from bot.events import ButtonPress, ChoicePick, Command, TextAnswer
from bot.grading import grade
from bot.model import ChatRef, UserRef
from bot.replies import ReplyKind
from bot.storage import Store

GROUP = ChatRef("console", "g1", private=False, title="study group")
ALICE = UserRef("console", "alice", "Alice")
BOB = UserRef("console", "bob", "Bob")
CAROL = UserRef("console", "carol", "Carol")
ADMIN = UserRef("console", "root", "Root", is_admin=True)


def cmd(name: str, *args: str, user: UserRef = ALICE, chat: ChatRef = GROUP, key: str | None = None) -> Command:
    return Command(chat, user, update_key=key, name=name, args=args)


def answer(text: str, user: UserRef, chat: ChatRef = GROUP, round_id: int | None = None) -> TextAnswer:
    return TextAnswer(chat, user, text=text, round_id=round_id)


def only(replies, kind: ReplyKind):
    found = [r for r in replies if r.kind is kind]
    assert found, f"no {kind} reply in {[r.kind for r in replies]}"
    return found[0]


# complete explanations of the fixture's open sft questions: a bare list of key-point terms is capped
GOOD_ANSWERS = {
    "sft-why-dumber": "SFT 之后模型变傻，主要是因为数据分布偏移，模型过拟合到新的分布；同时会发生灾难性遗忘，学新任务时覆盖了旧知识；数据质量低也会让模型变得刻板，所以训练时要混入通用数据。",
    "sft-what-learns": "SFT 阶段模型主要在学习指令遵循，也就是按照用户的要求去回答，同时学会回答格式；知识本身主要来自预训练，SFT 很少注入新知识。",
    "sft-chat-or-base": "如果资源充足、数据量大，就选 Base 模型来做 SFT，因为它的可塑性更好；如果数据少、又希望保留对话能力，就选 Chat 模型。",
}


def good_answer(engine: QuizEngine, qid: str) -> str:
    assert engine.bank.question(qid).key_points
    return GOOD_ANSWERS[qid]


async def test_full_round_three_members_best_first(engine: QuizEngine):
    q = only(await engine.handle(cmd("quiz", "sft")), ReplyKind.QUESTION)
    question = engine.bank.question(q.question_id)
    while question.is_discussion or question.kind.value != "open":  # the fixture topic has one discussion q
        await engine.handle(cmd("skip", user=ADMIN))
        q = only(await engine.handle(cmd("quiz", "sft")), ReplyKind.QUESTION)
        question = engine.bank.question(q.question_id)
    best = good_answer(engine, question.id)
    partial = question.key_points[0].text + "。其他不清楚"
    acks = [await engine.handle(answer(t, u)) for t, u in ((partial, BOB), (best, ALICE), ("不知道", CAROL))]
    assert all(r[0].kind is ReplyKind.ACK and r[0].to_user is not None for r in acks)
    reveal = only(await engine.handle(cmd("reveal")), ReplyKind.REVEAL)  # Alice started it
    lines = reveal.text.splitlines()
    scores = [line for line in lines if "/10" in line]
    assert [s.split("**")[1] for s in scores] == ["Alice", "Bob", "Carol"]
    assert "10/10" in scores[0] and "0/10" in scores[2]
    assert question.key_points[0].text in reveal.text  # the checklist
    assert question.answer.splitlines()[0][:10] in reveal.folded  # the model answer
    board = only(await engine.handle(cmd("leaderboard", "all")), ReplyKind.BOARD)
    names = [line.split("**")[1] for line in board.text.splitlines() if "**" in line][1:]
    assert names == ["Alice", "Bob", "Carol"]


async def test_window_end_reveals_and_session_continues(engine: QuizEngine, clock):
    console = ConsoleAdapter(engine, out=io.StringIO())
    first = only(await engine.handle(cmd("quiz", "sft", "2")), ReplyKind.QUESTION)
    await engine.handle(answer("灾难性遗忘", BOB))
    clock.advance(engine.settings.open_window - 1)
    assert await engine.expire_due() == 0
    clock.advance(2)
    assert await engine.expire_due() == 1
    kinds = [r.kind for r in console.transcript]
    assert kinds == [ReplyKind.REVEAL, ReplyKind.QUESTION]
    second = console.transcript[-1]
    assert second.round_id != first.round_id and "2/2" in second.text
    # Bob joined in question 1; once he answers question 2 everyone who joined has answered
    replies = await engine.handle(answer("指令遵循", BOB))
    kinds = [r.kind for r in replies]
    assert kinds == [ReplyKind.ACK, ReplyKind.REVEAL, ReplyKind.RANKING]
    assert "Bob" in replies[-1].text


async def test_follow_up_adds_to_the_answer_and_closed_round_refused(engine: QuizEngine, store: Store):
    q = only(await engine.handle(cmd("quiz", "sft")), ReplyKind.QUESTION)
    first = await engine.handle(answer("不知道", BOB))
    assert first[0].meta["status"] == "new"
    good = good_answer(engine, q.question_id) or "随便"
    second = await engine.handle(answer(good, BOB))
    assert (second[0].meta["status"], second[0].meta["follow_up"]) == ("changed", "added")
    rows = await store.fetchall("SELECT text FROM answers WHERE user_key = 'console:bob'")
    assert len(rows) == 1 and rows[0]["text"] == "不知道\n" + good  # one answer per member, its parts joined
    await engine.handle(cmd("reveal"))
    late = await engine.handle(answer("迟到的答案", CAROL, round_id=q.round_id))
    assert late[0].kind is ReplyKind.ERROR and "closed" in late[0].text
    assert (await store.fetchone("SELECT COUNT(*) FROM answers WHERE user_key='console:carol'"))[0] == 0


async def test_daily_question_and_timed_reveal(engine: QuizEngine, clock):
    console = ConsoleAdapter(engine, out=io.StringIO())
    posted = await engine.post_daily(GROUP, topics=["sft"], discussion_share=0.0)
    assert len(posted) == 1 and posted[0].kind is ReplyKind.QUESTION
    assert await engine.post_daily(GROUP, topics=["sft"]) == []  # same local date: never twice
    qid = posted[0].question_id
    await engine.handle(answer(good_answer(engine, qid), ALICE))
    await engine.handle(answer("不知道", BOB))
    # a member may not reveal the daily question; an admin may
    refused = await engine.handle(cmd("reveal", "daily", user=BOB))
    assert refused[0].kind is ReplyKind.ERROR and "admin" in refused[0].text
    clock.advance(engine.settings.reveal_delay_hours * 3600 + 1)
    assert await engine.expire_due() == 1
    reveal = console.transcript[-1]
    assert reveal.kind is ReplyKind.REVEAL and reveal.text.index("Alice") < reveal.text.index("Bob")


async def test_discussion_question_shows_answers_and_scores_participation(engine: QuizEngine, store: Store):
    posted = await engine.post_daily(GROUP, topics=["sft"], discussion_share=1.0)
    assert engine.bank.question(posted[0].question_id).is_discussion
    await engine.handle(answer("我用 MinHash 去重，然后人工抽检", ALICE))
    reveal = only(await engine.handle(cmd("reveal", "daily", user=ADMIN)), ReplyKind.REVEAL)
    assert "MinHash" in reveal.text and not reveal.folded
    row = await store.fetchone("SELECT score FROM scores WHERE user_key = 'console:alice'")
    # graded against the question's rubric (de-duplication and spot checks are two of its points)
    question = engine.bank.question(posted[0].question_id)
    assert question.rubric and row["score"] == grade(question, "我用 MinHash 去重，然后人工抽检").score > 0


async def test_choice_first_pick_counts_and_letter_answers(engine: QuizEngine, store: Store):
    q = only(await engine.handle(cmd("quiz", "architecture")), ReplyKind.QUESTION)
    while not q.options:
        await engine.handle(cmd("skip", user=ADMIN))
        q = only(await engine.handle(cmd("quiz", "arch")), ReplyKind.QUESTION)
    assert all(b.data.startswith(f"qb:pick:{q.round_id}:") for b in q.buttons)
    right, wrong = q.correct[0], (q.correct[0] + 1) % len(q.options)
    ok = await engine.handle(ChoicePick(GROUP, ALICE, round_id=q.round_id, option=right))
    assert ok[0].kind is ReplyKind.ACK
    again = await engine.handle(ChoicePick(GROUP, ALICE, round_id=q.round_id, option=wrong))
    assert again[0].kind is ReplyKind.ERROR and "first pick" in again[0].text
    letter = "ABCDEFG"[wrong]
    assert (await engine.handle(answer(letter, BOB)))[0].kind is ReplyKind.ACK
    assert (await engine.handle(answer("some text", CAROL)))[0].kind is ReplyKind.ERROR
    bad = await engine.handle(ButtonPress(GROUP, CAROL, data=f"qb:pick:{q.round_id}:99"))
    assert bad[0].kind is ReplyKind.ERROR
    await engine.handle(cmd("reveal"))
    rows = {r["user_key"]: r["score"] for r in await store.fetchall("SELECT user_key, score FROM scores")}
    assert rows == {"console:alice": 10, "console:bob": 0}


async def test_private_practice_reveals_at_once_with_next_button(engine: QuizEngine):
    dm = ChatRef("console", "dm-alice", private=True)
    q = only(await engine.handle(cmd("quiz", "sft", chat=dm)), ReplyKind.QUESTION)
    assert not q.buttons  # no "answer privately" in a private chat
    replies = await engine.handle(answer("数据分布偏移", ALICE, chat=dm))
    reveal = only(replies, ReplyKind.REVEAL)
    assert [b.data for b in reveal.buttons] == ["qb:next", f"qb:flag:{reveal.round_id}"]
    nxt = await engine.handle(ButtonPress(dm, ALICE, data="qb:next"))
    assert nxt[0].kind is ReplyKind.QUESTION and nxt[0].question_id != q.question_id


async def test_answer_privately_via_deep_link(engine: QuizEngine, store: Store):
    q = only(await engine.handle(cmd("quiz", "sft")), ReplyKind.QUESTION)
    assert q.buttons[0].data == f"qb:ans:{q.round_id}"
    dm = ChatRef("console", "dm-bob", private=True)
    payload = await engine.private_answer_payload(q.round_id, GROUP.key)
    await engine.handle(cmd("me", user=BOB))  # Bob has spoken in the group: a member, on the console
    prompt = await engine.handle(cmd("start", payload, user=BOB, chat=dm))
    assert prompt[0].kind is ReplyKind.INFO and prompt[0].chat == dm
    ack = await engine.handle(answer("灾难性遗忘", BOB, chat=dm))
    assert ack[0].kind is ReplyKind.ACK and ack[0].chat == dm
    row = await store.fetchone("SELECT chat_key, round_id FROM answers WHERE user_key = 'console:bob'")
    assert (row["chat_key"], row["round_id"]) == (GROUP.key, q.round_id)


async def test_permissions_for_round_control(engine: QuizEngine):
    await engine.handle(cmd("quiz", "sft", user=ALICE))
    refused = await engine.handle(cmd("stop", user=BOB))
    assert refused[0].kind is ReplyKind.ERROR and "started" in refused[0].text
    stopped = await engine.handle(cmd("stop", user=ADMIN))
    assert stopped[0].kind is ReplyKind.INFO
    assert (await engine.handle(cmd("reveal")))[0].kind is ReplyKind.ERROR  # nothing open any more


async def test_bad_inputs_get_clear_replies(engine: QuizEngine, store: Store):
    unknown = await engine.handle(cmd("quiz", "finetunning"))
    assert unknown[0].kind is ReplyKind.ERROR and "sft" in unknown[0].text  # suggestion
    assert "Unknown command" in (await engine.handle(cmd("frobnicate")))[0].text
    assert (await engine.handle(cmd("quiz", "sft", "99")))[0].kind is ReplyKind.ERROR
    assert (await engine.handle(cmd("leaderboard", "year")))[0].kind is ReplyKind.ERROR
    assert (await engine.handle(cmd("lang", "fr")))[0].kind is ReplyKind.ERROR
    assert "no open question" in (await engine.handle(answer("hello", BOB)))[0].text
    await engine.handle(cmd("quiz", "sft"))
    for text, expect in (("   ", "empty"), ("x" * 10_000, "too long"), ("😀🎉👍", "no words")):
        reply = (await engine.handle(answer(text, BOB)))[0]
        assert reply.kind is ReplyKind.ERROR and expect in reply.text
    assert (await store.fetchone("SELECT COUNT(*) FROM answers"))[0] == 0
    again = await engine.handle(cmd("quiz", "sft"))
    assert again[0].kind is ReplyKind.ERROR and "already open" in again[0].text


async def test_duplicate_update_is_ignored(engine: QuizEngine, store: Store):
    await engine.handle(cmd("quiz", "sft"))
    event = TextAnswer(GROUP, BOB, update_key="console:42", text="灾难性遗忘")
    assert (await engine.handle(event))[0].kind is ReplyKind.ACK
    assert await engine.handle(event) == []


async def test_internal_error_becomes_apology(engine: QuizEngine, monkeypatch):
    async def boom(*_a, **_k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(engine.stats, "me_text", boom)
    reply = (await engine.handle(cmd("me")))[0]
    assert reply.kind is ReplyKind.ERROR and "kaboom" not in reply.text and "Sorry" in reply.text


async def _score_at(engine: QuizEngine, clock, when: datetime, user: UserRef, text: str) -> None:
    clock.now = when.timestamp()
    await engine.post_daily(GROUP, topics=["sft"], discussion_share=0.0)
    await engine.handle(answer(text, user))
    await engine.handle(cmd("reveal", "daily", user=ADMIN))


async def test_leaderboard_week_boundary_in_chat_zone(engine: QuizEngine, clock):
    # Sunday 2026-11-22 23:30 and Monday 2026-11-23 00:30 in Shanghai (UTC+8)
    sunday = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)
    monday = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)
    await _score_at(engine, clock, sunday, BOB, " ".join(GOOD_ANSWERS.values()))  # full marks on any of them
    await _score_at(engine, clock, monday, ALICE, "灾难性遗忘 回答格式 chat")
    week = (await engine.handle(cmd("leaderboard", "week")))[0].text
    month = (await engine.handle(cmd("leaderboard", "month")))[0].text
    assert "Alice" in week and "Bob" not in week
    assert "Alice" in month and "Bob" in month and month.index("Bob") < month.index("Alice")


async def test_streaks_and_me(engine: QuizEngine, clock):
    base = datetime(2026, 11, 16, 4, 0, tzinfo=UTC)  # noon in Shanghai
    for day in (0, 1, 2, 4, 5):
        await _score_at(engine, clock, base.replace(day=16 + day), ALICE, "灾难性遗忘 数据分布偏移")
    me = (await engine.handle(cmd("me")))[0]
    assert me.kind is ReplyKind.STATS
    assert "Answered: 5" in me.text and "streak: 2 days (best 3)" in me.text


async def test_restart_keeps_rounds_answers_and_scores(settings, bank, clock):
    store = await Store.open(settings.db_path)
    engine = QuizEngine(store, bank, settings, clock=clock)
    q = only(await engine.handle(cmd("quiz", "sft")), ReplyKind.QUESTION)
    await engine.handle(answer("灾难性遗忘", BOB))
    await store.close()
    store = await Store.open(settings.db_path)
    try:
        engine = QuizEngine(store, bank, settings, clock=clock)
        console = ConsoleAdapter(engine, out=io.StringIO())
        changed = await engine.handle(answer("数据分布偏移 灾难性遗忘", BOB, round_id=q.round_id))
        assert changed[0].meta["status"] == "changed"
        clock.advance(3600)
        assert await engine.expire_due() == 1  # fell due while "down": revealed at start-up
        assert console.transcript[-1].kind is ReplyKind.REVEAL
        board = (await engine.handle(cmd("leaderboard", "all")))[0].text
        assert "Bob" in board
    finally:
        await store.close()


async def test_forget_deletes_everything_after_confirmation(engine: QuizEngine, store: Store):
    await engine.handle(cmd("quiz", "sft"))
    await engine.handle(answer("灾难性遗忘", BOB))
    await engine.handle(cmd("reveal"))
    confirm = (await engine.handle(cmd("forget", user=BOB)))[0]
    assert [b.data for b in confirm.buttons] == ["qb:forget:yes:bob", "qb:forget:no:bob"]
    assert "Cancelled" in (await engine.handle(ButtonPress(GROUP, BOB, data="qb:forget:no:bob")))[0].text
    assert (await store.fetchone("SELECT COUNT(*) FROM scores"))[0] == 1
    done = (await engine.handle(ButtonPress(GROUP, BOB, data="qb:forget:yes:bob")))[0]
    assert "Deleted 1" in done.text
    for table in ("answers", "scores"):
        assert (await store.fetchone(f"SELECT COUNT(*) FROM {table}"))[0] == 0


async def test_topics_help_lang(engine: QuizEngine):
    topics = (await engine.handle(cmd("topics")))[0].text
    assert "有监督微调 SFT" in topics and "Supervised fine-tuning" in topics
    assert "/quiz" in (await engine.handle(cmd("help")))[0].text
    assert "中文" in (await engine.handle(cmd("lang", "zh")))[0].text
    assert "排行榜" in (await engine.handle(cmd("leaderboard")))[0].text


@pytest.mark.parametrize("query", ["sft", "SFT", "微调", "Supervised fine-tuning", "fine-tuning", "ＳＦＴ"])
def test_topic_lookup_by_slug_title_alias(bank, query):
    assert bank.find_topic(query).slug == "sft"


async def test_a_new_member_s_name_is_stored_before_any_reply(engine: QuizEngine, store: Store):
    """The name goes into the next group commit instead of a commit of its own; a command that
    writes nothing else still replies only once it is stored."""
    newcomer = UserRef("console", "dora", "Dora")
    replies = await engine.handle(cmd("help", user=newcomer))
    assert replies
    row = await store.fetchone("SELECT name FROM users WHERE key = ?", (newcomer.key,))
    assert row is not None and row["name"] == "Dora"
    renamed = UserRef("console", "dora", "Dora W.")
    await engine.handle(cmd("help", user=renamed))
    row = await store.fetchone("SELECT name FROM users WHERE key = ?", (newcomer.key,))
    assert row["name"] == "Dora W."


async def test_a_name_that_could_not_be_stored_is_tried_again(engine: QuizEngine, store: Store, monkeypatch):
    import asyncio

    real = store.enqueue

    def failing(sql, params):
        if "INSERT INTO users" in sql:
            fut = asyncio.get_running_loop().create_future()
            fut.set_exception(RuntimeError("disk I/O error"))
            return fut
        return real(sql, params)

    monkeypatch.setattr(store, "enqueue", failing)
    newcomer = UserRef("console", "eve", "Eve")
    replies = await engine.handle(cmd("help", user=newcomer))
    assert replies[0].kind is ReplyKind.ERROR  # said so, no traceback
    await asyncio.sleep(0)  # the next event comes in a later turn of the loop
    monkeypatch.setattr(store, "enqueue", real)
    await engine.handle(cmd("help", user=newcomer))
    row = await store.fetchone("SELECT name FROM users WHERE key = ?", (newcomer.key,))
    assert row is not None and row["name"] == "Eve"
