"""The command registry: every chat command declared once, next to the code that runs it.

A handler is declared with the ``@command(...)`` decorator: its name, aliases, who may run it
(``Access``), its arguments (``Arg``) and its help text in English and Chinese. Everything that
lists commands is generated from these declarations: the engine's dispatch and admin check,
``/help``, Telegram's ``set_my_commands`` menus, Discord's slash-command definitions, the
adapters' admin look-ups and the command table of the README (a test compares the two).

The engine's own commands live in ``bot.command_handlers``; other parts (the scheduler's
``/schedule``) declare theirs the same way and hand their bound handlers to
``QuizEngine.register_command``. A command may be *declared* before its handler is bound (the
platform menus are built at start-up); until then it answers like an unknown command.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar

from bot.events import Command
from bot.replies import Reply

CommandHandler = Callable[[Command, str], Awaitable[list[Reply]]]
F = TypeVar("F", bound=Callable[..., Any])

NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")  # what both Telegram and Discord accept as a command name
SUMMARY_MAX = 100  # Discord's limit for command and option descriptions (Telegram's menu allows 256)
SPEC_ATTR = "__command_spec__"


class L10n(NamedTuple):
    """A text in English and Chinese."""

    en: str
    zh: str

    def __call__(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Access(StrEnum):
    ANYONE = "anyone"
    STARTER_OR_ADMIN = "starter-or-admin"  # the member who started the open round, or an admin
    ADMIN = "admin"  # chat admins (a private chat's own member, configured bot admins)


ACCESS_TEXT = {
    Access.ANYONE: L10n("anyone", "所有人"),
    Access.STARTER_OR_ADMIN: L10n("starter of the round or admin; the question of the day: admin",
                                  "本轮发起人或管理员；每日一题：管理员"),
    Access.ADMIN: L10n("admin", "管理员"),
}


class ArgKind(StrEnum):
    WORDS = "words"  # free text, passed on as words (Discord: one string option)
    TOPIC = "topic"  # a topic query (Discord: a string option with topic autocomplete)
    COUNT = "count"  # a whole number from 1 to settings.max_quiz_questions
    CHOICE = "choice"  # one of ``choices``


class Choice(NamedTuple):
    value: str
    label: L10n


@dataclass(frozen=True)
class Arg:
    name: str  # the option name on Discord
    kind: ArgKind
    help: L10n  # the option description (<= 100 characters)
    usage: L10n  # how the argument is written in /help and the README, e.g. "[topic]"
    required: bool = False
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class CommandSpec:
    name: str
    summary: L10n  # one line for menus and slash commands (<= 100 characters)
    help: L10n  # what it does, for /help and the README
    access: Access = Access.ANYONE
    args: tuple[Arg, ...] = ()
    aliases: tuple[str, ...] = ()
    slash: bool = True  # offered as a Discord slash command (/start is Telegram's deep-link entry)
    platforms: tuple[str, ...] = ()  # the only platforms it serves and whose menus list it; () = all

    def serves(self, platform: str) -> bool:
        return not self.platforms or platform in self.platforms

    def __post_init__(self) -> None:
        for name in (self.name, *self.aliases, *(a.name for a in self.args)):
            if not NAME_RE.match(name):
                raise ValueError(f"command {self.name!r}: {name!r} is not a valid command or option name")
        texts = [*self.summary, *(t for a in self.args for t in a.help),
                 *(t for a in self.args for c in a.choices for t in c.label)]
        too_long = [t for t in texts if not 1 <= len(t) <= SUMMARY_MAX]
        if too_long:
            raise ValueError(f"command {self.name!r}: descriptions must be 1..{SUMMARY_MAX} characters: {too_long}")

    def usage(self, lang: str) -> str:
        return " ".join([f"/{self.name}", *(a.usage(lang) for a in self.args)])

    @property
    def checks_admin(self) -> bool:
        """Whether adapters must tell the engine truthfully if the member is an admin."""
        return self.access is not Access.ANYONE


def command(name: str, *, summary: L10n, help: L10n, access: Access = Access.ANYONE,
            args: tuple[Arg, ...] = (), aliases: tuple[str, ...] = (), slash: bool = True,
            platforms: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Declare the decorated method as the handler of a chat command (see the module docstring)."""
    spec = CommandSpec(name, summary, help, access, args, aliases, slash, platforms)

    def mark(func: F) -> F:
        setattr(func, SPEC_ATTR, spec)
        return func

    return mark


