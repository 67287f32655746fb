"""Log redaction (issue 14, defect 10): every configured secret, in every encoding the HTTP
libraries write it in, never reaches a log line."""

from __future__ import annotations

import base64
import io
import json
import logging
import re
from urllib.parse import quote, quote_plus

import pytest

from bot.logs import configure, redact

TG = "7012345678:AAFq3xVbT9kLmZ_pQr8sUvWx2yZa4bCdEfG"
DISCORD = "MTE4NzY1NDMyMTAxMjM0NTY3OA.GaBcDe.q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8"
LLM = "sk-proj-Zx9/Qw+8Er7=Ty6&Ui5 Op4"  # an API key with characters URLs must escape


def variants(secret: str) -> list[str]:
    lower_hex = re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), quote(secret, safe=""))
    out = [secret, quote(secret, safe=""), quote_plus(secret), lower_hex,
           base64.b64encode(secret.encode()).decode(), json.dumps(secret)[1:-1]]
    if ":" in secret:
        out.append(secret.split(":", 1)[1])  # written without its "id:" prefix
    return out


@pytest.fixture
def log_stream():
    stream = io.StringIO()
    configure("DEBUG", secrets=(TG, DISCORD, LLM), stream=stream)
    yield stream
    configure("WARNING", stream=io.StringIO())


@pytest.mark.parametrize("secret", [TG, DISCORD, LLM])
def test_every_encoding_of_a_configured_secret_is_redacted(log_stream, secret: str) -> None:
    log = logging.getLogger("httpx")
    for n, form in enumerate(variants(secret)):
        logging.getLogger("quizbot.test").warning("request %d: https://api.example/bot%s/getMe?key=%s", n, form, form)
    log.warning("Authorization: Bearer %s", secret)
    text = log_stream.getvalue()
    assert text.count("request") == len(variants(secret))
    for form in variants(secret):
        assert form not in text, form


def test_unconfigured_telegram_token_url_encoded_is_redacted() -> None:
    other = "6998877665:BBxq3xVbT9kLmZ_pQr8sUvWx2yZa4bCdEfH"
    assert "BBxq3xVbT9kLmZ" not in redact(f"GET /bot{quote(other, safe='')}/getUpdates")
    assert "BBxq3xVbT9kLmZ" not in redact(f"GET /bot{other.replace(':', '%3a')}/getUpdates")
