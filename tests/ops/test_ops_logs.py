"""Log lines: one line per event with UTC time, level, logger, message and key fields; tokens
redacted wherever they hide (message, arguments, exception, extra fields), for library loggers
too, and for handlers a library attaches after start-up. ``configure`` changes process-wide state,
so the tests that call it run in a subprocess."""

from __future__ import annotations

import io
import logging
import re
import subprocess
import sys

from ops_support import FAKE_TG_TOKEN, REPO, bot_env

from bot.logs import OneLineFormatter, RedactSecrets, redact

DISCORD_SHAPED = "MTE4NzY1NDMyMTAxMjM0NTY3OA.GaBcDe.q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8"
LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [A-Z]+ [\w.]+: .*$")


def capture(name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(OneLineFormatter())
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger(f"opstest.{name}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_redact_token_shapes_anywhere_in_text():
    text = f"POST https://api.telegram.org/bot{FAKE_TG_TOKEN}/getMe and Bot {DISCORD_SHAPED}."
    clean = redact(text)
    assert FAKE_TG_TOKEN not in clean and DISCORD_SHAPED not in clean
    assert clean == "POST https://api.telegram.org/bot***/getMe and Bot ***."
    assert redact("round 12:34 at 09:00, chat -1001234567890") == "round 12:34 at 09:00, chat -1001234567890"
    url = "POST https://discord.com/api/v10/interactions/1187654321012345678/aW50ZXJhY3Rpb246MTE4NzY1NDMy/callback"
    assert redact(url) == "POST https://discord.com/api/v10/interactions/1187654321012345678/***/callback"


def test_one_line_with_time_level_logger_and_key_fields():
    logger, stream = capture("fields")
    logger.info("answer stored\nfor round %d", 7, extra={"chat": "telegram:-100", "user": "telegram:42"})
    line = stream.getvalue()
    assert line.count("\n") == 1 and LINE.match(line.rstrip("\n")), line
    assert " INFO opstest.fields: answer stored\\nfor round 7 chat=telegram:-100 user=telegram:42" in line


def test_an_exception_stays_on_the_line_and_is_redacted():
    logger, stream = capture("exc")
    try:
        raise RuntimeError(f"The token `{FAKE_TG_TOKEN}` was rejected by the server.")
    except RuntimeError:
        logger.exception("start failed for %s", f"https://x/bot{FAKE_TG_TOKEN}/getMe",
                         extra={"url": f"/bot{FAKE_TG_TOKEN}/"})
    out = stream.getvalue()
    assert out.count("\n") == 1
    assert "Traceback (most recent call last):\\n" in out and "RuntimeError: The token `***`" in out
    assert FAKE_TG_TOKEN not in out and FAKE_TG_TOKEN.split(":")[1] not in out


def test_configured_secret_that_is_not_token_shaped_is_redacted_too():
    logger, stream = capture("secret")
    RedactSecrets(("hunter2-not-a-token",))
    logger.warning("connecting with %s", "hunter2-not-a-token")
    assert "hunter2" not in stream.getvalue() and "connecting with ***" in stream.getvalue()


CONFIGURED = f"""
import logging, sys, warnings
from bot.logs import configure
configure("DEBUG", secrets=("plain-secret-value",))
# a library that attaches its own handler after start-up (discord.py's Client.run does)
late = logging.StreamHandler(sys.stdout)
logging.getLogger("discord.client").addHandler(late)
logging.getLogger("discord.client").info("login with %s", "{DISCORD_SHAPED}")
logging.getLogger("httpx").info("HTTP Request: POST http://127.0.0.1/bot{FAKE_TG_TOKEN}/getMe")
logging.getLogger("httpx").warning("HTTP Request failed: POST http://127.0.0.1/bot{FAKE_TG_TOKEN}/getMe")
logging.getLogger("telegram.ext.Updater").error("poll failed", exc_info=ValueError("{FAKE_TG_TOKEN}"))
warnings.warn("deprecated call with plain-secret-value")
raise RuntimeError("uncaught: {FAKE_TG_TOKEN}")
"""


def test_configure_redacts_every_handler_library_logger_warning_and_uncaught_error():
    result = subprocess.run([sys.executable, "-c", CONFIGURED], capture_output=True, text=True, cwd=REPO,
                            env=bot_env(), timeout=60)
    out = result.stdout + result.stderr
    assert FAKE_TG_TOKEN not in out and DISCORD_SHAPED not in out and "plain-secret-value" not in out, out
    assert "login with ***" in result.stdout  # the late library handler got a scrubbed record
    assert "HTTP Request: POST" not in out  # httpx INFO (every request URL) stays off
    assert "HTTP Request failed: POST http://127.0.0.1/bot***/getMe" in result.stderr
    assert "ERROR telegram.ext.Updater: poll failed | ValueError: ***" in result.stderr
    assert "WARNING py.warnings: " in result.stderr
    assert "CRITICAL quizbot: uncaught exception | Traceback" in result.stderr
    for line in result.stderr.splitlines():
        assert LINE.match(line), line
