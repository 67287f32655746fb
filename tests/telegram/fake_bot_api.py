"""A fake Telegram Bot API server (aiohttp on 127.0.0.1:0) for end-to-end tests of the real PTB client.

It answers ``POST /bot<token>/<method>`` the way api.telegram.org does, records every call (method,
decoded parameters, result), and lets a test:

* inject updates (``message``, ``command``, ``press``, ``poll_answer``, or raw dicts) which a
  long-polling ``getUpdates`` returns at once (it waits on an ``asyncio.Event``, honours ``offset``);
* wait for the bot's calls (``wait_for``) instead of sleeping;
* make the next call(s) of a method fail (429 with ``retry_after``, 403, 500 ...);
* decide who is a chat administrator, or not a member at all, for ``getChatMember``: everyone is a
  ``member`` unless ``set_admin``/``set_status`` says otherwise (``left``, ``kicked``,
  ``restricted`` with or without ``is_member``);
* play a forum: ``forum`` chats, messages in a topic (``topic=``), and ``delete_topic`` after
  which a send into that topic fails as Telegram's does ("message thread not found");
* upgrade a group to a supergroup (``migrate``): every later call naming the old id fails with
  ``migrate_to_chat_id`` (PTB's ``ChatMigrated``), and the two service messages can be injected;
* change the bot's own membership (``my_member``: ``left``, ``kicked``, ``member`` ...).

PTB sends form fields, with every non-string value JSON-encoded; as a string "123" and the number
123 look the same on the wire, the fields known to be free text are kept as strings and the others
are JSON-decoded. Results carry the fields PTB 22.8 parses strictly (``allows_revoting``,
``members_only``, ``persistent_id`` ...).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

TOKEN = "123456:TEST-token"
BOT_ID = 123456
BOT_USERNAME = "quiz_test_bot"

# parameters that are free text: never JSON-decoded ("123" must stay a string)
STRING_FIELDS = {
    "text", "question", "explanation", "parse_mode", "explanation_parse_mode", "question_parse_mode",
    "callback_query_id", "language_code", "url", "description", "caption", "type", "emoji",
    "inline_message_id", "short_description", "custom_title",
}  # fmt: skip


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    result: Any = None
    status: int = 200

    @property
    def chat_id(self) -> int | None:
        return self.params.get("chat_id")

    @property
    def text(self) -> str:
        return self.params.get("text", "")


@dataclass
class Failure:
    status: int
    description: str
    parameters: dict | None = None
    match: Callable[[dict], bool] | None = None


@dataclass
class FakeBotAPI:
    token: str = TOKEN
    bot_id: int = BOT_ID
    username: str = BOT_USERNAME
    calls: list[Call] = field(default_factory=list)
    admins: dict[int, dict[int, str]] = field(default_factory=dict)  # chat -> user -> status
    chat_member_lookups: int = 0
    restricted_members: dict[tuple[int, int], bool] = field(default_factory=dict)  # (chat, user) -> is_member

    def __post_init__(self) -> None:
        self._queue: list[dict] = []
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._poll_ids = itertools.count(1)
        self._polls: dict[str, dict] = {}
        self._poll_messages: dict[tuple[int, int], str] = {}
        self._new_update = asyncio.Event()
        self._changed = asyncio.Condition()
        self._failures: dict[str, list[Failure]] = {}
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.deleted_topics: set[tuple[int, int]] = set()  # (chat, message_thread_id)
        self.migrated: dict[int, int] = {}  # old group id -> its supergroup's id
        self.port = 0

    # ------------------------------------------------------------------ server

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self._closing = True
        self._new_update.set()  # wake any long poll so the server can close at once
        if self._runner:
            await self._runner.cleanup()

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = _decode(dict(await request.post())) if request.can_read_body else {}
        if method == "getUpdates":  # not recorded: it is the polling loop's noise
            return web.json_response({"ok": True, "result": await self._get_updates(params)})
        call = Call(method, params)
        failure = self._take_failure(method, params) or self._chat_failure(params)
        if failure:
            call.status = failure.status
            body: dict[str, Any] = {"ok": False, "error_code": failure.status, "description": failure.description}
            if failure.parameters:
                body["parameters"] = failure.parameters
            await self._record(call)
            return web.json_response(body, status=failure.status)
        handler = getattr(self, f"_m_{method}", None)
        call.result = handler(params) if handler else True
        await self._record(call)
        return web.json_response({"ok": True, "result": call.result})

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------------ test controls

    def fail_next(self, method: str, status: int = 429, *, retry_after: int | None = None,
                  description: str = "", times: int = 1, match: Callable[[dict], bool] | None = None) -> None:
        """Make the next ``times`` calls of ``method`` (optionally only those ``match`` accepts) fail."""
        params = {"retry_after": retry_after} if retry_after else None
        text = description or {429: f"Too Many Requests: retry after {retry_after}",
                               403: "Forbidden: bot was kicked from the group chat"}.get(status, "Internal Server Error")
        self._failures.setdefault(method, []).extend(Failure(status, text, params, match) for _ in range(times))

    def _take_failure(self, method: str, params: dict) -> Failure | None:
        for i, failure in enumerate(self._failures.get(method, [])):
            if failure.match is None or failure.match(params):
                return self._failures[method].pop(i)
        return None

    def _chat_failure(self, params: dict) -> Failure | None:
        """What Telegram answers for a chat that became a supergroup or a topic that was deleted."""
        chat = params.get("chat_id")
        if isinstance(chat, int) and chat in self.migrated:
            return Failure(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           {"migrate_to_chat_id": self.migrated[chat]})
        thread = params.get("message_thread_id")
        if isinstance(chat, int) and (chat, thread) in self.deleted_topics:
            return Failure(400, "Bad Request: message thread not found")
        return None

    def delete_topic(self, chat_id: int, thread: int) -> None:
        """The forum topic is deleted: sends into it fail from now on."""
        self.deleted_topics.add((chat_id, thread))

    def migrate(self, old: dict, new_id: int) -> tuple[dict, dict]:
        """Upgrade group ``old`` to supergroup ``new_id``: calls naming the old id fail with
        ``migrate_to_chat_id`` from now on. Returns the two service messages Telegram sends (in the
        old chat and in the new one) for the test to inject."""
        self.migrated[old["id"]] = new_id
        new = {"id": new_id, "type": "supergroup", "title": old.get("title", "Study group")}
        to = self.user_message(old, None, migrate_to_chat_id=new_id)
        to["from"] = self.user(1, "Owner")
        back = self.user_message(new, None, migrate_from_chat_id=old["id"])
        back["sender_chat"] = new
        return to, back

    def my_member(self, chat: dict, status: str, by: dict | None = None, old_status: str = "member") -> dict:
        """Inject a ``my_chat_member`` update: the bot's status in ``chat`` became ``status``."""
        def member(state: str) -> dict:
            data: dict[str, Any] = {"status": state, "user": self.bot_user()}
            if state == "kicked":
                data["until_date"] = 0
            if state == "administrator":
                data.update({f: False for f in (
                    "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
                    "can_manage_video_chats", "can_restrict_members", "can_promote_members",
                    "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
                    "can_delete_stories")})
            return data
        change = {"chat": chat, "from": by or self.user(1, "Owner"), "date": int(time.time()),
                  "old_chat_member": member(old_status), "new_chat_member": member(status)}
        return self.inject({"my_chat_member": change})

    def set_admin(self, chat_id: int, user_id: int, status: str = "administrator") -> None:
        self.admins.setdefault(chat_id, {})[user_id] = status

    def set_status(self, chat_id: int, user_id: int, status: str, *, is_member: bool = True) -> None:
        """What ``getChatMember`` says of this user in this chat: ``left`` for an outsider,
        ``kicked``, or ``restricted`` (still a member or not, ``is_member``)."""
        self.admins.setdefault(chat_id, {})[user_id] = status
        self.restricted_members[(chat_id, user_id)] = is_member

    def mark(self) -> int:
        """An index into ``calls``: pass it as ``since`` to wait only for later calls."""
        return len(self.calls)

    def find(self, method: str | None = None, pred: Callable[[Call], bool] | None = None, since: int = 0) -> list[Call]:
        return [c for c in self.calls[since:] if (method is None or c.method == method) and (pred is None or pred(c))]

    async def wait_for(self, method: str | None = None, pred: Callable[[Call], bool] | None = None, *,
                       count: int = 1, since: int = 0, timeout: float = 5.0) -> list[Call]:
        """Wait until at least ``count`` matching calls were made; return them all."""
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: len(self.find(method, pred, since)) >= count), timeout
                )
            except TimeoutError:
                seen = [(c.method, c.params.get("text", "")[:60]) for c in self.calls[since:]]
                raise AssertionError(f"timed out waiting for {count} x {method}; calls since mark: {seen}") from None
        return self.find(method, pred, since)

    # ------------------------------------------------------------------ updates

    def inject(self, update: dict, times: int = 1) -> dict:
        """Queue a raw update (``update_id`` added if missing); ``times=2`` delivers it twice."""
        update.setdefault("update_id", next(self._update_ids))
        self._queue.extend(update for _ in range(times))
        self._new_update.set()
        return update

    async def _get_updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        self._queue = [u for u in self._queue if u["update_id"] >= offset]  # below offset = confirmed
        if not self._queue and timeout and not self._closing:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout)
            except TimeoutError:
                pass
        limit = int(params.get("limit") or 100)
        return [] if self._closing else self._queue[:limit]

    @staticmethod
    def user(user_id: int, name: str = "User", lang: str | None = "en", **extra: Any) -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": name, **extra}
        if lang is not None:
            user["language_code"] = lang
        return user

    @staticmethod
    def group(chat_id: int = -100500, title: str = "Study group") -> dict:
        return {"id": chat_id, "type": "supergroup", "title": title}

    @staticmethod
    def forum(chat_id: int = -100700, title: str = "Study forum") -> dict:
        return {"id": chat_id, "type": "supergroup", "title": title, "is_forum": True}

    @staticmethod
    def basic_group(chat_id: int = -4500, title: str = "Small group") -> dict:
        """A basic group: what becomes a supergroup (with a new id) when it grows."""
        return {"id": chat_id, "type": "group", "title": title}

    @staticmethod
    def private(user: dict) -> dict:
        return {"id": user["id"], "type": "private", "first_name": user["first_name"]}

    def user_message(self, chat: dict, user: dict | None, text: str | None = None, *,
                     reply_to: dict | None = None, topic: int | None = None, **extra: Any) -> dict:
        """A message dict as Telegram would deliver it (a command gets its ``bot_command`` entity;
        ``topic``: sent in that forum topic)."""
        msg: dict[str, Any] = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat}
        if topic is not None:
            msg["message_thread_id"], msg["is_topic_message"] = topic, True
        if user is not None:
            msg["from"] = user
        if text is not None:
            msg["text"] = text
            if text.startswith("/"):
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if reply_to is not None:
            msg["reply_to_message"] = reply_to
        msg.update(extra)
        return msg

    def message(self, chat: dict, user: dict | None, text: str | None = None, *, reply_to: dict | None = None,
                times: int = 1, topic: int | None = None, **extra: Any) -> dict:
        """Inject a new message; returns the update (its message is ``update['message']``)."""
        return self.inject({"message": self.user_message(chat, user, text, reply_to=reply_to, topic=topic, **extra)},
                           times)

    def press(self, user: dict, message: dict, data: str) -> dict:
        """Inject a callback query: ``user`` pressed the button ``data`` under the bot's ``message``."""
        query = {"id": f"cq{next(self._update_ids)}", "from": user, "chat_instance": "ci",
                 "message": message, "data": data}
        return self.inject({"callback_query": query})

    def poll_answer(self, poll_id: str, user: dict, option_ids: list[int]) -> dict:
        poll = self._polls[poll_id]
        persistent = [poll["options"][i]["persistent_id"] for i in option_ids]
        return self.inject({"poll_answer": {"poll_id": poll_id, "user": user, "option_ids": option_ids,
                                            "option_persistent_ids": persistent}})

    # ------------------------------------------------------------------ Bot API methods

    def bot_user(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Quiz", "username": self.username}

    def _bot_message(self, params: dict, **content: Any) -> dict:
        chat_id = params["chat_id"]
        chat = {"id": chat_id, "type": "private" if int(chat_id) > 0 else "supergroup"}
        if int(chat_id) < 0:
            chat["title"] = "Study group"
        else:
            chat["first_name"] = "User"
        msg = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
               "from": self.bot_user(), **content}
        if params.get("message_thread_id"):
            msg["message_thread_id"], msg["is_topic_message"] = params["message_thread_id"], True
        if params.get("reply_markup"):
            msg["reply_markup"] = params["reply_markup"]
        return msg

    def _m_getMe(self, params: dict) -> dict:
        return {**self.bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    def _m_sendMessage(self, params: dict) -> dict:
        return self._bot_message(params, text=params["text"])

    def _m_editMessageText(self, params: dict) -> dict:
        msg = self._bot_message(params, text=params["text"])
        msg["message_id"] = params["message_id"]
        return msg

    def _m_sendPoll(self, params: dict) -> dict:
        options = [o if isinstance(o, str) else o["text"] for o in params["options"]]
        poll_id = f"poll{next(self._poll_ids)}"
        poll = {
            "id": poll_id, "question": params["question"],
            "options": [{"text": t, "voter_count": 0, "persistent_id": f"{poll_id}-{i}"} for i, t in enumerate(options)],
            "total_voter_count": 0, "is_closed": False, "is_anonymous": params.get("is_anonymous", True),
            "type": params.get("type", "regular"), "allows_multiple_answers": False,
            "allows_revoting": False, "members_only": False,
        }
        for key in ("correct_option_ids", "explanation", "open_period"):
            if key in params:
                poll[key] = params[key]
        self._polls[poll_id] = poll
        msg = self._bot_message(params, poll=poll)
        self._poll_messages[(int(params["chat_id"]), msg["message_id"])] = poll_id
        return msg

    def _m_stopPoll(self, params: dict) -> dict:
        poll = self._polls[self._poll_messages[(int(params["chat_id"]), int(params["message_id"]))]]
        poll["is_closed"] = True
        return poll

    def _m_getChatMember(self, params: dict) -> dict:
        self.chat_member_lookups += 1
        user = self.user(int(params["user_id"]), "Member")
        status = self.admins.get(int(params["chat_id"]), {}).get(int(params["user_id"]), "member")
        if status == "administrator":
            flags = ("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
                     "can_manage_video_chats", "can_restrict_members", "can_promote_members",
                     "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
                     "can_delete_stories")
            return {"status": status, "user": user, **{f: f == "can_manage_chat" for f in flags}}
        if status == "creator":
            return {"status": status, "user": user, "is_anonymous": False}
        if status == "restricted":
            rights = ("can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
                      "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
                      "can_send_other_messages", "can_add_web_page_previews", "can_change_info",
                      "can_invite_users", "can_pin_messages", "can_manage_topics", "can_edit_tag",
                      "can_react_to_messages")
            is_member = self.restricted_members.get((int(params["chat_id"]), int(params["user_id"])), True)
            return {"status": status, "user": user, "is_member": is_member, "until_date": 0,
                    **{r: False for r in rights}}
        if status == "kicked":
            return {"status": status, "user": user, "until_date": 0}
        return {"status": status, "user": user}


def _decode(form: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in form.items():
        if not isinstance(value, str) or key in STRING_FIELDS:
            out[key] = value
            continue
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out
