"""The fake Bot API with Telegram's flood limit enforced: more than ``rate`` messages in any
one-second window get HTTP 429 with ``retry_after``, as Telegram answers. Used by the fan-out
test and ``bench/bench_fanout.py``."""

from __future__ import annotations

import time
from collections import Counter, deque

from fake_bot_api import Failure, FakeBotAPI

SENDS = ("sendMessage", "sendPoll")


class RateLimitedBotAPI(FakeBotAPI):
    def __init__(self, rate: int = 30, retry_after: int = 1, **kw) -> None:
        super().__init__(**kw)
        self.rate = rate
        self.retry_after = retry_after
        self.window: deque[float] = deque()
        self.rejected = 0
        self.first_send: float | None = None
        self.last_send: float | None = None

    def _take_failure(self, method: str, params: dict) -> Failure | None:
        if method in SENDS:
            now = time.monotonic()
            while self.window and now - self.window[0] >= 1.0:
                self.window.popleft()
            if len(self.window) >= self.rate:
                self.rejected += 1
                return Failure(429, f"Too Many Requests: retry after {self.retry_after}",
                               {"retry_after": self.retry_after})
            self.window.append(now)
            self.first_send = self.first_send or now
            self.last_send = now
        return super()._take_failure(method, params)

    def delivered(self) -> Counter:
        """Accepted sends per chat id."""
        return Counter(c.params.get("chat_id") for c in self.calls if c.method in SENDS and c.status == 200)
