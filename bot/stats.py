"""Read-side queries: leaderboards, personal stats, session rankings, topic list, and /forget.

Leaderboards are indexed queries over the ``scores`` table (written at each reveal), never
in-memory state; periods start at Monday 00:00 / the 1st 00:00 in the chat's time zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.bank import QuestionBank
from bot.catalogue import say
from bot.model import UserRef
from bot.review.store import ReviewStore, forget_member
from bot.review.texts import say as say_review
from bot.storage import Store
from bot.views import md_escape, ranking_lines

BOARD_SIZE = 10


def period_start(period: str, tz: str, now: float) -> float:
    """UTC epoch seconds where 'week' (Monday) or 'month' (the 1st) began in the chat's zone."""
    if period == "all":
        return 0.0
    zone = ZoneInfo(tz)
    local = datetime.fromtimestamp(now, zone)
    day = local.date() - timedelta(days=local.weekday()) if period == "week" else local.date().replace(day=1)
    return datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()


def streaks(days: list[str], today: str) -> tuple[int, int]:
    """(current, best) runs of consecutive dates; the current run may end today or yesterday."""
    if not days:
        return 0, 0
    dates = sorted({date.fromisoformat(d) for d in days})
    best = run = 1
    for prev, cur in zip(dates, dates[1:], strict=False):
        run = run + 1 if (cur - prev).days == 1 else 1
        best = max(best, run)
    last = dates[-1]
    gap = (date.fromisoformat(today) - last).days
    return (run if gap <= 1 else 0), best


