"""Write imported entries into the bank (``questions/<topic>.yaml``) without losing curation.

Merge rules ("curation survives re-import"):

- an imported entry matches an existing open question by id or by (near-)identical prompt, in any
  topic file; choice questions are never matched and never touched;
- a matched entry only gains what it lacks: missing sources, and an answer (plus key points) when it
  has none — its prompt, answer and key points are never overwritten;
- unmatched entries are appended to their topic's file, which is created with a header when missing.

Files are edited as text: untouched entries (and their comments) stay byte for byte; a changed entry
is re-emitted in place; new entries are appended after the last one. Each write goes through a temp
file + rename and is redone if another author changed the file meanwhile.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.bank.importer.enrich import TOPICS
from bot.bank.importer.entries import Entry, core_normalise, normalise, similar_prompts
from bot.bank.schema import fold

log = logging.getLogger(__name__)


class LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the 1-based line of every mapping under the key ``__line__``."""


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class BankWriteError(Exception):
    """The bank cannot be merged into (a file is not valid YAML, or not a topic file)."""


# --- YAML output -------------------------------------------------------------------------------


class _Flow(dict):
    """A mapping written on one line: ``{file: x.txt, section: "a / b"}``."""


class _FlowList(list):
    """A list written on one line: ``[a, b]``."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        # indent block sequences inside mappings ("key_points:\n  - text: …"), as the topic files do
        return super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, data: str):
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(_Flow, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data.items(),
                                                                   flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, data: d.represent_sequence("tag:yaml.org,2002:seq", data,
                                                                        flow_style=True))


def _clean_block(text: str) -> str:
    """Literal blocks need lines without trailing spaces or tabs, else PyYAML falls back to quotes."""
    lines = [ln.expandtabs(4).rstrip() for ln in text.strip("\n").split("\n")]
    return "\n".join(lines) + "\n"


def _plain(value):
    """Loaded YAML without the ``__line__`` bookkeeping of ``LineLoader``."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def styled(entry: dict) -> dict:
    """An entry dict with YAML styles attached: literal answers, one-line sources and alias lists."""
    out: dict = {}
    for key, value in entry.items():
        if key == "__line__":
            continue
        if key == "answer" and isinstance(value, str):
            value = _clean_block(value) if "\n" in value.strip() else value.strip()
        elif key == "source":
            value = _Flow(value) if isinstance(value, dict) else [_Flow(v) if isinstance(v, dict) else v
                                                                  for v in value]
        elif key in ("tags", "options", "correct") and isinstance(value, list):
            value = _FlowList(value)
        elif key == "key_points" and isinstance(value, list):
            value = [
                {k: (_FlowList(v) if k == "aliases" else v) for k, v in kp.items() if k != "__line__"}
                if isinstance(kp, dict) else kp
                for kp in value
            ]
        out[key] = value
    return out


def dump(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**6,
                     default_flow_style=False)


def dump_entries(entries: list[dict], indent: int = 2) -> str:
    """Entries as block-sequence items (``- id: …``) indented by ``indent`` columns."""
    text = dump([styled(e) for e in entries])
    pad = " " * indent
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


def topic_header(slug: str, taken: set[str]) -> str:
    """Header of a new topic file; aliases already used by another topic are left out."""
    meta = TOPICS.get(slug, {"zh": slug, "en": slug, "aliases": []})
    aliases = [a for a in meta["aliases"] if fold(a) not in taken and fold(a) != fold(slug)]
    head = {"topic": slug, "title": _Flow({"zh": meta["zh"], "en": meta["en"]}), "aliases": _FlowList(aliases)}
    return f"# {meta['en']} ({meta['zh']}): question bank topic file.\n" + dump(head) + "questions:\n"


# --- reading the bank --------------------------------------------------------------------------


@dataclass
class _Existing:
    path: Path
    text: str
    doc: dict
    slug: str
    items: list[dict]  # the raw question mappings (with __line__)
    spans: list[tuple[int, int]]  # 0-based [start, end) line span of each item's text
    dash_indent: int
    changed: set[int] = field(default_factory=set)
    added: list[dict] = field(default_factory=list)


