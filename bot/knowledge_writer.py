"""Write a knowledge map back as YAML in the style of the format README.

Two steps, both pure:

* ``map_to_records`` turns a ``KnowledgeMap`` into plain, YAML-shaped records per file
  (``{"funds.yaml": [{"id": ..., "summary": {"nl": ...}}, ...], ...}``), field order as
  in the format README. Defaults are left out, so a record says only what is set.
* ``render_file`` turns a list of records into YAML text: a header comment, one blank
  line between items, short lists and mappings in flow style (``[a, b]``,
  ``{nl: ..., en: ...}``), everything else in block style. Strings are quoted only when
  a plain scalar could be misread (``no`` as a boolean, ``2026-01-01`` as a date, ...).

``render_file`` also returns, per record, the line where it starts, so problems that the
loader reports by line can be traced back to the spreadsheet row the record came from.

``file_comments`` finds the comments of the file being replaced, so ``render_file`` can put
back the header, the block above each item that still exists, the indented comment right
below it, and the closing comment. Comments inside an item or at the end of a line have
no place to go in a rewritten file (a cell has no comment); callers report those.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from routing.load import FILES
from routing.model import (
    ENTRY_FILES,
    Eligibility,
    Entry,
    KnowledgeMap,
    Need,
    Region,
    Servant,
    Terms,
    Text,
    Theme,
)

# The files of a knowledge map, in the order they are written and listed.
KNOWLEDGE_FILES: tuple[str, ...] = FILES
ENTRY_FILE_OF_KIND: Mapping[str, str] = {kind: file for file, kind in ENTRY_FILES.items()}

Record = dict[str, Any]
FLOW_WIDTH = 96  # a flow collection longer than this (after the key) goes to block style
LINE_WIDTH = 96  # a list of words longer than this line wraps, continued under its first item


# ------------------------------------------------------------------ map -> records


def text_record(text: Text) -> Record:
    out: Record = {"nl": text.nl}
    if text.en:
        out["en"] = text.en
    return out


def terms_record(terms: Terms) -> Record | None:
    out: Record = {}
    if terms.nl:
        out["nl"] = list(terms.nl)
    if terms.en:
        out["en"] = list(terms.en)
    return out or None


def _label_record(item: Theme | Need) -> Record:
    rec: Record = {"id": item.id, "label": text_record(item.label)}
    terms = terms_record(item.terms)
    if terms:
        rec["terms"] = terms
    return rec


def _region_record(region: Region) -> Record:
    rec: Record = {"id": region.id, "name": region.name,
                   "municipalities": list(region.municipalities)}
    if region.aliases:
        rec["aliases"] = list(region.aliases)
    if region.municipality_aliases:
        rec["municipality_aliases"] = dict(region.municipality_aliases)
    return rec


def _eligibility_record(elig: Eligibility) -> Record:
    rec: Record = {}
    if elig.legal_forms:
        rec["legal_forms"] = list(elig.legal_forms)
    if elig.max_amount_eur is not None:
        rec["max_amount_eur"] = elig.max_amount_eur
    if elig.notes is not None:
        rec["notes"] = text_record(elig.notes)
    return rec


def _entry_record(entry: Entry) -> Record:
    rec: Record = {"id": entry.id, "name": entry.name, "summary": text_record(entry.summary),
                   "themes": list(entry.themes), "needs": list(entry.needs),
                   "regions": list(entry.regions)}
    if entry.municipalities:
        rec["municipalities"] = list(entry.municipalities)
    if entry.stages:
        rec["stages"] = list(entry.stages)
    terms = terms_record(entry.terms)
    if terms:
        rec["terms"] = terms
    if entry.url:
        rec["url"] = entry.url
    if entry.contact:
        rec["contact"] = dict(entry.contact)
    if entry.eligibility is not None:
        rec["eligibility"] = _eligibility_record(entry.eligibility)
    if entry.window is not None:
        window: Record = {}
        if entry.window.start is not None:
            window["from"] = entry.window.start
        if entry.window.until is not None:
            window["until"] = entry.window.until
        rec["open"] = window
    return rec


def _servant_record(servant: Servant) -> Record:
    rec: Record = {"id": servant.id, "name": servant.name,
                   "title": text_record(servant.title),
                   "organisation": servant.organisation,
                   "themes": list(servant.themes), "regions": list(servant.regions),
                   "languages": list(servant.languages)}
    if servant.channels:
        rec["channels"] = dict(servant.channels)
    rec["max_open_cases"] = servant.max_open_cases
    if servant.absent:
        rec["absent"] = [{"from": a.start, "until": a.until} for a in servant.absent]
    if servant.admin:
        rec["admin"] = True
    return rec


def map_to_records(kmap: KnowledgeMap) -> dict[str, list[Record]]:
    """The map as YAML-shaped records, per file name (all seven files, maybe empty)."""
    out: dict[str, list[Record]] = {name: [] for name in KNOWLEDGE_FILES}
    out["themes.yaml"] = [_label_record(t) for t in kmap.themes]
    out["needs.yaml"] = [_label_record(n) for n in kmap.needs]
    out["regions.yaml"] = [_region_record(r) for r in kmap.regions]
    for entry in kmap.entries:
        out[ENTRY_FILE_OF_KIND[entry.kind]].append(_entry_record(entry))
    out["civil_servants.yaml"] = [_servant_record(s) for s in kmap.servants]
    return out


# ------------------------------------------------------------------ records -> YAML text

_UNSAFE = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
                     "|[\u2028\u2029\ufeff]")
_RESOLVABLE = frozenset({"yes", "no", "on", "off", "true", "false", "null", "nan", "inf"})
_PLAIN = re.compile(r"[^\W_][\w .()/'’+€&-]*", re.UNICODE)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~:/?&=%+@-]*")  # urls, e-mail addresses


def scalar(value: Any) -> str:
    """One scalar as YAML that reads back as exactly ``value``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return "null"
    text = str(value)
    if _PLAIN.fullmatch(text) and not text.endswith(" "):
        if not (text[0].isdigit() or text.lower() in _RESOLVABLE):
            return text
        try:  # might read as a number, date or boolean: ask the YAML reader
            if yaml.safe_load(text) == text:
                return text
        except yaml.YAMLError:
            pass
    if _TOKEN.fullmatch(text) and _reads_back(text):  # a url or an e-mail address
        return text
    # JSON strings are valid YAML double-quoted scalars, once the characters YAML will not
    # take literally (non-printables, line separators, BOM) are escaped too.
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def _reads_back(text: str) -> bool:
    """Whether ``text`` unquoted reads back as itself, as a value and inside ``[...]``."""
    try:
        block, flow = yaml.safe_load(f"k: {text}"), yaml.safe_load(f"[{text}]")
    except yaml.YAMLError:
        return False
    return bool(block == {"k": text} and flow == [text])


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, Mapping | list | tuple)


