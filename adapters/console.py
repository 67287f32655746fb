"""Console adapter: the embedded default bot and the tests' chat double (after errbot's test backend).

Reads one command or answer per line, from a terminal or a pipe, and prints every reply at once
(flushed, so a pipe shows a conversation as it happens). ``/as NAME`` switches the acting member so
one person can play a whole study group; ``/in group`` / ``/in private`` switch the chat. Every
message about a question shows its number (``#12``). Plain text answers the most recent open
question (the question of the day and a quiz may be open side by side), or the one ``/to N`` chose;
a number or letter picks an option. Everything goes through the same
``QuizEngine`` the Telegram and Discord adapters use. The console user is an admin.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import threading
from collections import deque
from collections.abc import Iterable
from typing import TextIO

from bot.engine import QuizEngine
from bot.events import ButtonPress, Command, Event, TextAnswer
from bot.model import ChatRef, RoundStatus, UserRef
from bot.replies import Reply, ReplyKind

PLATFORM = "console"
_CMD = re.compile(r"^/(\w+)(?:@\S+)?(?:\s+(.*))?$", re.S)


def plain(markdown: str) -> str:
    """Markdown made readable on a terminal: markers dropped, structure kept."""
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", markdown, flags=re.S)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)", r"\1", text)
    text = re.sub(r"\\([\\`*_\[\]#|<>~])", r"\1", text)
    return text


class ConsoleAdapter:
    platform = PLATFORM
    fatal_errors: tuple[type[BaseException], ...] = ()  # nothing to connect to, nothing to reject

    def __init__(self, engine: QuizEngine, out: TextIO | None = None, user: str = "me",
                 group: str = "group", transcript_size: int = 1000) -> None:
        self.engine = engine
        self.out = out if out is not None else sys.stdout
        self.group = ChatRef(PLATFORM, group, private=False, title="console group")
        self.user = self._member(user)
        self.chat = self.group
        # what the bot said lately, for tests (bounded: a long console session must not grow it)
        self.transcript: deque[Reply] = deque(maxlen=transcript_size)
        self.pending_buttons: dict[str, str] = {}  # '/press N' -> callback id of the last buttons
        self.answer_to: dict[tuple[str, str], int] = {}  # (chat, member) -> the round `/to N` chose
        engine.add_messenger(PLATFORM, self)

    @staticmethod
    def _member(name: str) -> UserRef:
        return UserRef(PLATFORM, name.lower(), name, is_admin=True)

    # -- Messenger ---------------------------------------------------------------------------

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, reply: Reply) -> None:
        self.show(reply)

    def show(self, reply: Reply) -> None:
        self.transcript.append(reply)
        where = "private" if reply.chat.private else reply.chat.id
        to = f" → {reply.to_user.name}" if reply.to_user else ""
        number = f" #{reply.round_id}" if reply.round_id is not None else ""  # what `/to N` takes
        lines = [f"[bot @ {where}{to}] ({reply.kind.value}){number}", plain(reply.text)]
        if reply.folded:
            lines += ["", plain(reply.folded)]
        if reply.buttons:
            self.pending_buttons = {}
            labels = []
            for i, button in enumerate(reply.buttons, 1):
                if reply.kind is ReplyKind.QUESTION and button.data.startswith("qb:pick:"):
                    continue  # options are listed in the text; type the number or letter
                self.pending_buttons[str(i)] = button.data
                labels.append(f"[/press {i}] {button.label}")
            if labels:
                lines.append("  ".join(labels))
        self.out.write("\n".join(lines).rstrip() + "\n\n")
        self.out.flush()

    # -- input --------------------------------------------------------------------------------

    async def feed(self, line: str) -> list[Reply]:
        """Handle one input line; print and return the bot's replies."""
        line = line.strip()
        if not line or line.startswith("#"):
            return []
        m = _CMD.match(line)
        if m and m.group(1).lower() == "as":
            name = (m.group(2) or "").strip() or "me"
            self.user = self._member(name)
            if self.chat.private:
                self.chat = self._private()
            self._note(f"(now acting as {name})")
            return []
        if m and m.group(1).lower() == "in":
            where = (m.group(2) or "").strip().lower()
            self.chat = self._private() if where.startswith("p") else self.group
            self._note(f"(now in {'a private chat' if self.chat.private else 'the group'})")
            return []
        if m and m.group(1).lower() == "press":
            data = self.pending_buttons.get((m.group(2) or "").strip())
            if data is None:
                self._note("(no such button)")
                return []
            event: Event = ButtonPress(self.chat, self.user, data=data)
        elif m:
            args = tuple((m.group(2) or "").split())
            event = Command(self.chat, self.user, name=m.group(1).lower(), args=args)
        else:
            event = TextAnswer(self.chat, self.user, text=line, round_id=self.answer_to.get(self._who()))
        replies = await self.engine.handle(event)
        for reply in replies:
            if "answer_to" in reply.meta and reply.to_user is not None and reply.to_user.key == self.user.key:
                self._aim(reply.meta["answer_to"])
            self.show(reply)
        await self._drop_closed_aim(event)
        return replies

    def _who(self) -> tuple[str, str]:
        return self.chat.key, self.user.key

    def _aim(self, round_id: int | None) -> None:
        """Where this member's plain answers in this chat go: a chosen round, or (None) the most
        recent open question."""
        if round_id is None:
            self.answer_to.pop(self._who(), None)
        else:
            self.answer_to[self._who()] = round_id

    async def _drop_closed_aim(self, event: Event) -> None:
        """A chosen question that has closed no longer takes answers: back to the most recent."""
        aim = self.answer_to.get(self._who())
        if aim is None or not isinstance(event, TextAnswer):
            return
        rnd = await self.engine.rounds.get(aim)
        if rnd is None or rnd.status is not RoundStatus.OPEN:
            self._aim(None)
            self._note(f"(#{aim} is closed: answers go to the most recent question again)")

    def _private(self) -> ChatRef:
        return ChatRef(PLATFORM, f"dm-{self.user.id}", private=True, title=self.user.name)

    def _note(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def feed_lines(self, lines: Iterable[str]) -> None:
        for line in lines:
            await self.feed(line)

    async def run(self, stream: TextIO | None = None) -> None:
        """Read lines until EOF. A daemon thread reads (so timers keep firing while we wait for
        input, and a blocked terminal read never holds up shutdown)."""
        stream = stream if stream is not None else sys.stdin
        with contextlib.suppress(AttributeError, ValueError, OSError):  # undecodable bytes become U+FFFD
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        if stream.isatty():
            self._note("quizbot console: type /help, /as NAME to switch member, Ctrl-D to quit.")
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str] = asyncio.Queue()

        def read() -> None:
            for line in iter(stream.readline, ""):
                loop.call_soon_threadsafe(lines.put_nowait, line)
            loop.call_soon_threadsafe(lines.put_nowait, "")

        threading.Thread(target=read, name="console-stdin", daemon=True).start()
        while line := await lines.get():
            await self.feed(line)
