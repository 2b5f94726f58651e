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
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
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
    # JSON strings are valid YAML double-quoted scalars, once the characters YAML will not
    # take literally (non-printables, line separators, BOM) are escaped too.
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


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


def _mapping_lines(rec: Mapping[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key, value in rec.items():
        head = f"{pad}{scalar(key)}:"
        if _is_scalar(value) or _flow_ok(value):
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


def render_file(records: Sequence[Mapping[str, Any]], header: str) -> tuple[str, list[int]]:
    """YAML text for one knowledge file, and the 1-based start line of each record.

    ``header`` is written as a comment block at the top (each line prefixed with ``#``
    unless it already is a comment).
    """
    lines: list[str] = []
    for raw in header.strip("\n").splitlines():
        lines.append(raw if raw.startswith("#") else (f"# {raw}" if raw else "#"))
    starts: list[int] = []
    for rec in records:
        lines.append("")
        body = _mapping_lines(rec, 2)
        starts.append(len(lines) + 1)
        lines.append(f"- {body[0].lstrip()}")
        lines.extend(body[1:])
    if not records:
        lines.append("[]")
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