def _flow(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value)


def _flow_ok(value: Any) -> bool:
    """Lists of scalars always flow; small nested things flow when they are short."""
    if isinstance(value, list | tuple) and all(_is_scalar(v) for v in value):
        return True
    return len(_flow(value)) <= FLOW_WIDTH and not _has_long_text(value)


def _has_long_text(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(_has_long_text(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_long_text(v) for v in value)
    return isinstance(value, str) and len(value) > 40


def _wrapped_list(head: str, items: Sequence[Any]) -> list[str]:
    """A long list of scalars as a flow list over several lines of at most
    ``LINE_WIDTH``, continued under its first item (as people write the map by hand)."""
    lines: list[str] = []
    line = f"{head} ["
    indent = " " * len(line)
    for i, item in enumerate(items):
        part = _flow(item) + ("]" if i == len(items) - 1 else ",")
        if len(line) + 1 + len(part) > LINE_WIDTH and not line.endswith("["):
            lines.append(line)
            line = indent + part
        else:
            line += ("" if line.endswith("[") else " ") + part
    lines.append(line)
    return lines


def _mapping_lines(rec: Mapping[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key, value in rec.items():
        head = f"{pad}{scalar(key)}:"
        if isinstance(value, list | tuple) and value and all(_is_scalar(v) for v in value) \
                and len(head) + 1 + len(_flow(value)) > LINE_WIDTH:
            lines.extend(_wrapped_list(head, value))
        elif _is_scalar(value) or _flow_ok(value):
            lines.append(f"{head} {_flow(value)}")
        elif isinstance(value, Mapping):
            lines.append(head)
            lines.extend(_mapping_lines(value, indent + 2))
        else:
            lines.append(head)
            for item in value:
                if isinstance(item, Mapping) and item:
                    sub = _mapping_lines(item, indent + 4)
                    lines.append(f"{pad}  - {sub[0].lstrip()}")
                    lines.extend(sub[1:])
                else:
                    lines.append(f"{pad}  - {_flow(item)}")
    return lines


def field_lines(key: str, value: Any, indent: int) -> list[str]:
    """One field (``key: value``) in the writer's style, its key at column ``indent``."""
    return _mapping_lines({key: value}, indent)


def item_lines(record: Mapping[str, Any], dash: str) -> list[str]:
    """One record as a list item in the writer's style: its first line starts with ``dash``
    (``"- "``, or e.g. ``"  - "`` in a file that indents its items), the other fields sit
    under the first."""
    body = _mapping_lines(record, len(dash))
    return [dash + body[0].lstrip(), *body[1:]]


def render_file(records: Sequence[Mapping[str, Any]], header: str,
                comments: FileComments | None = None) -> tuple[str, list[int]]:
    """YAML text for one knowledge file, and the 1-based start line of each record.

    ``header`` is written as a comment block at the top (each line prefixed with ``#``
    unless it already is a comment or blank). ``comments`` (from the file being replaced) puts
    each record's comment block back above it, its trailing comment below it, and the
    file's closing comment at the end; ``comments.header`` is not used (pass it as
    ``header``).
    """
    before = comments.before if comments else {}
    after = comments.after if comments else {}
    lines: list[str] = []
    for raw in header.strip("\n").splitlines():
        lines.append(raw if raw.startswith("#") or not raw.strip() else f"# {raw}")
    starts: list[int] = []
    for rec in records:
        lines.append("")
        ident = rec.get("id")
        if isinstance(ident, str):
            lines.extend(before.get(ident, ()))
        body = _mapping_lines(rec, 2)
        starts.append(len(lines) + 1)
        lines.append(f"- {body[0].lstrip()}")
        lines.extend(body[1:])
        if isinstance(ident, str):
            lines.extend(after.get(ident, ()))
    if not records:
        lines.append("[]")
    if comments and comments.footer:
        lines.append("")
        lines.extend(comments.footer)
    return "\n".join(lines) + "\n", starts


def leading_comment(text: str) -> str:
    """The comment block at the top of a YAML file (comment and blank lines), or ``""``."""
    kept: list[str] = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            kept.append(line)
        else:
            break
    return "\n".join(kept).strip("\n")


# ------------------------------------------------------------------ comments of a file


@dataclass(slots=True)
class FileComments:
    """The comments of a knowledge file, where the writer can put them back.

    ``before[id]``: the comment block just above the item with that id (blank lines
    inside it kept); ``after[id]``: indented comment lines right below its last field;
    ``footer``: the comment block at the end. ``all`` holds every comment's text
    (``# ...``) in order, including those the writer cannot put back: comments inside
    an item and at the end of a line.
    """

    header: str = ""
    before: dict[str, list[str]] = field(default_factory=dict)
    after: dict[str, list[str]] = field(default_factory=dict)
    footer: list[str] = field(default_factory=list)
    all: list[str] = field(default_factory=list)


def _scalar_spans(node: yaml.Node, out: list[tuple[int, int]]) -> None:
    if isinstance(node, yaml.ScalarNode):
        out.append((node.start_mark.index, node.end_mark.index))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _scalar_spans(item, out)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _scalar_spans(key, out)
            _scalar_spans(value, out)


def _find_comments(text: str, root: yaml.Node | None) -> list[tuple[int, int, str]]:
    """Every comment as (line, column, text): a ``#`` after a space or at a line start,
    outside every scalar (so not the ``#`` in ``"Fonds #1"`` or in a block text)."""
    spans: list[tuple[int, int]] = []
    if root is not None:
        _scalar_spans(root, spans)
    spans.sort()
    span_starts = [start for start, _end in spans]
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    out: list[tuple[int, int, str]] = []
    pos = text.find("#")
    while pos != -1:
        i = bisect.bisect_right(span_starts, pos) - 1
        inside = i >= 0 and spans[i][0] <= pos < spans[i][1]
        if not inside and (pos == 0 or text[pos - 1] in " \t\r\n"):
            line = bisect.bisect_right(line_starts, pos) - 1
            end = text.find("\n", pos)
            end = len(text) if end == -1 else end
            out.append((line, pos - line_starts[line], text[pos:end].rstrip()))
            pos = end
        pos = text.find("#", pos + 1)
    return out


def whole_line_comments(text: str, root: yaml.Node | None) -> set[int]:
    """The 0-based numbers of the lines of ``text`` that hold only a comment (``root``:
    the composed document, so a ``#`` inside a text is not taken for one)."""
    lines = text.split("\n")
    return {line for line, col, _c in _find_comments(text, root) if not lines[line][:col].strip()}


def _id_of(node: yaml.Node) -> str | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if (isinstance(key, yaml.ScalarNode) and key.value == "id"
                and isinstance(value, yaml.ScalarNode)):
            return str(value.value)
    return None


def file_comments(text: str) -> FileComments:
    """Where the comments of a knowledge file stand (see ``FileComments``).

    Only a block-style list of items is taken apart; for anything else (or YAML that
    does not parse) only the header is kept and ``all`` lists the comments found.
    """
    found = FileComments(header=leading_comment(text))
    try:
        root: yaml.Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        root = None
    comments = _find_comments(text, root)
    found.all = [c for _line, _col, c in comments]
    if root is None:
        return found
    if not isinstance(root, yaml.SequenceNode) or root.flow_style or not root.value:
        return found
    lines = text.split("\n")
    whole = {line for line, col, _c in comments if not lines[line][:col].strip()}

    def is_gap(n: int) -> bool:
        return n in whole or not lines[n].strip()

    dashes: list[tuple[int, str | None]] = []
    for item in root.value:
        line = item.start_mark.line
        while line > 0 and not lines[line].lstrip().startswith("-"):
            line -= 1
        dashes.append((line, _id_of(item)))
    bounds = [line for line, _id in dashes[1:]] + [len(lines)]
    for k, (line, ident) in enumerate(dashes):
        last = bounds[k] - 1  # the item's last line of content
        while last > line and is_gap(last):
            last -= 1
        gap = lines[last + 1:bounds[k]]
        tail: list[str] = []
        while gap and (last + 1 + len(tail)) in whole and gap[0][:1] in (" ", "\t"):
            tail.append(gap.pop(0))
        while gap and not gap[0].strip():
            gap.pop(0)
        if ident is not None and tail:
            found.after[ident] = tail
        if k + 1 < len(dashes):
            next_id = dashes[k + 1][1]
            if next_id is not None and gap:
                found.before[next_id] = gap
        else:
            while gap and not gap[-1].strip():
                gap.pop()
            found.footer = gap
    return found
