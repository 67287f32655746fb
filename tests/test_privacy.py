"""Only members answer, private stays private (through the engine and the console).

* a private-answer link is a signed payload bound to the round and its chat (a key the chat had
  before it moved counts too); it is checked for membership when used (the console: a member is
  someone who has spoken in the chat), a refusal says
  why and changes nothing, a round cannot be answered from another platform, and a rejected private
  answer keeps the link usable;
* /forget's buttons carry the requester: another member's press is refused;
* a group reveal shows a private answerer's score, never the text;
* member names and echoed text are escaped in every message.
"""

from __future__ import annotations

import io
import re

import pytest

from adapters.console import ConsoleAdapter
from adapters.discord.text import to_discord
from adapters.telegram.render import render_message
from bot.engine import QuizEngine
from bot.events import ButtonPress, ChoicePick, Command, TextAnswer
from bot.model import ChatRef, UserRef
from bot.replies import Reply, ReplyKind
from bot.storage import Store

GROUP = ChatRef("console", "g1", private=False, title="study group")
OTHER_GROUP = ChatRef("console", "g2", private=False, title="other group")
ALICE = UserRef("console", "alice", "Alice")
BOB = UserRef("console", "bob", "Bob")
EVE = UserRef("console", "eve", "Eve")
HOSTILE_NAMES = ("[x](https://evil)", "@everyone", "<b>bold</b>", "$a_b$")


def dm(user: UserRef) -> ChatRef:
    return ChatRef(user.platform, f"dm-{user.id}", private=True)


def cmd(name: str, *args: str, user: UserRef = ALICE, chat: ChatRef = GROUP) -> Command:
    return Command(chat, user, name=name, args=args)


def only(replies: list[Reply], kind: ReplyKind) -> Reply:
    found = [r for r in replies if r.kind is kind]
    assert found, f"no {kind} reply in {[(r.kind, r.text) for r in replies]}"
    return found[0]


def force(monkeypatch, engine: QuizEngine, question_id: str) -> None:
    async def choose(chat_key, topics, discussion_share=0.0, difficulty=None, **_):
        return engine.bank.question(question_id)

    monkeypatch.setattr(engine.rounds, "choose", choose)


async def pending(store: Store, user: UserRef) -> int | None:
    row = await store.fetchone("SELECT round_id FROM pending_private WHERE user_key = ?", (user.key,))
    return row["round_id"] if row else None


async def open_question(engine: QuizEngine, monkeypatch, qid: str = "sft-why-dumber") -> Reply:
    force(monkeypatch, engine, qid)
    return only(await engine.handle(cmd("quiz", "sft")), ReplyKind.QUESTION)


# -- 1. only members answer -----------------------------------------------------------------------


async def test_payload_is_signed_short_and_bound_to_round_and_chat(engine: QuizEngine, monkeypatch):
    q = await open_question(engine, monkeypatch)
    payload = await engine.private_answer_payload(q.round_id, GROUP.key)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload), payload  # Telegram's deep-link alphabet and length
    assert payload != f"ans_{q.round_id}" and len(payload) >= 4 + len(str(q.round_id)) + 1 + 22
    assert payload == await engine.private_answer_payload(q.round_id, GROUP.key)  # stable: the key is stored
    assert payload != await engine.private_answer_payload(q.round_id, OTHER_GROUP.key)
    await engine.handle(cmd("me", user=BOB))  # Bob is a member
    forged = [f"ans_{q.round_id}", await engine.private_answer_payload(q.round_id, OTHER_GROUP.key),
              payload[:-1] + ("A" if payload[-1] != "A" else "B"), f"ans_{q.round_id + 1}" + payload[len(f"ans_{q.round_id}"):]]
    for bad in forged:
        refused = await engine.handle(cmd("start", bad, user=BOB, chat=dm(BOB)))
        assert refused[0].kind is ReplyKind.ERROR and "not valid" in refused[0].text, bad
    assert await pending(engine.store, BOB) is None


async def test_the_key_survives_a_restart(engine: QuizEngine, store, bank, settings, clock, monkeypatch):
    q = await open_question(engine, monkeypatch)
    payload = await engine.private_answer_payload(q.round_id, GROUP.key)
    again = QuizEngine(store, bank, settings, clock=clock)
    assert await again.private_answer_payload(q.round_id, GROUP.key) == payload


