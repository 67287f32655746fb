"""A loopback fake of an OpenAI-compatible chat-completions API (aiohttp on 127.0.0.1, random port).

By default it judges like a strict, literal model: a key point is "hit" when its text appears in
the answer block, "contradicted" when it follows 不/没有/并非/not closely or precedes 无关, else "missed"; the score is
the share of points hit. Tests script other replies with ``script``: each entry is used once, in
order, and is either an HTTP status with optional headers and body, ``HANG`` (never answer), or a
string used as the message content. ``gate`` (an ``asyncio.Event``) holds every reply until set.
``latency`` delays each reply; ``rpm_limit`` answers 429 with a Retry-After beyond that many
requests in any ``window`` seconds, as providers do. ``requests`` keeps every request body.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

HANG = "hang"
MODEL = "fake-judge"


class Sleeps:
    """Stands in for asyncio.sleep in the judge's retries: records each wait, returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@dataclass
class Status:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = '{"error": {"message": "scripted failure"}}'


def _block(text: str, name: str) -> str:
    m = re.search(rf"^<{name}>\n(.*?)\n</{name}>$", text, re.S | re.M)
    return m.group(1) if m else ""


def literal_judgement(user: str) -> dict:
    points = [re.sub(r"^\d+\. ", "", line) for line in _block(user, "key_points").splitlines() if line.strip()]
    answer = _block(user, "answer")
    verdicts = []
    for p in points:
        if re.search(rf"(不|没有|并非|not )[^，。,.]{{0,2}}{re.escape(p)}|{re.escape(p)}无关", answer):
            verdicts.append("contradicted")
        elif p in answer:
            verdicts.append("hit")
        else:
            verdicts.append("missed")
    hits = verdicts.count("hit")
    score = round(10 * hits / len(points)) if points else 0
    missing = [p for p, v in zip(points, verdicts, strict=True) if v != "hit"]
    feedback = ("缺少：" + "、".join(missing)) if missing else "要点齐全，解释清楚。"
    return {"points": [{"n": i, "verdict": v} for i, v in enumerate(verdicts, 1)], "score": score,
            "feedback": feedback}


class FakeOpenAI:
    def __init__(self, latency: float = 0.0, rpm_limit: int | None = None, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.latency = latency
        self.rpm_limit = rpm_limit
        self.window = window
        self.clock = clock
        self.script: deque[Status | str] = deque()
        self.requests: list[dict] = []
        self.served = 0  # requests answered with a judgement
        self.served_at: list[float] = []  # clock() of each judgement sent
        self.limited = 0  # requests answered 429 by the rate limit
        self.gate: asyncio.Event | None = None
        self._recent: deque[float] = deque()
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()  # ends hanging and gated replies when the server stops
        self.base_url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        return self.base_url

    async def stop(self) -> None:
        self._closing.set()
        if self.gate is not None:
            self.gate.set()
        if self._runner is not None:
            await self._runner.cleanup()

    def _over_limit(self) -> float | None:
        if self.rpm_limit is None:
            return None
        now = self.clock()
        while self._recent and self._recent[0] <= now - self.window:
            self._recent.popleft()
        if len(self._recent) >= self.rpm_limit:
            return self._recent[0] + self.window - now
        self._recent.append(now)
        return None

    async def _completions(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        wait = self._over_limit()
        if wait is not None:
            self.limited += 1
            return web.json_response({"error": {"message": "rate limited"}}, status=429,
                                     headers={"Retry-After": f"{max(wait, 0.001):.3f}"})
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.gate is not None:
            await self.gate.wait()
        item = self.script.popleft() if self.script else None
        if item == HANG:
            await self._closing.wait()
            return web.Response(status=503, text="shutting down")
        if isinstance(item, Status):
            return web.Response(status=item.status, text=item.body, headers=item.headers,
                                content_type="application/json")
        content = item if isinstance(item, str) else json.dumps(
            literal_judgement(body["messages"][-1]["content"]), ensure_ascii=False)
        self.served += 1
        self.served_at.append(self.clock())
        return web.json_response({
            "id": f"chatcmpl-{len(self.requests)}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", MODEL),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 30, "total_tokens": 130},
        })


def judged_by(settings, server: FakeOpenAI, **overrides):
    """``settings`` with the LLM judge pointed at ``server`` (the engine builds its grader from
    them), its rate limit out of the way and a reveal wait that a loopback judgement always meets."""
    fields = {"llm_base_url": server.base_url, "llm_model": MODEL, "llm_requests_per_minute": 60_000,
              "llm_reveal_wait": 5.0} | overrides
    return dataclasses.replace(settings, **fields)
