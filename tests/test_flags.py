"""Members report faulty questions: /flag [reason] and the report button under a reveal; three
distinct members take a question out of rotation until `quizbot questions unflag ID`."""

from __future__ import annotations

import subprocess
import sys

from bot.engine import QuizEngine
from bot.events import ButtonPress, Command, TextAnswer
from bot.flags import FLAG_LIMIT, REASON_MAX
from bot.model import ChatRef, UserRef
from bot.replies import CALLBACK_MAX_BYTES, Reply, ReplyKind
from tests.conftest import FIXTURE_BANK, REPO

GROUP = ChatRef("console", "g1", private=False, title="study group")
OTHER = ChatRef("console", "g2", private=False, title="other group")
ALICE = UserRef("console", "alice", "Alice")
BOB = UserRef("console", "bob", "Bob")
CAROL = UserRef("console", "carol", "Carol")
DAVE = UserRef("console", "dave", "Dave")
ADMIN = UserRef("console", "root", "Root", is_admin=True)


def cmd(name: str, *args: str, user: UserRef = ALICE, chat: ChatRef = GROUP, round_id: int | None = None) -> Command:
    return Command(chat, user, None, None, name, args, round_id=round_id)


def only(replies: list[Reply], kind: ReplyKind) -> Reply:
    found = [r for r in replies if r.kind is kind]
    assert len(found) == 1, [(r.kind, r.text) for r in replies]
    return found[0]


async def flags_of(engine: QuizEngine) -> list:
    return await engine.store.fetchall("SELECT * FROM flags ORDER BY id")


async def test_flag_the_open_question_with_a_reason(engine: QuizEngine):
    q = only(await engine.handle(cmd("quiz", "sft")), ReplyKind.QUESTION)
    reply = only(await engine.handle(cmd("flag", "答案", "把", "EWC", "译错了", user=BOB)), ReplyKind.INFO)
    assert reply.to_user == BOB and "1/3" in reply.text and "EWC" in reply.text
    [row] = await flags_of(engine)
    assert (row["question_id"], row["chat_key"], row["user_key"], row["round_id"]) == (
        q.question_id, GROUP.key, BOB.key, q.round_id)
    assert row["reason"] == "答案 把 EWC 译错了" and row["flagged_at"] == engine.clock()


async def test_flag_after_the_reveal_is_about_the_revealed_question(engine: QuizEngine, clock):
    q = only(await engine.handle(cmd("quiz", "sft")), ReplyKind.QUESTION)
    await engine.handle(cmd("reveal"))
    clock.advance(60)
    only(await engine.handle(cmd("flag", user=BOB)), ReplyKind.INFO)
    [row] = await flags_of(engine)
    assert row["question_id"] == q.question_id and row["reason"] == ""
    # a skipped round is not "revealed": the flag still names the last revealed one
    second = only(await engine.handle(cmd("quiz", "sft")), ReplyKind.QUESTION)
    await engine.handle(cmd("skip"))
    only(await engine.handle(cmd("flag", user=CAROL)), ReplyKind.INFO)
    rows = await flags_of(engine)
    assert rows[-1]["question_id"] == q.question_id != second.question_id


async def test_flag_names_the_replied_to_round_of_this_chat_only(engine: QuizEngine):
    first = only(await engine.handle(cmd("quiz", "sft")), ReplyKind.QUESTION)
    await engine.handle(cmd("reveal"))
    second = only(await engine.handle(cmd("quiz", "arch")), ReplyKind.QUESTION)
    only(await engine.handle(cmd("flag", "wrong", user=BOB, round_id=first.round_id)), ReplyKind.INFO)
    rows = await flags_of(engine)
    assert rows[-1]["question_id"] == first.question_id
    # a round id from another chat is not trusted: the chat's own open round is meant
    only(await engine.handle(cmd("flag", user=CAROL, chat=OTHER, round_id=first.round_id)), ReplyKind.ERROR)
    only(await engine.handle(cmd("flag", user=CAROL, round_id=10_000)), ReplyKind.INFO)
    assert (await flags_of(engine))[-1]["question_id"] == second.question_id


async def test_nothing_to_flag_is_a_clear_error(engine: QuizEngine):
    reply = only(await engine.handle(cmd("flag", "x")), ReplyKind.ERROR)
    assert "no question here" in reply.text and reply.to_user == ALICE
    assert await flags_of(engine) == []


async def test_reason_is_bounded_cleaned_and_escaped(engine: QuizEngine):
    only(await engine.handle(cmd("quiz", "sft")), ReplyKind.QUESTION)
    hostile = "**bold** [link](http://x) <b>`code`</b> \x1b[31mred\u202e " + "长" * 500
    reply = only(await engine.handle(cmd("flag", *hostile.split(" "), user=BOB)), ReplyKind.INFO)
    [row] = await flags_of(engine)
    assert len(row["reason"]) <= REASON_MAX and row["reason"].endswith("…")
    assert "\x1b" not in row["reason"] and "\u202e" not in row["reason"]
    assert "\\*\\*bold\\*\\*" in reply.text and "\\[link\\]" in reply.text and "\\<b\\>" in reply.text


