"""The review queue: ratings from scores, FSRS intervals, cards fed by every reveal, /review's order
and instant results, stats, /me, /forget, removed questions, and the index behind "next due card"."""

from __future__ import annotations

import pytest
from fsrs import Rating, State

from bot.bank import QuestionBank
from bot.engine import QuizEngine
from bot.events import ButtonPress, Command, TextAnswer
from bot.model import ChatRef, UserRef
from bot.replies import ReplyKind
from bot.review import rating_for
from bot.review.cards import ReviewCards
from bot.review.store import NEXT_DUE, ReviewStore

GROUP = ChatRef("console", "g1", private=False, title="study group")
ANN = UserRef("console", "ann", "Ann")
BEN = UserRef("console", "ben", "Ben")
ADMIN = UserRef("console", "root", "Root", is_admin=True)
ANN_DM = ChatRef("console", "ann", private=True)
DAY = 86400.0


def cmd(name: str, *args: str, user: UserRef = ANN, chat: ChatRef = ANN_DM) -> Command:
    return Command(chat, user, name=name, args=args)


def text(t: str, user: UserRef = ANN, chat: ChatRef = ANN_DM, **kw) -> TextAnswer:
    return TextAnswer(chat, user, text=t, **kw)


def best(engine: QuizEngine, qid: str) -> str:
    """The model answer itself: an explanation covering every key point (scores 10)."""
    return engine.bank.question(qid).answer


def kinds(replies) -> list[ReplyKind]:
    return [r.kind for r in replies]


async def record(engine: QuizEngine, user: UserRef, qid: str, score: int, at: float, cards: ReviewCards | None = None):
    async with engine.store.write() as db:
        return await (cards or engine.review_cards).record(db, user.key, engine.bank.question(qid), score, at, 5.0,
                                                           "review")


async def card(engine: QuizEngine, user: UserRef, qid: str):
    return await engine.store.fetchone(
        "SELECT c.* FROM review_cards c JOIN review_members m ON m.id = c.member_id"
        " WHERE m.user_key = ? AND c.question_id = ?", (user.key, qid))


async def log_rows(engine: QuizEngine, user: UserRef):
    return await engine.store.fetchall(
        "SELECT l.* FROM review_log l JOIN review_members m ON m.id = l.member_id WHERE m.user_key = ?"
        " ORDER BY l.id", (user.key,))


# -- ratings and intervals ------------------------------------------------------------------------

@pytest.mark.parametrize("score, rating", [(0, Rating.Again), (3, Rating.Again), (4, Rating.Hard), (6, Rating.Hard),
                                           (7, Rating.Good), (8, Rating.Good), (9, Rating.Easy), (10, Rating.Easy)])
def test_rating_of_an_open_answer_from_its_score(bank: QuestionBank, score, rating):
    assert rating_for(bank.question("sft-why-dumber"), score) is rating


def test_rating_of_a_choice_answer_right_good_wrong_again(bank: QuestionBank):
    question = bank.question("arch-chatglm-family")
    assert rating_for(question, 10) is Rating.Good
    assert rating_for(question, 0) is Rating.Again


async def test_intervals_grow_after_good_and_reset_after_again(engine: QuizEngine, clock):
    cards = ReviewCards(engine.bank, 0.9, fuzz=False)  # no random spread: exact intervals
    now = clock()
    intervals = []
    for _ in range(6):  # two learning steps, then reviews: each answered Good exactly when due
        reviewed = await record(engine, ANN, "sft-why-dumber", 8, now, cards)
        intervals.append(reviewed.due - now)
        now = reviewed.due
    assert intervals[0] == 600  # the second learning step (10 min) after the first Good
    assert reviewed.state is State.Review
    review_intervals = intervals[1:]
    assert all(b > a for a, b in zip(review_intervals, review_intervals[1:], strict=False)), intervals
    assert review_intervals[-1] > 10 * DAY
    again = await record(engine, ANN, "sft-why-dumber", 1, now, cards)
    assert again.rating is Rating.Again and again.state is State.Relearning
    assert again.due - now == 600  # back to the relearning step
    good = await record(engine, ANN, "sft-why-dumber", 8, again.due, cards)
    assert good.state is State.Review and good.due - again.due < review_intervals[-1]  # the lapse cost stability
    rows = await log_rows(engine, ANN)
    assert [r["rating"] for r in rows] == [3] * 6 + [1, 3]
    assert rows[6]["state_before"] == State.Review and rows[0]["state_before"] is None


