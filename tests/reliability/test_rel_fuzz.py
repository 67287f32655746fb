"""Property-based fuzzing of the engine through its neutral events (issue 14).

A hypothesis state machine drives one engine with random interleavings of commands, answers,
picks, button presses, questions of the day, clock jumps (which reveal due rounds), and restarts
(the store closed and reopened, a new engine), with member names and answers drawn from hostile
text: control characters, RTL marks, emoji, lone surrogates, 100k characters, Markdown and HTML.

After every step:
* no exception escaped the engine, and the engine logged no error (no apology was needed);
* at most one answer per member per round, and a member's totals equal the sum of their scores;
* every reply (returned or pushed) fits the platform limits after rendering for Telegram and
  Discord, and every Telegram chunk is valid Bot-API HTML; callback ids stay within 64 bytes.

Profiles: ``ci`` (default, bounded well under 90 s) and ``long`` (set ``QUIZBOT_FUZZ=long``; the
number of sequences can be raised with ``QUIZBOT_FUZZ_EXAMPLES``). Each run prints how many
sequences and steps it ran.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import re
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from adapters.discord.embeds import message_chars
from adapters.discord.embeds import render as discord_render
from adapters.discord.text import dlen
from adapters.telegram.render import render_message, tg_len
from bot.bank import QuestionBank
from bot.config import Settings
from bot.engine import QuizEngine
from bot.events import ButtonPress, ChoicePick, Command, TextAnswer
from bot.model import ChatRef, UserRef
from bot.replies import Reply
from bot.storage import Store

FIXTURE_BANK = Path(__file__).resolve().parents[1] / "fixtures" / "questions"
BANK = QuestionBank.load(FIXTURE_BANK)
T0 = 1_795_003_200.0

LONG = os.environ.get("QUIZBOT_FUZZ") == "long"
EXAMPLES = int(os.environ.get("QUIZBOT_FUZZ_EXAMPLES", "1000" if LONG else "50"))
STEPS = 60 if LONG else 30
FIGURES = {"sequences": 0, "steps": 0, "replies": 0, "restarts": 0}

HOSTILE = [
    "", " ", "\x00\x01\x07\x1b[31m", "\u202eevil\u202c", "\u200f\u200e\u2066x\u2069", "😀👍🏽👨‍👩‍👧",
    "\udc80\udcff", "a\ud800b", "x" * 100_000, "**bold** _it_ `code` ```\nfence", "<b>html</b> <a href='x'>",
    "&amp; &lt; < > &", "[link](javascript:alert(1)) ![img](x)", "| a | b |\n|---|---|\n| 1 | 2 |",
    "# heading\n> quote\n- item", "@everyone <@123> <#1> ||spoiler||", "$x^2$ $$y$$", "\\", "=cmd|' /C calc'!A0",
    "灾难性遗忘 catastrophic forgetting 数据分布偏移", "B", "2", "12", "/quiz", "ans_²", "9" * 25,
]
text = st.one_of(st.sampled_from(HOSTILE), st.text(st.characters(codec=None, exclude_categories=()), max_size=200))
names = st.one_of(st.sampled_from(HOSTILE[:12] + ["Ann", "Bob"]), st.text(max_size=40))
CHATS = [ChatRef("console", "g1", title="group one"), ChatRef("console", "g2", title="<b>two</b>"),
         ChatRef("console", "dm-1", private=True), ChatRef("telegram", "-1001", title="tg")]
COMMANDS = ["quiz", "next", "reveal", "skip", "stop", "leaderboard", "me", "topics", "daily", "lang", "help",
            "start", "forget", "review", "nonsense"]
args = st.lists(st.one_of(st.sampled_from(["sft", "arch", "3", "1", "all", "week", "en", "zh", "ans_1", "review"]),
                          st.sampled_from(HOSTILE)), max_size=3)


class Recorder:
    def __init__(self) -> None:
        self.replies: list[Reply] = []

    async def send(self, reply: Reply) -> None:
        self.replies.append(reply)


ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "tg-emoji",
                "code", "pre", "blockquote"}


class BotApiHtml(HTMLParser):
    """Telegram's HTML subset: known tags only, balanced, entities escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        assert tag in ALLOWED_TAGS, f"tag <{tag}> not allowed"
        self.stack.append(tag)

    def handle_endtag(self, tag) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()


def check_telegram(markup: str) -> None:
    assert tg_len(markup) <= 4096
    parser = BotApiHtml()
    parser.feed(markup)
    parser.close()
    assert not parser.stack, f"unclosed {parser.stack}"
    stray = re.sub(r"<[^>]+>|&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);", "", markup)
    assert "<" not in stray and ">" not in stray and "&" not in stray


