"""Swapped roles: in a question comparing named things, a point about one of them said of another.

"指示微调（Prompt-tuning）与 Prefix-tuning 区别是什么？" has points such as "Prompt Tuning参数更少"
and "Prefix用MLP重参数化". A wrong answer swaps the roles and keeps every term: "Prefix-tuning
therefore has far fewer parameters, and it is prompt tuning that needs an MLP reparameterisation".
Each term meets its point, so the swap scores like the right answer unless the answer's subject is read.

* The *compared things* are the Latin names the prompt joins with a coordinator or a comparison
  ("DPO和PPO", "Prompt-tuning）与 Prefix-tuning", "Chat还是Base", "RQ-VAE和VQ-VAE"), and only in a
  prompt that asks for a comparison (区别, 不同, 相比, 还是, vs ...). A part every name shares names
  none of them: "tuning" of Prompt-tuning/Prefix-tuning, "VAE" of RQ-VAE/VQ-VAE; what is left is the
  name's *head* in its rendered form (提示, 前缀, " rq ", " vq "), so that "Prompt" and "Prompt
  tuning" are the same thing after the glossary folded them apart. When one head lies inside another
  thing's full name (fine-tuning is 微调, Prompt tuning 提示微调), a mention of the one is a mention
  of the other too, and the question is left alone.
* A point names its own things (the heads its text holds); one that names none or all is not bound.
* The *subject* of a mention is the compared name nearest before it in its clause: a name after
  比/than/相比/unlike is a baseline and the one before it is the subject ("Prompt tuning 比 Prefix
  tuning 参数更少"); names joined by 和/与/and are one subject ("Prefix 和 Prompt tuning 都…"); a
  mention with no name before it in its clause is left alone (its subject may be anywhere before:
  "GRPO（DeepSeekMath 提出）去掉了 PPO 里的价值模型", a cell of a table).
* A hit whose every mention in the point's own wording (verbatim, or its tokens in order) has another
  compared thing as its subject is *contradicted*: the answer claims the point for the wrong thing.
  Mentions by shared units only (``bot.grading.matching`` rules 3 and 4) are not read: "单向注意力"
  shares most units with "双向注意力" and says nothing about whose attention it is.
"""

from __future__ import annotations

import re

from bot.grading.contradiction import _STOP
from bot.grading.matching import Answer, Verdict, _exact, _spread
from bot.grading.negation import negated
from bot.grading.normalise import CJK_MIN, Text
from bot.grading.opposition import _BASELINE

# a prompt that asks to compare
_COMPARISON = re.compile(r"区别|不同|异同|对比|比较|相比|比起|还是|优劣|优缺点|好在|\bvs\.?|versus|differ|compar", re.I)
# a name of several Latin words ("Prefix Decoder", "Encoder-Decoder", "RQ-VAE")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*(?:\s+[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*)*")
# what joins two compared names in a prompt (a closing bracket of a gloss may come first: "（Prompt-tuning）与")
_LINK = re.compile(r"[)）]?\s*(?:和|与|、|还是|或者|或|vs\.?|versus|相比于|相比|比起|对比|and|or|,|，)\s*", re.I)
# what joins two names into one subject in an answer ("Prefix 和 Prompt tuning 都…")
_JOINED = re.compile(r"(?:和|与|及|以及|或| and | or )\s*$")
LOOK_BEFORE = 16  # characters before a name where a baseline or a coordinator is read


def _render(tokens) -> str:
    return "".join(t if t >= CJK_MIN else f" {t} " for t in tokens)


def _enough(tokens) -> bool:
    """Does a run of tokens name something: a Latin word, or two Chinese characters?"""
    return any(t < CJK_MIN for t in tokens) or len(tokens) >= 2


