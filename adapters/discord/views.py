"""Buttons and the answer modal: persistent by custom id, so they work on old messages after a restart.

Every button press is routed by its custom id through ``discord.ui.DynamicItem`` classes that
``QuizClient.setup_hook`` registers with ``add_dynamic_items``:

* ``qb:ans:<round>``          -> open the answer modal (the answer stays private),
* ``qb:pick:<round>:<option>`` -> ``ChoicePick`` (first pick counts; the engine decides),
* ``qb:rva:<item>``          -> open the answer form of a ``/review`` card (``qb:rvmodal:<item>``),
* any other ``qb:...`` id     -> ``ButtonPress`` (``qb:next``, ``qb:forget:yes|no`` ...).

The views we attach to outgoing messages are only a layout: ``build_view`` stops them before they
are sent, which tells discord.py not to keep them in its view store. Presses on a fresh message
therefore take the very same path as presses on a message from before a restart, and no per-message
view objects pile up in memory over months of daily questions.

The modal is handled the same way (``answer_modal`` is stopped too; ``QuizClient.on_interaction``
routes its submit by custom id ``qb:modal:<round>``): discord.py keys stored modals by custom id
alone and drops one on its first submit, so two members answering the same round at once would
lose a submit, and a modal left open across a restart would be lost.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.replies import Button

if TYPE_CHECKING:
    from adapters.discord.interactions import InteractionHandler

log = logging.getLogger(__name__)

MAX_LABEL = 80
MAX_BUTTONS = 25  # 5 rows x 5
PER_ROW = 5
MODAL_RE = re.compile(r"qb:modal:(?P<round>[0-9]{1,18})")
REVIEW_MODAL_RE = re.compile(r"qb:rvmodal:(?P<item>[0-9]{1,18})")
ANSWER_FIELD = "answer"
MODAL_TEXT = {
    "zh": ("你的答案", "只有你能看到；公布答案之前可以修改。", "写下你的回答……"),
    "en": ("Your answer", "Only you see it; you may change it until the reveal.", "Write your answer…"),
}
REVIEW_MODAL_TEXT = {
    "zh": ("你的答案", "只有你能看到；提交后立即评分。", "写下你的回答……"),
    "en": ("Your answer", "Only you see it; graded as soon as you submit.", "Write your answer…"),
}


def label_of(text: str) -> str:
    """A button label within Discord's 80 characters, cut with "…" when longer."""
    text = " ".join(text.split()) or "·"
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1].rstrip() + "…"


def _style(data: str) -> discord.ButtonStyle:
    if data.startswith(("qb:ans:", "qb:rva:")):
        return discord.ButtonStyle.primary
    if data == "qb:next":
        return discord.ButtonStyle.success
    if data.startswith("qb:forget:yes"):
        return discord.ButtonStyle.danger
    return discord.ButtonStyle.secondary


