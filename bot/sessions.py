"""On-demand quiz sessions: ``/quiz [topic] [n]`` opens n questions one after another.

A session row (``sessions``) remembers the chat, who started it, the topic and how many questions
it has; each of its rounds carries ``session_id`` and ``seq``. When a round of a session closes
(reveal or skip) ``after_close`` opens the next question, or ends the session with its ranking.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.bank import QuestionBank
from bot.catalogue import say
from bot.chats import ChatDirectory
from bot.config import Settings
from bot.model import ChatRef, Kind, Round, RoundKind
from bot.replies import Reply, ReplyKind
from bot.rounds import Rounds
from bot.stats import Stats
from bot.storage import Store
from bot.views import duration, next_buttons, question_reply


class Sessions:
    def __init__(self, store: Store, bank: QuestionBank, settings: Settings, clock: Callable[[], float],
                 rounds: Rounds, stats: Stats, chats: ChatDirectory) -> None:
        self.store = store
        self.bank = bank
        self.settings = settings
        self.clock = clock
        self.rounds = rounds
        self.stats = stats
        self.chats = chats

    async def start(self, chat: ChatRef, started_by: str, topic_slug: str | None, total: int,
                    lang: str) -> list[Reply]:
        """A new session of ``total`` questions (on one topic, or on all); its first question."""
        async with self.store.write() as db:
            cur = await db.execute(
                "INSERT INTO sessions(chat_key, started_by, topic, total, created_at) VALUES (?, ?, ?, ?, ?)",
                (chat.key, started_by, topic_slug, total, self.clock()),
            )
            session_id = cur.lastrowid
        assert session_id is not None  # an INSERT always sets it
        return await self.open_round(chat, session_id, 1, total, topic_slug, started_by, lang)

    async def last_topic(self, chat_key: str) -> str | None:
        """The topic of the chat's latest session (``/next`` continues on it)."""
        row = await self.store.fetchone(
            "SELECT topic FROM sessions WHERE chat_key = ? ORDER BY id DESC LIMIT 1", (chat_key,)
        )
        return row["topic"] if row else None

    async def open_round(self, chat: ChatRef, session_id: int, seq: int, total: int, topic_slug: str | None,
                         started_by: str | None, lang: str) -> list[Reply]:
        """Open question ``seq`` of ``total`` and return it as a reply."""
        topics = [topic_slug] if topic_slug else [t for t in self.bank.topics if self.bank.topics[t].questions]
        question = await self.rounds.choose(chat.key, topics)
        if question is None:
            return [Reply(chat, ReplyKind.ERROR, say(lang, "no_questions"))]
        window = self.settings.choice_window if question.kind is Kind.CHOICE else self.settings.open_window
        now = self.clock()
        rnd = await self.rounds.create(chat.key, question, RoundKind.QUIZ, started_by, now, now + window,
                                       session_id, seq, thread=chat.thread)
        assert rnd is not None  # only a daily round can lose the race for its date
        topic = self.bank.topics[question.topic].title(lang)
        header = say(lang, "question_header", seq=seq, total=total, topic=topic)
        if question.kind is Kind.CHOICE:
            hint = say(lang, "choice_hint", window=duration(window, lang))
        elif chat.private:
            hint = say(lang, "open_hint_private")
        else:
            key = "open_hint_button" if self.chats.answers_by_button(chat) else "open_hint"
            hint = say(lang, key, window=duration(window, lang))
        return [question_reply(chat, rnd, question, header, hint, lang, window)]

    async def continues(self, rnd: Round) -> bool:
        """Whether another question of this round's session follows it."""
        if rnd.session_id is None:
            return False
        row = await self.store.fetchone("SELECT total, status FROM sessions WHERE id = ?", (rnd.session_id,))
        return row is not None and row["status"] == "active" and rnd.seq < row["total"]

    async def end(self, session_id: int) -> None:
        async with self.store.write() as db:
            await db.execute("UPDATE sessions SET status = 'done' WHERE id = ?", (session_id,))

    async def after_close(self, chat: ChatRef, rnd: Round, lang: str) -> list[Reply]:
        """After a round of a session closed: the next question, or the final ranking."""
        if rnd.session_id is None:
            return []
        row = await self.store.fetchone("SELECT total, topic, status, started_by FROM sessions WHERE id = ?",
                                        (rnd.session_id,))
        if row is None or row["status"] != "active":
            return []
        if rnd.seq < row["total"]:
            return await self.open_round(chat, rnd.session_id, rnd.seq + 1, row["total"], row["topic"],
                                         row["started_by"], lang)
        await self.end(rnd.session_id)
        return await self.ranking(chat, rnd.session_id, lang)

    async def ranking(self, chat: ChatRef, session_id: int, lang: str) -> list[Reply]:
        """The session's ranking; nothing for a one-question session (its reveal says it all)."""
        text, rounds = await self.stats.session_ranking_text(session_id, lang)
        if rounds < 2:
            return []
        return [Reply(chat, ReplyKind.RANKING, text, buttons=next_buttons(chat, lang))]
