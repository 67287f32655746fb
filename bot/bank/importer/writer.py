"""Write imported entries into the bank (``questions/<topic>.yaml``) without losing curation.

Merge rules ("curation survives re-import"):

- an imported entry matches an existing open question by id or by (near-)identical prompt, in any
  topic file; choice questions are never matched and never touched;
- an entry whose id is listed in some question's ``merged_ids`` was merged into that question by a
  curator: it is already present and left alone;
- a matched entry only gains what it lacks: missing sources, and an answer (with ``answer_origin:
  notes`` and key points) when it has none and is not a discussion question — its prompt, answer, key
  points and every curated field are never overwritten;
- unmatched entries are appended to their topic's file, which is created with a header when missing.

Files are edited with ruamel.yaml's round-trip mode: comments, key order, flow/block styles, quotes
and each file's list indentation survive, so an untouched entry stays byte for byte (every shipped
topic file round-trips unchanged). Before that, a file is read through ``bot.bank.reader`` (size,
depth and alias limits), and every file is checked to read back before it is written. Each write goes
through a temp file + rename and is redone if another author changed the file meanwhile.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.util import load_yaml_guess_indent

from bot.bank.importer.enrich import TOPICS
from bot.bank.importer.entries import Entry, core_normalise, normalise, similar_prompts
from bot.bank.reader import ReadError, parse_yaml, read_text
from bot.bank.schema import fold

log = logging.getLogger(__name__)


class BankWriteError(Exception):
    """The bank cannot be merged into (a file is not valid YAML, or not a topic file)."""


# --- YAML output -------------------------------------------------------------------------------


def _yaml(sequence_dash: int = 2) -> YAML:
    """Round-trip emitter; ``sequence_dash`` is the file's column of ``-`` under a key (2 or 0)."""
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 10**6  # never fold long prompts or answers
    y.allow_unicode = True
    y.indent(mapping=2, sequence=sequence_dash + 2, offset=sequence_dash)
    return y


def _flow_map(data: dict) -> CommentedMap:
    out = CommentedMap(data)
    out.fa.set_flow_style()
    return out


def _flow_seq(data: list) -> CommentedSeq:
    out = CommentedSeq(data)
    out.fa.set_flow_style()
    return out


def _clean_block(text: str) -> str:
    """Literal blocks need lines without trailing spaces or tabs (else they are emitted quoted)."""
    lines = [ln.expandtabs(4).rstrip() for ln in text.strip("\n").split("\n")]
    return "\n".join(lines) + "\n"


def styled(entry: dict) -> CommentedMap:
    """An entry with the bank's YAML styles: literal answers, one-line sources, tags and alias lists."""
    out = CommentedMap()
    for key, value in entry.items():
        if key == "answer" and isinstance(value, str):
            value = LiteralScalarString(_clean_block(value)) if "\n" in value.strip() else value.strip()
        elif key == "source":
            value = _flow_map(value) if isinstance(value, dict) else CommentedSeq(
                [_flow_map(v) if isinstance(v, dict) else v for v in value])
        elif key in ("tags", "options", "correct", "rubric") and isinstance(value, list):
            value = _flow_seq(value)
        elif key == "key_points" and isinstance(value, list):
            value = CommentedSeq([
                CommentedMap((k, _flow_seq(v) if k == "aliases" else v) for k, v in kp.items())
                if isinstance(kp, dict) else kp
                for kp in value
            ])
        out[key] = value
    return out


def dump(data: Any, sequence_dash: int = 2) -> str:
    buf = io.StringIO()
    _yaml(sequence_dash).dump(data, buf)
    text = buf.getvalue()
    if isinstance(data, list) and sequence_dash:
        # ruamel indents a top-level list like a nested one; at the root the dashes belong in column 0
        pad = " " * sequence_dash
        text = "".join(line[sequence_dash:] if line.startswith(pad) else line
                       for line in text.splitlines(keepends=True))
    return text


