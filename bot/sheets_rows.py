"""Raw sheets -> YAML texts, checking every row on the way.

Each cell is parsed (``bot.sheets_cells``), each row becomes a YAML-shaped record in the
format README's field order, and the records are checked across sheets: ids unique and
well-formed, references to themes, needs, regions, stages, languages, servants and
municipalities known (with a "did you mean ...?" from rapidfuzz), windows and absences
in order. ``trace`` turns a problem the loader found at a YAML line back into the sheet,
row and column it came from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.knowledge_writer import KNOWLEDGE_FILES, FileComments, Record, render_file
from bot.sheets_cells import (
    ID_RE,
    Severity,
    SheetProblem,
    UnsavedFormula,
    cell_text,
    parse_bool,
    parse_date,
    parse_int,
    parse_pairs,
    split_list,
    suggest,
    suggest_id,
)
from bot.sheets_read import RawSheet
from bot.sheets_schema import (
    ENTRY_SHEETS,
    SHEET_BY_KEY,
    SHEETS,
    Column,
    Sheet,
    normalise_name,
    sheet_for_name,
)
from routing.load import Problem
from routing.model import NATIONAL, STAGES

Progress = Callable[[str, int, int], None]  # (phase, done, total)
#: Appended to a sheet's name when it was taken from the folder imported into.
CURRENT_MAP_SUFFIX = " (current map)"


def get(record: Mapping[str, Any], path: Sequence[str]) -> Any:
    """The value at ``path`` in a nested record, or None."""
    value: Any = record
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


# ------------------------------------------------------------------ rows -> records


@dataclass(slots=True)
class Origin:
    sheet: str  # the name the user sees
    row: int


@dataclass(slots=True)
class _Parsed:
    records: dict[str, list[Record]]
    origins: dict[str, list[Origin]]  # per file, one per record
    problems: list[SheetProblem]


def _set(record: Record, path: Sequence[str], value: Any) -> None:
    target = record
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def _resolve_columns(raw: RawSheet, problems: list[SheetProblem]) -> list[Column | None]:
    by_name = {normalise_name(c.header): c for c in raw.sheet.columns}
    resolved: list[Column | None] = []
    seen: set[str] = set()
    for header in raw.headers:
        norm = normalise_name(header)
        column = by_name.get(norm)
        if column is None and norm:
            for prefix, key in raw.sheet.prefixes.items():
                if norm.startswith(normalise_name(prefix)):
                    kind = norm[len(normalise_name(prefix)):].strip()
                    column = Column(header, (key, kind))
        if column is None and norm:
            known = [c.header for c in raw.sheet.columns]
            problems.append(SheetProblem(
                raw.name, 1, header,
                f"Wegwijs does not know this column{suggest(header, known)}; its cells "
                "would be lost, so rename it to a column listed on the 'read me' sheet, "
                "or delete it"))
        if column is not None:
            if column.header in seen:
                problems.append(SheetProblem(raw.name, 1, header,
                                             "this column appears twice; keep one"))
                column = None
            else:
                seen.add(column.header)
        resolved.append(column)
    for column in raw.sheet.columns:
        if column.required and column.header not in seen:
            problems.append(SheetProblem(raw.name, 1, column.header,
                                         "this column is missing; it is required"))
    absent = [c.header for c in raw.sheet.columns if not c.required and c.header not in seen]
    if absent and raw.rows and not raw.name.endswith(CURRENT_MAP_SUFFIX):
        names = ", ".join(f"'{h}'" for h in absent)
        problems.append(SheetProblem(
            raw.name, 1, None,
            f"{'this column is' if len(absent) == 1 else 'these columns are'} missing: "
            f"{names}; on all {len(raw.rows)} row(s) {'it is' if len(absent) == 1 else 'they are'}"
            " imported as empty, so what the "
            "map held there is removed. Add the column back if you deleted it by accident",
            "warning"))
    return resolved


def _parse_cell(column: Column, value: Any) -> Any:
    """The YAML value of a cell (``None`` = not set). Raises ValueError with a sentence."""
    if column.type == "date":
        return parse_date(value) if cell_text(value) else None
    if column.type == "int":
        return parse_int(value) if cell_text(value) else None
    if column.type == "bool":
        return True if parse_bool(value) else None
    text = cell_text(value)
    if column.type == "list":
        return split_list(text)
    if column.type == "pairs":
        return parse_pairs(text) or None
    return text or None


def _parse_sheet(raw: RawSheet, parsed: _Parsed, progress: Callable[[], None]) -> None:
    problems = parsed.problems
    columns = _resolve_columns(raw, problems)
    file = raw.sheet.file
    for number, values in raw.rows:
        progress()
        record: Record = {}
        padded = values + [None] * (len(columns) - len(values))
        for column, value in zip(columns, padded, strict=False):
            if column is None:
                continue
            if isinstance(value, UnsavedFormula):
                problems.append(SheetProblem(raw.name, number, column.header,
                                             value.sentence()))
                continue
            try:
                parsed_value = _parse_cell(column, value)
            except ValueError as exc:
                problems.append(SheetProblem(raw.name, number, column.header, str(exc)))
                continue
            if column.required and not parsed_value:
                problems.append(SheetProblem(raw.name, number, column.header,
                                             _missing_sentence(column)))
            if (column.path[-1] == "phone" and isinstance(value, int | float)
                    and not isinstance(value, bool)):
                problems.append(SheetProblem(
                    raw.name, number, column.header,
                    f"'{cell_text(value)}' is a number cell, so a leading 0 or + was lost; "
                    "format the cell as text and type the number again, e.g. 030 123 4567",
                    "warning"))
            if parsed_value is not None and parsed_value != []:
                _set(record, column.path, parsed_value)
        if raw.sheet.key == "absences":
            parsed.records.setdefault("_absences", []).append(record)
            parsed.origins.setdefault("_absences", []).append(Origin(raw.name, number))
            continue
        _order_record(raw.sheet, record)
        parsed.records.setdefault(file, []).append(record)
        parsed.origins.setdefault(file, []).append(Origin(raw.name, number))


def _missing_sentence(column: Column) -> str:
    if column.header.endswith("(nl)"):
        return "the Dutch text is missing; every text a volunteer may read needs Dutch"
    return f"'{column.header}' is empty; it is required"


_ENTRY_ORDER = ("id", "name", "summary", "themes", "needs", "regions", "municipalities",
                "stages", "terms", "url", "contact", "eligibility", "open")
_SERVANT_ORDER = ("id", "name", "title", "organisation", "themes", "regions", "languages",
                  "channels", "max_open_cases", "absent", "admin")


def _order_record(sheet: Sheet, record: Record) -> None:
    """Put the record's keys in the format README's order (in place)."""
    order = _SERVANT_ORDER if sheet.key == "civil_servants" else _ENTRY_ORDER
    if sheet.key in ENTRY_SHEETS or sheet.key == "civil_servants":
        if sheet.key in ENTRY_SHEETS:
            record.setdefault("themes", [])
            record.setdefault("needs", [])
        items = sorted(record.items(),
                       key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
        record.clear()
        record.update(items)
        if isinstance(record.get("terms"), dict):
            record["terms"] = {k: record["terms"][k] for k in ("nl", "en")
                               if k in record["terms"]}


# ------------------------------------------------------------------ cross-sheet checks


def _check_references(parsed: _Parsed) -> None:
    recs, origins, problems = parsed.records, parsed.origins, parsed.problems
    themes = [r["id"] for r in recs.get("themes.yaml", []) if "id" in r]
    needs = [r["id"] for r in recs.get("needs.yaml", []) if "id" in r]
    regions = [r["id"] for r in recs.get("regions.yaml", []) if "id" in r] + [NATIONAL]
    region_recs = {r["id"]: r for r in recs.get("regions.yaml", []) if "id" in r}
    servants = [r["id"] for r in recs.get("civil_servants.yaml", []) if "id" in r]
    known: dict[str, list[str]] = {"theme": themes, "need": needs, "region": regions,
                                   "stage": list(STAGES), "language": ["nl", "en"],
                                   "servant": servants, "municipality": []}
    names = {"theme": "theme", "need": "need", "region": "region", "stage": "stage",
             "language": "language", "servant": "civil servant",
             "municipality": "municipality"}
    seen_ids: dict[str, Origin] = {}
    for file, records in recs.items():
        sheet_key = "absences" if file == "_absences" else None
        for record, origin in zip(records, origins[file], strict=True):
            sheet = SHEET_BY_KEY[sheet_key] if sheet_key else _sheet_of(file, origin)
            if sheet_key is None and "id" in record:
                _check_id(record["id"], origin, seen_ids, problems)
            known["municipality"] = _municipalities_allowed(record, region_recs)
            for column in sheet.columns:
                if column.ref is None:
                    continue
                value = get(record, column.path)
                values = value if isinstance(value, list) else [value] if value else []
                for item in values:
                    if item in known[column.ref]:
                        continue
                    note = (" in the regions of this row" if column.ref == "municipality"
                            else "")
                    allowed = known[column.ref]
                    hint = suggest(item, allowed) or (
                        f"; use one of: {', '.join(allowed)}" if 0 < len(allowed) <= 6
                        else "")
                    problems.append(SheetProblem(
                        origin.sheet, origin.row, column.header,
                        f"unknown {names[column.ref]} '{item}'{note}{hint}"))
            if sheet.key in ENTRY_SHEETS and not record.get("needs"):
                problems.append(SheetProblem(origin.sheet, origin.row, "needs",
                                             "no need is filled in; say what help it gives "
                                             f"({', '.join(needs[:4])}, ...)"))
            _check_window(record, origin, problems)


def _municipalities_allowed(record: Record, regions: Mapping[str, Record]) -> list[str]:
    """Municipalities an entry may name: those of its regions (all for ``nl``)."""
    wanted = record.get("regions") or [NATIONAL]
    chosen = regions.values() if NATIONAL in wanted else \
        [regions[r] for r in wanted if r in regions]
    out: list[str] = []
    for region in chosen:
        out += region.get("municipalities", [])
        out += list(region.get("municipality_aliases", {}))
    return out


def _sheet_of(file: str, origin: Origin) -> Sheet:
    by_name = sheet_for_name(origin.sheet.removesuffix(".csv"))
    if by_name is not None:
        return by_name
    return next(s for s in SHEETS if s.file == file)


def _check_id(value: str, origin: Origin, seen: dict[str, Origin],
              problems: list[SheetProblem]) -> None:
    if not ID_RE.fullmatch(value):
        problems.append(SheetProblem(
            origin.sheet, origin.row, "id",
            f"'{value}' is not a valid id: use lower case letters, digits and dashes"
            f"{suggest_id(value)}"))
    if value in seen:
        first = seen[value]
        problems.append(SheetProblem(
            origin.sheet, origin.row, "id",
            f"the id '{value}' is already used on sheet '{first.sheet}' row {first.row}; "
            "ids must be unique across the whole map"))
    else:
        seen[value] = origin


def _check_window(record: Record, origin: Origin, problems: list[SheetProblem]) -> None:
    window = record.get("open") or {}
    start, until = window.get("from"), window.get("until")
    if start and until and until < start:
        problems.append(SheetProblem(origin.sheet, origin.row, "open until",
                                     f"'open until' ({until}) is before 'open from' ({start})"))
    absence_start, absence_until = record.get("from"), record.get("until")
    if (isinstance(absence_start, dt.date) and isinstance(absence_until, dt.date)
            and absence_until < absence_start):
        problems.append(SheetProblem(origin.sheet, origin.row, "until",
                                     f"'until' ({absence_until}) is before 'from' "
                                     f"({absence_start})"))


def _attach_absences(parsed: _Parsed) -> None:
    by_id = {r.get("id"): r for r in parsed.records.get("civil_servants.yaml", [])}
    for absence in parsed.records.pop("_absences", []):
        servant = by_id.get(absence.get("servant"))
        if servant is None or "from" not in absence or "until" not in absence:
            continue  # reported already
        if absence["until"] < absence["from"]:
            continue  # reported already, on the absences sheet
        servant.setdefault("absent", []).append(
            {"from": absence["from"], "until": absence["until"]})
        if "admin" in servant:  # keep 'admin' last, as the writer does
            servant["admin"] = servant.pop("admin")
    parsed.origins.pop("_absences", None)


def sheets_to_texts(
    raw: Mapping[str, RawSheet],
    comments: Mapping[str, FileComments],
    *,
    progress: Progress | None = None,
) -> tuple[dict[str, str], dict[str, list[int]], dict[str, list[Origin]],
           list[SheetProblem]]:
    """Raw sheets -> YAML texts per file, with record start lines and their origins.

    ``comments`` per file: its header, and the comments of the file being replaced that
    go back above (and below) the items that still exist.
    """
    parsed = _Parsed({}, {}, [])
    total = sum(len(r.rows) for r in raw.values())
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress("checking rows", done, total)

    for sheet in SHEETS:
        if sheet.key in raw:
            _parse_sheet(raw[sheet.key], parsed, tick)
        else:
            parsed.problems.append(SheetProblem(
                sheet.title, None, None,
                "this sheet is missing; add it (a header row alone is fine if it is empty)"))
    _check_references(parsed)
    _attach_absences(parsed)
    texts: dict[str, str] = {}
    starts: dict[str, list[int]] = {}
    for file in KNOWLEDGE_FILES:
        kept = comments.get(file, FileComments())
        texts[file], starts[file] = render_file(parsed.records.get(file, []), kept.header,
                                                kept)
    return texts, starts, parsed.origins, parsed.problems


def _column_at(sheet: Sheet, text: str, line: int) -> str | None:
    """The column a YAML line came from, read from the key on that line."""
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return None
    key = lines[line - 1].strip().removeprefix("- ").split(":", 1)[0].strip()
    headers = [c.header for c in sheet.columns if c.path[0] == key]
    if not headers:
        headers = [f"{prefix}..." for prefix, k in sheet.prefixes.items() if k == key]
    return " / ".join(headers) or None


def trace(problem: Problem, texts: Mapping[str, str], starts: Mapping[str, list[int]],
           origins: Mapping[str, list[Origin]]) -> SheetProblem:
    """A loader problem (file, line) as a sheet problem (sheet, row, column)."""
    file = Path(str(problem.file)).name
    line = problem.line or 0
    record_starts = starts.get(file, [])
    index = max((i for i, s in enumerate(record_starts) if s <= line), default=None)
    severity: Severity = "warning" if problem.severity == "warning" else "error"
    if index is None or file not in origins:
        sheet_name = next((s.title for s in SHEETS if s.file == file), file)
        return SheetProblem(sheet_name, None, None, problem.message, severity)
    origin = origins[file][index]
    sheet = _sheet_of(file, origin)
    column = _column_at(sheet, texts.get(file, ""), line)
    return SheetProblem(origin.sheet, origin.row, column, problem.message, severity)
