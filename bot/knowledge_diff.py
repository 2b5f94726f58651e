"""What changed between two knowledge maps, and what that does to routing.

``diff_maps`` compares two maps item by item (by id): added, removed, edited with the
fields that changed (``summary.en``, ``open.until``, ``themes`` with the items added and
removed). ``route_changes`` routes a set of questions with both maps on the same day and
lists those whose first route or civil servant differ, so staff see the effect of an
edit before it goes live.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from bot.knowledge_writer import Record, map_to_records
from routing.model import KnowledgeMap
from routing.result import RouteResult
from routing.router import Router

Status = Literal["added", "removed", "edited"]
_KIND_OF_FILE = {
    "themes.yaml": "theme",
    "needs.yaml": "need",
    "regions.yaml": "region",
    "funds.yaml": "fund",
    "contact_points.yaml": "contact point",
    "networks.yaml": "network",
    "civil_servants.yaml": "civil servant",
}
_ENTRY_KINDS = ("fund", "contact point", "network")


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str  # dotted path in the YAML format, e.g. "summary.en", "open.until"
    before: Any
    after: Any
    added: tuple[str, ...] = ()  # for lists: items that came in
    removed: tuple[str, ...] = ()  # for lists: items that went out

    def describe(self) -> str:
        if self.added or self.removed:
            parts = [f"+{a}" for a in self.added] + [f"-{r}" for r in self.removed]
            return f"{self.field}: {' '.join(parts)}"
        return f"{self.field}: {_short(self.before)} -> {_short(self.after)}"


@dataclass(frozen=True, slots=True)
class ItemChange:
    kind: str  # theme, need, region, fund, contact point, network, civil servant
    id: str
    status: Status
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True, slots=True)
class RouteChange:
    """A question that routes differently with the new map."""

    id: str
    text: str
    top_before: str
    top_after: str
    servant_before: str | None
    servant_after: str | None


@dataclass(slots=True)
class KnowledgeDiff:
    changes: list[ItemChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.changes

    def counts(self) -> dict[str, int]:
        out = {"added": 0, "removed": 0, "edited": 0}
        for change in self.changes:
            out[change.status] += 1
        return out


def _short(value: Any, limit: int = 60) -> str:
    if value is None:
        return "(none)"
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"summary": {"nl": x}}`` -> ``{"summary.nl": x}``; lists stay whole."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, f"{path}."))
        else:
            out[path] = value
    return out


def _field_changes(before: Record, after: Record) -> tuple[FieldChange, ...]:
    old, new = flatten(before), flatten(after)
    changes = []
    for key in list(old) + [k for k in new if k not in old]:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, list | type(None)) and isinstance(b, list | type(None)) and (
                all(isinstance(x, str) for x in (a or []) + (b or []))):
            a_items, b_items = a or [], b or []
            added = tuple(x for x in b_items if x not in a_items)
            removed = tuple(x for x in a_items if x not in b_items)
            if added or removed:
                changes.append(FieldChange(key, a, b, added, removed))
                continue
        changes.append(FieldChange(key, a, b))
    return tuple(changes)


def _items(kmap: KnowledgeMap) -> dict[tuple[str, str], Record]:
    """Every item keyed by (group, id); entries share one group so a kind change shows."""
    out: dict[tuple[str, str], Record] = {}
    for file, records in map_to_records(kmap).items():
        kind = _KIND_OF_FILE[file]
        group = "entry" if kind in _ENTRY_KINDS else kind
        for record in records:
            out[(group, record["id"])] = {"kind": kind, **record} if group == "entry" \
                else record
    return out


def diff_maps(old: KnowledgeMap, new: KnowledgeMap) -> KnowledgeDiff:
    """Items added, removed and edited (with the fields), in the new map's order."""
    before, after = _items(old), _items(new)
    changes: list[ItemChange] = []
    for key, record in after.items():
        kind = record.get("kind", key[0]) if key[0] == "entry" else key[0]
        if key not in before:
            changes.append(ItemChange(kind, key[1], "added"))
        elif fields := _field_changes(before[key], record):
            changes.append(ItemChange(kind, key[1], "edited", fields))
    for key, record in before.items():
        if key not in after:
            kind = record.get("kind", key[0]) if key[0] == "entry" else key[0]
            changes.append(ItemChange(kind, key[1], "removed"))
    return KnowledgeDiff(changes)


