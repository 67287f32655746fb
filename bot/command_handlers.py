"""The engine's chat commands (/quiz, /next, /reveal, /skip, /stop, /leaderboard, /me, /topics,
/daily, /lang, /forget, /help, /start) and the buttons that act like them.

Each handler is declared with ``@command`` (``bot.command_registry``): that declaration is the
only list of commands; the engine, the platform menus, ``/help`` and the README are built from it.
Handlers work through the public methods of the round flow, the sessions, the chat directory and
the read-side queries; none of them touches another module's internals.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable

from bot.bank import QuestionBank
from bot.catalogue import say
from bot.chats import ChatDirectory
from bot.command_registry import Access, Arg, ArgKind, Choice, CommandRegistry, L10n, command
from bot.config import Settings
from bot.events import ButtonPress, ChoicePick, Command, Event, TextAnswer
from bot.feedback import BUTTON_PREFIX as FEEDBACK_BUTTON
from bot.feedback import own_result
from bot.model import ChatRef, Round, RoundKind, RoundStatus, UserRef
from bot.pushes import PushQueue
from bot.replies import Button, Reply, ReplyKind
from bot.round_flow import RoundFlow
from bot.rounds import Rounds
from bot.sessions import Sessions
from bot.stats import Stats
from bot.views import clip, error_reply, md_escape, reveal_when

TOPIC_ARG = Arg("topic", ArgKind.TOPIC, L10n("Topic (slug, Chinese or English name, or alias)", "主题（代号、中英文名称或别名）"),
                L10n("[topic]", "[主题]"))
COUNT_ARG = Arg("count", ArgKind.COUNT, L10n("Number of questions", "题数"), L10n("[n]", "[题数]"))
PERIOD_ARG = Arg("period", ArgKind.CHOICE, L10n("Period", "时间段"), L10n("[week|month|all]", "[本周|本月|总榜]"),
                 choices=(Choice("week", L10n("this week", "本周")), Choice("month", L10n("this month", "本月")),
                          Choice("all", L10n("all time", "全部"))))
LANG_ARG = Arg("language", ArgKind.CHOICE, L10n("Language", "语言"), L10n("zh|en", "zh|en"), required=True,
               choices=(Choice("zh", L10n("中文", "中文")), Choice("en", L10n("English", "English"))))
REVEAL_ARG = Arg("which", ArgKind.CHOICE, L10n("Which question (default: the quiz's)", "哪道题（默认测验的当前题）"),
                 L10n("[daily]", "[daily]"), choices=(Choice("daily", L10n("the question of the day", "每日一题")),))
ROUND_ARG = Arg("number", ArgKind.WORDS, L10n("The question's #N", "题目的 #N 编号"), L10n("[N]", "[N]"))
ANSWER_ARG = Arg("answer", ArgKind.WORDS, L10n("Your answer (optional)", "你的答案（可选）"), L10n("[answer]", "[答案]"))
# what members type for the question of the day after /reveal
DAILY_WORDS = frozenset({"daily", "day", "每日", "每日一题", "今日", "今天"})
# a /reveal this soon after a quiz's next question was posted was meant for the previous one
REVEAL_GUARD_SECONDS = 5.0
TOPICS_ARG = Arg("topics", ArgKind.WORDS, L10n("Topics to choose from (optional)", "从这些主题中选题（可选）"),
                 L10n("[topics…]", "[主题…]"))


# what members type for a leaderboard period, in either language
PERIODS = {"week": "week", "weekly": "week", "本周": "week", "这周": "week", "周榜": "week", "周": "week",
           "month": "month", "monthly": "month", "本月": "month", "这个月": "month", "月榜": "month", "月": "month",
           "all": "all", "alltime": "all", "all-time": "all", "总榜": "all", "总": "all", "全部": "all", "总排行": "all"}

# the chat's schedule as /daily uses it: (topic slugs, reveal time as epoch seconds) for a question
# posted now, or None when the chat has no schedule (the scheduler provides it when it runs)
DailyPlan = Callable[[ChatRef], Awaitable[tuple[list[str], float] | None]]


def parse_quiz_args(args: tuple[str, ...]) -> tuple[str, int | None]:
    """``/quiz 微调 3`` -> ("微调", 3); a topic may have several words; the count comes last."""
    args = tuple(a for a in args if a)
    if args and re.fullmatch(r"[+-]?\d+", args[-1]):
        return " ".join(args[:-1]), int(args[-1])
    return " ".join(args), None


def button_owner(user: UserRef) -> str:
    """The member a button belongs to, as it fits in a callback id: the platform id when it is
    short and plain (Telegram and Discord ids are digits), else a digest of it (console names)."""
    if re.fullmatch(r"[A-Za-z0-9_-]{1,40}", user.id):
        return user.id
    return hashlib.sha256(user.key.encode()).hexdigest()[:20]


class ChatCommands:
    def __init__(self, bank: QuestionBank, settings: Settings, clock: Callable[[], float], rounds: Rounds,
                 stats: Stats, chats: ChatDirectory, sessions: Sessions, flow: RoundFlow,
                 registry: CommandRegistry, pushes: PushQueue | None = None) -> None:
        self.bank = bank
        self.pushes = pushes  # durable pushes: /daily re-sends a question of the day that did not go out
        self.settings = settings
        self.clock = clock
        self.rounds = rounds
        self.stats = stats
        self.chats = chats
        self.sessions = sessions
        self.flow = flow
        self.registry = registry
        self.daily_plan: DailyPlan | None = None

    # -- quizzes ------------------------------------------------------------------------------

    @command("quiz", args=(TOPIC_ARG, COUNT_ARG), summary=L10n("Start a quiz round", "开始一轮测验"),
             help=L10n("start a round of `n` questions (default 1, at most `quiz.max_questions`, 10 by default) "
                       "on a topic given by slug, Chinese or English title, or alias (`/quiz 微调 3`, `/quiz rag`); "
                       "an unknown topic gets the closest suggestions",
                       "开始一轮 `n` 道题的测验（默认 1 题）；主题可用代号、中英文名称或别名（如 `/quiz 微调 3`）；"
                       "找不到主题时给出最接近的建议"))
    async def quiz(self, cmd: Command, lang: str) -> list[Reply]:
        query, count = parse_quiz_args(cmd.args)
        maximum = self.settings.max_quiz_questions
        if count is not None and not 1 <= count <= maximum:
            return [error_reply(cmd, lang, "bad_count", max=maximum)]
        topics = list(self.bank.topics)
        topic_slug = None
        if query:
            topic = self.bank.find_topic(query)
            if topic is None:
                return [self.unknown_topic(cmd, lang, query)]
            topics, topic_slug = [topic.slug], topic.slug
        if not any(self.bank.topics[t].questions for t in topics):
            return [error_reply(cmd, lang, "no_questions")]
        # one quiz at a time; the question of the day may be open beside it
        if await self.rounds.open_of_kind(cmd.chat.key, RoundKind.QUIZ):
            return [error_reply(cmd, lang, "round_running")]
        return await self.sessions.start(cmd.chat, cmd.user.key, topic_slug, count or 1, lang)

    def unknown_topic(self, event: Event, lang: str, query: str) -> Reply:
        near = self.bank.suggest(query)
        names = ", ".join(f"`{t.slug}` ({t.title(lang)})" for t in near)
        suggest = say(lang, "did_you_mean", names=names) if near else ""
        return error_reply(event, lang, "unknown_topic", query=md_escape(clip(query, 40)), suggest=suggest)

    @command("next", summary=L10n("Next question", "下一题"),
             help=L10n("the next question (in a private chat: instant grading and reveal after each answer; "
                       "`/next` moves on from an open question, revealing it if answered, skipping it if not)",
                       "下一题（私聊中每次作答后立即评分并公布答案；有未结束的题时 `/next` 继续：已作答的立即公布，未作答的跳过）"))
    async def next(self, cmd: Command, lang: str) -> list[Reply]:
        replies: list[Reply] = []
        current = await self.rounds.open_of_kind(cmd.chat.key, RoundKind.QUIZ)  # never the question of the day
        if current is not None:
            if not cmd.chat.private:
                return [error_reply(cmd, lang, "round_running")]
            # private practice moves on: an answered question (its result may still be waiting for
            # the judge) is revealed now, an unanswered one is skipped; a session then posts its
            # next question itself
            if cmd.user.key in await self.rounds.answered_users(current.id):
                replies = await self.flow.reveal(current.id, cmd.chat)
            else:
                replies = await self.flow.skip(current, cmd.chat, lang)
            if any(r.kind is ReplyKind.QUESTION for r in replies):
                return replies
        topic = await self.sessions.last_topic(cmd.chat.key)
        return replies + await self.quiz(
            Command(cmd.chat, cmd.user, cmd.locale, None, "quiz", (topic,) if topic else ()), lang)

    def _may_control(self, cmd: Command, rnd: Round, lang: str) -> tuple[Round | None, list[Reply]]:
        """``rnd`` if this member may control it (its starter or an admin; the question of the
        day: an admin)."""
        admin = self.chats.is_admin(cmd.chat, cmd.user)
        if rnd.kind is RoundKind.DAILY and not admin:
            return None, [error_reply(cmd, lang, "not_admin", name=cmd.name)]
        if not admin and rnd.started_by != cmd.user.key:
            return None, [error_reply(cmd, lang, "not_starter", name=cmd.name)]
        return rnd, []

    async def _daily_hint(self, cmd: Command, lang: str, key: str) -> Reply | None:
        """``key`` (said when a command meant for the quiz meets only the question of the day), with
        when the open question of the day is revealed; None when none is open."""
        daily = await self.rounds.open_of_kind(cmd.chat.key, RoundKind.DAILY)
        if daily is None:
            return None
        _lang, tz = await self.chats.settings_of(cmd.chat)
        closes_at = daily.closes_at if daily.closes_at is not None else self.clock()
        when = reveal_when(closes_at, self.chats.local_date(tz, self.clock()), tz, lang)  # "today" is now's
        return error_reply(cmd, lang, key, when=when)

    async def _quiz_round(self, cmd: Command, lang: str) -> tuple[Round | None, list[Reply]]:
        """The quiz question /skip and /stop act on, if this member may control it. The question of
        the day is never theirs: it ends at its reveal (a command replying to it says so)."""
        if cmd.round_id is not None:
            meant = await self.rounds.get(cmd.round_id)
            if meant is not None and meant.chat_key == cmd.chat.key and meant.kind is RoundKind.DAILY:
                hint = await self._daily_hint(cmd, lang, "daily_ends_at_reveal")
                return None, [hint or error_reply(cmd, lang, "already_revealed")]
        rnd = await self.rounds.open_of_kind(cmd.chat.key, RoundKind.QUIZ)
        if rnd is None:
            hint = await self._daily_hint(cmd, lang, "no_quiz_daily_open")
            return None, [hint or error_reply(cmd, lang, "no_open_round")]
        return self._may_control(cmd, rnd, lang)

    async def _reveal_target(self, cmd: Command, lang: str) -> tuple[Round | None, list[Reply]]:
        """The round /reveal means: the question of the day with ``daily``; the question the
        command replies to (Telegram); else the quiz's current question, unless it was posted a
        moment ago as the next question of its quiz: two /reveal sent together (two admins, a
        double tap) would otherwise reveal that question before anyone saw it."""
        words = [a.strip().lower() for a in cmd.args if a.strip()]
        if words and words[0] in DAILY_WORDS:
            rnd = await self.rounds.open_of_kind(cmd.chat.key, RoundKind.DAILY)
            if rnd is None:
                return None, [error_reply(cmd, lang, "no_daily_open")]
            return self._may_control(cmd, rnd, lang)
        if words:
            return None, [error_reply(cmd, lang, "bad_reveal_arg")]
        if cmd.round_id is not None:
            meant = await self.rounds.get(cmd.round_id)
            if meant is None or meant.chat_key != cmd.chat.key:
                return None, [error_reply(cmd, lang, "no_open_round")]
            if meant.status is not RoundStatus.OPEN:
                return None, [error_reply(cmd, lang, "already_revealed")]
            return self._may_control(cmd, meant, lang)
        rnd = await self.rounds.open_of_kind(cmd.chat.key, RoundKind.QUIZ)
        if rnd is None:
            hint = await self._daily_hint(cmd, lang, "no_quiz_daily_open")
            return None, [hint or error_reply(cmd, lang, "no_open_round")]
        if rnd.seq > 1 and self.clock() - rnd.opened_at < REVEAL_GUARD_SECONDS:
            return None, [error_reply(cmd, lang, "reveal_just_posted", seq=rnd.seq)]
        return self._may_control(cmd, rnd, lang)

    @command("reveal", access=Access.STARTER_OR_ADMIN, args=(REVEAL_ARG,),
             summary=L10n("Reveal the answer now (admins)", "立即公布答案（管理员）"),
             help=L10n("reveal now: model answer, key-point checklist, every member's score and the points they hit; "
                       "acts on the quiz's question (on Telegram: the question you reply to); `/reveal daily` reveals "
                       "the question of the day; a second `/reveal` within a few seconds never reveals the quiz's next "
                       "question",
                       "立即公布：参考答案、要点清单、每位成员的得分和命中的要点；作用于测验的当前题（Telegram：你回复的那道题）；"
                       "`/reveal daily` 公布每日一题；几秒内的第二次 `/reveal` 不会公布测验刚发出的下一题"))
    async def reveal(self, cmd: Command, lang: str) -> list[Reply]:
        rnd, errors = await self._reveal_target(cmd, lang)
        return errors if rnd is None else await self.flow.reveal(rnd.id)

    @command("skip", access=Access.STARTER_OR_ADMIN, summary=L10n("Skip this question (admins)", "跳过本题（管理员）"),
             help=L10n("skip the quiz's question unscored (the quiz goes on with its next question); never the "
                       "question of the day",
                       "跳过测验的当前题，不计分（测验继续下一题）；不作用于每日一题"))
    async def skip(self, cmd: Command, lang: str) -> list[Reply]:
        rnd, errors = await self._quiz_round(cmd, lang)
        return errors if rnd is None else await self.flow.skip(rnd, cmd.chat, lang)

    @command("stop", access=Access.STARTER_OR_ADMIN, summary=L10n("End the quiz (admins)", "结束测验（管理员）"),
             help=L10n("end the quiz with the ranking so far; the question of the day stays open until its reveal",
                       "结束测验并显示目前的排名；每日一题保持开放直到公布"))
    async def stop(self, cmd: Command, lang: str) -> list[Reply]:
        rnd, errors = await self._quiz_round(cmd, lang)
        return errors if rnd is None else await self.flow.stop(rnd, cmd.chat, lang)

    @command("to", args=(ROUND_ARG, ANSWER_ARG), slash=False, platforms=("console",),
             summary=L10n("Answer a given question (console)", "回答指定的题（控制台）"),
             help=L10n("console only: `/to N text` answers question #N (the number shown next to it), `/to N` sends "
                       "your next answers there, `/to` alone back to the most recent question (Telegram: reply to "
                       "the question; Discord: its Answer button)",
                       "仅控制台：`/to N 答案` 回答第 #N 题（题目旁显示的编号），`/to N` 让之后的答案都交给它，只发 `/to` "
                       "恢复为最新的题（Telegram 请回复题目，Discord 请点「作答」）"))
    async def to(self, cmd: Command, lang: str) -> list[Reply]:
        spec = self.registry.lookup("to")
        if spec is not None and not spec.spec.serves(cmd.chat.platform):
            return [error_reply(cmd, lang, "to_console_only")]
        if not cmd.args:
            return [Reply(cmd.chat, ReplyKind.INFO, say(lang, "to_reset"), to_user=cmd.user, meta={"answer_to": None})]
        number = cmd.args[0].lstrip("#")
        if not re.fullmatch(r"[0-9]{1,18}", number):
            return [error_reply(cmd, lang, "to_usage")]
        rnd = await self.rounds.get(int(number))
        if rnd is None or rnd.chat_key != cmd.chat.key or rnd.status is not RoundStatus.OPEN:
            return [error_reply(cmd, lang, "to_not_open", n=int(number))]
        text = " ".join(cmd.args[1:]).strip()
        if text:  # answered here and now, as a message replying to that question would be
            return await self.flow.answer(TextAnswer(cmd.chat, cmd.user, cmd.locale, None, text=text,
                                                     round_id=rnd.id), lang)
        q = self.bank.question(rnd.question_id)
        prompt = md_escape(clip(q.prompt, 80)) if q else rnd.question_id
        return [Reply(cmd.chat, ReplyKind.INFO, say(lang, "to_set", n=rnd.id, prompt=prompt), round_id=rnd.id,
                      to_user=cmd.user, meta={"answer_to": rnd.id})]

    # -- what the chat knows ------------------------------------------------------------------

    @command("leaderboard", args=(PERIOD_ARG,), aliases=("top",), summary=L10n("The ranking", "排行榜"),
             help=L10n("the chat's ranking for the period (default: week), in the chat's time zone; also 本周|本月|总榜",
                       "本群在该时间段的排名（默认本周，按本群时区）；也可写 week、month、all"))
    async def leaderboard(self, cmd: Command, lang: str) -> list[Reply]:
        period = PERIODS.get(cmd.args[0].strip().lower()) if cmd.args else "week"
        if period is None:
            return [error_reply(cmd, lang, "bad_period")]
        _lang, tz = await self.chats.settings_of(cmd.chat)
        text = await self.stats.leaderboard_text(cmd.chat.key, period, tz, self.clock(), lang)
        return [Reply(cmd.chat, ReplyKind.BOARD, text)]

    @command("me", summary=L10n("Your stats", "我的统计"),
             help=L10n("answered, average score, current and best daily streak, strongest and weakest topics, "
                       "cards due for review",
                       "已答题数、平均分、当前与最长连续打卡、最强与最弱主题、待复习题数"))
    async def me(self, cmd: Command, lang: str) -> list[Reply]:
        _lang, tz = await self.chats.settings_of(cmd.chat)
        text = await self.stats.me_text(cmd.user, self.chats.local_date(tz), lang,
                                        due_reviews=await self.stats.due_reviews(cmd.user.key, self.clock()))
        return [Reply(cmd.chat, ReplyKind.STATS, text)]

    @command("topics", summary=L10n("List the topics", "题库主题"),
             help=L10n("topics with question counts, in both languages", "题库主题及题数（中英文）"))
    async def topics(self, cmd: Command, lang: str) -> list[Reply]:
        return [Reply(cmd.chat, ReplyKind.INFO, self.stats.topics_text(lang))]

    @command("daily", access=Access.ADMIN, args=(TOPICS_ARG,),
             summary=L10n("Post today's question of the day now (admins)", "立即发布今天的每日一题（管理员）"),
             help=L10n("post today's question of the day now (once per day per chat), on the topics and with the "
                       "reveal time of the chat's `/schedule` when it has one",
                       "立即发布今天的每日一题（每个群每天一次）；设置过 `/schedule` 的群沿用其主题和公布时间"))
    async def daily(self, cmd: Command, lang: str) -> list[Reply]:
        topics = []
        for query in cmd.args:
            topic = self.bank.find_topic(query)
            if topic is None:
                return [self.unknown_topic(cmd, lang, query)]
            topics.append(topic.slug)
        plan = await self.daily_plan(cmd.chat) if self.daily_plan is not None else None
        planned_topics, reveal_at = plan if plan is not None else ([], None)
        # topics given with the command win over the schedule's; the reveal time is the schedule's
        replies = await self.flow.post_daily(cmd.chat, topics=topics or planned_topics or None, reveal_at=reveal_at)
        if replies and replies[0].round_id is not None and self.pushes is not None:
            await self.pushes.mark_replied(replies[0].round_id, "question")  # this answer carries it
        if replies or self.pushes is None:
            return replies or [Reply(cmd.chat, ReplyKind.INFO, say(lang, "daily_exists"))]
        # already claimed today: "already posted" only once it has really gone out
        push_id = await self.pushes.undelivered_daily(cmd.chat.key)
        if push_id is not None:
            undelivered = await self.pushes.take_over(push_id)
            if undelivered:
                return undelivered
            if undelivered is None:
                return [Reply(cmd.chat, ReplyKind.INFO, say(lang, "daily_sending"))]
        return [Reply(cmd.chat, ReplyKind.INFO, say(lang, "daily_exists"))]

    # -- settings and data --------------------------------------------------------------------

    @command("lang", args=(LANG_ARG,), summary=L10n("Language of this chat", "本群的语言"),
             help=L10n("the chat's language", "切换本群的语言"))
    async def lang(self, cmd: Command, lang: str) -> list[Reply]:
        new = cmd.args[0].lower() if cmd.args else ""
        if new not in ("zh", "en"):
            return [error_reply(cmd, lang, "bad_lang")]
        await self.chats.set_lang(cmd.chat.key, new)
        return [Reply(cmd.chat, ReplyKind.INFO, say(new, "lang_set"))]

    @command("forget", summary=L10n("Delete all my data", "删除我的全部记录"),
             help=L10n("delete all your answers, scores and review cards everywhere, after a confirmation",
                       "删除你在所有群里的全部答题记录、分数和复习卡片（需确认）"))
    async def forget(self, cmd: Command, lang: str) -> list[Reply]:
        # the buttons carry the requester: in a group anyone sees them, only the requester's press counts
        owner = button_owner(cmd.user)
        buttons = (Button(say(lang, "forget_yes"), f"qb:forget:yes:{owner}"),
                   Button(say(lang, "forget_no"), f"qb:forget:no:{owner}"))
        return [Reply(cmd.chat, ReplyKind.INFO, say(lang, "forget_confirm"), buttons=buttons, to_user=cmd.user)]

    @command("help", summary=L10n("How to use the bot", "使用帮助"),
             help=L10n("the commands and how to answer", "命令列表与作答方式"))
    async def help(self, cmd: Command, lang: str) -> list[Reply]:
        return [Reply(cmd.chat, ReplyKind.INFO, self.help_text(lang, cmd.chat.platform))]

    def help_text(self, lang: str, platform: str | None = None) -> str:
        return "\n".join([say(lang, "help"), *self.registry.help_lines(lang, platform)])

    @command("start", slash=False, summary=L10n("Welcome", "开始"),
             help=L10n("welcome and help; `/start ans_<signed link>` is the private-answer deep link (members of the "
                       "question's chat only), `/start review` "
                       "starts a review",
                       "欢迎与帮助；`/start ans_<签名链接>` 是私下作答的链接（仅限该群成员），`/start review` 开始复习"))
    async def start(self, cmd: Command, lang: str) -> list[Reply]:
        payload = cmd.args[0] if cmd.args else ""
        review = self.registry.lookup("review")
        if payload == "review" and review is not None and review.handler is not None:  # the group's link
            return await review.handler(Command(cmd.chat, cmd.user, cmd.locale, None, "review"), lang)
        if payload.startswith("ans_"):
            links = self.chats.private_answers
            round_id = links.round_of(payload)
            rnd = await self.rounds.get(round_id) if round_id is not None else None
            if rnd is None or not await links.verify(payload, rnd):  # a guessed or mangled link
                return [error_reply(cmd, lang, "link_invalid")]
            return await self._open_private_answer(cmd, rnd, lang)
        return [Reply(cmd.chat, ReplyKind.INFO, say(lang, "welcome") + "\n\n" + self.help_text(lang, cmd.chat.platform))]

    async def _open_private_answer(self, event: Event, rnd: Round, lang: str) -> list[Reply]:
        """The member's next private message answers ``rnd``, if they may answer it: the round is
        open, of this platform, and they are a member of its chat. A refusal changes nothing."""
        if rnd.status is not RoundStatus.OPEN:
            return [error_reply(event, lang, "private_round_gone")]
        refusal = await self.chats.private_answers.refusal(rnd, event.chat, event.user)
        if refusal is not None:
            return [error_reply(event, lang, refusal)]
        await self.chats.private_answers.set_pending(event.user.key, rnd.id)
        q = self.bank.question(rnd.question_id)
        prompt = q.prompt if q else rnd.question_id
        return [Reply(event.chat, ReplyKind.INFO, say(lang, "private_prompt", prompt=prompt), round_id=rnd.id)]

    # -- buttons ------------------------------------------------------------------------------

    async def press(self, event: ButtonPress, lang: str) -> list[Reply]:
        """A button other than a pick the adapter recognised (``bot.replies`` lists the ids)."""
        data = event.data
        if data.startswith("qb:pick:"):
            try:
                _, _, round_id, option = data.split(":")
                pick = ChoicePick(event.chat, event.user, event.locale, None, int(round_id), int(option))
            except ValueError:
                return [error_reply(event, lang, "unknown_button")]
            return await self.flow.pick(pick, lang)
        if data == "qb:next":
            return await self.next(Command(event.chat, event.user, event.locale, None, "next"), lang)
        if data.startswith("qb:forget:"):
            return await self._forget_press(event, lang)
        if data.startswith(FEEDBACK_BUTTON):  # the presser's own result, for their eyes only
            return await own_result(event, lang, self.rounds, self.bank)
        if data.startswith("qb:ans:") and data[7:].isdigit():
            # the button under the question, pressed where it was posted (the console; Telegram
            # turns it into a signed deep link, Discord into its private form)
            rnd = await self.rounds.get(int(data[7:]))
            if rnd is None or rnd.chat_key != event.chat.key:
                return [error_reply(event, lang, "unknown_button")]
            return await self._open_private_answer(event, rnd, lang)
        return [error_reply(event, lang, "unknown_button")]

    async def _forget_press(self, event: ButtonPress, lang: str) -> list[Reply]:
        """``qb:forget:yes|no:<requester>``: only the member who sent /forget decides. A button
        without a requester (from before they carried one) still works in a private chat, where
        nobody else can press it."""
        _, _, answer, *owner = event.data.split(":")
        if answer not in ("yes", "no") or len(owner) > 1:
            return [error_reply(event, lang, "unknown_button")]
        if (owner and owner[0] != button_owner(event.user)) or (not owner and not event.chat.private):
            return [error_reply(event, lang, "not_your_button")]
        if answer == "no":
            return [Reply(event.chat, ReplyKind.INFO, say(lang, "forget_cancel"), to_user=event.user)]
        n = await self.stats.forget(event.user.key)
        self.chats.forget_user(event.user.key)
        return [Reply(event.chat, ReplyKind.INFO, say(lang, "forget_done", n=n), to_user=event.user)]