def compared_heads(prompt: str) -> tuple[str, ...]:
    """The rendered heads of the things a comparison prompt compares; empty for any other prompt."""
    if not _COMPARISON.search(prompt):
        return ()
    found = list(_NAME.finditer(prompt))
    linked: list[str] = []
    for a, b in zip(found, found[1:], strict=False):
        if _LINK.fullmatch(prompt, a.end(), b.start()):
            linked += [a.group(), b.group()]
    names = {tuple(Text(w).words()): None for w in linked}
    forms = [n for n in names if n and not (len(n) == 1 and n[0] in _STOP)]
    if len(forms) < 2:
        return ()
    # tokens every name shares at its end or start ("微调" of 提示微调/前缀微调, "vae" of rq vae/vq vae)
    tail = 0
    while tail < min(map(len, forms)) and len({f[len(f) - tail - 1] for f in forms}) == 1:
        tail += 1
    head = 0
    while head < min(map(len, forms)) - tail and len({f[head] for f in forms}) == 1:
        head += 1
    heads = []
    for form in forms:
        cut = form[head if _enough(form[:head]) else 0:len(form) - tail if _enough(form[len(form) - tail:]) else None]
        heads.append(_render(cut if cut and _enough(cut) else form))
    heads = list(dict.fromkeys(heads))
    # a head inside another thing's full name ("微调" of fine-tuning in 提示微调, Prompt tuning folded)
    # is met by every mention of that thing too: whose claim a sentence makes cannot be read then
    for form, own in zip(forms, heads, strict=False):
        if any(h != own and h in _render(form) for h in heads):
            return ()
    return tuple(heads) if len(heads) >= 2 else ()


class Roles:
    """Per key point of one question, the compared heads its text names and the other ones (both empty
    for a point that names none or all of them, and for a question that compares nothing)."""

    __slots__ = ("points", "any")

    def __init__(self, prompt: str, points) -> None:
        heads = compared_heads(prompt)
        self.points: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        for text, _phrases in points:
            flat = Text(text).flat
            own = tuple(h for h in heads if h in flat)
            other = tuple(h for h in heads if h not in own) if own else ()
            self.points.append((own, other))
        self.any = any(other for _own, other in self.points)


def subject_of(text: Text, start: int, names: tuple[str, ...]) -> set[str]:
    """The compared names a mention [start, end) is said of (see the module docstring); empty if none."""
    flat, starts = text.flat, text.starts
    # the mention's clause: a sentence may change its subject at a clause ("GRPO（DeepSeekMath 提出）去掉了
    # PPO 里的价值模型"), and a table row holds one cell per compared thing
    cs, _ce = text.span_of(start, text.clauses)
    lo, at = starts[cs], starts[start]
    before = sorted(((p, n) for n in names for p in _positions(flat, n, lo, at)), reverse=True)
    subjects: set[str] = set()
    for p, name in before:
        ahead = flat[max(lo, p - LOOK_BEFORE):p]
        if not subjects and _BASELINE.search(ahead):
            continue  # "比 Prefix tuning", "than prefix tuning": the baseline, the subject comes before it
        subjects.add(name)
        if not _JOINED.search(ahead):
            break
    return subjects


def _positions(flat: str, name: str, lo: int, hi: int):
    pos = flat.find(name, lo, hi)
    while pos != -1:
        yield pos
        pos = flat.find(name, pos + 1, hi)


def swapped_hits(roles: Roles, points, answer: Answer, verdicts: list[Verdict]) -> list[Verdict]:
    """The verdicts with every hit said only of another compared thing made CONTRADICTED."""
    if not roles.any or Verdict.HIT not in verdicts:
        return verdicts
    text, out = answer.text, verdicts
    for k, verdict in enumerate(verdicts):
        own, other = roles.points[k]
        if verdict is not Verdict.HIT or not other:
            continue
        subjects = []
        for phrase in points[k][1]:
            for start, end in dict.fromkeys((*_exact(phrase, answer), *_spread(phrase, answer))):
                if negated(text, answer.cues, start, end, weak=phrase.negative) == phrase.negative:
                    subjects.append(subject_of(text, start, own + other))
        if subjects and all(found and found.isdisjoint(own) for found in subjects):
            out = list(out) if out is verdicts else out
            out[k] = Verdict.CONTRADICTED
    return out
