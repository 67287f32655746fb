"""Typed, frozen settings built once at start-up from a YAML file plus the environment.

Everything that is not a secret lives in ``quizbot.yaml`` (path from ``--config`` or
``QUIZBOT_CONFIG``; ``quizbot.example.yaml`` documents every key). Tokens come only from the
environment: the CLI reads a ``.env`` file from the working directory into it first, without
overriding variables that are really set. Precedence: defaults < YAML < environment < CLI flags.
Unknown keys and bad values raise ``ConfigError`` naming the key path (``quiz.open_window_seconds``,
``admins[1]``, ``QUIZBOT_DB``), and never echo a secret.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

SECRET_FIELDS = ("telegram_token", "discord_token", "llm_api_key")
LANGS = ("zh", "en")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
PLATFORMS = ("telegram", "discord", "console")


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
    review_retention: float = 0.9  # FSRS desired retention of the review queue (/review)
    admin_ids: tuple[str, ...] = ()  # bot-level admins as 'platform:user_id'
    cache_entries: int = 10_000  # entries each in-memory cache keeps (chats, members, open rounds, polls)
    log_level: str = "INFO"
    heartbeat_seconds: float = 30.0
    telegram_api_base_url: str | None = None
    discord_api_base_url: str | None = None
    discord_gateway_url: str | None = None
    discord_dev_guild: str | None = None
    discord_shard_count: str | None = None  # total shards (empty: Discord's recommendation)
    discord_shard_ids: str | None = None  # the shards this process runs, "0-3" or "0,2" (empty: all)
    # worker processes that grade answers beside the event loop: "auto" (one when the machine has a
    # second core) or a number, 0 = grade on the event loop
    grading_workers: str = "auto"
    # the optional LLM judge (any OpenAI-compatible chat-completions API): on when both are set
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_timeout: float = 20.0  # seconds per request
    llm_concurrency: int = 4  # requests in flight at once
    llm_requests_per_minute: float = 60.0  # spaced evenly (no bursts), below the provider's limit
    llm_daily_budget: int = 2000  # API calls per UTC day, retries included; 0 = no limit
    llm_reveal_wait: float = 10.0  # seconds a reveal waits for judgements still pending
    # secrets: only from the environment, never printed
    telegram_token: str | None = field(default=None, repr=False)
    discord_token: str | None = field(default=None, repr=False)
    llm_api_key: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.discord_shard_ids and not self.discord_shard_count:
            raise ConfigError("DISCORD_SHARD_IDS (discord.shard_ids)",
                              "needs DISCORD_SHARD_COUNT (discord.shard_count), the total over all processes")
        if self.discord_shard_ids and self.discord_shard_count:
            top = max(int(n) for n in re.findall(r"\d+", self.discord_shard_ids))
            if top >= int(self.discord_shard_count):
                raise ConfigError("DISCORD_SHARD_IDS (discord.shard_ids)",
                                  f"shard {top} is not below DISCORD_SHARD_COUNT {self.discord_shard_count}")
        if bool(self.llm_base_url) != bool(self.llm_model):
            missing = "QUIZBOT_LLM_MODEL (llm.model)" if self.llm_base_url else "QUIZBOT_LLM_BASE_URL (llm.base_url)"
            raise ConfigError(missing, "the LLM judge needs both a base URL and a model; set the other one too")

    @property
    def llm_enabled(self) -> bool:
        """True when an LLM judge is configured (base URL and model)."""
        return bool(self.llm_base_url and self.llm_model)

    @property
    def grading_worker_count(self) -> int:
        """How many grading worker processes to start (``auto``: one when there is a second core for it)."""
        if self.grading_workers == "auto":
            return 1 if (os.cpu_count() or 1) >= 2 else 0
        return int(self.grading_workers)

    @property
    def heartbeat_path(self) -> Path:
        return self.db_path.with_name(self.db_path.name + ".heartbeat")

    @property
    def platforms(self) -> tuple[str, ...]:
        """The chat platforms that have a token, in start-up order."""
        return tuple(p for p, t in (("telegram", self.telegram_token), ("discord", self.discord_token)) if t)

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
    """Enough to tell which token is set, never enough to use it."""
    if not secret:
        return None
    return "***" + secret[-4:] if len(secret) > 20 else "***"


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
    "review.desired_retention": "review_retention",
    "admins": "admin_ids",
    "memory.cache_entries": "cache_entries",
    "log_level": "log_level",
    "heartbeat_seconds": "heartbeat_seconds",
    "telegram.api_base_url": "telegram_api_base_url",
    "discord.api_base_url": "discord_api_base_url",
    "discord.gateway_url": "discord_gateway_url",
    "discord.dev_guild": "discord_dev_guild",
    "discord.shard_count": "discord_shard_count",
    "discord.shard_ids": "discord_shard_ids",
    "grading.workers": "grading_workers",
    "llm.base_url": "llm_base_url",
    "llm.model": "llm_model",
    "llm.timeout": "llm_timeout",
    "llm.concurrency": "llm_concurrency",
    "llm.requests_per_minute": "llm_requests_per_minute",
    "llm.daily_budget": "llm_daily_budget",
    "llm.reveal_wait_seconds": "llm_reveal_wait",
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
    "DISCORD_SHARD_COUNT": "discord_shard_count",
    "DISCORD_SHARD_IDS": "discord_shard_ids",
    "QUIZBOT_GRADING_WORKERS": "grading_workers",
    "QUIZBOT_LLM_BASE_URL": "llm_base_url",
    "QUIZBOT_LLM_MODEL": "llm_model",
    "QUIZBOT_LLM_API_KEY": "llm_api_key",
}
SECRET_ENV = {var: name for var, name in ENV_KEYS.items() if name in SECRET_FIELDS}
SECTIONS = frozenset(k.rsplit(".", 1)[0] for k in YAML_KEYS if "." in k)


# -- value checks: each raises ValueError with a message for the operator ---------------------------

def _between(low: float, high: float, *, open_low: bool = False) -> Callable[[float], None]:
    def check(value: float) -> None:
        if value < low or (open_low and value == low) or value > high:
            raise ValueError(f"must be {'>' if open_low else '>='} {low:g} and <= {high:g}")
    return check


def _url(*schemes: str) -> Callable[[str | None], None]:
    def check(value: str | None) -> None:
        if value is not None and not re.match(rf"^({'|'.join(schemes)})://[^\s/]+", value):
            raise ValueError(f"expected a {' or '.join(schemes)} URL")
    return check


def _one_of(choices: tuple[str, ...]) -> Callable[[str], None]:
    def check(value: str) -> None:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
    return check


def _workers(value: str) -> None:
    if value != "auto" and not (value.isdigit() and int(value) <= 8):
        raise ValueError("expected auto or a number of worker processes from 0 to 8")


def _time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("unknown time zone (use an IANA name like Asia/Shanghai or Europe/Berlin)") from None


def _guild(value: str | None) -> None:
    if value is not None and not value.isdigit():
        raise ValueError("expected a numeric guild id")


def _shard_count(value: str | None) -> None:
    if value is not None and (not value.isdigit() or int(value) < 1):
        raise ValueError("expected a whole number of shards, at least 1")


def _shard_ids(value: str | None) -> None:
    if value is not None and not re.fullmatch(r"\d+(-\d+)?(,\d+(-\d+)?)*", value.replace(" ", "")):
        raise ValueError("expected shard ids like 0-3 or 0,2,5")


CHECKS: dict[str, Callable] = {
    "default_lang": _one_of(LANGS),
    "default_tz": _time_zone,
    "log_level": _one_of(LOG_LEVELS),
    "open_window": _between(0, 7 * 86400, open_low=True),
    "choice_window": _between(0, 7 * 86400, open_low=True),
    "max_quiz_questions": _between(1, 100),
    "max_answer_chars": _between(1, 100_000),
    "cache_entries": _between(1, 10_000_000),
    "reveal_delay_hours": _between(0, 24, open_low=True),
    "grace_minutes": _between(0, 24 * 60),
    "discussion_share": _between(0, 1),
    "review_retention": _between(0.7, 0.99),
    "heartbeat_seconds": _between(1, 3600),
    "telegram_api_base_url": _url("http", "https"),
    "discord_api_base_url": _url("http", "https"),
    "discord_gateway_url": _url("ws", "wss"),
    "discord_dev_guild": _guild,
    "discord_shard_count": _shard_count,
    "discord_shard_ids": _shard_ids,
    "grading_workers": _workers,
    "llm_base_url": _url("http", "https"),
    "llm_timeout": _between(0, 600, open_low=True),
    "llm_concurrency": _between(1, 64),
    "llm_requests_per_minute": _between(0, 100_000, open_low=True),
    "llm_daily_budget": _between(0, 10_000_000),
    "llm_reveal_wait": _between(0, 600),
}
_FIELD_TYPES = {f.name: f.type for f in dataclasses.fields(Settings)}
_ADMIN = re.compile(rf"^({'|'.join(PLATFORMS)}):\S+$")


def _flatten(data: Mapping, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if path in SECTIONS:
            if value is None:  # a section whose keys are all commented out
                continue
            if not isinstance(value, Mapping):
                keys = ", ".join(k for k in YAML_KEYS if k.startswith(path + "."))
                raise ConfigError(path, f"expected a section with the keys {keys} (got {value!r})")
            flat.update(_flatten(value, path + "."))
        elif isinstance(value, Mapping) and value and path not in YAML_KEYS:
            flat.update(_flatten(value, path + "."))  # an unknown section: name its keys in full
        else:
            flat[path] = value
    return flat


def _unknown(key: str) -> ConfigError:
    last = key.rsplit(".", 1)[-1].lower()
    if "token" in last or last in ("secret", "password") or last.endswith("key"):
        return ConfigError(key, "secrets are not read from the config file; set TELEGRAM_BOT_TOKEN, "
                                "DISCORD_BOT_TOKEN or QUIZBOT_LLM_API_KEY in the environment (or a .env file)")
    close = difflib.get_close_matches(key, list(YAML_KEYS), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return ConfigError(key, f"unknown key ({hint}known keys: {', '.join(YAML_KEYS)})")


def _coerce(name: str, key: str, value: object) -> object:
    """``value`` as the field's type, checked; errors name ``key`` and never echo a secret."""
    ftype = _FIELD_TYPES[name]
    shown = "***" if name in SECRET_FIELDS else repr(value)
    try:
        if ftype == "Path":
            if not isinstance(value, str) or not value.strip():
                raise ValueError("expected a path")
            result: object = Path(value).expanduser()
        elif ftype == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise ValueError("expected a number")
            result = float(value)
        elif ftype == "int":
            if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
                raise ValueError("expected a whole number")
            result = int(value)
        elif ftype == "tuple[str, ...]":
            if value is None:
                value = []
            if not isinstance(value, list):
                raise ValueError("expected a list like ['telegram:12345', 'discord:67890']")
            for i, item in enumerate(value):
                if isinstance(item, (dict, list)) or item is None or not _ADMIN.match(str(item)):
                    raise ConfigError(f"{key}[{i}]", f"expected 'platform:user_id' with platform one of "
                                                     f"{', '.join(PLATFORMS)} (got {item!r})")
            result = tuple(str(v) for v in value)
        elif value is None or (isinstance(value, str) and not value.strip() and ftype == "str | None"):
            if ftype != "str | None":
                raise ValueError("a value is required")
            result = None
        elif isinstance(value, (dict, list, bool)):
            raise ValueError("expected a single value")
        else:
            result = str(value).strip()
            if name == "log_level":
                result = str(result).upper()
        check = CHECKS.get(name)
        if check is not None:
            check(result)
        return result
    except (TypeError, ValueError) as exc:
        raise ConfigError(key, f"{exc} (got {shown})") from None