async def test_a_link_signed_before_the_chat_moved_still_opens_its_round(engine: QuizEngine, store: Store,
                                                                         monkeypatch):
    q = await open_question(engine, monkeypatch)
    old_payload = await engine.private_answer_payload(q.round_id, GROUP.key)
    foreign = await engine.private_answer_payload(q.round_id, OTHER_GROUP.key)
    # the group changes id twice (g1 -> g1b -> g1c): the round moves with it
    assert await engine.chats.move(GROUP.key, "console:g1b")
    assert await engine.chats.move("console:g1b", "console:g1c")
    moved = ChatRef("console", "g1c", private=False, title="study group")
    await engine.handle(cmd("me", user=BOB, chat=moved))  # Bob is a member of the chat as it is now
    refused = await engine.handle(cmd("start", foreign, user=BOB, chat=dm(BOB)))  # never moved in: still refused
    assert refused[0].kind is ReplyKind.ERROR and "not valid" in refused[0].text
    prompt = await engine.handle(cmd("start", old_payload, user=BOB, chat=dm(BOB)))
    assert prompt[0].kind is ReplyKind.INFO and prompt[0].round_id == q.round_id
    ack = await engine.handle(TextAnswer(dm(BOB), BOB, text="灾难性遗忘，数据分布偏移"))
    assert ack[0].kind is ReplyKind.ACK
    row = await store.fetchone("SELECT chat_key, private FROM answers WHERE user_key = ?", (BOB.key,))
    assert (row["chat_key"], row["private"]) == (moved.key, 1)


async def test_outsider_is_refused_and_nothing_changes(engine: QuizEngine, store: Store, monkeypatch):
    q = await open_question(engine, monkeypatch)
    payload = await engine.private_answer_payload(q.round_id, GROUP.key)
    refused = await engine.handle(cmd("start", payload, user=EVE, chat=dm(EVE)))
    assert refused[0].kind is ReplyKind.ERROR and "Only members" in refused[0].text
    assert await pending(store, EVE) is None
    # nor can Eve answer it by naming the round, from her private chat or another group
    for chat in (dm(EVE), OTHER_GROUP):
        replies = await engine.handle(TextAnswer(chat, EVE, text="灾难性遗忘", round_id=q.round_id))
        assert replies[0].kind is ReplyKind.ERROR and "Only members" in replies[0].text
    assert (await store.fetchone("SELECT COUNT(*) FROM answers"))[0] == 0


async def test_round_of_another_platform_is_refused(engine: QuizEngine, store: Store, monkeypatch):
    q = await open_question(engine, monkeypatch)
    payload = await engine.private_answer_payload(q.round_id, GROUP.key)
    tg_user = UserRef("telegram", "42", "Tess")
    replies = await engine.handle(Command(ChatRef("telegram", "42", private=True), tg_user, name="start",
                                          args=(payload,)))
    assert replies[0].kind is ReplyKind.ERROR and "another platform" in replies[0].text
    assert await pending(store, tg_user) is None


async def test_member_answers_privately_and_a_rejected_answer_keeps_the_link(engine: QuizEngine, store: Store,
                                                                             monkeypatch):
    q = await open_question(engine, monkeypatch)
    await engine.handle(cmd("me", user=BOB))
    payload = await engine.private_answer_payload(q.round_id, GROUP.key)
    prompt = await engine.handle(cmd("start", payload, user=BOB, chat=dm(BOB)))
    assert prompt[0].kind is ReplyKind.INFO and prompt[0].round_id == q.round_id
    for rejected in ("🙂🙂", "   "):
        replies = await engine.handle(TextAnswer(dm(BOB), BOB, text=rejected))
        assert replies[0].kind is ReplyKind.ERROR
        assert await pending(store, BOB) == q.round_id  # still usable
    ack = await engine.handle(TextAnswer(dm(BOB), BOB, text="灾难性遗忘，数据分布偏移"))
    assert ack[0].kind is ReplyKind.ACK
    assert await pending(store, BOB) is None  # used
    row = await store.fetchone("SELECT round_id, private FROM answers WHERE user_key = ?", (BOB.key,))
    assert (row["round_id"], row["private"]) == (q.round_id, 1)


async def test_closed_round_link_says_so(engine: QuizEngine, monkeypatch):
    q = await open_question(engine, monkeypatch)
    payload = await engine.private_answer_payload(q.round_id, GROUP.key)
    await engine.handle(cmd("skip"))
    await engine.handle(cmd("me", user=BOB))
    replies = await engine.handle(cmd("start", payload, user=BOB, chat=dm(BOB)))
    assert replies[0].kind is ReplyKind.ERROR and "closed" in replies[0].text


async def test_pick_from_outside_the_chat_is_refused(engine: QuizEngine, store: Store, monkeypatch):
    force(monkeypatch, engine, "arch-chatglm-family")
    q = only(await engine.handle(cmd("quiz", "arch")), ReplyKind.QUESTION)
    replies = await engine.handle(ChoicePick(OTHER_GROUP, EVE, round_id=q.round_id, option=0))
    assert replies[0].kind is ReplyKind.ERROR and "Only members" in replies[0].text
    assert (await store.fetchone("SELECT COUNT(*) FROM answers"))[0] == 0


