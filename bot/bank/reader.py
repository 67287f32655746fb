"""Read one topic file defensively: the Python data, plus the 1-based line of every node.

Topic files are edited by hand and may come from anywhere, so reading is bounded before anything is
built from them. Every refusal is a ``ReadError`` with a line (when there is one) and one sentence:

- not a regular file (a directory named ``x.yaml``, a FIFO that would block a read forever);
- larger than ``MAX_BYTES`` (only ``MAX_BYTES + 1`` bytes are ever read);
- not UTF-8 (binary garbage), or characters YAML does not allow;
- nesting deeper than ``MAX_DEPTH``, or more than ``MAX_NODES`` values: checked on the parser's event
  stream, which libyaml produces without recursion, *before* the recursive composer ever sees the
  document (building nodes is the slow part: ~5 µs each);
- more than ``MAX_NODES`` values once aliases are expanded ("billion laughs"): counted on the
  composed node graph, where an alias is a shared node, so the count never expands anything;
- recursive aliases, duplicate keys (YAML keeps the last one silently: a curated field would be lost).

PyYAML's libyaml-backed loader is used when it is installed (it is about ten times faster); its
marks carry the same line numbers.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 1_000_000  # the largest shipped topic file is ~60 kB
MAX_DEPTH = 32  # a question is 5 levels deep (questions / item / key_points / item / aliases)
MAX_NODES = 50_000  # values (after alias expansion); the largest shipped file has ~5,000

Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

YamlPath = tuple[Any, ...]  # keys and list indexes from the document root; a trailing "<key>" means the key


class ReadError(Exception):
    """A topic file that cannot be read as YAML data; ``line`` is 1-based or None."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


@dataclass
class YamlDoc:
    data: Any
    lines: dict[YamlPath, int] = field(default_factory=dict)
    duplicates: list[tuple[int, str]] = field(default_factory=list)  # (line of the repeated key, message)

    def line(self, path: YamlPath) -> int | None:
        """Line of ``path``, else of its closest ancestor that exists in the document."""
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.lines:
                return self.lines[path[:cut]]
        return None


def _size_text(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n} bytes"


def read_text(path: Path) -> str:
    """The file's text, or a ReadError saying why it is not a readable UTF-8 topic file."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise ReadError(None, f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise ReadError(None, "is a directory, not a topic file")
    if not stat.S_ISREG(st.st_mode):
        raise ReadError(None, "is not a regular file")
    if st.st_size > MAX_BYTES:
        raise ReadError(None, f"file is {_size_text(st.st_size)}; a topic file may be at most "
                              f"{_size_text(MAX_BYTES)}")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ReadError(None, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:  # grew since stat
        raise ReadError(None, f"file is larger than {_size_text(MAX_BYTES)}, the limit for a topic file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ReadError(line, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                              "is this a binary file?") from None


def _yaml_error(exc: yaml.YAMLError, text: str) -> ReadError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = f"{exc.context + ', ' if exc.context else ''}{exc.problem}"
        return ReadError(mark.line + 1 if mark else None, f"YAML syntax: {problem}")
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        return ReadError(line, f"YAML syntax: unacceptable character #x{exc.character:04x}: {exc.reason}"
                         if isinstance(exc.character, int) else f"YAML syntax: {exc.reason}")
    return ReadError(None, f"YAML syntax: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc}")


def _prescan(text: str) -> None:
    """Walk the parser's events (no recursion): refuse documents nested deeper than MAX_DEPTH or with
    more than MAX_NODES values before any node is built."""
    loader = Loader(text)
    depth = events = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            events += 1
            line = event.start_mark.line + 1 if event.start_mark else None
            if events > MAX_NODES:
                raise ReadError(line, f"more than {MAX_NODES:,} values; a topic file holds a few thousand")
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise ReadError(line, f"nesting deeper than {MAX_DEPTH} levels; a topic file needs at most 6")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    finally:
        loader.dispose()


def _count(root: yaml.Node) -> None:
    """Values after alias expansion, computed per distinct node (aliases share their node)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ReadError(node.start_mark.line + 1, "recursive alias: a value contains itself")
        active.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
                if total > MAX_NODES:
                    break
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                total += size(v)
                if total > MAX_NODES:
                    break
        active.discard(key)
        if total > MAX_NODES:
            raise ReadError(node.start_mark.line + 1, f"more than {MAX_NODES:,} values once aliases are "
                                                      "expanded (an alias bomb?)")
        sizes[key] = total
        return total

    size(root)


def _walk(node: yaml.Node, path: YamlPath, doc: YamlDoc) -> None:
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key, value in node.value:
            k = key.value if isinstance(key, yaml.ScalarNode) else f"<{key.tag}>"
            line = key.start_mark.line + 1
            if k in seen and isinstance(key, yaml.ScalarNode):
                doc.duplicates.append((line, f"duplicate key '{k}' (first at line {seen[k]}); "
                                                            "YAML would keep only the last one"))
            seen.setdefault(k, line)
            doc.lines.setdefault(path + (k, "<key>"), line)
            _walk(value, path + (k,), doc)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _walk(value, path + (i,), doc)


def parse_yaml(text: str) -> YamlDoc:
    """Data and line map of one YAML document, within the bounds above; ReadError otherwise."""
    try:
        _prescan(text)
        loader = Loader(text)
        try:
            root = loader.get_single_node()
            if root is None:
                return YamlDoc(None)
            _count(root)
            data = loader.construct_document(root)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text) from None
    except RecursionError:  # defensive: MAX_DEPTH keeps every recursion far below the limit
        raise ReadError(None, "YAML structure too deep to read") from None
    doc = YamlDoc(data)
    _walk(root, (), doc)
    return doc


def read_yaml(path: Path) -> YamlDoc:
    """``read_text`` + ``parse_yaml``."""
    return parse_yaml(read_text(path))
