"""Review reminders: sent once a day at the member's local time, not again after a restart, late
within the grace window only, never when nothing is due; a member who blocked the bot is switched
off. The engine's clock is moved by hand; ``tick`` is what the minutely job runs."""

from __future__ import annotations

from bot.engine import QuizEngine
from bot.events import Command
from bot.messenger import ChatUnavailable
from bot.model import ChatRef, UserRef
from bot.replies import Reply, ReplyKind
from bot.review.store import ReviewStore
from scheduler.reminders import ReviewReminders

ANN = UserRef("telegram", "501", "Ann")
ANN_DM = ChatRef("telegram", "501", private=True)
DAY = 86400.0
# the clock starts at 2026-11-18 12:00 UTC: 20:00 in Asia/Shanghai, 13:00 in Europe/Berlin


class Recorder:
    """A platform messenger that remembers what it was asked to send (or refuses: blocked)."""

    def __init__(self, blocked: bool = False) -> None:
        self.sent: list[Reply] = []
        self.blocked = blocked

    async def send(self, reply: Reply) -> None:
        if self.blocked:
            raise ChatUnavailable(reply.chat.key)
        self.sent.append(reply)


async def due_card(engine: QuizEngine, qid: str = "sft-why-dumber") -> None:
    async with engine.store.write() as db:
        await engine.review_cards.record(db, ANN.key, engine.bank.question(qid), 0, engine.clock() - DAY, 10.0,
                                         "daily")


async def remind(engine: QuizEngine, *args: str, chat: ChatRef = ANN_DM) -> Reply:
    [reply] = await engine.handle(Command(chat, ANN, name="review", args=("remind", *args)))
    return reply


async def test_exactly_once_a_day_across_a_restart(engine: QuizEngine, clock):
    messenger = Recorder()
    engine.add_messenger("telegram", messenger)
    await due_card(engine)
    await due_card(engine, "sft-what-learns")
    reply = await remind(engine, "20:30")  # the chat's zone: Asia/Shanghai
    assert "20:30 (Asia/Shanghai)" in reply.text and "2026-11-18 20:30" in reply.text
    reminders = ReviewReminders(engine, engine.settings)
    clock.advance(29 * 60)  # 20:29 local
    assert await reminders.tick() == 0
    clock.advance(60)
    assert await reminders.tick() == 1
    [sent] = messenger.sent
    assert sent.chat == ANN_DM and sent.kind is ReplyKind.INFO and "2 cards are due" in sent.text
    assert [b.data for b in sent.buttons] == ["qb:rv:go"]
    assert await reminders.tick() == 0
    restarted = ReviewReminders(engine, engine.settings)  # a new process: state comes from the database
    clock.advance(30)
    assert await restarted.tick() == 0
    # moving the time later the same day does not remind twice
    await remind(engine, "21:00")
    clock.advance(40 * 60)
    assert await restarted.tick() == 0
    clock.advance(DAY - 20 * 60)  # the next day at 20:50: 21:00 has not come yet
    assert await restarted.tick() == 0
    clock.advance(10 * 60)
    assert await restarted.tick() == 1
    assert len(messenger.sent) == 2
    pressed = await engine.handle(Command(ANN_DM, ANN, name="start", args=("review",)))
    assert pressed[0].kind is ReplyKind.QUESTION  # the reminder's button leads into /review


async def test_in_the_members_own_zone(engine: QuizEngine, clock):
    messenger = Recorder()
    engine.add_messenger("telegram", messenger)
    await due_card(engine)
    await remind(engine, "14:00", "Europe/Berlin")
    reminders = ReviewReminders(engine, engine.settings)
    assert await reminders.tick() == 0  # 13:00 in Berlin
    clock.advance(3600)  # 14:00 in Berlin, 21:00 in Shanghai
    assert await reminders.tick() == 1
    row = await ReviewStore(engine.store).reminder(ANN.key)
    assert row["remind_next"] == clock() + DAY and row["remind_tz"] == "Europe/Berlin"


async def test_late_only_within_the_grace_window_and_never_with_nothing_due(engine: QuizEngine, clock):
    messenger = Recorder()
    engine.add_messenger("telegram", messenger)
    await remind(engine, "20:10")
    reminders = ReviewReminders(engine, engine.settings)
    clock.advance(15 * 60)
    assert await reminders.tick() == 0  # no card is due: no message
    await due_card(engine)
    clock.advance(DAY + engine.settings.grace_minutes * 60 - 5 * 60)  # the next day, 55 min late (down)
    assert await reminders.tick() == 1
    clock.advance(DAY + 2 * 3600)  # the day after, two hours late: skipped, still scheduled
    assert await reminders.tick() == 0
    row = await ReviewStore(engine.store).reminder(ANN.key)
    assert row["remind_next"] > clock() and len(messenger.sent) == 1


async def test_a_member_who_blocked_the_bot_is_switched_off(engine: QuizEngine, clock):
    engine.add_messenger("telegram", Recorder(blocked=True))
    await due_card(engine)
    await remind(engine, "20:05")
    clock.advance(5 * 60)
    assert await ReviewReminders(engine, engine.settings).tick() == 0
    row = await ReviewStore(engine.store).reminder(ANN.key)
    assert row["remind_time"] is None and row["remind_next"] is None
    [chat] = await engine.store.fetchall("SELECT active FROM chats WHERE key = ?", (ANN_DM.key,))
    assert chat["active"] == 0


async def test_remind_settings_errors_and_off(engine: QuizEngine):
    assert "not a time" in (await remind(engine, "25:00")).text
    assert "Unknown time zone" in (await remind(engine, "20:00", "Mars/Base")).text
    assert (await remind(engine)).text.startswith("Review reminders are off")
    await remind(engine, "7:05", "UTC")
    assert "every day at 07:05 (UTC)" in (await remind(engine)).text
    group = ChatRef("telegram", "-100", private=False)
    set_in_group = await remind(engine, "08:00", chat=group)  # Telegram: the member's private chat
    assert "08:00" in set_in_group.text
    row = await engine.store.fetchone("SELECT dm_chat FROM review_members WHERE user_key = ?", (ANN.key,))
    assert row["dm_chat"] == "telegram:501"
    server = ChatRef("discord", "42", private=False)
    dc = await engine.handle(Command(server, UserRef("discord", "9", "Dee"), name="review", args=("remind", "08:00")))
    assert dc[0].kind is ReplyKind.ERROR and "DM" in dc[0].text and dc[0].to_user is not None
    assert "off" in (await remind(engine, "off")).text
    assert (await ReviewStore(engine.store).reminder(ANN.key))["remind_next"] is None


async def test_remind_accepts_the_zones_schedule_accepts(engine: QuizEngine):
    """北京时间 and UTC+8 work for reminders as they do for /schedule and /recap."""
    await remind(engine, "20:30", "北京时间")
    assert (await ReviewStore(engine.store).reminder(ANN.key))["remind_tz"] == "Asia/Shanghai"
    set_offset = await remind(engine, "21:00", "UTC+8")
    assert "UTC+8" in set_offset.text
    assert (await ReviewStore(engine.store).reminder(ANN.key))["remind_tz"] == "Etc/GMT-8"
    assert "UTC+8" in (await remind(engine)).text
