"""The command registry: one declaration per command feeds the engine's dispatch and admin check,
/help, the platform menus and the README's command table; the engine's parts use each other's
public methods only."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.command_handlers import ChatCommands
from bot.command_registry import (
    Access,
    Arg,
    ArgKind,
    CommandRegistry,
    CommandSpec,
    L10n,
    command,
    declared,
    markdown_table,
)
from bot.engine import QuizEngine
from bot.events import Command
from bot.flags import FlagCommands
from bot.model import ChatRef, UserRef
from bot.replies import Reply, ReplyKind
from bot.review import ReviewCommands
from scheduler.service import DailyScheduler

REPO = Path(__file__).resolve().parent.parent
GROUP = ChatRef("console", "g1", private=False, title="group")
MEMBER = UserRef("console", "bob", "Bob")
ADMIN = UserRef("console", "root", "Root", is_admin=True)


def all_specs() -> list[CommandSpec]:
    """Every command the product serves: the engine's (its chat commands and /review) and the scheduler's."""
    return [spec for spec, _ in declared(ChatCommands) + declared(FlagCommands) + declared(ReviewCommands)
            + declared(DailyScheduler)]


def readme_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- commands:start -->\n(.*?)\n<!-- commands:end -->", text, re.S)
    assert match, "README.md lacks the <!-- commands:start --> ... <!-- commands:end --> section"
    return match.group(1)


def test_readme_command_table_is_the_registry():
    expected = markdown_table(all_specs())
    assert readme_section() == expected, "README.md's command table differs from the registry; paste:\n" + expected


def test_engine_declares_each_command_once_with_its_handler(engine: QuizEngine):
    names = [spec.name for spec in engine.commands.specs()]
    assert names == [spec.name for spec, _ in declared(ChatCommands) + declared(FlagCommands) + declared(ReviewCommands)]
    assert len(names) == len(set(names))
    assert {"quiz", "next", "reveal", "skip", "stop", "leaderboard", "me", "topics", "daily", "lang", "forget",
            "help", "start", "flag", "review", "to"} == set(names)
    assert engine.commands.lookup("top").spec.name == "leaderboard"
    assert all(engine.commands.lookup(n).handler is not None for n in names)
    assert engine.commands.admin_checked() == {"reveal", "skip", "stop", "daily"}


async def test_scheduler_registers_schedule_through_the_registry(engine: QuizEngine, settings):
    daily = DailyScheduler(engine, settings)
    await daily.start()
    try:
        entry = engine.commands.lookup("schedule")
        assert entry is not None and entry.spec.access is Access.ADMIN and entry.handler is not None
        assert "schedule" in engine.commands.admin_checked()
        refused = await engine.handle(Command(GROUP, MEMBER, name="schedule", args=("09:00",)))
        assert refused[0].kind is ReplyKind.ERROR and "only chat admins" in refused[0].text
        shown = await engine.handle(Command(GROUP, ADMIN, name="schedule"))
        assert shown[0].kind is ReplyKind.INFO
    finally:
        await daily.stop()


async def test_declared_but_unbound_command_answers_as_unknown(engine: QuizEngine):
    engine.commands.declare(*(spec for spec, _ in declared(DailyScheduler)))
    [reply] = await engine.handle(Command(GROUP, ADMIN, name="schedule"))
    assert reply.kind is ReplyKind.ERROR and "Unknown command `/schedule`" in reply.text


async def test_alias_and_admin_check_come_from_the_declaration(engine: QuizEngine):
    [board] = await engine.handle(Command(GROUP, MEMBER, name="top", args=("all",)))
    assert board.kind is ReplyKind.BOARD
    [refused] = await engine.handle(Command(GROUP, MEMBER, name="daily"))
    assert refused.kind is ReplyKind.ERROR and "`/daily`" in refused.text


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_help_lists_every_command_in_the_chat_language(engine: QuizEngine, lang: str):
    [reply] = await engine.handle(Command(GROUP, MEMBER, lang, name="help"))
    for spec in engine.commands.specs():
        assert f"`{spec.usage(lang)}` {spec.help(lang)}" in reply.text
    assert ("面试刷题" in reply.text) == (lang == "zh")


def test_declarations_respect_the_platform_limits():
    for spec in all_specs():
        assert re.fullmatch(r"[a-z0-9_]{1,32}", spec.name)
        for text in (*spec.summary, *(t for a in spec.args for t in a.help)):
            assert 1 <= len(text) <= 100, (spec.name, text)
        assert len(f"{spec.summary.en}: {spec.usage('en')}") <= 256  # Telegram's menu description


def test_bad_declarations_are_refused():
    text = L10n("x", "x")
    with pytest.raises(ValueError, match="not a valid command"):
        CommandSpec("Quiz", text, text)
    with pytest.raises(ValueError, match="1..100"):
        CommandSpec("quiz", L10n("x" * 101, "x"), text)
    with pytest.raises(ValueError, match="not a valid command or option name"):
        CommandSpec("quiz", text, text, args=(Arg("Topic", ArgKind.TOPIC, text, text),))
    registry = CommandRegistry()
    registry.declare(CommandSpec("quiz", text, text, aliases=("q",)))
    registry.declare(CommandSpec("quiz", text, text, aliases=("q",)))  # the same declaration again: fine
    with pytest.raises(ValueError, match="already a name or alias"):
        registry.declare(CommandSpec("q", text, text))
    with pytest.raises(ValueError, match="declared twice"):
        registry.declare(CommandSpec("quiz", L10n("y", "y"), text))
    with pytest.raises(KeyError):
        registry.bind("nope", lambda cmd, lang: None)  # type: ignore[arg-type,return-value]


async def test_decorated_methods_of_any_part_register_bound():
    class Part:
        def __init__(self) -> None:
            self.seen: list[str] = []

        @command("ping", summary=L10n("Ping", "Ping"), help=L10n("answers pong", "回答 pong"))
        async def ping(self, cmd: Command, lang: str) -> list[Reply]:
            self.seen.append(cmd.name)
            return [Reply(cmd.chat, ReplyKind.INFO, "pong")]

    part, registry = Part(), CommandRegistry()
    registry.register_all(part)
    entry = registry.lookup("ping")
    assert entry is not None and entry.handler is not None
    [reply] = await entry.handler(Command(GROUP, MEMBER, name="ping"), "en")
    assert reply.text == "pong" and part.seen == ["ping"]


# -- no module reaches into another's private parts ------------------------------------------

# private attributes of third-party objects, each used on purpose (see the comment at the use)
ALLOWED_PRIVATE = {
    ("bot/storage.py", "_execute"), ("bot/storage.py", "_conn"),  # aiosqlite: one hop for a batch
    ("bot/runtime.py", "_exit"),  # os._exit is public API
    ("bot/logs.py", "_redacted"),  # a mark on a LogRecord the module itself sets
    ("adapters/discord/commands.py", "_get_all_commands"),  # exactly what CommandTree.sync sends
}


def test_no_module_uses_another_objects_private_attributes():
    offenders = []
    for folder in ("bot", "adapters", "scheduler"):
        for path in sorted((REPO / folder).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Attribute) or not node.attr.startswith("_") or node.attr.startswith("__"):
                    continue
                if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                    continue
                if (rel, node.attr) not in ALLOWED_PRIVATE:
                    offenders.append(f"{rel}:{node.lineno}: .{node.attr}")
    assert not offenders, "private attributes used from outside their object:\n" + "\n".join(offenders)