def build_view(buttons: tuple[Button, ...]) -> discord.ui.View | None:
    """A layout of the reply's buttons (5 per row, at most 25), not kept by discord.py (see above)."""
    if not buttons:
        return None
    if len(buttons) > MAX_BUTTONS:
        log.warning("%d buttons; Discord shows at most %d", len(buttons), MAX_BUTTONS)
    view = discord.ui.View(timeout=None)
    for i, b in enumerate(buttons[:MAX_BUTTONS]):
        item: discord.ui.Button[discord.ui.View]
        if b.url and not b.data:
            item = discord.ui.Button(label=label_of(b.label), url=b.url, row=i // PER_ROW)
        else:
            item = discord.ui.Button(label=label_of(b.label), custom_id=b.data, style=_style(b.data),
                                     row=i // PER_ROW)
        view.add_item(item)
    view.stop()
    return view


def answer_modal(round_id: int, lang: str, max_length: int) -> discord.ui.Modal:
    """The private answer form for a round: one paragraph input (Discord allows up to 4000)."""
    return _answer_form(f"qb:modal:{round_id}", MODAL_TEXT.get(lang, MODAL_TEXT["en"]), max_length)


def review_modal(item: int, lang: str, max_length: int) -> discord.ui.Modal:
    """The answer form of the ``/review`` card with this item number."""
    return _answer_form(f"qb:rvmodal:{item}", REVIEW_MODAL_TEXT.get(lang, REVIEW_MODAL_TEXT["en"]), max_length)


def _answer_form(custom_id: str, texts: tuple[str, str, str], max_length: int) -> discord.ui.Modal:
    title, description, placeholder = texts
    modal = discord.ui.Modal(title=title, custom_id=custom_id, timeout=None)
    text_input: discord.ui.TextInput[discord.ui.Modal] = discord.ui.TextInput(
        style=discord.TextStyle.paragraph, custom_id=ANSWER_FIELD,
        max_length=max(1, min(max_length, 4000)), placeholder=placeholder)
    modal.add_item(discord.ui.Label(text=title, description=description, component=text_input))
    modal.stop()
    return modal


def modal_value(data: dict[str, Any] | None, custom_id: str = ANSWER_FIELD) -> str | None:
    """The submitted value of one input from a modal submit's raw data (rows or labels)."""
    stack = list((data or {}).get("components") or [])
    while stack:
        c = stack.pop(0)
        if c.get("custom_id") == custom_id and "value" in c:
            return c["value"]
        stack.extend(c.get("components") or [])
        if isinstance(c.get("component"), dict):
            stack.append(c["component"])
    return None


def _handler(interaction: discord.Interaction) -> InteractionHandler:
    return interaction.client.quiz  # type: ignore[attr-defined]


def _label(item: discord.ui.Item[Any]) -> str | None:
    """The label of the pressed button (the dynamic items wrap buttons only)."""
    return item.label if isinstance(item, discord.ui.Button) else None


class AnswerButton(discord.ui.DynamicItem[discord.ui.Button], template=r"qb:ans:(?P<round>[0-9]{1,18})"):
    """"Answer" under an open question: opens the modal."""

    def __init__(self, round_id: int, label: str = "Answer") -> None:
        super().__init__(discord.ui.Button(label=label_of(label), custom_id=f"qb:ans:{round_id}",
                                           style=discord.ButtonStyle.primary))
        self.round_id = round_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> AnswerButton:
        return cls(int(match["round"]), _label(item) or "Answer")

    async def callback(self, interaction: discord.Interaction) -> None:
        await _handler(interaction).open_answer_modal(interaction, self.round_id)


class PickButton(discord.ui.DynamicItem[discord.ui.Button],
                 template=r"qb:pick:(?P<round>[0-9]{1,18}):(?P<option>[0-9]{1,2})"):
    """One option of a choice question."""

    def __init__(self, round_id: int, option: int, label: str = "?") -> None:
        super().__init__(discord.ui.Button(label=label_of(label), custom_id=f"qb:pick:{round_id}:{option}"))
        self.round_id, self.option = round_id, option

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> PickButton:
        return cls(int(match["round"]), int(match["option"]), _label(item) or "?")

    async def callback(self, interaction: discord.Interaction) -> None:
        await _handler(interaction).pick(interaction, self.round_id, self.option)


class ReviewAnswerButton(discord.ui.DynamicItem[discord.ui.Button], template=r"qb:rva:(?P<item>[0-9]{1,18})"):
    """"Answer" under an open ``/review`` card: opens its form."""

    def __init__(self, number: int, label: str = "Answer") -> None:
        super().__init__(discord.ui.Button(label=label_of(label), custom_id=f"qb:rva:{number}",
                                           style=discord.ButtonStyle.primary))
        self.number = number  # the card's item number (``item`` is DynamicItem's wrapped button)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> ReviewAnswerButton:
        return cls(int(match["item"]), _label(item) or "Answer")

    async def callback(self, interaction: discord.Interaction) -> None:
        await _handler(interaction).open_review_modal(interaction, self.number)


class EngineButton(discord.ui.DynamicItem[discord.ui.Button],
                   template=r"(?P<data>qb:(?!ans:|pick:|modal:|rva:|rvmodal:)[\x21-\x7e]{1,61})"):
    """Any other engine callback id (``qb:next``, ``qb:forget:yes`` ...): a ``ButtonPress``."""

    def __init__(self, data: str, label: str = "·") -> None:
        super().__init__(discord.ui.Button(label=label_of(label), custom_id=data))
        self.data = data

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> EngineButton:
        return cls(match["data"], _label(item) or "·")

    async def callback(self, interaction: discord.Interaction) -> None:
        await _handler(interaction).button(interaction, self.data)


DYNAMIC_ITEMS = (AnswerButton, PickButton, ReviewAnswerButton, EngineButton)
