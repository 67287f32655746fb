"""A fake Discord REST API + gateway (one aiohttp app on 127.0.0.1:0) for end-to-end tests of the
real discord.py client.

Point the library at it with ``fake.patch(monkeypatch)`` (``Route.BASE`` and
``DiscordWebSocket.DEFAULT_GATEWAY`` are process-global). It

* logs the bot in (``GET /users/@me``, ``GET /oauth2/applications/@me``), recommends ``shard_count``
  shards (``GET /gateway/bot``) and runs a gateway that says HELLO, acknowledges heartbeats and
  answers each shard's IDENTIFY with READY and a GUILD_CREATE for every guild of that shard
  (``(guild_id >> 22) % shards``); an event about a guild goes out on its shard's socket;
* holds guilds with text channels, forum channels and threads (``add_guild``, ``add_channel``,
  ``add_thread``): ``GET``/``PATCH /channels/{id}``, forum posts (``POST /channels/{id}/threads``),
  an archived thread that refuses messages (50083) until unarchived, a locked one that the bot may
  not unarchive (403), and the bot removed from / added back to a guild (``remove_guild``,
  ``readd_guild``);
* records every REST call (method, path, query, JSON body, status) in ``calls``;
* lets a test inject ``INTERACTION_CREATE`` dispatches (``slash``, ``press``, ``submit_modal``,
  ``autocomplete``) and follow what the bot did with each interaction (``Interaction`` below:
  callback type, the messages it produced, a modal, autocomplete choices);
* keeps every message the bot created, so a test can press a button on an old message;
* enforces Discord's limits (content 2000, 10 embeds, description 4096, 6000 per message, 5x5
  buttons, custom_id 100, label 80, modal title 45, the 3 s acknowledgement, one callback per
  interaction; the payload checks live in ``discord_limits``): a violation is answered with 400 as
  Discord would and kept in ``violations`` so the tests' fixture can fail on it;
* can make a channel unreachable (403 / 404) or rate-limit the next message (429).

Replies carry ``Content-Type: application/json`` exactly: discord.py compares the header verbatim.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

import yarl
from aiohttp import WSMsgType, web
from discord_limits import Rejected, check_commands, check_message, check_modal, walk_components

log = logging.getLogger(__name__)

TOKEN = "fake.discord.token"
APP_ID = 900_000_000_000_000_001
BOT_ID = APP_ID  # a bot user's id equals its application's id
GUILD_ID = 700_000_000_000_000_001  # on shard 1 of 2
GUILD2_ID = 700_000_000_004_194_305  # on shard 0 of 2
CHANNEL_ID = 710_000_000_000_000_001
TEXT, PUBLIC_THREAD, FORUM = 0, 11, 15  # Discord channel types
MANAGE_GUILD = 1 << 5
EPHEMERAL = 1 << 6
LOADING = 1 << 7
ACK_DEADLINE = 3.0  # seconds Discord gives a bot to acknowledge an interaction


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int = 200
    at: float = 0.0


@dataclass
class Interaction:
    """One injected interaction and everything the bot did in answer to it."""

    id: int
    token: str
    payload: dict
    dispatched_at: float
    callback_type: int | None = None
    ack_delay: float | None = None
    original: dict | None = None  # the response message (None after it was deleted)
    original_deleted: bool = False
    followups: list[dict] = field(default_factory=list)
    modal: dict | None = None
    choices: list[dict] | None = None

    @property
    def messages(self) -> list[dict]:
        """What the member sees, in order: the (edited) original response, then the follow-ups."""
        out = [self.original] if self.original and not self.original["flags"] & LOADING else []
        return out + self.followups

    @property
    def done(self) -> bool:
        return self.callback_type is not None


def _user(uid: int, name: str) -> dict:
    return {"id": str(uid), "username": name.lower(), "global_name": name, "discriminator": "0",
            "avatar": None, "bot": False}


BOT_USER = {**_user(BOT_ID, "QuizBot"), "username": "quizbot", "bot": True, "verified": True,
            "mfa_enabled": False, "flags": 0}


def _json(data: Any, status: int = 200) -> web.Response:
    if status == 204:
        return web.Response(status=204)
    # discord.py checks the header verbatim: no "; charset=utf-8"
    headers = {"Content-Type": "application/json"}
    if status == 429:
        headers["Via"] = "1.1 google"  # discord.py takes a 429 without it for a Cloudflare ban
    return web.Response(body=json.dumps(data).encode(), status=status, headers=headers)


class FakeDiscord:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.violations: list[str] = []  # requests refused for breaking a Discord rule
        self.messages: dict[int, dict] = {}
        self.interactions: dict[str, Interaction] = {}  # by token
        self.commands: dict[str, list[dict]] = {}  # "global" or guild id -> the synced payload
        self.identifies: list[dict] = []
        self.shard_count = 1  # what GET /gateway/bot recommends
        self.max_concurrency = 16  # shards that may IDENTIFY together
        self.guilds: dict[int, dict] = {}  # guild id -> {"name": ..., "channels": [ids]}
        self.channels: dict[int, dict] = {}  # channel id -> channel payload
        self.removed: set[int] = set()  # guilds the bot was removed from (their channels answer 403)
        self.forbidden: set[int] = set()  # channels answering 403 Missing Access
        self.unknown: set[int] = set()  # channels answering 404 Unknown Channel
        self.rate_limit_next = 0  # how many next channel messages get a 429 first
        self.fail_callbacks = 0  # how many next interaction callbacks get a 500
        self._ids = itertools.count(1_000_000_000_000_000_000)
        self._seq = itertools.count(1)
        self._changed = asyncio.Condition()
        self._shards: dict[int, web.WebSocketResponse] = {}  # shard id -> its socket
        self._total = 1  # shards the bot said it runs (from IDENTIFY)
        self.expect_shards: int | None = None  # shards this process runs (None: all of them)
        self.sent_on: list[tuple[int, str]] = []  # (shard, event) of every dispatch a test injected
        self._ready = asyncio.Event()
        self.add_guild(GUILD_ID, "Study group")
        self.add_channel(GUILD_ID, CHANNEL_ID, "quiz")
        self._sockets: set[web.WebSocketResponse] = set()
        self.runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self.runner:
            await self.runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def patch(self, monkeypatch) -> None:
        """Point discord.py at this server (process-global class attributes, undone by monkeypatch)."""
        import discord.gateway
        import discord.http

        monkeypatch.setattr(discord.http.Route, "BASE", self.api_url)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(self.gateway_url))

    def snowflake(self) -> int:
        return next(self._ids)

    # -- waiting ----------------------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, predicate, timeout: float = 5.0):
        """Wait until ``predicate()`` is truthy (re-checked after every request); return its value."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                while not (value := predicate()):
                    await self._changed.wait()
        return value

    async def wait_ready(self, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            await self._ready.wait()

    def find(self, method: str, pattern: str, since: int = 0) -> list[Call]:
        rx = re.compile(pattern)
        return [c for c in self.calls[since:] if c.method == method and rx.search(c.path)]

    def mark(self) -> int:
        return len(self.calls)

    def channel_messages(self, channel_id: int, since_id: int = 0) -> list[dict]:
        """Messages the bot posted into a channel with ``channel.send`` (not interaction responses)."""
        return [m for m in self.messages.values()
                if int(m["channel_id"]) == channel_id and m.get("webhook_id") is None and int(m["id"]) > since_id]

    # -- gateway ------------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.add(ws)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}, "s": None, "t": None}))
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                if payload["op"] == 1:
                    await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
                elif payload["op"] == 2:
                    self.identifies.append(payload["d"])
                    shard, total = payload["d"].get("shard") or [0, 1]
                    self._shards[shard], self._total = ws, total
                    mine = [g for g in self.guilds if g not in self.removed and self.shard_of(g) == shard]
                    await self._send(ws, "READY", {
                        "v": 10, "user": BOT_USER, "guilds": [{"id": str(g), "unavailable": True} for g in mine],
                        "session_id": f"session-{len(self.identifies)}", "shard": [shard, total],
                        "resume_gateway_url": self.gateway_url, "application": {"id": str(APP_ID), "flags": 0},
                    })
                    for g in mine:
                        await self._send(ws, "GUILD_CREATE", self.guild_payload(g))
                    if len(self._shards) >= (self.expect_shards or total):
                        self._ready.set()
        finally:
            self._sockets.discard(ws)
            for shard, sock in list(self._shards.items()):
                if sock is ws:
                    del self._shards[shard]
                    self._ready.clear()
        return ws

    def shard_of(self, guild_id: int | None) -> int:
        """The shard Discord sends a guild's events on (DMs: shard 0)."""
        return 0 if guild_id is None else (guild_id >> 22) % self._total

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict) -> None:
        await ws.send_str(json.dumps({"op": 0, "t": event, "s": next(self._seq), "d": data}))

    async def dispatch(self, event: str, data: dict) -> None:
        await self.wait_ready()
        guild = data.get("guild_id") or (data.get("id") if event.startswith("GUILD_") else None)
        shard = self.shard_of(int(guild) if guild else None)
        assert shard in self._shards, f"{event} belongs to shard {shard}, which this bot does not run"
        self.sent_on.append((shard, event))
        await self._send(self._shards[shard], event, data)

    # -- guilds, channels, threads ---------------------------------------------------------------

    def add_guild(self, guild_id: int, name: str) -> None:
        self.guilds[guild_id] = {"name": name, "channels": []}

    def add_channel(self, guild_id: int, channel_id: int, name: str, kind: int = TEXT) -> dict:
        channel = {"id": str(channel_id), "type": kind, "guild_id": str(guild_id), "name": name, "position": 0,
                   "permission_overwrites": [], "nsfw": False, "parent_id": None, "flags": 0}
        if kind == FORUM:
            channel |= {"available_tags": [], "default_reaction_emoji": None, "default_sort_order": None,
                        "default_forum_layout": 0, "default_auto_archive_duration": 1440}
        self.channels[channel_id] = channel
        self.guilds[guild_id]["channels"].append(channel_id)
        return channel

    def add_thread(self, parent_id: int, thread_id: int, name: str, *, archived: bool = False,
                   locked: bool = False) -> dict:
        parent = self.channels[parent_id]
        thread = {"id": str(thread_id), "type": PUBLIC_THREAD, "guild_id": parent["guild_id"], "name": name,
                  "parent_id": str(parent_id), "owner_id": str(BOT_ID), "message_count": 0, "member_count": 1,
                  "rate_limit_per_user": 0, "flags": 0,
                  "thread_metadata": {"archived": archived, "locked": locked, "auto_archive_duration": 1440,
                                      "archive_timestamp": "2026-11-18T12:00:00+00:00"}}
        self.channels[thread_id] = thread
        if not archived:  # Discord sends only active threads in GUILD_CREATE
            self.guilds[int(parent["guild_id"])]["channels"].append(thread_id)
        return thread

    def guild_payload(self, guild_id: int) -> dict:
        ids = self.guilds[guild_id]["channels"]
        chans = [self.channels[i] for i in ids if self.channels[i]["type"] != PUBLIC_THREAD]
        threads = [self.channels[i] for i in ids if self.channels[i]["type"] == PUBLIC_THREAD]
        return {
            "id": str(guild_id), "name": self.guilds[guild_id]["name"], "icon": None, "owner_id": "1",
            "roles": [{"id": str(guild_id), "name": "@everyone", "permissions": "0", "position": 0, "color": 0,
                       "hoist": False, "managed": False, "mentionable": False, "flags": 0}],
            "emojis": [], "stickers": [], "features": [], "channels": chans, "threads": threads,
            "members": [], "voice_states": [], "presences": [], "member_count": 2, "large": False,
            "joined_at": "2026-01-01T00:00:00+00:00", "premium_tier": 0, "verification_level": 0,
            "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0,
            "preferred_locale": "en-US", "system_channel_flags": 0, "afk_timeout": 300,
        }

    def guild_of(self, channel_id: int) -> int | None:
        channel = self.channels.get(channel_id)
        return int(channel["guild_id"]) if channel else None

    async def remove_guild(self, guild_id: int) -> None:
        """The bot is kicked: GUILD_DELETE (no ``unavailable``), and its channels answer 403."""
        self.removed.add(guild_id)
        await self.dispatch("GUILD_DELETE", {"id": str(guild_id)})

    async def readd_guild(self, guild_id: int) -> None:
        """The bot is invited back: a GUILD_CREATE after READY, which discord.py reports as a join."""
        self.removed.discard(guild_id)
        await self.dispatch("GUILD_CREATE", self.guild_payload(guild_id))

    # -- injecting interactions ----------------------------------------------------------------------

    @staticmethod
    def user(uid: int, name: str) -> dict:
        return _user(uid, name)

    @staticmethod
    def member(user: dict, admin: bool = False, nick: str | None = None) -> dict:
        perms = (MANAGE_GUILD if admin else 0) | (1 << 11) | (1 << 10)  # + send messages, view channel
        return {"user": user, "roles": [], "joined_at": "2026-01-01T00:00:00+00:00", "nick": nick,
                "deaf": False, "mute": False, "flags": 0, "pending": False, "permissions": str(perms)}

    async def interact(self, itype: int, data: dict, user: dict, *, channel: int = CHANNEL_ID,
                       guild: int | None = GUILD_ID, admin: bool = False, locale: str = "en-US",
                       message: dict | None = None, nick: str | None = None) -> Interaction:
        iid = self.snowflake()
        token = f"itoken-{iid}"
        payload: dict[str, Any] = {
            "id": str(iid), "application_id": str(APP_ID), "type": itype, "data": data, "token": token,
            "version": 1, "locale": locale, "app_permissions": str((1 << 11) | (1 << 14)),
            "entitlements": [], "attachment_size_limit": 8 * 1024 * 1024, "channel_id": str(channel),
        }
        if guild is not None:
            known = self.channels.get(channel)
            payload |= {
                "guild_id": str(guild), "guild_locale": "en-US", "member": self.member(user, admin, nick),
                "context": 0, "authorizing_integration_owners": {"0": str(guild)},
                "channel": dict(known) if known else {
                    "id": str(channel), "type": 0, "guild_id": str(guild), "name": "quiz", "position": 0,
                    "permission_overwrites": [], "nsfw": False, "parent_id": None},
            }
        else:
            payload |= {
                "user": user, "context": 1, "authorizing_integration_owners": {"0": str(APP_ID)},
                "channel": {"id": str(channel), "type": 1, "recipients": [user]},
            }
        if message is not None:
            payload["message"] = message
        rec = Interaction(iid, token, payload, time.monotonic())
        self.interactions[token] = rec
        await self.dispatch("INTERACTION_CREATE", payload)
        return rec

    async def slash(self, name: str, user: dict, options: dict | None = None, *, channel_option: int | None = None,
                    **kw) -> Interaction:
        """A slash command; ``channel_option``: a channel picked for the command's ``channel`` option
        (sent with its ``resolved`` data, as Discord does)."""
        types = {str: 3, int: 4, bool: 5}
        opts = [{"name": k, "type": types[type(v)], "value": v} for k, v in (options or {}).items()]
        data: dict[str, Any] = {"id": str(self._command_id(name)), "name": name, "type": 1, "options": opts}
        if channel_option is not None:
            picked = self.channels[channel_option]
            opts.append({"name": "channel", "type": 7, "value": str(channel_option)})
            data["resolved"] = {"channels": {str(channel_option): {
                **{k: picked[k] for k in ("id", "type", "name", "parent_id", "guild_id")},
                "permissions": str((1 << 11) | (1 << 10))}}}
        if kw.get("guild", GUILD_ID) is not None:
            data["guild_id"] = str(kw.get("guild", GUILD_ID))
        return await self.interact(2, data, user, **kw)

    async def autocomplete(self, name: str, user: dict, focused: str, value: str, **kw) -> Interaction:
        data = {"id": str(self._command_id(name)), "name": name, "type": 1,
                "options": [{"name": focused, "type": 3, "value": value, "focused": True}]}
        return await self.interact(4, data, user, **kw)

    async def press(self, message: dict, custom_id: str, user: dict, **kw) -> Interaction:
        ids = [c.get("custom_id") for c in walk_components(message.get("components") or [])]
        assert custom_id in ids, f"no button {custom_id!r} on message {message['id']}: {ids}"
        kw.setdefault("channel", int(message["channel_id"]))
        return await self.interact(3, {"custom_id": custom_id, "component_type": 2}, user, message=message, **kw)

    async def submit_modal(self, modal: dict, user: dict, value: str, **kw) -> Interaction:
        """Submit a modal the bot showed, typing ``value`` into its (first) text input."""
        [text_input] = [c for c in walk_components(modal["components"]) if c.get("type") == 4][:1]
        if modal["components"][0].get("type") == 18:  # Label-wrapped input, as Discord echoes it
            components = [{"type": 18, "id": 1, "component": {"type": 4, "id": 2,
                                                              "custom_id": text_input["custom_id"], "value": value}}]
        else:
            components = [{"type": 1, "id": 1, "components": [{"type": 4, "id": 2,
                                                               "custom_id": text_input["custom_id"], "value": value}]}]
        return await self.interact(5, {"custom_id": modal["custom_id"], "components": components}, user, **kw)

    def _command_id(self, name: str) -> int:
        for cmds in self.commands.values():
            for c in cmds:
                if c["name"] == name:
                    return int(c["id"])
        return 1

    async def wait_response(self, rec: Interaction, messages: int = 1, timeout: float = 5.0) -> list[dict]:
        """Wait until the interaction was acknowledged and produced ``messages`` visible messages."""
        def ready():
            return rec.done and len(rec.messages) >= messages and rec.messages

        await self.wait_until(ready, timeout)
        return rec.messages

    # -- REST ----------------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body = await request.read()
        data = json.loads(body) if body and request.content_type == "application/json" else None
        call = Call(request.method, path, dict(request.query), data, at=time.monotonic())
        self.calls.append(call)
        try:
            if request.headers.get("Authorization") != f"Bot {TOKEN}" and not path.startswith(("/interactions",
                                                                                               "/webhooks")):
                raise Rejected(401, 0, "401: Unauthorized")
            status, result = self._route(request.method, path, data)
        except Rejected as exc:
            call.status = exc.status
            if exc.violation and (exc.status == 400 or exc.code in (10062, 40060)):
                self.violations.append(f"{request.method} {path}: {exc.message}")
                log.warning("fake discord refused %s %s: %s", request.method, path, exc.message)
            status, result = exc.status, {"code": exc.code, "message": exc.message}
            if exc.status == 429:
                result |= {"retry_after": 0.01, "global": False}
        call.status = status
        await self._notify()
        return _json(result, status)

    def _route(self, method: str, path: str, data: Any) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        match method, parts:
            case "GET", ["users", "@me"]:
                return 200, BOT_USER
            case "GET", ["oauth2", "applications", "@me"]:
                return 200, {"id": str(APP_ID), "name": "QuizBot", "description": "", "icon": None,
                             "bot_public": True, "bot_require_code_grant": False, "verify_key": "00",
                             "owner": _user(1, "Owner"), "flags": 0, "team": None}
            case "PUT", ["applications", _, "commands"]:
                return 200, self._sync("global", data)
            case "PUT", ["applications", _, "guilds", guild, "commands"]:
                return 200, self._sync(guild, data)
            case "GET", ["applications", _, "commands"]:
                return 200, self.commands.get("global", [])
            case "POST", ["interactions", iid, token, "callback"]:
                return self._callback(int(iid), token, data)
            case "POST", ["webhooks", _, token]:
                return 200, self._followup(token, data)
            case "PATCH", ["webhooks", _, token, "messages", which]:
                return 200, self._edit(token, which, data)
            case "GET", ["webhooks", _, token, "messages", which]:
                return 200, self._webhook_message(token, which)
            case "DELETE", ["webhooks", _, token, "messages", "@original"]:
                rec = self._interaction(token)
                rec.original, rec.original_deleted = None, True
                return 204, None
            case "POST", ["channels", cid, "messages"]:
                return 200, self._channel_send(int(cid), data)
            case "GET", ["gateway", "bot"]:
                return 200, {"url": self.gateway_url, "shards": self.shard_count, "session_start_limit": {
                    "total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": self.max_concurrency}}
            case "GET", ["channels", cid]:
                self._reachable(int(cid))
                return 200, self._channel(int(cid))
            case "PATCH", ["channels", cid]:
                return 200, self._edit_channel(int(cid), data)
            case "POST", ["channels", cid, "threads"]:
                return 201, self._forum_post(int(cid), data)
        raise Rejected(404, 0, f"404: Not Found ({method} {path})")

    def _sync(self, scope: str, commands: list[dict]) -> list[dict]:
        check_commands(commands)
        out = []
        for c in commands:
            old = next((o for o in self.commands.get(scope, []) if o["name"] == c["name"]), None)
            out.append({"type": 1, **c, "id": old["id"] if old else str(self.snowflake()),
                        "application_id": str(APP_ID), "version": str(self.snowflake())}
                       | ({"guild_id": scope} if scope != "global" else {}))
        self.commands[scope] = out
        return out

    def _interaction(self, token: str) -> Interaction:
        rec = self.interactions.get(token)
        if rec is None:
            raise Rejected(404, 10015, "Unknown Webhook")
        if not rec.done:
            raise Rejected(404, 10015, "Unknown Webhook (the interaction was not acknowledged)")
        return rec

    def _message(self, channel_id: int, body: dict, *, flags: int = 0, webhook: bool = False) -> dict:
        if not flags & LOADING:
            check_message(body)
        mid = self.snowflake()
        msg = {
            "id": str(mid), "channel_id": str(channel_id), "type": 0 if not webhook else 20,
            "author": BOT_USER, "content": body.get("content") or "", "embeds": body.get("embeds") or [],
            "components": body.get("components") or [], "attachments": [], "mentions": [],
            "mention_roles": [], "mention_everyone": False, "pinned": False, "tts": False,
            "timestamp": "2026-11-18T12:00:00+00:00", "edited_timestamp": None,
            "flags": flags | (body.get("flags") or 0), "application_id": str(APP_ID),
            "webhook_id": str(APP_ID) if webhook else None,
        }
        self.messages[mid] = msg
        return msg

    def _callback(self, iid: int, token: str, body: dict) -> tuple[int, Any]:
        rec = self.interactions.get(token)
        if rec is None or rec.id != iid:
            raise Rejected(404, 10062, "Unknown interaction")
        if self.fail_callbacks:
            self.fail_callbacks -= 1
            raise Rejected(500, 0, "500: Internal Server Error")
        delay = time.monotonic() - rec.dispatched_at
        if delay > ACK_DEADLINE:
            raise Rejected(404, 10062, f"Unknown interaction (acknowledged after {delay:.2f} s)")
        if rec.done:
            raise Rejected(400, 40060, "Interaction has already been acknowledged.")
        ctype, data = body["type"], body.get("data") or {}
        channel = int(rec.payload["channel_id"])
        message = None
        if ctype == 4:
            message = rec.original = self._message(channel, data, webhook=True)
        elif ctype == 5:
            message = rec.original = self._message(channel, {}, flags=LOADING | (data.get("flags") or 0),
                                                   webhook=True)
        elif ctype == 7:
            target = self.messages[int(rec.payload["message"]["id"])]
            check_message({**target, **data})
            target.update({k: v for k, v in data.items() if k in ("content", "embeds", "components")})
            message = target
        elif ctype == 8:
            choices = data.get("choices") or []
            if len(choices) > 25 or any(not 1 <= len(c["name"]) <= 100 or len(str(c["value"])) > 100
                                        for c in choices):
                raise Rejected(400, 50035, f"Invalid Form Body: bad autocomplete choices {choices}")
            rec.choices = choices
        elif ctype == 9:
            check_modal(data)
            rec.modal = data
        elif ctype != 6:
            raise Rejected(400, 50035, f"unknown callback type {ctype}")
        rec.callback_type, rec.ack_delay = ctype, delay
        result: dict[str, Any] = {"interaction": {
            "id": str(iid), "type": rec.payload["type"],
            "response_message_loading": ctype == 5,
            "response_message_ephemeral": bool(message and message["flags"] & EPHEMERAL),
        }}
        if message is not None:
            result["interaction"]["response_message_id"] = message["id"]
            result["resource"] = {"type": ctype, "message": message}
        elif ctype in (6, 9):
            result["resource"] = {"type": ctype}
        return 200, result

    def _followup(self, token: str, body: dict) -> dict:
        rec = self._interaction(token)
        if rec.original is not None and rec.original["flags"] & LOADING:
            # Discord: the first follow-up after a deferred (thinking) response replaces the
            # loading message and keeps the defer's visibility
            check_message(body)
            rec.original.update({k: body.get(k) or ([] if k != "content" else "")
                                 for k in ("content", "embeds", "components")})
            rec.original["flags"] &= ~LOADING
            return rec.original
        msg = self._message(int(rec.payload["channel_id"]), body, webhook=True)
        rec.followups.append(msg)
        return msg

    def _edit(self, token: str, which: str, body: dict) -> dict:
        rec = self._interaction(token)
        target = rec.original if which == "@original" else self.messages.get(int(which))
        if target is None:
            raise Rejected(404, 10008, "Unknown Message")
        merged = {k: body.get(k, target.get(k)) for k in ("content", "embeds", "components")}
        check_message(merged)
        target.update(merged)
        target["flags"] &= ~LOADING
        return target

    def _webhook_message(self, token: str, which: str) -> dict:
        rec = self._interaction(token)
        target = rec.original if which == "@original" else self.messages.get(int(which))
        if target is None:
            raise Rejected(404, 10008, "Unknown Message")
        return target

    def _reachable(self, channel_id: int) -> None:
        if channel_id in self.forbidden or self.guild_of(channel_id) in self.removed:
            raise Rejected(403, 50001, "Missing Access")
        if channel_id in self.unknown:
            raise Rejected(404, 10003, "Unknown Channel")

    def _channel(self, channel_id: int) -> dict:
        known = self.channels.get(channel_id)
        if known is None:  # a channel no test declared: an ordinary text channel of the test guild
            known = self.add_channel(GUILD_ID, channel_id, f"channel-{channel_id}")
        return known

    def _channel_send(self, channel_id: int, body: dict) -> dict:
        self._reachable(channel_id)
        channel = self.channels.get(channel_id)
        if channel is not None and channel["type"] == FORUM:
            raise Rejected(400, 50008, "Cannot send messages in a non-text channel")
        if channel is not None and channel.get("thread_metadata", {}).get("archived"):
            # what Discord answers; not a violation: the bot is expected to unarchive and retry
            raise Rejected(400, 50083, "Operation cannot be performed on an archived thread.", violation=False)
        if self.rate_limit_next:
            self.rate_limit_next -= 1
            raise Rejected(429, 20028, "You are being rate limited.")
        return self._message(channel_id, body)

    def _edit_channel(self, channel_id: int, body: dict) -> dict:
        self._reachable(channel_id)
        channel = self._channel(channel_id)
        meta = channel.get("thread_metadata")
        if meta is None or set(body) - {"archived"}:
            raise Rejected(400, 50035, f"Invalid Form Body: the fake edits only a thread's archived flag ({body})")
        if meta["locked"] and not body["archived"]:
            # locked by a moderator: unarchiving needs Manage Threads, which the bot was not given
            raise Rejected(403, 50013, "Missing Permissions", violation=False)
        meta["archived"] = bool(body["archived"])
        return channel

    def _forum_post(self, forum_id: int, body: dict) -> dict:
        self._reachable(forum_id)
        forum = self._channel(forum_id)
        if forum["type"] != FORUM:
            raise Rejected(400, 50035, "Invalid Form Body: the fake opens threads in forum channels only")
        name = body.get("name") or ""
        if not 1 <= len(name) <= 100 or not isinstance(body.get("message"), dict):
            raise Rejected(400, 50035, f"Invalid Form Body: a forum post needs a name (1..100) and a message ({body})")
        thread_id = self.snowflake()
        thread = self.add_thread(forum_id, thread_id, name)
        message = self._message(thread_id, body["message"])
        return {**thread, "message": message}