def new_topic(slug: str, taken: set[str]) -> CommentedMap:
    """A new topic file's document; aliases already used by another topic are left out."""
    meta = TOPICS.get(slug, {"zh": slug, "en": slug, "aliases": []})
    aliases = [a for a in meta["aliases"] if fold(a) not in taken and fold(a) != fold(slug)]
    doc = CommentedMap()
    doc["topic"] = slug
    doc["title"] = _flow_map({"zh": meta["zh"], "en": meta["en"]})
    doc["aliases"] = _flow_seq(aliases)
    doc["questions"] = CommentedSeq()
    doc.yaml_set_start_comment(f"{meta['en']} ({meta['zh']}): question bank topic file.")
    return doc


# --- reading the bank --------------------------------------------------------------------------


@dataclass
class _Existing:
    path: Path
    text: str  # as read: the file is only replaced when it is still this
    doc: dict  # a CommentedMap once read
    slug: str
    items: list  # the question mappings of doc["questions"] (ruamel objects: edits go into the document)
    dash: int = 2
    changed: bool = False
    added: int = 0


def _read(path: Path) -> _Existing:
    try:
        text = read_text(path)
        parse_yaml(text)  # the reader's bounds first: ruamel has none
        _data, _indent, dash = load_yaml_guess_indent(text)
        dash = dash if isinstance(dash, int) and dash >= 0 else 2
        doc = _yaml(dash).load(text)  # again, keeping quotes as written
    except ReadError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise BankWriteError(f"{where}: {exc.message}; run `quizbot questions validate`") from None
    except YAMLError as exc:
        raise BankWriteError(f"{path}: not valid YAML ({exc}); run `quizbot questions validate`") from None
    if doc is None:
        doc = CommentedMap()
    if not isinstance(doc, dict):
        raise BankWriteError(f"{path}: not a topic file (expected a mapping)")
    items = doc.get("questions")
    if items is None:
        items = doc["questions"] = CommentedSeq()
    if not isinstance(items, list):
        raise BankWriteError(f"{path}: 'questions' is not a list")
    slug = doc.get("topic")
    return _Existing(path, text, doc, slug if isinstance(slug, str) and slug else path.stem, items, dash)


# --- merging -----------------------------------------------------------------------------------


@dataclass
class MergeReport:
    added: dict[str, int] = field(default_factory=dict)  # topic -> new entries
    unanswered: int = 0  # new entries without an answer: the bank refuses them until a curator answers them
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
                "      written: " + (", ".join(self.files_written) or "nothing")] + (
            [f"      {self.unanswered} new entr{'y has' if self.unanswered == 1 else 'ies have'} no answer in the "
             "notes: the bot loads the bank once each has one (answer_origin: written) or is a discussion "
             "question with a rubric"] if self.unanswered else [])


def _sources(value: Any) -> list:
    if value is None:
        return []
    return [s for s in (value if isinstance(value, list) else [value]) if isinstance(s, dict)]


def _same_source(a: dict, b: dict) -> bool:
    return str(a.get("file")) == str(b.get("file")) and str(a.get("section") or "") == str(b.get("section") or "")