async def test_console_membership_is_having_spoken_in_the_group(engine: QuizEngine, store: Store, monkeypatch):
    force(monkeypatch, engine, "sft-why-dumber")
    out = io.StringIO()
    console = ConsoleAdapter(engine, out=out, group="g1")
    q = only(await console.feed("/quiz sft"), ReplyKind.QUESTION)
    payload = await engine.private_answer_payload(q.round_id, console.group.key)
    await console.feed("/as Eve")
    await console.feed("/in private")
    refused = await console.feed(f"/start {payload}")
    assert refused[0].kind is ReplyKind.ERROR and "Only members of that chat" in out.getvalue()
    await console.feed("/as Bob")
    await console.feed("/in group")
    await console.feed("/topics")  # Bob speaks in the group
    await console.feed("/in private")
    assert only(await console.feed(f"/start {payload}"), ReplyKind.INFO).round_id == q.round_id
    assert only(await console.feed("灾难性遗忘"), ReplyKind.ACK)


async def test_console_answer_button_opens_a_private_answer(engine: QuizEngine, store: Store, monkeypatch):
    force(monkeypatch, engine, "sft-why-dumber")
    console = ConsoleAdapter(engine, out=io.StringIO(), group="g1")
    q = only(await console.feed("/quiz sft"), ReplyKind.QUESTION)
    await console.feed("/as Bob")
    only(await console.feed("/press 1"), ReplyKind.INFO)  # "Answer privately", pressed in the group
    await console.feed("/in private")
    only(await console.feed("灾难性遗忘"), ReplyKind.ACK)
    row = await store.fetchone("SELECT round_id, private FROM answers WHERE user_key = 'console:bob'")
    assert (row["round_id"], row["private"]) == (q.round_id, 1)
    # the same button id pressed in another chat is not this chat's button
    other = await engine.handle(ButtonPress(OTHER_GROUP, EVE, data=f"qb:ans:{q.round_id}"))
    assert other[0].kind is ReplyKind.ERROR


# -- 2. /forget is bound to whoever asked ----------------------------------------------------------


async def test_forget_buttons_count_only_for_the_requester(engine: QuizEngine, store: Store, monkeypatch):
    await open_question(engine, monkeypatch)
    await engine.handle(TextAnswer(GROUP, BOB, text="灾难性遗忘"))
    await engine.handle(cmd("reveal"))
    confirm = only(await engine.handle(cmd("forget", user=BOB)), ReplyKind.INFO)
    assert confirm.to_user == BOB
    for button in confirm.buttons:
        assert len(button.data.encode()) <= 64
        refused = await engine.handle(ButtonPress(GROUP, ALICE, data=button.data))
        assert refused[0].kind is ReplyKind.ERROR and refused[0].text == "This is not your button."
        assert refused[0].to_user == ALICE
    assert (await store.fetchone("SELECT COUNT(*) FROM answers"))[0] == 1
    # a confirmation without a requester (an old message) is refused in a group
    assert (await engine.handle(ButtonPress(GROUP, ALICE, data="qb:forget:yes")))[0].kind is ReplyKind.ERROR
    assert (await store.fetchone("SELECT COUNT(*) FROM answers"))[0] == 1
    done = await engine.handle(ButtonPress(GROUP, BOB, data=confirm.buttons[0].data))
    assert "Deleted 1" in done[0].text
    assert (await store.fetchone("SELECT COUNT(*) FROM answers"))[0] == 0


async def test_forget_press_through_the_console(engine: QuizEngine, store: Store, monkeypatch):
    await open_question(engine, monkeypatch)
    out = io.StringIO()
    console = ConsoleAdapter(engine, out=out, group="g1", user="Bob")
    await console.feed("灾难性遗忘")
    await console.feed("/reveal")
    await console.feed("/forget")
    await console.feed("/as Carol")
    assert only(await console.feed("/press 1"), ReplyKind.ERROR).text == "This is not your button."
    assert (await store.fetchone("SELECT COUNT(*) FROM answers"))[0] == 1
    await console.feed("/as Bob")
    assert "Deleted 1" in only(await console.feed("/press 1"), ReplyKind.INFO).text