async def test_same_member_twice_counts_once_and_updates_the_reason(engine: QuizEngine):
    only(await engine.handle(cmd("quiz", "sft")), ReplyKind.QUESTION)
    await engine.handle(cmd("flag", "typo", user=BOB))
    again = only(await engine.handle(cmd("flag", user=BOB)), ReplyKind.INFO)
    assert "already" in again.text and "1/3" in again.text
    updated = only(await engine.handle(cmd("flag", "the answer is wrong", user=BOB)), ReplyKind.INFO)
    assert "updated" in updated.text
    [row] = await flags_of(engine)
    assert row["reason"] == "the answer is wrong"


async def test_report_button_under_the_reveal_records_whoever_presses_it(engine: QuizEngine):
    q = only(await engine.handle(cmd("quiz", "sft")), ReplyKind.QUESTION)
    reveal = only(await engine.handle(cmd("reveal")), ReplyKind.REVEAL)
    [report] = [b for b in reveal.buttons if b.data.startswith("qb:flag:")]
    assert report.data == f"qb:flag:{q.round_id}" and len(report.data.encode()) <= CALLBACK_MAX_BYTES
    reply = only(await engine.handle(ButtonPress(GROUP, DAVE, None, None, report.data)), ReplyKind.INFO)
    assert reply.to_user == DAVE
    [row] = await flags_of(engine)
    assert row["user_key"] == DAVE.key and row["question_id"] == q.question_id and row["round_id"] == q.round_id
    bogus = only(await engine.handle(ButtonPress(GROUP, DAVE, None, None, "qb:flag:999999")), ReplyKind.ERROR)
    assert bogus.to_user == DAVE


async def test_three_members_take_a_question_out_of_rotation_until_unflagged(engine: QuizEngine, monkeypatch):
    # a one-topic pool of the fixture's choice questions, so rotation is easy to observe
    q = only(await engine.handle(cmd("quiz", "arch")), ReplyKind.QUESTION)
    target = q.question_id
    for i, user in enumerate((ALICE, BOB, CAROL), 1):
        reply = only(await engine.handle(cmd("flag", "wrong", user=user)), ReplyKind.INFO)
        assert f"{i}/{FLAG_LIMIT}" in reply.text
    assert "out of rotation" in reply.text
    await engine.handle(cmd("skip"))
    assert target in await engine.flag_commands.flags.flagged_out()
    arch = [x.id for x in engine.bank.topics["arch"].questions]
    seen = set()
    for _ in range(3 * len(arch)):
        picked = await engine.rounds.choose(GROUP.key, ["arch"])
        assert picked is not None
        seen.add(picked.id)
    assert target not in seen and seen == set(arch) - {target}
    # the question of the day never picks it either
    for _ in range(10):
        assert (await engine.rounds.choose(OTHER.key, ["arch"], 0.0, 2)).id != target
    cleared = await engine.flag_commands.flags.clear(target, engine.clock())
    assert cleared == 3 and target not in await engine.flag_commands.flags.flagged_out()
    picks = {(await engine.rounds.choose("console:fresh", ["arch"])).id for _ in range(40)}
    assert target in picks


async def test_flags_cli_lists_and_unflag_returns_the_question(engine: QuizEngine, settings):
    q = only(await engine.handle(cmd("quiz", "arch")), ReplyKind.QUESTION)
    for user, reason in ((ALICE, "选项 B 也对"), (BOB, "\x1b[2Jclear screen"), (CAROL, "")):
        await engine.handle(TextAnswer(GROUP, user, None, None, "hi"))  # members known by name
        await engine.handle(cmd("flag", *reason.split(), user=user))
    await engine.store.close()  # the CLI opens the database itself
    run = [sys.executable, "-m", "bot", "--db", str(settings.db_path), "--questions", str(FIXTURE_BANK)]
    out = subprocess.run([*run, "questions", "flags"], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert out.returncode == 0, out.stderr
    assert f"{q.question_id}  3/3 member(s), OUT OF ROTATION" in out.stdout
    assert "选项 B 也对" in out.stdout and "(no reason given)" in out.stdout and "Alice" in out.stdout
    assert "\x1b" not in out.stdout and "[2Jclear screen" in out.stdout  # dropped when stored
    done = subprocess.run([*run, "questions", "unflag", q.question_id], capture_output=True, text=True, cwd=REPO,
                          timeout=60)
    assert done.returncode == 0 and "cleared 3 report(s)" in done.stdout
    after = subprocess.run([*run, "questions", "flags"], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert "no open reports" in after.stdout
    again = subprocess.run([*run, "questions", "unflag", q.question_id], capture_output=True, text=True,
                           cwd=REPO, timeout=60)
    assert again.returncode == 1 and "no open reports" in again.stderr


def test_terminal_safe_escapes_control_characters():
    from bot.bank.flag_cli import terminal_safe

    assert terminal_safe("ok 好 \x1b[31mred\r\n") == "ok 好 \\x1b[31mred\\r\\n"
