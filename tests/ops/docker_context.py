"""Reading the Dockerfile and .dockerignore without Docker: the instructions of each stage, and which
paths of the repository end up in the build context.

``.dockerignore`` semantics as Docker applies them: patterns in order, the last match wins, ``!``
re-includes, ``*``/``?`` never cross ``/``, ``**`` matches any number of directories, and a pattern
that matches a directory matches everything below it.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Instruction:
    stage: int
    keyword: str
    args: str


def instructions(dockerfile: Path) -> list[Instruction]:
    """Logical lines (continuations joined, comments dropped), numbered by build stage."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text(encoding="utf-8"))
    out: list[Instruction] = []
    stage = -1
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        out.append(Instruction(stage, keyword, " ".join(args.split())))
    return out


def copy_sources(dockerfile: Path, stage: int | None = None) -> list[tuple[str, str]]:
    """(source, destination) of every COPY from the build context (not ``--from=``)."""
    pairs = []
    for ins in instructions(dockerfile):
        if ins.keyword != "COPY" or (stage is not None and ins.stage != stage):
            continue
        words = ins.args.split()
        if any(w.startswith("--from") for w in words):
            continue
        words = [w for w in words if not w.startswith("--")]
        pairs += [(src, words[-1]) for src in words[:-1]]
    return pairs


def _regex(pattern: str) -> re.Pattern:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + r"\Z")


class DockerIgnore:
    def __init__(self, path: Path) -> None:
        self.rules: list[tuple[bool, re.Pattern]] = []
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                negate = line.startswith("!")
                pattern = line[1:].strip() if negate else line
                pattern = pattern.strip("/") or "."
                self.rules.append((negate, _regex(pattern)))

    def excluded(self, relpath: str) -> bool:
        parts = relpath.strip("/").split("/")
        candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        result = False
        for negate, rx in self.rules:
            if any(rx.match(c) for c in candidates):
                result = not negate
        return result


def build_context(repo: Path, sources: list[str], target: Path) -> list[str]:
    """Copy ``sources`` into ``target`` as Docker would send them; the relative paths sent."""
    ignore = DockerIgnore(repo / ".dockerignore")
    sent = []
    for src in sources:
        root = repo / src
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for file in files:
            rel = file.relative_to(repo).as_posix()
            if ignore.excluded(rel):
                continue
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, dest)
            sent.append(rel)
        if root.is_dir():
            (target / src).mkdir(parents=True, exist_ok=True)  # COPY of an empty directory works
    return sent