def _read(path: Path) -> _Existing:
    text = path.read_text(encoding="utf-8")
    try:
        doc = yaml.load(text, Loader=LineLoader)  # noqa: S506 - LineLoader is a SafeLoader
        root = yaml.compose(text, Loader=LineLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise BankWriteError(f"{path}: not valid YAML ({exc}); run `quizbot questions validate`") from None
    if doc is None:
        doc, root = {}, None
    if not isinstance(doc, dict):
        raise BankWriteError(f"{path}: not a topic file (expected a mapping)")
    items = doc.get("questions") or []
    if not isinstance(items, list):
        raise BankWriteError(f"{path}: 'questions' is not a list")
    spans: list[tuple[int, int]] = []
    dash = 2
    if root is not None and items:
        seq = next((v for k, v in root.value if k.value == "questions"), None)
        if seq is None or not isinstance(seq, yaml.SequenceNode) or seq.flow_style:
            spans = []
        else:
            starts = [node.start_mark.line for node in seq.value]
            lines = text.split("\n")
            end_all = _content_end(lines, seq.end_mark.line if seq.end_mark.column else seq.end_mark.line - 1)
            for k, start in enumerate(starts):
                end = starts[k + 1] if k + 1 < len(starts) else end_all + 1
                spans.append((start, _content_end(lines, end - 1) + 1))
            first = lines[starts[0]]
            dash = len(first) - len(first.lstrip(" "))
    return _Existing(path, text, doc, str(doc.get("topic") or path.stem), list(items), spans, dash)


def _content_end(lines: list[str], last: int) -> int:
    """The last line at or before ``last`` that is content (not blank, not a comment)."""
    last = min(last, len(lines) - 1)
    while last > 0 and (not lines[last].strip() or lines[last].lstrip().startswith("#")):
        last -= 1
    return last


# --- merging -----------------------------------------------------------------------------------


@dataclass
class MergeReport:
    added: dict[str, int] = field(default_factory=dict)  # topic -> new entries
    sources_added: int = 0
    answers_filled: int = 0
    unchanged: int = 0
    files_written: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        total = sum(self.added.values())
        per = ", ".join(f"{t} +{n}" for t, n in sorted(self.added.items()) if n)
        return [f"bank: {total} new entr{'y' if total == 1 else 'ies'}" + (f" ({per})" if per else ""),
                f"      {self.answers_filled} answer(s) filled, {self.sources_added} source(s) added, "
                f"{self.unchanged} already up to date",
                "      written: " + (", ".join(self.files_written) or "nothing")]


def _sources(value) -> list[dict]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [{k: v for k, v in s.items() if k != "__line__"} for s in items if isinstance(s, dict)]


def _same_source(a: dict, b: dict) -> bool:
    return str(a.get("file")) == str(b.get("file")) and str(a.get("section") or "") == str(b.get("section") or "")


def merge_into_bank(entries: list[Entry], directory: str | Path) -> MergeReport:
    """Merge ``entries`` into the topic files of ``directory`` (created if missing)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for _attempt in range(3):
        files = {p: _read(p) for p in sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))}
        report = _plan(entries, files, directory)
        if _write(files, directory, report):
            return report
        log.warning("a topic file changed while merging; retrying")
    raise BankWriteError(f"{directory}: files keep changing under the importer; try again")


def _plan(entries: list[Entry], files: dict[Path, _Existing], directory: Path) -> MergeReport:
    report = MergeReport()
    by_slug = {ex.slug: ex for ex in files.values()}
    index: list[tuple[_Existing, int, str, str]] = []
    by_id: dict[str, tuple[_Existing, int]] = {}
    for ex in files.values():
        for k, item in enumerate(ex.items):
            if not isinstance(item, dict):
                continue
            if isinstance(item.get("id"), str):
                by_id[item["id"]] = (ex, k)
            if item.get("kind", "open") != "open" or not isinstance(item.get("prompt"), str):
                continue
            index.append((ex, k, normalise(item["prompt"]), core_normalise(item["prompt"])))
    for entry in entries:
        hit = by_id.get(entry.id)
        if hit is not None and hit[0].items[hit[1]].get("kind", "open") != "open":
            hit = None  # an id that a choice question happens to use: never touch it
            entry.id = entry.id + "-open"
        if hit is None:
            hit = next(((ex, k) for ex, k, n, c in index if n == entry.norm), None)
        if hit is None:
            hit = next(((ex, k) for ex, k, n, c in index if similar_prompts(entry.norm, entry.core, n, c)), None)
        if hit is None:
            ex = by_slug.get(entry.topic)
            if ex is None:
                path = directory / f"{entry.topic}.yaml"
                ex = _Existing(path, "", {}, entry.topic, [], [], 2)
                by_slug[entry.topic] = files[path] = ex
            ex.added.append(entry.to_dict())
            report.added[entry.topic] = report.added.get(entry.topic, 0) + 1
            continue
        ex, k = hit
        item = ex.items[k]
        changed = False
        have = _sources(item.get("source"))
        for src in entry.sources:
            if not any(_same_source(src, h) for h in have):
                have.append(dict(src))
                report.sources_added += 1
                changed = True
        if changed:
            item["source"] = have[0] if len(have) == 1 else have
        if entry.answer and not (isinstance(item.get("answer"), str) and item["answer"].strip()):
            _insert_after(item, "answer", entry.answer, "prompt")
            if entry.key_points and not item.get("key_points"):
                _insert_after(item, "key_points", [dict(kp) for kp in entry.key_points], "answer")
            report.answers_filled += 1
            changed = True
        if changed:
            ex.changed.add(k)
        else:
            report.unchanged += 1
    return report


def _insert_after(item: dict, key: str, value, after: str) -> None:
    if key in item:
        item[key] = value
        return
    rebuilt = {}
    for k, v in item.items():
        rebuilt[k] = v
        if k == after:
            rebuilt[key] = value
    if key not in rebuilt:
        rebuilt[key] = value
    item.clear()
    item.update(rebuilt)


def _render(ex: _Existing, taken: set[str]) -> str:
    if not ex.text.strip():
        return topic_header(ex.slug, taken) + dump_entries(ex.added, 2)
    if (ex.changed or ex.added) and ex.items and not ex.spans:
        # unusual layout (flow-style list): re-emit the whole file; comments are lost, data is not
        log.warning("%s: rewriting the whole file (questions list is not a block list)", ex.path)
        doc = _plain(ex.doc)
        if isinstance(doc.get("title"), dict):
            doc["title"] = _Flow(doc["title"])
        doc["questions"] = [styled(_plain(i)) for i in ex.items] + [styled(a) for a in ex.added]
        return dump(doc)
    lines = ex.text.split("\n")
    trailing_newline = ex.text.endswith("\n")
    if trailing_newline:
        lines = lines[:-1]
    out_parts: list[str] = []
    cursor = 0
    for k, (start, end) in enumerate(ex.spans):
        if k in ex.changed:
            out_parts.append("\n".join(lines[cursor:start]) + ("\n" if start > cursor else ""))
            out_parts.append(dump_entries([_plain(ex.items[k])], ex.dash_indent))
            cursor = end
    tail_start = ex.spans[-1][1] if ex.spans else None
    if ex.added and tail_start is not None:
        out_parts.append("\n".join(lines[cursor:tail_start]) + ("\n" if tail_start > cursor else ""))
        out_parts.append(dump_entries(ex.added, ex.dash_indent))
        cursor = tail_start
    rest = "\n".join(lines[cursor:])
    if ex.added and tail_start is None:
        # no entries yet: "questions:" / "questions: []" / missing key
        rest = re.sub(r"(?m)^questions:\s*(\[\s*\])?\s*$", "questions:", rest)
        if not re.search(r"(?m)^questions:\s*$", rest):
            rest = rest.rstrip("\n") + "\nquestions:"
        head, _, after = rest.partition("questions:")
        after_lines = after.split("\n", 1)
        rest = head + "questions:" + after_lines[0] + "\n" + dump_entries(ex.added, 2) + \
            (after_lines[1] if len(after_lines) > 1 else "")
        return rest if rest.endswith("\n") else rest + "\n"
    result = "".join(out_parts) + rest
    if trailing_newline and not result.endswith("\n"):
        result += "\n"
    return result


def _write(files: dict[Path, _Existing], directory: Path, report: MergeReport) -> bool:
    """Write every changed file; False when one changed on disk since it was read (caller retries)."""
    taken = set()
    for ex in files.values():
        title = ex.doc.get("title") if isinstance(ex.doc.get("title"), dict) else {}
        for name in (ex.slug, title.get("zh"), title.get("en"), *(ex.doc.get("aliases") or [])):
            if isinstance(name, str):
                taken.add(fold(name))
    pending = [(ex, _render(ex, taken)) for ex in files.values() if ex.changed or ex.added]
    for ex, _ in pending:
        now = ex.path.read_text(encoding="utf-8") if ex.path.exists() else ""
        if now != ex.text:
            return False
    for ex, text in pending:
        yaml.load(text, Loader=LineLoader)  # noqa: S506 - never write a file that would not load
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{ex.path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, ex.path)
        report.files_written.append(ex.path.name)
        log.info("wrote %s", ex.path)
    return True