class Stats:
    def __init__(self, store: Store, bank: QuestionBank) -> None:
        self.store = store
        self.bank = bank

    def topics_text(self, lang: str) -> str:
        lines = [say(lang, "topics_title", n=len(self.bank.by_id))]
        for t in self.bank.topics.values():
            answered = sum(1 for q in t.questions if not q.is_discussion)
            lines.append(f"- `{t.slug}` **{t.title_zh}** / {t.title_en} · {len(t.questions)} ({answered} ✓)")
        return "\n".join([*lines, "", say(lang, "topics_legend")])

    async def leaderboard(self, chat_key: str, since: float, limit: int = BOARD_SIZE) -> list[tuple[str, int, int]]:
        if since <= 0:  # all time: the running totals, not a scan of every score
            rows = await self.store.fetchall(
                "SELECT t.user_key, COALESCE(u.name, t.user_key) AS name, t.total, t.n FROM totals t"
                " LEFT JOIN users u ON u.key = t.user_key WHERE t.chat_key = ?"
                " ORDER BY t.total DESC, t.n ASC LIMIT ?",
                (chat_key, limit),
            )
            return [(r["name"], r["total"], r["n"]) for r in rows]
        rows = await self.store.fetchall(
            "SELECT b.user_key, COALESCE(u.name, b.user_key) AS name, b.total, b.n FROM ("
            "  SELECT user_key, SUM(score) AS total, COUNT(*) AS n FROM scores"
            "  WHERE chat_key = ? AND scored_at >= ? GROUP BY user_key ORDER BY total DESC, n ASC LIMIT ?"
            ") b LEFT JOIN users u ON u.key = b.user_key ORDER BY b.total DESC, b.n ASC",
            (chat_key, since, limit),
        )
        return [(r["name"], r["total"], r["n"]) for r in rows]

    async def leaderboard_text(self, chat_key: str, period: str, tz: str, now: float, lang: str) -> str:
        rows = await self.leaderboard(chat_key, period_start(period, tz, now))
        title = say(lang, "board_title", period=say(lang, f"period_{period}"))
        return "\n".join([title, *ranking_lines(rows, say(lang, "board_empty"), say(lang, "ranking_legend"))])

    async def session_ranking_text(self, session_id: int, lang: str) -> tuple[str, int]:
        rows = await self.store.fetchall(
            "SELECT COALESCE(u.name, a.user_name) AS name, SUM(a.score) AS total, COUNT(*) AS n"
            " FROM answers a JOIN rounds r ON r.id = a.round_id LEFT JOIN users u ON u.key = a.user_key"
            " WHERE r.session_id = ? AND r.skipped = 0 AND r.status = 'closed'"
            " GROUP BY a.user_key ORDER BY total DESC, n ASC",
            (session_id,),
        )
        # an aggregate without GROUP BY always yields exactly one row
        [(count,)] = await self.store.fetchall("SELECT COUNT(*) FROM rounds WHERE session_id = ?", (session_id,))
        lines = [say(lang, "ranking_title", n=count), *ranking_lines(
            [(r["name"], r["total"], r["n"]) for r in rows], say(lang, "no_answers"), say(lang, "ranking_legend"))]
        return "\n".join(lines), count

    async def due_reviews(self, user_key: str, now: float) -> int:
        """How many of the member's review cards are due now."""
        return await ReviewStore(self.store).count_due_for(user_key, now)

    async def me_text(self, user: UserRef, today: str, lang: str, due_reviews: int | None = None) -> str:
        name = md_escape(user.name or user.id)
        [row] = await self.store.fetchall(
            "SELECT COUNT(*) AS n, AVG(score) AS avg FROM scores WHERE user_key = ?", (user.key,)
        )
        days = [r["local_date"] for r in await self.store.fetchall(
            "SELECT DISTINCT local_date FROM answers WHERE user_key = ?", (user.key,))]
        [pending] = await self.store.fetchall(
            "SELECT COUNT(*) AS n FROM answers a JOIN rounds r ON r.id = a.round_id"
            " WHERE a.user_key = ? AND r.status = 'open'", (user.key,))
        answered = row["n"] + pending["n"]
        if not answered:
            return say(lang, "me_title", name=name) + "\n" + say(lang, "me_empty")
        topics = await self.store.fetchall(
            "SELECT topic, AVG(score) AS avg, COUNT(*) AS n FROM scores WHERE user_key = ?"
            " GROUP BY topic ORDER BY avg DESC, n DESC", (user.key,))
        current, best = streaks(days, today)

        def label(slug: str, avg: float) -> str:
            topic = self.bank.topics.get(slug)
            return say(lang, "topic_avg", topic=topic.title(lang) if topic else slug, avg=f"{avg:.1f}")

        def days_text(n: int) -> str:
            return say(lang, "days_one" if n == 1 else "days_many", n=n)

        # a "strongest" topic needs a score above zero; a "weakest" one a second topic to compare with
        strong = label(topics[0]["topic"], topics[0]["avg"]) if topics and topics[0]["avg"] > 0 else "—"
        weak = label(topics[-1]["topic"], topics[-1]["avg"]) if len(topics) > 1 else "—"
        avg = f"{row['avg']:.1f}/10" if row["avg"] is not None else "—"
        body = say(lang, "me_body", answered=answered, avg=avg, streak=days_text(current), best=best,
                   strong=strong, weak=weak)
        if due_reviews is not None:
            body += "\n" + say_review(lang, "me_due", n=due_reviews)
        return say(lang, "me_title", name=name) + "\n" + body

    async def forget(self, user_key: str) -> int:
        """Delete a user's answers, scores, review cards and log, and profile everywhere; returns how
        many answers went."""
        async with self.store.write() as db:
            cur = await db.execute("DELETE FROM answers WHERE user_key = ?", (user_key,))
            count = cur.rowcount
            await db.execute("DELETE FROM scores WHERE user_key = ?", (user_key,))
            await db.execute("DELETE FROM totals WHERE user_key = ?", (user_key,))
            await db.execute("DELETE FROM pending_private WHERE user_key = ?", (user_key,))
            await forget_member(db, user_key)
            await db.execute("DELETE FROM users WHERE key = ?", (user_key,))
        return count