def read_yaml(path: str | Path) -> dict[str, object]:
    """The file's keys flattened to dotted paths (``quiz.open_window_seconds``)."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(str(p), "config file not found")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(str(p), f"YAML syntax: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(p), f"cannot read: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ConfigError(str(p), "the config file must be a mapping of keys to values")
    return _flatten(data)


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None,
                **overrides) -> tuple[Settings, dict[str, str]]:
    """Settings plus where each non-default value came from (a YAML key, a variable, ``--flag``)."""
    env = os.environ if env is None else env
    path = path or env.get("QUIZBOT_CONFIG") or None
    values: dict[str, object] = {}
    where: dict[str, str] = {}
    if path:
        for key, value in read_yaml(path).items():
            if key not in YAML_KEYS:
                raise _unknown(key)
            name = YAML_KEYS[key]
            values[name] = _coerce(name, key, value)
            where[name] = f"{path}: {key}"
    for var, name in ENV_KEYS.items():
        if env.get(var, "").strip():
            values[name] = _coerce(name, var, env[var])
            where[name] = f"${var}"
    for name, value in overrides.items():
        if name not in _FIELD_TYPES:
            raise TypeError(f"unknown setting {name!r}")
        values[name] = value
        where[name] = "command line"
    return Settings(**values), where  # type: ignore[arg-type]


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None, **overrides) -> Settings:
    """Build Settings: defaults <- YAML file <- environment <- explicit overrides (tests, CLI flags)."""
    return load_config(path, env, **overrides)[0]


def yaml_key(name: str) -> str:
    """The YAML key path of a Settings field (secrets: their environment variable)."""
    for key, field_name in YAML_KEYS.items():
        if field_name == name:
            return key
    for var, field_name in SECRET_ENV.items():
        if field_name == name:
            return var
    return name