def check_reply(reply: Reply) -> None:
    for chunk in render_message(reply.text, reply.folded):
        check_telegram(chunk)
    for button in reply.buttons:
        assert len(button.data.encode()) <= 64
    for message in discord_render(reply):
        assert dlen(message.content) <= 2000
        assert len(message.embeds) <= 10
        assert all(dlen(e.description or "") <= 4096 for e in message.embeds)
        assert message_chars(message) <= 6000


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        FIGURES["sequences"] += 1
        self.loop = asyncio.new_event_loop()
        self.dir = tempfile.mkdtemp(prefix="quizbot-fuzz-")
        self.settings = Settings(db_path=Path(self.dir) / "fuzz.db", questions_dir=FIXTURE_BANK, default_lang="en",
                                 default_tz="Asia/Shanghai")
        self.now = T0
        self.recorder = Recorder()
        self.errors = ErrorLog()
        logging.getLogger("bot").addHandler(self.errors)
        self.engine = self.run(self._open())

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    async def _open(self) -> QuizEngine:
        store = await Store.open(self.settings.db_path)
        engine = QuizEngine(store, BANK, self.settings, clock=lambda: self.now, rng=random.Random(5))
        for platform in ("console", "telegram"):
            engine.add_messenger(platform, self.recorder)
        return engine

    def handle(self, event) -> None:
        replies = self.run(self.engine.handle(event))
        FIGURES["steps"] += 1
        FIGURES["replies"] += len(replies)
        for reply in replies:
            check_reply(reply)

    @rule(chat=st.sampled_from(CHATS), name=names, admin=st.booleans(), command=st.sampled_from(COMMANDS), words=args)
    def command(self, chat, name, admin, command, words) -> None:
        self.handle(Command(chat, UserRef(chat.platform, f"u{len(name) % 3}", name, is_admin=admin), name=command,
                            args=tuple(words)))

    @rule(chat=st.sampled_from(CHATS), member=st.integers(0, 3), name=names, answer=text,
          round_id=st.one_of(st.none(), st.integers(-1, 12), st.just(10**20)))
    def answer(self, chat, member, name, answer, round_id) -> None:
        self.handle(TextAnswer(chat, UserRef(chat.platform, f"u{member}", name), text=answer, round_id=round_id))

    @rule(chat=st.sampled_from(CHATS), member=st.integers(0, 3), round_id=st.integers(-1, 12),
          option=st.integers(-2, 14))
    def pick(self, chat, member, round_id, option) -> None:
        self.handle(ChoicePick(chat, UserRef(chat.platform, f"u{member}", "Picker"), round_id=round_id, option=option))

    @rule(chat=st.sampled_from(CHATS), member=st.integers(0, 3),
          data=st.one_of(st.sampled_from(["qb:next", "qb:forget:yes", "qb:forget:no", "qb:pick:1:0", "qb:pick:2:1",
                                          "qb:ans:1", "qb:ans:²", "qb:pick:99999999999999999999:1", "qb:x"]),
                         st.text(max_size=70)))
    def press(self, chat, member, data) -> None:
        self.handle(ButtonPress(chat, UserRef(chat.platform, f"u{member}", "Presser"), data=data))

    @rule(chat=st.sampled_from(CHATS))
    def daily(self, chat) -> None:
        replies = self.run(self.engine.post_daily(chat, reveal_at=self.now + 3600))
        for reply in replies:
            check_reply(reply)
        self.run(self.engine.push(replies))

    @rule(seconds=st.sampled_from([1, 31, 121, 3601, 86400, 7 * 86400]))
    def clock_jump(self, seconds) -> None:
        self.now += seconds
        self.run(self.engine.expire_due())
        self.run(self.engine.deliver_pushes())

    @rule(coin=st.integers(0, 4))
    def restart(self, coin) -> None:
        if coin:  # one draw in five restarts: sequences stay long enough to build up state
            return
        FIGURES["restarts"] += 1
        self.run(self.engine.store.close())
        self.engine = self.run(self._open())

    @invariant()
    def pushed_replies_fit(self) -> None:
        for reply in self.recorder.replies:
            check_reply(reply)
        FIGURES["replies"] += len(self.recorder.replies)
        self.recorder.replies.clear()

    @invariant()
    def nothing_went_wrong(self) -> None:
        assert not self.errors.records, self.errors.records

    @invariant()
    def totals_are_the_sum_of_scores(self) -> None:
        store = self.engine.store
        bad = self.run(store.fetchall(
            "SELECT t.chat_key, t.user_key FROM totals t LEFT JOIN (SELECT chat_key, user_key, SUM(score) AS total,"
            " COUNT(*) AS n FROM scores GROUP BY chat_key, user_key) s ON s.chat_key = t.chat_key"
            " AND s.user_key = t.user_key WHERE s.total IS NOT t.total OR s.n IS NOT t.n"))
        assert not bad, [tuple(r) for r in bad]
        missing = self.run(store.fetchall(
            "SELECT chat_key, user_key FROM scores EXCEPT SELECT chat_key, user_key FROM totals"))
        assert not missing
        doubled = self.run(store.fetchall(
            "SELECT round_id, user_key FROM answers GROUP BY round_id, user_key HAVING COUNT(*) > 1"))
        assert not doubled

    def teardown(self) -> None:
        logging.getLogger("bot").removeHandler(self.errors)
        try:
            self.run(self.engine.store.close())
        finally:
            self.loop.close()
            shutil.rmtree(self.dir, ignore_errors=True)


def test_engine_survives_random_hostile_sequences() -> None:
    before = dict(FIGURES)
    run_state_machine_as_test(EngineMachine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=not LONG,
        suppress_health_check=list(HealthCheck), database=None))
    ran = {k: FIGURES[k] - before[k] for k in FIGURES}
    print(f"\nfuzz ({'long' if LONG else 'ci'} profile): {ran['sequences']} sequences, {ran['steps']} events,"
          f" {ran['replies']} replies checked, {ran['restarts']} restarts")
    assert ran["sequences"] >= EXAMPLES