def merge_into_bank(entries: list[Entry], directory: str | Path) -> MergeReport:
    """Merge ``entries`` into the topic files of ``directory`` (created if missing)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for _attempt in range(3):
        files = {p: _read(p) for p in sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
                 if p.is_file()}
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
    merged: set[str] = set()  # ids of questions curators merged into another one
    for ex in files.values():
        for k, item in enumerate(ex.items):
            if not isinstance(item, dict):
                continue
            if isinstance(item.get("id"), str):
                by_id[item["id"]] = (ex, k)
            if isinstance(item.get("merged_ids"), list):
                merged.update(m.strip() for m in item["merged_ids"] if isinstance(m, str))
            if item.get("kind", "open") != "open" or not isinstance(item.get("prompt"), str):
                continue
            index.append((ex, k, normalise(item["prompt"]), core_normalise(item["prompt"])))
    for entry in entries:
        if entry.id in merged and entry.id not in by_id:
            report.unchanged += 1  # the question lives on in the entry that absorbed it, as curated
            continue
        hit = by_id.get(entry.id)
        if hit is not None and hit[0].items[hit[1]].get("kind", "open") != "open":
            hit = None  # an id that a choice question happens to use: never touch it
            entry.id = entry.id + "-open"
        if hit is None:
            hit = next(((ex, k) for ex, k, n, c in index if n == entry.norm), None)
        if hit is None:
            hit = next(((ex, k) for ex, k, n, c in index if similar_prompts(entry.norm, entry.core, n, c)), None)
        if hit is None:
            target = by_slug.get(entry.topic)
            if target is None:
                path = directory / f"{entry.topic}.yaml"
                target = _Existing(path, "", CommentedMap(), entry.topic, CommentedSeq())
                by_slug[entry.topic] = files[path] = target
            target.items.append(styled(entry.to_dict()))
            target.added += 1
            if not entry.answer:
                report.unanswered += 1
            report.added[entry.topic] = report.added.get(entry.topic, 0) + 1
            continue
        ex, k = hit
        item = ex.items[k]
        changed = False
        have = _sources(item.get("source"))
        new = [s for s in entry.sources if not any(_same_source(s, h) for h in have)]
        if new:
            report.sources_added += len(new)
            changed = True
            # the existing source mappings are kept as they are (style, comments); a list keeps its place
            if isinstance(item.get("source"), list):
                item["source"].extend(_flow_map(dict(s)) for s in new)
            elif not have and len(new) == 1:
                _insert_after(item, "source", _flow_map(dict(new[0])), None)
            else:
                _insert_after(item, "source", CommentedSeq([*have, *(_flow_map(dict(s)) for s in new)]), None)
        fill = styled({"answer": entry.answer, "key_points": [dict(kp) for kp in entry.key_points]})
        if (entry.answer and not (isinstance(item.get("answer"), str) and item["answer"].strip())
                and item.get("discussion") is not True):  # a discussion question stays one: curators chose it
            _insert_after(item, "answer", fill["answer"], "prompt")
            if "answer_origin" not in item:
                _insert_after(item, "answer_origin", "notes", "answer")
            if entry.key_points and not item.get("key_points"):
                _insert_after(item, "key_points", fill["key_points"], "answer_origin")
            report.answers_filled += 1
            changed = True
        if changed:
            ex.changed = True
        else:
            report.unchanged += 1
    return report


def _insert_after(item: CommentedMap, key: str, value: Any, after: str | None) -> None:
    """Set ``key`` in place when present, else insert it after ``after`` (None or absent: at the end)."""
    if key in item:
        item[key] = value
        return
    keys = list(item.keys())
    pos = keys.index(after) + 1 if after in keys else len(keys)
    item.insert(pos, key, value)


def _taken_names(files: dict[Path, _Existing]) -> set[str]:
    taken = set()
    for ex in files.values():
        title, aliases = ex.doc.get("title"), ex.doc.get("aliases")
        title = title if isinstance(title, dict) else {}
        aliases = aliases if isinstance(aliases, list) else []
        for name in (ex.slug, title.get("zh"), title.get("en"), *aliases):
            if isinstance(name, str):
                taken.add(fold(name))
    return taken


def _write(files: dict[Path, _Existing], directory: Path, report: MergeReport) -> bool:
    """Write every changed file; False when one changed on disk since it was read (caller retries)."""
    taken = _taken_names(files)
    pending = []
    for ex in files.values():
        if not (ex.changed or ex.added):
            continue
        if not ex.text.strip():  # a new topic file
            fresh = new_topic(ex.slug, taken)
            fresh["questions"].extend(ex.items)
            ex.doc = fresh
        pending.append((ex, dump(ex.doc, ex.dash)))
    for ex, _ in pending:
        now = ex.path.read_text(encoding="utf-8") if ex.path.exists() else ""
        if now != ex.text:
            return False
    for ex, text in pending:
        try:
            parse_yaml(text)  # never write a file that would not read back
        except ReadError as exc:
            raise BankWriteError(f"{ex.path}: the merged file would not read back ({exc.message})") from None
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{ex.path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, ex.path)
        report.files_written.append(ex.path.name)
        log.info("wrote %s", ex.path)
    return True