async def test_a_review_never_moves_a_card_back_in_time(engine: QuizEngine, clock):
    first = await record(engine, ANN, "sft-why-dumber", 10, clock() + 3600)
    await record(engine, ANN, "sft-why-dumber", 10, clock())  # an older answer revealed later
    row = await card(engine, ANN, "sft-why-dumber")
    assert row["last_review"] == clock() + 3600 and row["due"] >= first.due


# -- cards from rounds ---------------------------------------------------------------------------

async def test_a_reveal_updates_every_members_card_once(engine: QuizEngine, monkeypatch):
    async def choose(chat_key, topics, discussion_share=0.0, difficulty=None):
        return engine.bank.question("sft-why-dumber")
    monkeypatch.setattr(engine.rounds, "choose", choose)
    await engine.handle(cmd("quiz", "sft", chat=GROUP))
    await engine.handle(text("不知道", ANN, GROUP))
    await engine.handle(text(best(engine, "sft-why-dumber"), BEN, GROUP))
    assert await card(engine, ANN, "sft-why-dumber") is None  # not before the grade is final
    reveal = await engine.handle(cmd("reveal", user=ADMIN, chat=GROUP))
    assert ReplyKind.REVEAL in kinds(reveal)
    ann, ben = [await log_rows(engine, u) for u in (ANN, BEN)]
    assert [(r["rating"], r["source"]) for r in ann] == [(Rating.Again, "quiz")]
    assert ben[0]["rating"] >= Rating.Good and ben[0]["score"] >= 7
    assert (await card(engine, ANN, "sft-why-dumber"))["state"] == State.Learning
    assert await engine.reveal(reveal[0].round_id) == []  # revealed once: no second review
    assert len(await log_rows(engine, ANN)) == 1


async def test_discussion_and_skipped_questions_make_no_cards(engine: QuizEngine, monkeypatch):
    queue = ["sft-discuss-experience", "sft-why-dumber"]

    async def choose(chat_key, topics, discussion_share=0.0, difficulty=None):
        return engine.bank.question(queue.pop(0))
    monkeypatch.setattr(engine.rounds, "choose", choose)
    await engine.handle(cmd("quiz", "sft", chat=GROUP))
    await engine.handle(text("我做过一个项目，负责数据清洗", ANN, GROUP))
    await engine.handle(cmd("reveal", user=ADMIN, chat=GROUP))
    await engine.handle(cmd("quiz", "sft", chat=GROUP))
    await engine.handle(text(best(engine, "sft-why-dumber"), ANN, GROUP))
    await engine.handle(cmd("skip", user=ADMIN, chat=GROUP))
    assert await engine.store.fetchall("SELECT * FROM review_cards") == []


async def test_bad_daily_answer_comes_back_in_review_the_next_day(engine: QuizEngine, clock, monkeypatch):
    async def choose(chat_key, topics, discussion_share=0.0, difficulty=None):
        return engine.bank.question("sft-what-learns")
    monkeypatch.setattr(engine.rounds, "choose", choose)
    [question] = await engine.post_daily(GROUP, reveal_at=clock() + 3600)
    await engine.handle(text("不太清楚", ANN, GROUP, round_id=question.round_id))
    clock.advance(3600)
    assert await engine.expire_due() == 1
    assert (await log_rows(engine, ANN))[0]["source"] == "daily"
    clock.advance(DAY)
    shown = await engine.handle(cmd("review"))
    assert kinds(shown) == [ReplyKind.QUESTION] and shown[0].question_id == "sft-what-learns"
    assert "SFT 的时候在学习什么" in shown[0].text and shown[0].to_user == ANN


# -- /review ----------------------------------------------------------------------------------------