def declared(owner: object) -> list[tuple[CommandSpec, Any]]:
    """(spec, attribute) for every ``@command`` method of a class or an instance, in source order;
    on an instance the attribute is the bound handler."""
    cls = owner if isinstance(owner, type) else type(owner)
    found = []
    for attr in cls.__dict__:
        spec = getattr(getattr(cls, attr), SPEC_ATTR, None)
        if isinstance(spec, CommandSpec):
            found.append((spec, getattr(owner, attr)))
    return found


@dataclass
class Entry:
    spec: CommandSpec
    handler: CommandHandler | None = None


class CommandRegistry:
    """The commands one engine serves, in declaration order, found by name or alias."""

    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._names: dict[str, str] = {}  # name or alias -> name

    def declare(self, *specs: CommandSpec) -> None:
        for spec in specs:
            known = self._entries.get(spec.name)
            if known is not None and known.spec == spec:
                continue  # declared again (the platform menus were built before the handler came)
            for name in (spec.name, *spec.aliases):
                owner = self._names.get(name)
                if owner is not None and owner != spec.name:
                    raise ValueError(f"/{name} is already a name or alias of /{owner}")
            if known is not None:
                raise ValueError(f"/{spec.name} is declared twice, differently")
            self._entries[spec.name] = Entry(spec)
            self._names.update({name: spec.name for name in (spec.name, *spec.aliases)})

    def bind(self, name: str, handler: CommandHandler) -> None:
        """Attach the handler of a declared command (replacing an earlier one)."""
        if name not in self._entries:
            raise KeyError(f"/{name} is not declared")
        self._entries[name].handler = handler

    def register(self, spec: CommandSpec, handler: CommandHandler) -> None:
        self.declare(spec)
        self.bind(spec.name, handler)

    def register_all(self, owner: object) -> None:
        """Declare and bind every ``@command`` method of ``owner`` (an instance)."""
        for spec, handler in declared(owner):
            self.register(spec, handler)

    def lookup(self, name: str) -> Entry | None:
        """The command called ``name`` (or having it as an alias)."""
        real = self._names.get(name)
        return self._entries[real] if real is not None else None

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def specs(self, platform: str | None = None) -> list[CommandSpec]:
        """Every command, or those a platform serves (its menus list only these)."""
        return [entry.spec for entry in self._entries.values() if platform is None or entry.spec.serves(platform)]

    def names(self) -> set[str]:
        """Every name and alias."""
        return set(self._names)

    def admin_checked(self) -> set[str]:
        """Names and aliases of the commands that need the member's admin status."""
        return {name for name, real in self._names.items() if self._entries[real].spec.checks_admin}

    def help_lines(self, lang: str, platform: str | None = None) -> list[str]:
        """/help's list: every command, or those the chat's platform serves (like its menus)."""
        return [f"- `{spec.usage(lang)}` {spec.help(lang)}" for spec in self.specs(platform)]


def markdown_table(specs: Iterable[CommandSpec]) -> str:
    """The README's command table (English)."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    rows = ["| command | who | what it does |", "|---|---|---|"]
    for spec in specs:
        names = ", ".join(f"`/{alias}`" for alias in spec.aliases)
        first = f"`{spec.usage('en')}`" + (f" (also {names})" if names else "")
        rows.append(f"| {cell(first)} | {cell(ACCESS_TEXT[spec.access].en)} | {cell(spec.help.en)} |")
    return "\n".join(rows)
