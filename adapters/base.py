r"""What every adapter agrees on: the Adapter protocol and the incoming event types.

The event types themselves live in ``bot.events`` (the core must not import ``adapters``); they are
re-exported here so adapter code reads naturally.

How an adapter talks to the engine (the contract every adapter is written against)
--------------------------------------------------------------------------------

ENGINE CONTRACT (being written right now by the lead in bot/engine.py and bot/storage.py; it will be committed within ~40 minutes — start with the parts that do not need it: the fake server, rendering, splitting, rate limiting, the adapter skeleton; then `git log`/look for bot/engine.py):

    from bot.config import Settings, load_settings      # exists now; Settings(db_path=..., questions_dir=...) is a frozen dataclass
    from bot.bank import QuestionBank                   # exists now; QuestionBank.load("tests/fixtures/questions")
    from bot.storage import Store                       # store = await Store.open(path); await store.close()
    from bot.engine import QuizEngine, ADMIN_COMMANDS
    from bot.events import Command, TextAnswer, ChoicePick, ButtonPress   # exist now: read bot/events.py
    from bot.replies import Reply, ReplyKind, Button                      # exist now: read bot/replies.py
    from bot.model import ChatRef, UserRef                                # exist now
    from bot.messenger import Messenger, ChatUnavailable                  # exist now

    engine = QuizEngine(store, bank, settings, clock=time.time)   # clock returns UTC epoch seconds
    engine.bank                                   # the QuestionBank (topics for autocomplete: engine.bank.topics: dict slug -> Topic)
    engine.add_messenger(platform: str, messenger)  # the adapter registers itself; the engine pushes timed reveals etc. via messenger.send(reply)
    replies = await engine.handle(event)          # never raises for user errors: returns ERROR replies; returns [] for a duplicated update
    await engine.expire_due()                     # reveals rounds whose answer window has ended (pushes via messengers); the runtime calls it every second; tests call it after moving the clock
    await engine.link_message(round_id, platform_ref_kind: str, ref: str)   # remember which platform message / poll belongs to a round
    await engine.round_for_message(platform_ref_kind, ref) -> int | None      # e.g. ("telegram", f"{chat_id}:{message_id}") or ("telegram-poll", poll_id)
    ADMIN_COMMANDS: frozenset[str] = {"reveal", "skip", "stop", "schedule"}  # for these, the adapter must fill UserRef.is_admin truthfully before calling handle
    await store.set_chat_active(chat_key, False)  # mark a chat that blocked/removed the bot

Event semantics (all fields in bot/events.py):
- Command(chat, user, locale, update_key, name="quiz", args=("sft","3")): name lower-case, no slash, no @botname. Engine commands: start (args may hold a deep-link payload like "ans_42"), help, quiz [topic] [n], next, topics, leaderboard [week|month|all], me, lang zh|en, reveal, skip, stop, forget, schedule ... (schedule is added by the scheduler). Unknown commands get a polite ERROR reply.
- update_key: a platform-unique string for the update (e.g. f"telegram:{update.update_id}", f"discord:{interaction.id}"); the engine records it in SQLite and returns [] for a repeat (duplicate delivery is not double-counted).
- TextAnswer(chat, user, text, round_id=None): free text answer. round_id when the platform tells which question it answers (reply to the question message, modal of that round). In a private chat, after `/start ans_<round_id>` (the "answer privately" deep link) the engine itself remembers that the user's next private TextAnswer belongs to that round — the adapter just forwards plain private text as TextAnswer(round_id=None). The answer is recorded for the round's own chat even if event.chat is the private chat.
- ChoicePick(chat, user, round_id, option): 0-based option; first pick counts. For a poll answer with no chat, pass ChatRef(platform, str(user_id), private=True) as the chat.
- ButtonPress(chat, user, data): any other callback id (e.g. "qb:next", "qb:forget:yes"). Callback ids (<= 64 bytes, ASCII): "qb:pick:<round>:<option>", "qb:ans:<round>" (Telegram: render as a URL button deep-linking to https://t.me/<bot_username>?start=ans_<round>; Discord: open a modal whose submit becomes TextAnswer(round_id=<round>)), "qb:next", "qb:forget:yes|no". The adapter itself turns "qb:pick:R:O" into ChoicePick and everything else into ButtonPress.

Reply semantics (bot/replies.py): each reply has its own .chat — deliver it THERE (it can differ from the event's chat: e.g. an "everyone answered" reveal goes to the group). kind QUESTION carries round_id; for a choice question `options`, `correct`, `explanation`, `window` (seconds) are set; buttons carry the callback ids above. kind ACK (with to_user set) = "answer received": acknowledge quietly (Telegram: a reaction on the member's message in a group, a short text in a private chat; Discord: ephemeral). ERROR replies to a user in a group: Telegram reply to the member's message; Discord ephemeral. `folded` is long Markdown (the model answer) shown after `text` that may be folded. Text is Markdown: **bold**, *italic*, `code`, ``` fenced code ```, `- ` lists, `1. ` lists, GFM tables, `#`-headings, LaTeX like $...$ or \[...\] to be left readable.

Test fixture bank: tests/fixtures/questions (exists now): topic `sft` (open questions sft-why-dumber with 4 key points, sft-what-learns, sft-chat-or-base, and discussion question sft-discuss-experience), topic `arch` (choice arch-chatglm-family, arch-llama-family, arch-long-options whose first option is > 100 chars so it exceeds Telegram poll limits, and open arch-kv-cache-long whose model answer is ~7300 characters and contains `<tag&N>` text that must be escaped). The lead will also put shared fixtures in tests/conftest.py (`settings`, `store`, `bank`, `engine`, a controllable `clock`) — do NOT edit tests/conftest.py; if you need your own fixtures, put them in tests/<your area>/conftest.py.

"""

from __future__ import annotations

from typing import Protocol

from bot.events import ButtonPress, ChoicePick, Command, Event, TextAnswer
from bot.messenger import Messenger
from bot.replies import Reply

__all__ = ["Adapter", "ButtonPress", "ChoicePick", "Command", "Event", "Messenger", "Reply", "TextAnswer"]


class Adapter(Messenger, Protocol):
    """A running connection to one platform. ``platform`` is the ChatRef.platform it serves."""

    platform: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, reply: Reply) -> None:
        """Deliver a pushed reply (daily question, timed reveal) to ``reply.chat``."""
        ...
