"""One busy Telegram chat must not stall the others (issue 14, defect 4).

150 updates are pending in one group, each stuck (as if waiting out that chat's flood limit); a
private ``/help`` from someone else must be processed meanwhile, while the group's updates still
run one at a time in arrival order. Ordering and counts are asserted, never wall-clock times.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from adapters.telegram.processor import ChatOrderedProcessor

BUSY = Chat(id=-100500, type=Chat.SUPERGROUP, title="busy group")
QUIET = Chat(id=4242, type=Chat.PRIVATE)
MEMBER = User(id=7, first_name="Ann", is_bot=False)


def update(n: int, chat: Chat, text: str) -> Update:
    return Update(n, message=Message(n, datetime.now(UTC), chat, from_user=MEMBER, text=text))


async def test_busy_chat_does_not_hold_global_slots() -> None:
    processor = ChatOrderedProcessor(max_concurrent_updates=8)
    gate = asyncio.Event()
    started: list[int] = []
    finished: list[str] = []

    async def busy(n: int) -> None:
        started.append(n)
        await gate.wait()  # this chat's replies wait for its flood-control slot
        finished.append(f"busy-{n}")

    async def help_elsewhere() -> None:
        finished.append("help")

    tasks = [asyncio.create_task(processor.process_update(update(n, BUSY, f"answer {n}"), busy(n)))
             for n in range(150)]
    for _ in range(5):
        await asyncio.sleep(0)
    private = asyncio.create_task(processor.process_update(update(999, QUIET, "/help"), help_elsewhere()))
    await asyncio.wait_for(private, timeout=5)  # a generous bound against a hang; never a timing claim
    assert finished == ["help"]  # answered while the busy chat is still stuck
    assert started == [0]  # the busy chat runs one update at a time
    assert processor.current_concurrent_updates <= 1  # only the running one holds a slot
    gate.set()
    await asyncio.gather(*tasks)
    assert finished[1:] == [f"busy-{n}" for n in range(150)]  # arrival order kept
    assert started == list(range(150))
    assert processor._locks == {}  # locks go with their last user


async def test_concurrency_limit_still_applies_across_chats() -> None:
    processor = ChatOrderedProcessor(max_concurrent_updates=3)
    gate = asyncio.Event()
    running = 0
    peak = 0

    async def work() -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await gate.wait()
        running -= 1

    chats = [Chat(id=1000 + i, type=Chat.PRIVATE) for i in range(10)]
    tasks = [asyncio.create_task(processor.process_update(update(i, chat, "hi"), work()))
             for i, chat in enumerate(chats)]
    for _ in range(5):
        await asyncio.sleep(0)
    assert peak == 3
    gate.set()
    await asyncio.gather(*tasks)
    assert peak == 3