@pytest.mark.parametrize("name", ["x" * 60, "a:b", "名字 with space"])
async def test_forget_button_fits_for_any_console_name(engine: QuizEngine, name: str):
    user = UserRef("console", name.lower(), name)
    confirm = only(await engine.handle(cmd("forget", user=user)), ReplyKind.INFO)
    assert all(len(b.data.encode()) <= 64 for b in confirm.buttons)
    assert "Cancelled" in (await engine.handle(ButtonPress(GROUP, user, data=confirm.buttons[1].data)))[0].text


# -- 3. private answers are never published --------------------------------------------------------


async def test_discussion_reveal_shows_private_answers_score_never_text(engine: QuizEngine, monkeypatch):
    q = await open_question(engine, monkeypatch, "sft-discuss-experience")
    await engine.handle(TextAnswer(GROUP, ALICE, text="我们在客服数据上做过全参数微调"))
    await engine.handle(cmd("me", user=BOB))
    await engine.handle(cmd("start", await engine.private_answer_payload(q.round_id, GROUP.key), user=BOB,
                            chat=dm(BOB)))
    secret = "我的秘密项目用了八张卡做LoRA微调"
    assert only(await engine.handle(TextAnswer(dm(BOB), BOB, text=secret)), ReplyKind.ACK)
    reveal = only(await engine.handle(cmd("reveal")), ReplyKind.REVEAL)
    assert reveal.chat == GROUP
    assert "客服数据" in reveal.text  # posted in the group: shown
    assert secret not in reveal.text and "LoRA" not in reveal.text + reveal.folded
    bob_line = next(line for line in reveal.text.splitlines() if "Bob" in line)
    assert "answered privately" in bob_line and "/10" in bob_line


async def test_open_reveal_lists_private_score_and_points(engine: QuizEngine, monkeypatch):
    q = await open_question(engine, monkeypatch)
    await engine.handle(cmd("me", user=BOB))
    await engine.handle(cmd("start", await engine.private_answer_payload(q.round_id, GROUP.key), user=BOB,
                            chat=dm(BOB)))
    await engine.handle(TextAnswer(dm(BOB), BOB, text="灾难性遗忘，这是我私下写的"))
    await engine.handle(cmd("lang", "zh"))
    reveal = only(await engine.handle(cmd("reveal")), ReplyKind.REVEAL)
    bob_line = next(line for line in reveal.text.splitlines() if "Bob" in line)
    assert "私下作答" in bob_line and "灾难性遗忘" in bob_line and "/10" in bob_line
    assert "私下写的" not in reveal.text


# -- 4. member names and echoed text are escaped ---------------------------------------------------


def assert_inert(markdown: str, hostile: str) -> None:
    """Neither platform renders a link, a tag or a formula from the member's text."""
    for html in render_message(markdown):
        assert "<a " not in html and "<b>bold" not in html and "<tg-" not in html
    # Discord renders no HTML; a link could only come from [label](url) outside a code span
    outside_code = re.sub(r"`[^`]*`", "", to_discord(markdown))
    assert "[x](https://evil)" not in outside_code and "](https://evil)" not in outside_code.replace("\\]", "")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
async def test_hostile_names_are_escaped_everywhere(engine: QuizEngine, monkeypatch, name: str):
    member = UserRef("console", "m1", name)
    await open_question(engine, monkeypatch)
    replies = await engine.handle(TextAnswer(GROUP, member, text="灾难性遗忘"))
    replies += await engine.handle(cmd("reveal"))
    replies += await engine.handle(cmd("leaderboard", "week"))
    replies += await engine.handle(cmd("me", user=member))
    force(monkeypatch, engine, "arch-chatglm-family")
    replies += await engine.handle(cmd("quiz", "arch"))
    rid = replies[-1].round_id
    replies += await engine.handle(ChoicePick(GROUP, member, round_id=rid, option=0))
    shown = [r for r in replies if name.replace("<b>bold</b>", "<b>") in r.text or "\\" in r.text]
    assert shown, "the name should appear escaped somewhere"
    for reply in replies:
        raw_name_unescaped = name in reply.text and any(c in name for c in "[]<>$_")
        assert not raw_name_unescaped, (reply.kind, reply.text)
        assert_inert(reply.text, name)


async def test_unknown_command_and_topic_are_echoed_inert(engine: QuizEngine):
    sneaky = "foo`[x](https://evil)`"
    reply = (await engine.handle(cmd(sneaky)))[0]
    assert reply.kind is ReplyKind.ERROR and "`" not in reply.text.split("`/", 1)[1].split("`", 1)[0]
    assert_inert(reply.text, sneaky)
    topic = (await engine.handle(cmd("quiz", "[x](https://evil)", "$a_b$")))[0]
    assert "\\[x\\]" in topic.text and "\\$a\\_b\\$" in topic.text
    assert_inert(topic.text, "[x](https://evil)")
