"""Typed, frozen settings built once at start-up from a YAML file plus the environment.

Everything that is not a secret lives in ``quizbot.yaml`` (path from ``--config`` or
``QUIZBOT_CONFIG``); tokens come only from the environment (a ``.env`` file is read if present).
Unknown keys and bad values raise ``ConfigError`` naming the key path.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

SECRET_FIELDS = ("telegram_token", "discord_token")
LANGS = ("zh", "en")


class ConfigError(Exception):
    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"config: {key}: {message}")


@dataclass(frozen=True)
class Settings:
    db_path: Path = Path("data/quizbot.db")
    questions_dir: Path = Path("questions")
    default_lang: str = "zh"
    default_tz: str = "Asia/Shanghai"
    open_window: float = 120.0  # seconds to answer an open question in an on-demand round
    choice_window: float = 30.0  # seconds for a choice question
    max_quiz_questions: int = 10  # upper bound for /quiz <topic> <n>
    max_answer_chars: int = 4000  # longer answers are refused with a clear message
    reveal_delay_hours: float = 12.0  # default gap between a daily post and its reveal
    grace_minutes: float = 60.0  # a daily post missed while down is still made this late
    discussion_share: float = 0.2  # share of daily questions that may be discussion questions
    admin_ids: tuple[str, ...] = ()  # bot-level admins as 'platform:user_id'
    log_level: str = "INFO"
    heartbeat_seconds: float = 30.0
    telegram_api_base_url: str | None = None
    discord_api_base_url: str | None = None
    discord_gateway_url: str | None = None
    discord_dev_guild: str | None = None
    # secrets: only from the environment, never printed
    telegram_token: str | None = field(default=None, repr=False)
    discord_token: str | None = field(default=None, repr=False)

    @property
    def heartbeat_path(self) -> Path:
        return self.db_path.with_name(self.db_path.name + ".heartbeat")

    def masked(self) -> dict:
        """The effective configuration as plain data with secrets masked (for `config check`)."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in SECRET_FIELDS:
                value = mask(value)
            elif isinstance(value, Path):
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


def mask(secret: str | None) -> str | None:
    if not secret:
        return None
    return "***" + secret[-4:] if len(secret) > 12 else "***"


# YAML keys (nested, readable) -> Settings field names
YAML_KEYS: dict[str, str] = {
    "database.path": "db_path",
    "questions.dir": "questions_dir",
    "language": "default_lang",
    "timezone": "default_tz",
    "quiz.open_window_seconds": "open_window",
    "quiz.choice_window_seconds": "choice_window",
    "quiz.max_questions": "max_quiz_questions",
    "quiz.max_answer_chars": "max_answer_chars",
    "daily.reveal_delay_hours": "reveal_delay_hours",
    "daily.grace_minutes": "grace_minutes",
    "daily.discussion_share": "discussion_share",
    "admins": "admin_ids",
    "log_level": "log_level",
    "heartbeat_seconds": "heartbeat_seconds",
    "telegram.api_base_url": "telegram_api_base_url",
    "discord.api_base_url": "discord_api_base_url",
    "discord.gateway_url": "discord_gateway_url",
    "discord.dev_guild": "discord_dev_guild",
}
ENV_KEYS: dict[str, str] = {
    "QUIZBOT_DB": "db_path",
    "QUIZBOT_QUESTIONS": "questions_dir",
    "QUIZBOT_LOG_LEVEL": "log_level",
    "TELEGRAM_BOT_TOKEN": "telegram_token",
    "TELEGRAM_API_BASE_URL": "telegram_api_base_url",
    "DISCORD_BOT_TOKEN": "discord_token",
    "DISCORD_API_BASE_URL": "discord_api_base_url",
    "DISCORD_GATEWAY_URL": "discord_gateway_url",
    "DISCORD_DEV_GUILD": "discord_dev_guild",
}


def _flatten(data: Mapping, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and path not in YAML_KEYS:
            flat.update(_flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def _coerce(name: str, key: str, value: object) -> object:
    ftype = {f.name: f.type for f in dataclasses.fields(Settings)}[name]
    try:
        if ftype == "Path":
            if not isinstance(value, str) or not value:
                raise ValueError("expected a path")
            return Path(value)
        if ftype == "float":
            if isinstance(value, bool):
                raise ValueError("expected a number")
            number = float(value)  # type: ignore[arg-type]
            if number < 0:
                raise ValueError("must not be negative")
            return number
        if ftype == "int":
            if isinstance(value, bool) or int(value) != value or int(value) < 1:  # type: ignore[call-overload]
                raise ValueError("expected a positive whole number")
            return int(value)  # type: ignore[call-overload]
        if ftype == "tuple[str, ...]":
            if not isinstance(value, list):
                raise ValueError("expected a list like ['telegram:12345']")
            return tuple(str(v) for v in value)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            raise ValueError("expected a single value")
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(key, f"{exc} (got {value!r})") from None


def _check(settings: Settings, where: Mapping[str, str]) -> None:
    if settings.default_lang not in LANGS:
        raise ConfigError(where.get("default_lang", "language"), f"must be one of {', '.join(LANGS)}")
    try:
        ZoneInfo(settings.default_tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(where.get("default_tz", "timezone"), f"unknown time zone {settings.default_tz!r}") from None
    if settings.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(where.get("log_level", "log_level"), "must be DEBUG, INFO, WARNING or ERROR")
    if not 0 <= settings.discussion_share <= 1:
        raise ConfigError(where.get("discussion_share", "daily.discussion_share"), "must be between 0 and 1")


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None, **overrides) -> Settings:
    """Build Settings: defaults <- YAML file <- environment <- explicit overrides (tests, CLI flags)."""
    env = os.environ if env is None else env
    path = path or env.get("QUIZBOT_CONFIG")
    values: dict[str, object] = {}
    where: dict[str, str] = {}
    if path:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(str(p), "config file not found")
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(str(p), f"YAML syntax: {exc}") from None
        if not isinstance(data, Mapping):
            raise ConfigError(str(p), "the config file must be a mapping")
        for key, value in _flatten(data).items():
            if key not in YAML_KEYS:
                raise ConfigError(key, f"unknown key (known: {', '.join(sorted(YAML_KEYS))})")
            name = YAML_KEYS[key]
            values[name] = _coerce(name, key, value)
            where[name] = key
    for var, name in ENV_KEYS.items():
        if env.get(var):
            values[name] = _coerce(name, var, env[var])
            where[name] = var
    values.update(overrides)
    settings = Settings(**values)  # type: ignore[arg-type]
    _check(settings, where)
    return settings
