"""The heartbeat file: the running bot rewrites it every ``heartbeat_seconds``; ``quizbot health``
reads it. Kept apart from ``bot.runtime`` so the health check imports nothing heavy (the bank
schema, the engine) and answers quickly.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from bot import __version__
from bot.config import Settings

__all__ = ["read_heartbeat", "write_heartbeat"]


def write_heartbeat(settings: Settings, adapters: dict[str, str] | None = None) -> None:
    """Atomically replace the heartbeat file, so ``quizbot health`` never reads half of it."""
    path = settings.heartbeat_path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"time": round(time.time(), 3), "pid": os.getpid(), "version": __version__,
                               "adapters": adapters or {}}) + "\n")
    tmp.replace(path)


def read_heartbeat(settings: Settings) -> dict[str, Any]:
    """The last heartbeat; raises OSError or ValueError when there is none or it is unreadable."""
    text = settings.heartbeat_path.read_text().strip()
    if text.replace(".", "", 1).isdigit():  # the first format: just the time
        return {"time": float(text), "adapters": {}}
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("time"), (int, float)):
        raise ValueError("heartbeat file without a time")
    return data
