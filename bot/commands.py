"""The chat commands of the QuizEngine: /quiz, /next, /reveal, /skip, /stop, /leaderboard, /me,
/lang, /forget, /daily, /start, /help, /topics, plus commands other parts register (/schedule).

A mixin so that ``bot.engine`` stays the use-case core (answers, reveals, sessions) and this
module the command surface; both work on the same QuizEngine state.
"""

from __future__ import annotations

import re

from bot.catalogue import say
from bot.events import Command, Event
from bot.model import ChatRef, Kind, Question, Round, RoundKind, RoundStatus
from bot.replies import Button, Reply, ReplyKind
from bot.views import LETTERS, clip, duration, md_escape, question_text


class CommandsMixin:
    """Mixed into QuizEngine; uses its store, bank, rounds, stats, settings and helpers."""

    # -- commands -----------------------------------------------------------------------------

    async def _command(self, cmd: Command, lang: str) -> list[Reply]:
        name = cmd.name
        if name in self.extra_commands:
            handler, admin_only = self.extra_commands[name]
            if admin_only and not self.is_admin(cmd.chat, cmd.user):
                return [self._error(cmd, lang, "not_admin", name=name)]
            return await handler(cmd, lang)
        simple = {
            "help": lambda: [self._info(cmd.chat, say(lang, "help"))],
            "topics": lambda: [self._info(cmd.chat, self.stats.topics_text(lang))],
        }
        if name in simple:
            return simple[name]()
        handlers = {
            "start": self._cmd_start, "quiz": self._cmd_quiz, "next": self._cmd_next,
            "reveal": self._cmd_reveal, "skip": self._cmd_skip, "stop": self._cmd_stop,
            "leaderboard": self._cmd_leaderboard, "top": self._cmd_leaderboard, "me": self._cmd_me,
            "lang": self._cmd_lang, "forget": self._cmd_forget, "daily": self._cmd_daily,
        }
        handler = handlers.get(name)
        if handler is None:
            return [self._error(cmd, lang, "unknown_command", name=name[:32])]
        return await handler(cmd, lang)

    async def _cmd_start(self, cmd: Command, lang: str) -> list[Reply]:
        payload = cmd.args[0] if cmd.args else ""
        if payload.startswith("ans_") and payload[4:].isdigit():
            rnd = await self.rounds.get(int(payload[4:]))
            if rnd is None or rnd.status is not RoundStatus.OPEN:
                return [self._error(cmd, lang, "private_round_gone")]
            async with self.store.write() as db:
                await db.execute(
                    "INSERT INTO pending_private(user_key, round_id, set_at) VALUES (?, ?, ?)"
                    " ON CONFLICT(user_key) DO UPDATE SET round_id = excluded.round_id, set_at = excluded.set_at",
                    (cmd.user.key, rnd.id, self.clock()),
                )
            q = self.bank.question(rnd.question_id)
            prompt = q.prompt if q else rnd.question_id
            return [self._info(cmd.chat, say(lang, "private_prompt", prompt=prompt), round_id=rnd.id)]
        return [self._info(cmd.chat, say(lang, "welcome") + "\n\n" + say(lang, "help"))]

    def _parse_quiz_args(self, args: tuple[str, ...]) -> tuple[str, int | None]:
        args = tuple(a for a in args if a)
        if args and re.fullmatch(r"[+-]?\d+", args[-1]):
            return " ".join(args[:-1]), int(args[-1])
        return " ".join(args), None

    async def _cmd_quiz(self, cmd: Command, lang: str) -> list[Reply]:
        query, count = self._parse_quiz_args(cmd.args)
        maximum = self.settings.max_quiz_questions
        if count is not None and not 1 <= count <= maximum:
            return [self._error(cmd, lang, "bad_count", max=maximum)]
        topics = list(self.bank.topics)
        topic_slug = None
        if query:
            topic = self.bank.find_topic(query)
            if topic is None:
                return [self._unknown_topic(cmd, lang, query)]
            topics, topic_slug = [topic.slug], topic.slug
        if not any(self.bank.topics[t].questions for t in topics):
            return [self._error(cmd, lang, "no_questions")]
        if await self.rounds.open_in(cmd.chat.key):
            return [self._error(cmd, lang, "round_running")]
        total = count or 1
        now = self.clock()
        async with self.store.write() as db:
            cur = await db.execute(
                "INSERT INTO sessions(chat_key, started_by, topic, total, created_at) VALUES (?, ?, ?, ?, ?)",
                (cmd.chat.key, cmd.user.key, topic_slug, total, now),
            )
            session_id = cur.lastrowid
        return await self._open_quiz_round(cmd.chat, session_id, 1, total, topic_slug, cmd.user.key, lang)

    def _unknown_topic(self, event: Event, lang: str, query: str) -> Reply:
        near = self.bank.suggest(query)
        names = ", ".join(f"`{t.slug}` ({t.title(lang)})" for t in near)
        suggest = say(lang, "did_you_mean", names=names) if near else ""
        return self._error(event, lang, "unknown_topic", query=md_escape(clip(query, 40)), suggest=suggest)

    async def _open_quiz_round(self, chat: ChatRef, session_id: int, seq: int, total: int,
                               topic_slug: str | None, started_by: str | None, lang: str) -> list[Reply]:
        topics = [topic_slug] if topic_slug else [t for t in self.bank.topics if self.bank.topics[t].questions]
        question = await self.rounds.choose(chat.key, topics)
        if question is None:
            return [self._info(chat, say(lang, "no_questions"), ReplyKind.ERROR)]
        window = self.settings.choice_window if question.kind is Kind.CHOICE else self.settings.open_window
        now = self.clock()
        rnd = await self.rounds.create(chat.key, question, RoundKind.QUIZ, started_by, now, now + window,
                                       session_id, seq)
        topic = self.bank.topics[question.topic].title(lang)
        header = say(lang, "question_header", seq=seq, total=total, topic=topic)
        if question.kind is Kind.CHOICE:
            hint = say(lang, "choice_hint", window=duration(window, lang))
        elif chat.private:
            hint = say(lang, "open_hint_private")
        else:
            key = "open_hint_button" if chat.platform in self.button_platforms else "open_hint"
            hint = say(lang, key, window=duration(window, lang))
        return [self._question_reply(chat, rnd, question, header, hint, lang, window)]

    def _question_reply(self, chat: ChatRef, rnd: Round, q: Question, header: str, hint: str, lang: str,
                        window: float | None) -> Reply:
        if q.kind is Kind.CHOICE:
            buttons = tuple(
                Button(f"{LETTERS[i]}. {opt}", f"qb:pick:{rnd.id}:{i}") for i, opt in enumerate(q.options)
            )
            return Reply(chat, ReplyKind.QUESTION, question_text(q, header, hint, lang), buttons=buttons,
                         options=q.options, correct=q.correct, explanation=q.explanation, round_id=rnd.id,
                         question_id=q.id, window=window)
        buttons = () if chat.private else (Button(say(lang, "answer_privately"), f"qb:ans:{rnd.id}"),)
        return Reply(chat, ReplyKind.QUESTION, question_text(q, header, hint, lang), buttons=buttons,
                     round_id=rnd.id, question_id=q.id, window=window)

    async def _cmd_next(self, cmd: Command, lang: str) -> list[Reply]:
        if await self.rounds.open_in(cmd.chat.key):
            return [self._error(cmd, lang, "round_running")]
        row = await self.store.fetchone(
            "SELECT topic FROM sessions WHERE chat_key = ? ORDER BY id DESC LIMIT 1", (cmd.chat.key,)
        )
        topic = row["topic"] if row else None
        return await self._cmd_quiz(Command(cmd.chat, cmd.user, cmd.locale, None, "quiz",
                                            (topic,) if topic else ()), lang)

    async def _controllable_round(self, cmd: Command, lang: str) -> tuple[Round | None, list[Reply]]:
        rnd = await self.rounds.open_in(cmd.chat.key)
        if rnd is None:
            return None, [self._error(cmd, lang, "no_open_round")]
        admin = self.is_admin(cmd.chat, cmd.user)
        if rnd.kind is RoundKind.DAILY and not admin:
            return None, [self._error(cmd, lang, "not_admin", name=cmd.name)]
        if not admin and rnd.started_by != cmd.user.key:
            return None, [self._error(cmd, lang, "not_starter", name=cmd.name)]
        return rnd, []

    async def _cmd_reveal(self, cmd: Command, lang: str) -> list[Reply]:
        rnd, errors = await self._controllable_round(cmd, lang)
        return errors if rnd is None else await self.reveal(rnd.id)

    async def _cmd_skip(self, cmd: Command, lang: str) -> list[Reply]:
        rnd, errors = await self._controllable_round(cmd, lang)
        if rnd is None:
            return errors
        if not await self.rounds.close(rnd.id, self.clock(), skipped=True):
            return []
        replies = [self._info(cmd.chat, say(lang, "skipped"), round_id=rnd.id)]
        return replies + await self._after_close(cmd.chat, rnd, lang)

    async def _cmd_stop(self, cmd: Command, lang: str) -> list[Reply]:
        rnd, errors = await self._controllable_round(cmd, lang)
        if rnd is None:
            return errors
        if not await self.rounds.close(rnd.id, self.clock(), skipped=True):
            return []
        replies = [self._info(cmd.chat, say(lang, "stopped"), round_id=rnd.id)]
        if rnd.session_id is not None:
            await self._end_session(rnd.session_id)
            replies += await self._session_ranking(cmd.chat, rnd.session_id, lang, force=False)
        return replies

    async def _cmd_leaderboard(self, cmd: Command, lang: str) -> list[Reply]:
        period = (cmd.args[0].lower() if cmd.args else "week")
        if period not in ("week", "month", "all"):
            return [self._error(cmd, lang, "bad_period")]
        _lang, tz = await self.chat_settings(cmd.chat)
        text = await self.stats.leaderboard_text(cmd.chat.key, period, tz, self.clock(), lang)
        return [self._info(cmd.chat, text, ReplyKind.BOARD)]

    async def _cmd_me(self, cmd: Command, lang: str) -> list[Reply]:
        _lang, tz = await self.chat_settings(cmd.chat)
        text = await self.stats.me_text(cmd.user, self.local_date(tz), lang)
        return [self._info(cmd.chat, text, ReplyKind.STATS)]

    async def _cmd_lang(self, cmd: Command, lang: str) -> list[Reply]:
        new = cmd.args[0].lower() if cmd.args else ""
        if new not in ("zh", "en"):
            return [self._error(cmd, lang, "bad_lang")]
        async with self.store.write() as db:
            await db.execute("UPDATE chats SET lang = ? WHERE key = ?", (new, cmd.chat.key))
        self.forget_chat_cache(cmd.chat.key)
        return [self._info(cmd.chat, say(new, "lang_set"))]

    async def _cmd_forget(self, cmd: Command, lang: str) -> list[Reply]:
        buttons = (Button(say(lang, "forget_yes"), "qb:forget:yes"), Button(say(lang, "forget_no"), "qb:forget:no"))
        return [Reply(cmd.chat, ReplyKind.INFO, say(lang, "forget_confirm"), buttons=buttons, to_user=cmd.user)]

    async def _cmd_daily(self, cmd: Command, lang: str) -> list[Reply]:
        if not self.is_admin(cmd.chat, cmd.user):
            return [self._error(cmd, lang, "not_admin", name=cmd.name)]
        topics = []
        for query in cmd.args:
            topic = self.bank.find_topic(query)
            if topic is None:
                return [self._unknown_topic(cmd, lang, query)]
            topics.append(topic.slug)
        replies = await self.post_daily(cmd.chat, topics=topics or None)
        return replies or [self._info(cmd.chat, say(lang, "daily_exists"))]