async def test_review_most_overdue_first_then_instant_result_and_next(engine: QuizEngine, clock):
    for qid, age in (("sft-what-learns", 2), ("sft-why-dumber", 5), ("sft-chat-or-base", 3)):
        await record(engine, ANN, qid, 0, clock() - age * DAY)  # Again: due a minute after each answer
    [first] = await engine.handle(cmd("review"))
    assert first.question_id == "sft-why-dumber" and "3 due" in first.text
    replies = await engine.handle(text(best(engine, "sft-why-dumber")))
    assert kinds(replies) == [ReplyKind.RESULT, ReplyKind.QUESTION]
    result, second = replies
    assert "Score: 10/10" in result.text and "灾难性遗忘" in result.text and "comes back in" in result.text
    assert "数据分布偏移" in result.folded  # the model answer
    assert second.question_id == "sft-chat-or-base" and "2 due" in second.text
    partial = await engine.handle(text("数据量大的时候选base"))
    assert "Points you missed" in partial[0].text and "数据少选Chat" in partial[0].text
    assert partial[1].question_id == "sft-what-learns"
    [done] = await engine.handle(text("指令遵循"))
    assert done.kind is ReplyKind.RESULT  # nothing more is due: said under the result
    assert "All done" in done.text and "Next review in 1 min" in done.text  # the one failed first comes back first
    assert [r["source"] for r in await log_rows(engine, ANN)][-3:] == ["review"] * 3


async def test_choice_card_by_button_or_letter_and_a_second_tap_is_refused(engine: QuizEngine, clock):
    await record(engine, ANN, "arch-chatglm-family", 0, clock() - DAY)
    await record(engine, ANN, "arch-llama-family", 0, clock() - 2 * DAY)
    [card_shown] = await engine.handle(cmd("review"))
    assert card_shown.question_id == "arch-llama-family"
    picks = [b.data for b in card_shown.buttons if b.data.startswith("qb:rv:") and b.data != "qb:rv:stop"]
    question = engine.bank.question("arch-llama-family")
    right = next(d for d in picks if int(d.rsplit(":", 1)[1]) in question.correct)
    replies = await engine.handle(ButtonPress(ANN_DM, ANN, data=right))
    assert "Score: 10/10" in replies[0].text and "good" in replies[0].text
    again = await engine.handle(ButtonPress(ANN_DM, ANN, data=right))
    assert kinds(again) == [ReplyKind.ERROR] and "already answered" in again[0].text
    nxt = replies[1]
    assert nxt.question_id == "arch-chatglm-family"
    # the letter as shown (options are shuffled per card): the right one by its position
    chatglm = engine.bank.question("arch-chatglm-family")
    lines = [line for line in nxt.text.splitlines() if line[:2] in ("A.", "B.", "C.", "D.")]
    letter = next(line[0] for line in lines if line[3:] == chatglm.options[chatglm.correct[0]])
    wrong = "A" if letter != "A" else "B"
    result = await engine.handle(text(wrong))
    assert "Score: 0/10" in result[0].text and f"{letter}. " in result[0].text  # the right option, as shown


async def test_nothing_due_says_when_and_offers_the_weakest_topic(engine: QuizEngine, clock):
    [none] = await engine.handle(cmd("review"))
    assert "no review cards yet" in none.text
    await record(engine, ANN, "sft-why-dumber", 10, clock())
    await record(engine, ANN, "sft-why-dumber", 10, clock() + 600)  # graduates: due in days
    [later] = await engine.handle(cmd("review"))
    assert later.kind is ReplyKind.INFO and "Nothing due; next review in" in later.text and "days" in later.text
    assert "Try your weakest topic" in later.text and "`/quiz " in later.text


async def test_telegram_group_review_sends_the_member_to_the_private_chat(engine: QuizEngine, clock):
    await record(engine, ANN, "sft-why-dumber", 0, clock() - DAY)
    [hint] = await engine.handle(cmd("review", chat=GROUP))
    assert hint.kind is ReplyKind.INFO and [b.data for b in hint.buttons] == ["qb:dm:review"]
    [shown] = await engine.handle(cmd("start", "review"))  # the deep link lands in the private chat
    assert shown.kind is ReplyKind.QUESTION and shown.question_id == "sft-why-dumber"


async def test_an_open_private_round_or_answer_link_comes_before_the_review(engine: QuizEngine, clock, monkeypatch):
    async def choose(chat_key, topics, discussion_share=0.0, difficulty=None):
        return engine.bank.question("sft-what-learns")
    monkeypatch.setattr(engine.rounds, "choose", choose)
    await record(engine, ANN, "sft-why-dumber", 0, clock() - DAY)
    await engine.handle(cmd("review"))
    await engine.handle(cmd("quiz", "sft"))  # a private practice question while a card waits
    replies = await engine.handle(text("指令遵循，回答格式"))
    assert kinds(replies)[:2] == [ReplyKind.ACK, ReplyKind.REVEAL]  # the round took it
    replies = await engine.handle(text(best(engine, "sft-why-dumber")))
    assert replies[0].kind is ReplyKind.RESULT  # the card still waited


