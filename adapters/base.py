"""The adapter contract: what ``bot.runtime`` needs from a platform adapter.

An adapter is a running connection to one platform. It turns platform updates into the neutral
events of ``bot.events`` (``Command``, ``TextAnswer``, ``ChoicePick``, ``ButtonPress``), calls
``QuizEngine.handle`` and delivers the replies (``bot.replies``) to each reply's own ``chat``; it
registers itself with ``engine.add_messenger(platform, adapter)`` so the engine can push replies
nobody asked for (timed reveals, the question of the day) through ``send``. The command menus it
offers and the commands for which it must fill ``UserRef.is_admin`` truthfully come from the
command registry (``engine.commands``). docs/architecture.md describes the whole flow.

The runtime starts each adapter (retrying network errors with backoff) and stops it at shutdown;
an exception from ``start`` that is an instance of one of ``fatal_errors`` (a rejected token)
stops the bot with exit code 2 instead, so the core never imports a platform SDK to recognise it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.replies import Reply


@runtime_checkable
class Adapter(Protocol):
    """A running connection to one platform (see the module docstring)."""

    @property
    def platform(self) -> str:
        """The ChatRef.platform it serves: "telegram", "discord", "console"."""
        ...

    @property
    def fatal_errors(self) -> tuple[type[BaseException], ...]:
        """Errors from ``start()`` that retrying cannot fix (a rejected token)."""
        ...

    async def start(self) -> None:
        """Connect and start taking updates; raise if the platform cannot be reached."""
        ...

    async def stop(self) -> None:
        """Stop taking updates and release the connection; safe after a failed start."""
        ...

    async def send(self, reply: Reply) -> None:
        """Deliver a pushed reply (daily question, timed reveal) to ``reply.chat``; raise
        ``bot.messenger.ChatUnavailable`` when the platform says the chat is gone."""
        ...
