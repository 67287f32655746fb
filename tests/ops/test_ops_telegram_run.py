"""``quizbot run`` with a Telegram token serves Telegram: a small stand-in for the Bot API on
127.0.0.1 (just what start-up, polling and one reply need), one update, the reply, a healthy
heartbeat showing the adapter connected, then SIGTERM and a clean exit. The adapter's own
behaviour is tested in tests/telegram against the full fake; this checks the wiring of the process."""

from __future__ import annotations

import json
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from ops_support import FAKE_TG_TOKEN, BotProcess, bot_env, quizbot

USER = {"id": 42, "is_bot": False, "first_name": "Ada", "language_code": "en"}
CHAT = {"id": 42, "type": "private", "first_name": "Ada"}


class BotAPI(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.calls: list[tuple[str, dict]] = []
        self.updates = [{"update_id": 1, "message": {
            "message_id": 1, "date": int(time.time()), "chat": CHAT, "from": USER, "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}]
        self.changed = threading.Condition()

    def wait_for(self, method: str, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for name, params in self.calls:
                    if name == method:
                        return params
                left = deadline - time.monotonic()
                assert left > 0, f"no {method} call; calls: {[c[0] for c in self.calls]}"
                self.changed.wait(left)


class Handler(BaseHTTPRequestHandler):
    server: BotAPI

    def do_POST(self) -> None:  # noqa: N802 (the http.server API)
        token, _, method = self.path.removeprefix("/bot").partition("/")
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        params = json.loads(raw) if raw.startswith("{") else {k: v[0] for k, v in parse_qs(raw).items()}
        if token != FAKE_TG_TOKEN:
            return self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        result: object = True
        if method == "getMe":
            result = {"id": 7012345678, "is_bot": True, "first_name": "Quiz", "username": "quiz_ops_bot",
                      "can_join_groups": True, "can_read_all_group_messages": False,
                      "supports_inline_queries": False}
        elif method == "getUpdates":
            offset = int(params.get("offset") or 0)
            result = [u for u in self.server.updates if u["update_id"] >= offset]
            if not result:
                time.sleep(0.2)  # a short long-poll: keeps the polling loop calm
        elif method == "sendMessage":
            result = {"message_id": 2, "date": int(time.time()), "chat": CHAT, "text": params.get("text", "")}
        if method != "getUpdates":
            with self.server.changed:
                self.server.calls.append((method, params))
                self.server.changed.notify_all()
        self._reply(200, {"ok": True, "result": result})

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


def test_run_with_a_telegram_token_serves_telegram_and_stops_cleanly(tmp_path):
    api = BotAPI()
    threading.Thread(target=api.serve_forever, daemon=True).start()
    db = tmp_path / "tg.db"
    env = bot_env(TELEGRAM_BOT_TOKEN=FAKE_TG_TOKEN, TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{api.server_address[1]}")
    try:
        with BotProcess(db, env=env) as bot:
            bot.wait_stderr("telegram adapter running")
            reply = api.wait_for("sendMessage")
            assert str(reply.get("chat_id")) == "42" and "/quiz" in reply.get("text", "")
            bot.wait_stderr("ready in")
            health = quizbot("--db", str(db), "health", env=env)
            assert health.returncode == 0, health.stderr
            assert "telegram running" in health.stdout
            sent = bot.signal(signal.SIGTERM)
            rc = bot.wait(12)
            assert bot.exited_at - sent < 10
    finally:
        api.shutdown()
        api.server_close()
    output = bot.stdout + bot.stderr
    assert rc == 0, output[-2000:]
    assert "telegram adapter stopped" in output
    assert "no TELEGRAM_BOT_TOKEN" not in output  # the console is not started
    assert FAKE_TG_TOKEN not in output and FAKE_TG_TOKEN.split(":")[1] not in output
