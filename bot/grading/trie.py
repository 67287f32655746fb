"""Compile many literal words into one regular expression shaped as a prefix tree.

Python's ``re`` tries the branches of an alternation one after another at every position, so an
alternation of hundreds of words (the glossary, the negation cues) costs hundreds of attempts per
character. Nesting the words by common prefix ("不需要|不用|不" -> "不(?:需要|用)?") lets the engine
reject a position after one character. Longer words win over their prefixes, as a greedy
alternation sorted longest-first would.
"""

from __future__ import annotations

import re


def trie_pattern(words: list[str]) -> str:
    """A regex source matching exactly the given words, longest match first at a position."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _compile(tree)


def _compile(node: dict) -> str:
    end = "" in node
    branches = [re.escape(ch) + _compile(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if end:
        body = "(?:" + body + ")?" if len(branches) > 1 or len(body) > 1 else body + "?"
    return body
