"""Logging set-up: one line per event (UTC time, level, logger, message, key fields); secrets redacted.

Redaction happens twice, on purpose:

* a log-record factory rewrites every record *when it is created* (message, arguments and
  traceback formatted once and scrubbed), so no handler can ever see a raw token — including
  handlers a library attaches later (discord.py, PTB) and pytest's capture handler;
* a filter on every handler we know of does the same, for records built by other means.

What counts as a secret: the configured tokens themselves in every encoding an HTTP library may
write them in (URL-encoded, JSON-escaped, Base64, a Telegram token without its ``id:``), plus anything shaped like a Telegram
(``123456:ABC...``) or Discord (``xxx.yyy.zzz``) bot token — PTB puts the token into the message of
``InvalidToken`` and into every request URL, so a shape match is the safety net for a token the
process was never told about. ``redact`` is also what the CLI runs over error messages it prints.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import sys
import threading
import time
from urllib.parse import quote, quote_plus

# no \b at the start: in a Bot API URL the token follows "bot" directly (".../bot123456:AA.../getMe")
TOKEN_PATTERNS = (
    (re.compile(r"(?<!\d)\d{6,12}(?::|%3[Aa])[A-Za-z0-9_-]{30,}"), "***"),  # Telegram bot token, also URL-encoded
    (re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"), "***"),  # Discord
    # Discord interaction and webhook tokens sit in URL paths that discord.py logs at DEBUG
    (re.compile(r"(/(?:interactions|webhooks)/\d+/)[A-Za-z0-9_.-]{20,}"), r"\1***"),
)
# the HTTP clients log every request URL at INFO, and Telegram URLs contain the token; they are
# also the noisiest loggers (a long poll every 30 s), so they stay at WARNING whatever the level
QUIET_LOGGERS = ("httpx", "httpcore", "hpack", "websockets", "aiosqlite")
# LogRecord attributes that are not "key fields" passed with ``extra=``
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}

_secrets: tuple[str, ...] = ()
_lock = threading.Lock()


def encodings(secret: str) -> set[str]:
    """The ways a secret may be written by the HTTP clients and SDKs: as is, URL-encoded (``%3A``,
    lower-case ``%3a``, ``+`` for spaces), JSON-escaped, Base64 (Basic auth), and a Telegram
    token's secret part without its ``id:`` prefix."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), quote(secret, safe="/"), json.dumps(secret)[1:-1]}
    forms |= {re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), f) for f in list(forms)}
    raw = secret.encode()
    forms |= {base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode(),
              base64.b64encode(raw).decode().rstrip("=")}
    bare = re.fullmatch(r"\d{3,20}:(.{8,})", secret)
    if bare:
        forms |= encodings(bare.group(1))
    return {f for f in forms if len(f) >= 8}


def set_secrets(*secrets: str | None) -> None:
    """Remember the configured tokens so they are redacted even if they are not token-shaped."""
    global _secrets
    with _lock:
        known = set(_secrets) | {form for s in secrets if s and len(s) >= 8 for form in encodings(s)}
        # longest first, so a token that contains another is replaced whole
        _secrets = tuple(sorted(known, key=len, reverse=True))


def redact(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "***")
    for pattern, replacement in TOKEN_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _scrub(record: logging.LogRecord) -> logging.LogRecord:
    """Format the record's message and traceback now, redacted; idempotent. Key fields passed
    with ``extra=`` are added after the record factory ran, so they are checked every time."""
    for key, value in list(vars(record).items()):
        if key not in _STANDARD and isinstance(value, str):
            setattr(record, key, redact(value))
    if getattr(record, "_redacted", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: keep what we can show safely
        message = f"{record.msg!s} {record.args!r}"
    record.msg, record.args = redact(message), ()
    if record.exc_info:
        if not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        # the exception object may carry the token in its args; handlers only need the text
        record.exc_info = None
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._redacted = True
    return record


class RedactSecrets(logging.Filter):
    """Handler filter: scrub whatever reaches the handler (a no-op for already scrubbed records)."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        set_secrets(*secrets)

    def redact(self, text: str) -> str:
        return redact(text)

    def filter(self, record: logging.LogRecord) -> bool:
        _scrub(record)
        return True


class OneLineFormatter(logging.Formatter):
    """``2026-11-18T12:00:00.123Z INFO bot.runtime: message key=value``; a traceback is kept on the
    same line with its newlines escaped, so one event is always one line for grep and journald."""

    def format(self, record: logging.LogRecord) -> str:
        _scrub(record)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        line = f"{stamp}.{int(record.msecs):03d}Z {record.levelname} {record.name}: {record.getMessage()}"
        fields = [f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")]
        if fields:
            line += " " + " ".join(fields)
        if record.exc_text:
            line += " | " + record.exc_text
        if record.stack_info:
            line += " | " + record.stack_info
        return line.replace("\r", "").replace("\n", "\\n")


_factory_installed = False


def _install_record_factory() -> None:
    global _factory_installed
    if _factory_installed:
        return
    base = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        return _scrub(base(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _factory_installed = True


def _log_uncaught(exc_type, exc, tb) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    logging.getLogger("quizbot").critical("uncaught exception", exc_info=(exc_type, exc, tb))


def _log_thread_exception(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    logging.getLogger("quizbot").error("uncaught exception in thread %s", getattr(args.thread, "name", "?"),
                                       exc_info=args.exc_value)  # carries its traceback


def configure(level: str = "INFO", secrets: tuple[str | None, ...] = (), stream=None) -> None:
    """One redacting, one-line handler on the root logger (stderr); every library logger
    propagates to it. Safe to call again (the CLI calls it early, then with the configured level)."""
    set_secrets(*secrets)
    _install_record_factory()
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(OneLineFormatter())
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    numeric = logging.getLevelName(level.upper())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, numeric if isinstance(numeric, int) else 0))
    # handlers that libraries attached to their own loggers get the filter too
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            for h in logger.handlers:
                if not any(isinstance(f, RedactSecrets) for f in h.filters):
                    h.addFilter(RedactSecrets())
    logging.captureWarnings(True)  # warnings go through the same redacting handler
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_thread_exception