# ------------------------------------------------------------------ routing effect


def top_label(result: RouteResult) -> str:
    """The first thing the desk would offer, in a few words."""
    if result.out_of_scope:
        return "(out of scope)"
    top = result.routes[0].id if result.routes else "(no route)"
    if result.clarify:
        return f"{top} (asks: {', '.join(result.clarify)})"
    return top


def read_questions(path: Path) -> list[tuple[str, str]]:
    """``(id, text)`` from a JSON-lines file; other fields are ignored.

    A file in which no line starts with ``{`` is read as plain text, one question a line
    (the id is the line number), so a list typed one per line works too. Raises ValueError
    naming the line when a line of a JSON-lines file is not a JSON object with a text.
    """
    out: list[tuple[str, str]] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path.name} is not UTF-8 text; save it as UTF-8") from None
    lines = text.splitlines()
    plain = not any(line.lstrip().startswith("{") for line in lines)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if plain:
            out.append((str(number), line.strip()))
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            raise ValueError(f"{path.name} line {number} is not valid JSON; write "
                             '{"id": "1", "text": "the question"}, or just the question') from None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise ValueError(f"{path.name} line {number} has no \"text\"")
        out.append((str(item.get("id", number)), item["text"]))
    return out


def route_changes(old: KnowledgeMap, new: KnowledgeMap,
                  questions: Iterable[tuple[str, str]], *, today: dt.date) -> list[RouteChange]:
    """The questions whose first route or civil servant differ between the maps."""
    before, after = Router(old), Router(new)
    out: list[RouteChange] = []
    for qid, text in questions:
        a = before.route(text, today=today)
        b = after.route(text, today=today)
        sa = a.servant.id if a.servant else None
        sb = b.servant.id if b.servant else None
        if top_label(a) != top_label(b) or sa != sb:
            out.append(RouteChange(qid, text, top_label(a), top_label(b), sa, sb))
    return out


def format_report(diff: KnowledgeDiff, moved: list[RouteChange] | None = None,
                  total_questions: int = 0) -> str:
    """The diff as plain text for a terminal or an e-mail."""
    lines: list[str] = []
    if diff.empty:
        lines.append("No changes in the map.")
    else:
        c = diff.counts()
        lines.append(f"{c['added']} added, {c['removed']} removed, {c['edited']} edited.")
        for change in diff.changes:
            sign = {"added": "+", "removed": "-", "edited": "~"}[change.status]
            lines.append(f"{sign} {change.kind} {change.id} ({change.status})")
            lines += [f"    {f.describe()}" for f in change.fields]
    if moved is not None:
        lines.append("")
        lines.append(f"{len(moved)} of {total_questions} questions route differently.")
        for m in moved:
            text = m.text if len(m.text) <= 70 else m.text[:69] + "…"
            lines.append(f"  {m.id}: {text}")
            if m.top_before != m.top_after:
                lines.append(f"    first route: {m.top_before} -> {m.top_after}")
            if m.servant_before != m.servant_after:
                lines.append(f"    civil servant: {m.servant_before or '(none)'} -> "
                             f"{m.servant_after or '(none)'}")
    return "\n".join(lines)


def to_json(diff: KnowledgeDiff, moved: list[RouteChange] | None = None) -> dict[str, Any]:
    def clean(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        return value

    out: dict[str, Any] = clean({
        "changes": [asdict(c) for c in diff.changes],
        "routes": None if moved is None else [asdict(m) for m in moved]})
    return out
