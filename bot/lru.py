"""A dict that keeps at most ``maxsize`` entries, dropping the least recently used one.

The engine's caches (chat settings, member names, each chat's open round) and the Telegram
adapter's open polls are keyed by chat or member: without a bound they grow with every chat and
member the bot ever sees. Every cached value can be read again from SQLite, so an eviction only
costs one query.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRU(OrderedDict[K, V]):
    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("an LRU needs room for at least one entry")
        super().__init__()
        self.maxsize = maxsize

    def __getitem__(self, key: K) -> V:
        value = super().__getitem__(key)
        self.move_to_end(key)
        return value

    def get(self, key: K, default=None):
        return self[key] if key in self else default

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.maxsize:
            self.popitem(last=False)
