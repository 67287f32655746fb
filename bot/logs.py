"""Logging set-up: one line per event with time, level, logger and message; secrets redacted.

A filter replaces anything that looks like a Telegram or Discord token (and the configured
tokens themselves) with ``***`` so a token can never reach a log line, whoever formats it.
"""

from __future__ import annotations

import logging
import os
import re

TOKEN_PATTERNS = (
    re.compile(r"\b\d{6,12}:[A-Za-z0-9_-]{30,}\b"),  # Telegram bot token
    re.compile(r"\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}\b"),  # Discord token
)


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s and len(s) >= 8)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        for pattern in TOKEN_PATTERNS:
            text = pattern.sub("***", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        clean = self.redact(message)
        record.msg, record.args = clean, ()
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def configure(level: str = "INFO") -> None:
    secrets = tuple(os.environ.get(k, "") for k in ("TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN"))
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # the HTTP client logs every request URL, and Telegram URLs contain the token
    logging.getLogger("httpx").setLevel(logging.WARNING)
