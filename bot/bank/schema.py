"""The topic-file schema: pydantic models that the loader and ``quizbot questions validate`` both use.

One YAML file per topic, ``questions/<slug>.yaml``::

    topic: sft                                   # the slug (lower-case, digits, '-'), also the file name
    title: {zh: 有监督微调 SFT, en: Supervised fine-tuning}
    aliases: [微调, finetune]                      # other names /quiz <topic> accepts
    questions:
      - id: sft-949cb5f7                         # unique across the bank, never changed
        kind: open                               # default
        prompt: 微调是什么？
        answer: |                                # Markdown model answer
          ...
        answer_origin: notes                     # notes (from the study notes) | written (for the bank)
        correction: fixed the EWC name           # what was changed in a notes answer (needs answer_origin: notes)
        key_points:                              # what a good answer says; aliases are accepted wordings
          - text: 特定任务数据
            aliases: [下游任务, task data]
        difficulty: 2                            # 1, 2 or 3
        tags: [lora]
        source: {file: 000_x.txt, section: Q2}   # or a list of such mappings
        merged_ids: [sft-0a1b2c3d]               # ids of questions merged into this one (never reused)
      - id: projects-intro
        prompt: 介绍一个你做过的项目
        discussion: true                         # experience question: no answer, a rubric of 3-5 points
        rubric: [背景与目标, 个人职责, 量化结果]
      - id: basics-mc-chatglm
        kind: choice                             # sent as a Telegram quiz poll / Discord buttons
        prompt: ChatGLM 属于哪一类模型结构？          # <= 300 characters
        options: [Prefix Decoder, Causal Decoder, Encoder-Decoder]   # 2..12, each <= 100 characters
        correct: [0]                             # 0-based index (or a list of them)
        explanation: 前缀部分双向注意力。             # <= 200 characters, <= 2 line feeds

Every open question has an ``answer`` with its ``answer_origin``, or is ``discussion: true`` with a
rubric; anything else is an error (imported questions without an answer wait for a writer). At most
15% of the open questions are discussion questions (checked across the bank in ``bot.bank.checks``).

Types are strict because YAML converts silently: ``answer: 42`` is an int, ``correct: true`` a bool,
``1.10`` the float 1.1. Such values are errors, not coerced. Rule violations raise
``PydanticCustomError`` with the sentence the user sees; ``bot.bank.checks`` turns every error into a
``file:line: message`` problem. What is only advisable (3-6 options, Discord's 80-character button
labels, a missing ``answer_origin``) is checked there as a warning, never here.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

# Telegram quiz poll limits; Discord button labels are shorter (a warning: numbered buttons are used)
POLL_QUESTION_MAX = 300
POLL_OPTION_MAX = 100
POLL_OPTIONS_MIN, POLL_OPTIONS_MAX = 2, 12
EXPLANATION_MAX = 200
EXPLANATION_MAX_LINE_FEEDS = 2
DISCORD_LABEL_MAX = 80
RUBRIC_MIN, RUBRIC_MAX = 3, 5
DISCUSSION_SHARE_MAX = 0.15  # of a bank's open questions (rounded up to a whole question)

KINDS = ("open", "choice")
INVALID_KIND = "invalid-kind"  # union tag of a question whose kind is neither


def fold(text: str) -> str:
    """Case/width-insensitive form used to match topic names and aliases."""
    return unicodedata.normalize("NFKC", text).casefold().replace(" ", "").replace("_", "-")


def _non_empty(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty", "must not be empty")
    return value


Text = Annotated[StrictStr, AfterValidator(_non_empty)]


def _as_list(value: Any) -> Any:
    """``source: {...}`` and ``correct: 1`` are shorthands for one-item lists."""
    return [value] if value is not None and not isinstance(value, list) else value


def _key_point(value: Any) -> Any:
    return {"text": value} if isinstance(value, str) else value


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Title(_Strict):
    zh: Text | None = None
    en: Text | None = None


class KeyPoint(_Strict):
    text: Text
    aliases: list[Text] = []


class Source(_Strict):
    file: Text
    section: StrictStr | None = None


class _QuestionBase(_Strict):
    id: Annotated[StrictStr, AfterValidator(_non_empty), AfterValidator(str.strip)]
    prompt: Annotated[Text, AfterValidator(str.strip)]
    answer: StrictStr | None = None
    answer_origin: Literal["notes", "written"] | None = None
    correction: Text | None = None
    key_points: list[Annotated[KeyPoint, BeforeValidator(_key_point)]] = []
    difficulty: StrictInt = Field(default=2, ge=1, le=3)
    tags: list[Text] = []
    source: Annotated[list[Source], BeforeValidator(_as_list)] = []
    # ids of questions merged into this one: re-importing the notes finds them here and adds nothing;
    # unique across the bank and never a live id (checked with the whole bank in bot.bank.checks)
    merged_ids: list[Annotated[StrictStr, AfterValidator(_non_empty), AfterValidator(str.strip)]] = []

    @field_validator("answer", mode="before")
    @classmethod
    def _answer_present(cls, value: Any) -> Any:
        # runs only when the key is written: "answer:" or "answer: ''" is a mistake, not a discussion question
        if value is None or (isinstance(value, str) and not value.strip()):
            raise PydanticCustomError("answer_empty", "answer is empty (remove the key for a discussion question)")
        return value

    @field_validator("correction")
    @classmethod
    def _correction_needs_notes(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("answer_origin") != "notes":
            raise PydanticCustomError("correction_origin", "'correction' describes a fix of a notes answer; it "
                                                           "needs 'answer_origin: notes'")
        return value


class OpenQuestion(_QuestionBase):
    """A question answered in free text, graded against its key points (or a discussion question)."""

    kind: Literal["open"] = "open"
    discussion: StrictBool = False
    rubric: list[Text] | None = None
    # choice-only fields are tolerated on open questions (the validator warns that they are ignored)
    options: Any = Field(default=None, exclude=True)
    correct: Any = Field(default=None, exclude=True)
    explanation: Any = Field(default=None, exclude=True)

    @field_validator("discussion")
    @classmethod
    def _discussion_has_no_answer(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("answer"):
            raise PydanticCustomError("discussion_answer", "a discussion question has no 'answer' (remove it, "
                                                           "or drop 'discussion: true')")
        return value

    @model_validator(mode="after")
    def _discussion_rubric(self) -> OpenQuestion:
        # every open question teaches something at its reveal: a model answer whose origin is
        # recorded, or (an experience question) the rubric a strong answer covers
        if not self.discussion and not self.answer:
            raise PydanticCustomError("open_unanswered", "an open question needs an 'answer' (with "
                                      "'answer_origin'), or 'discussion: true' with a rubric of {min} to {max} "
                                      "points", {"min": RUBRIC_MIN, "max": RUBRIC_MAX})
        if self.answer and self.answer_origin is None:
            raise PydanticCustomError("answer_origin_missing", "an answered question needs 'answer_origin: "
                                      "notes' (from the study notes) or 'written' (written for the bank)",
                                      {"at": "answer"})
        if self.discussion and not (self.rubric and RUBRIC_MIN <= len(self.rubric) <= RUBRIC_MAX):
            n = len(self.rubric or [])
            raise PydanticCustomError("discussion_rubric", "a discussion question needs a 'rubric' of {min} to "
                                      "{max} points, not {n}", {"min": RUBRIC_MIN, "max": RUBRIC_MAX, "n": n,
                                                                "at": "rubric"})
        return self

    @property
    def is_discussion(self) -> bool:
        return self.discussion or not self.answer


def _option(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("option_empty", "must be a non-empty string")
    if len(value) > POLL_OPTION_MAX:
        raise PydanticCustomError("option_long", "has {n} characters; a Telegram poll option takes at most {max}",
                                  {"n": len(value), "max": POLL_OPTION_MAX})
    return value


class ChoiceQuestion(_QuestionBase):
    """A multiple-choice question: a Telegram quiz poll, Discord buttons."""

    kind: Literal["choice"]
    options: list[Annotated[StrictStr, AfterValidator(_option)]]
    correct: Annotated[list[StrictInt], BeforeValidator(_as_list)]
    explanation: StrictStr = ""

    @field_validator("prompt")
    @classmethod
    def _poll_prompt(cls, value: str) -> str:
        if len(value) > POLL_QUESTION_MAX:
            raise PydanticCustomError("prompt_long", "prompt has {n} characters; a Telegram quiz poll takes at "
                                      "most {max}", {"n": len(value), "max": POLL_QUESTION_MAX})
        return value

    @field_validator("options")
    @classmethod
    def _poll_options(cls, value: list[str]) -> list[str]:
        if not POLL_OPTIONS_MIN <= len(value) <= POLL_OPTIONS_MAX:
            raise PydanticCustomError("options_count", "{n} options; a poll takes {min} to {max}",
                                      {"n": len(value), "min": POLL_OPTIONS_MIN, "max": POLL_OPTIONS_MAX})
        return value

    @field_validator("correct")
    @classmethod
    def _correct_in_range(cls, value: list[int], info: ValidationInfo) -> list[int]:
        if not value:
            raise PydanticCustomError("correct_empty", "'correct' is empty")
        options = info.data.get("options")
        if options is not None:
            for i, c in enumerate(value):
                if not 0 <= c < len(options):
                    raise PydanticCustomError("correct_range", "correct index {c} is out of range (options "
                                              "0..{last})", {"c": c, "last": len(options) - 1, "at": i})
        return value

    @field_validator("explanation")
    @classmethod
    def _poll_explanation(cls, value: str) -> str:
        text = value.strip()
        if len(text) > EXPLANATION_MAX:
            raise PydanticCustomError("explanation_long", "explanation has {n} characters; Telegram takes at most "
                                      "{max}", {"n": len(text), "max": EXPLANATION_MAX})
        if text.count("\n") > EXPLANATION_MAX_LINE_FEEDS:
            raise PydanticCustomError("explanation_lines", "explanation has more than {max} line feeds",
                                      {"max": EXPLANATION_MAX_LINE_FEEDS})
        return text


class InvalidKindQuestion(_QuestionBase):
    """Stands in for a question whose ``kind`` is unknown, so that its other fields are still checked."""

    model_config = ConfigDict(extra="ignore")
    kind: Any

    @field_validator("kind")
    @classmethod
    def _bad_kind(cls, value: Any) -> Any:
        raise PydanticCustomError("kind", "kind must be 'open' or 'choice', not {kind}", {"kind": repr(value)})


def _question_tag(value: Any) -> str:
    kind = value.get("kind", "open") if isinstance(value, dict) else getattr(value, "kind", None)
    return kind if kind in KINDS else INVALID_KIND


Question = Annotated[
    Annotated[OpenQuestion, Tag("open")] | Annotated[ChoiceQuestion, Tag("choice")]
    | Annotated[InvalidKindQuestion, Tag(INVALID_KIND)],
    Discriminator(_question_tag),
]
UNION_TAGS = frozenset({*KINDS, INVALID_KIND})  # appear in error locations; not YAML keys


class TopicFile(_Strict):
    """One ``questions/<slug>.yaml``."""

    topic: Annotated[Text, AfterValidator(str.strip)]
    title: Title | None = None
    aliases: list[Text] = []
    questions: list[Question] | None = None