async def test_review_stop_and_unknown_action(engine: QuizEngine, clock):
    await record(engine, ANN, "sft-why-dumber", 0, clock() - DAY)
    await engine.handle(cmd("review"))
    [stopped] = await engine.handle(cmd("review", "stop"))
    assert "Review stopped; 1 still due" in stopped.text
    [error] = await engine.handle(text("灾难性遗忘"))
    assert error.kind is ReplyKind.ERROR  # no card waits and no round is open
    [usage] = await engine.handle(cmd("review", "later"))
    assert usage.kind is ReplyKind.ERROR and "Usage" in usage.text


async def test_review_stats_and_me(engine: QuizEngine, clock):
    cards = ReviewCards(engine.bank, 0.9, fuzz=False)
    now = clock()
    for qid in ("sft-why-dumber", "sft-what-learns"):
        first = await record(engine, ANN, qid, 8, now - 3 * DAY, cards)
        graduated = await record(engine, ANN, qid, 8, first.due, cards)  # review state, due in days
        await record(engine, ANN, qid, 8 if qid == "sft-why-dumber" else 0, graduated.due, cards)  # a due review
    await record(engine, ANN, "sft-chat-or-base", 0, now - 60)
    [stats] = await engine.handle(cmd("review", "stats"))
    assert stats.kind is ReplyKind.STATS
    assert "Due today: 2" in stats.text  # the failed one and the new one
    assert "learning 1 · review 1 · relearning 1 (3 in all)" in stats.text
    assert "Retention, last 30 days: 50% (1/2 due reviews)" in stats.text
    await engine.handle(cmd("quiz", "sft", chat=GROUP))
    await engine.handle(text("不知道", chat=GROUP))  # an answer, so /me has something to show
    [me] = await engine.handle(cmd("me"))
    assert "Due for review: 2" in me.text


async def test_forget_deletes_cards_and_review_log(engine: QuizEngine, clock):
    await record(engine, ANN, "sft-why-dumber", 0, clock())
    await record(engine, BEN, "sft-why-dumber", 0, clock())
    await engine.handle(cmd("review"))
    await engine.handle(ButtonPress(ANN_DM, ANN, data="qb:forget:yes"))
    for table in ("review_cards", "review_log", "review_current"):
        [(n,)] = await engine.store.fetchall(
            f"SELECT COUNT(*) FROM {table} WHERE member_id = (SELECT id FROM review_members WHERE user_key = ?)",
            (ANN.key,))
        assert n == 0, table
    assert await ReviewStore(engine.store).member(ANN.key) is None
    assert await card(engine, BEN, "sft-why-dumber") is not None


async def test_cards_of_questions_removed_from_the_bank_are_dropped(engine: QuizEngine, clock, bank):
    for user in (ANN, BEN):
        await record(engine, user, "sft-why-dumber", 0, clock() - 2 * DAY)
        await record(engine, user, "sft-what-learns", 0, clock() - DAY)
    [shown] = await engine.handle(cmd("review"))  # Ann's waiting card is one of the removed
    assert shown.question_id == "sft-why-dumber"
    dropped = await ReviewStore(engine.store).drop_removed([q for q in bank.by_id if q != "sft-why-dumber"], chunk=1)
    assert dropped == 2
    rows = await engine.store.fetchall("SELECT question_id FROM review_cards")
    assert {r["question_id"] for r in rows} == {"sft-what-learns"}
    assert await engine.review.drop_removed() == 0  # the whole bank: nothing else goes
    engine.review.start_dropping_removed()  # at start-up it runs in the background; shutdown stops it
    await engine.review.stop_dropping_removed()
    assert len(await engine.store.fetchall("SELECT 1 FROM review_cards")) == 2
    [error] = await engine.handle(text("灾难性遗忘"))
    assert error.kind is ReplyKind.ERROR  # the removed card no longer waits for an answer


async def test_next_due_card_is_read_from_the_index(engine: QuizEngine):
    plan = await engine.store.fetchall(f"EXPLAIN QUERY PLAN {NEXT_DUE}", (1,))
    details = " | ".join(r["detail"] for r in plan)
    assert "USING COVERING INDEX review_cards_due (member_id=?)" in details, details
    assert "TEMP B-TREE" not in details and "SCAN" not in details, details
