"""Knowledge map <-> spreadsheets, for programme staff who live in Excel.

* ``export_workbook(kmap, path)`` writes one ``.xlsx`` with a sheet per kind
  (layout in ``bot.sheets_schema``) and a "read me" sheet explaining every column.
* ``import_knowledge(source, into)`` reads an ``.xlsx``, a folder or ``.zip`` of CSV
  files (one per sheet, named like the sheet: ``funds.csv``, ``contact points.csv``), or
  a single CSV file (replaces that one kind, the rest comes from ``into``). It reports
  every problem as sheet + row + column + a plain sentence, and writes nothing unless
  the whole map is valid; the new folder then replaces the old one in one swap.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from rapidfuzz import fuzz, process

from bot.knowledge_writer import (
    KNOWLEDGE_FILES,
    Record,
    leading_comment,
    map_to_records,
    render_file,
)
from bot.sheets_schema import (
    DEFAULT_PREFIX_KEYS,
    ENTRY_SHEETS,
    README_TITLE,
    SHEET_BY_KEY,
    SHEETS,
    Column,
    Sheet,
    normalise_name,
    sheet_for_name,
)
from routing.load import KnowledgeError, load_knowledge, load_knowledge_from_texts
from routing.model import NATIONAL, STAGES, KnowledgeMap

Severity = Literal["error", "warning"]
Progress = Callable[[str, int, int], None]  # (phase, done, total)
ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True, slots=True)
class SheetProblem:
    """One problem in a spreadsheet, in words a programme manager understands."""

    sheet: str
    row: int | None
    column: str | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = [f"sheet '{self.sheet}'"]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        label = "" if self.severity == "error" else "warning: "
        return f"{', '.join(where)}: {label}{self.message}"


class ImportFailed(Exception):
    """The import found errors; nothing was written."""

    def __init__(self, problems: Sequence[SheetProblem]) -> None:
        self.problems = list(problems)
        errors = sum(p.severity == "error" for p in problems)
        super().__init__(f"{errors} problem(s) in the spreadsheet; nothing was written")


@dataclass(slots=True)
class RawSheet:
    """A sheet as read: header row and data rows with their spreadsheet row numbers."""

    sheet: Sheet
    name: str  # as the user sees it: the tab name or the CSV file name
    headers: list[str]
    rows: list[tuple[int, list[Any]]]


@dataclass(slots=True)
class ImportReport:
    kmap: KnowledgeMap
    texts: dict[str, str]
    counts: dict[str, int]
    warnings: list[SheetProblem] = field(default_factory=list)


# ------------------------------------------------------------------ cell formats


def join_list(items: Iterable[str]) -> str:
    """A list as one comma-separated cell; items with a comma or quote are quoted."""
    out = []
    for item in items:
        if any(c in item for c in ',"\n') or item != item.strip():
            item = '"' + item.replace('"', '""') + '"'
        out.append(item)
    return ", ".join(out)


def split_list(cell: str) -> list[str]:
    """The items of a comma-separated cell (new lines separate too)."""
    if not cell.strip():
        return []
    flat = cell.replace("\r\n", ",").replace("\n", ",")
    reader = csv.reader([flat], skipinitialspace=True)
    return [item.strip() for item in next(reader) if item.strip()]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_TRUE = {"yes", "ja", "y", "j", "true", "waar", "1", "x"}
_FALSE = {"no", "nee", "n", "false", "onwaar", "0", ""}


def parse_date(value: Any) -> dt.date:
    """A date cell: a real date, ``2026-12-31`` or ``31-12-2026``. Raises ValueError."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and 20000 < value < 80000:
        converted = from_excel(value)
        if isinstance(converted, dt.datetime):
            return converted.date()
    text = _cell_text(value)
    try:
        if m := _DMY.fullmatch(text):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"'{text}' is not a date; write it as year-month-day, e.g. 2026-12-31"
        ) from None


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _cell_text(value).replace("€", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
        text = text.replace(".", "").replace(",", "")
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    raise ValueError(f"'{_cell_text(value)}' is not a whole number")


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _cell_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"'{_cell_text(value)}' is not yes or no")


def parse_pairs(cell: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in split_list(cell):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"'{item}' should look like 'other name = municipality'")
        out[key.strip()] = value.strip()
    return out


def suggest(value: str, choices: Iterable[str]) -> str:
    """`` — did you mean 'x'?`` for the closest choice, or ``""``."""
    match = process.extractOne(value, list(choices), scorer=fuzz.WRatio, score_cutoff=75)
    return f"; did you mean '{match[0]}'?" if match else ""


def suggest_id(value: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
    return f"; did you mean '{slug}'?" if slug and slug != value else ""


# ------------------------------------------------------------------ export


def _get(record: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = record
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _export_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.type == "list":
        return join_list(value) or None
    if column.type == "pairs":
        return join_list(f"{k} = {v}" for k, v in value.items()) or None
    if column.type == "bool":
        return "yes" if value else None
    return value


def _columns_with_prefixes(sheet: Sheet, records: Sequence[Mapping[str, Any]]) -> list[Column]:
    """The sheet's fixed columns plus one per contact/channel kind in use."""
    columns = list(sheet.columns)
    for prefix, key in sheet.prefixes.items():
        kinds = list(DEFAULT_PREFIX_KEYS.get(key, ()))
        for rec in records:
            kinds += [k for k in rec.get(key, {}) if k not in kinds]
        columns += [Column(f"{prefix}{k}", (key, k), help=f"{key} detail: {k}", width=30)
                    for k in kinds]
    return columns


def sheet_rows(kmap: KnowledgeMap) -> dict[str, tuple[list[Column], list[list[Any]]]]:
    """Per sheet key: the columns and the row values (cells) for the map."""
    records = map_to_records(kmap)
    out: dict[str, tuple[list[Column], list[list[Any]]]] = {}
    for sheet in SHEETS:
        if sheet.key == "absences":
            rows = [[s["id"], a["from"], a["until"]]
                    for s in records["civil_servants.yaml"] for a in s.get("absent", [])]
            out[sheet.key] = (list(sheet.columns), rows)
            continue
        recs = records[sheet.file]
        columns = _columns_with_prefixes(sheet, recs)
        out[sheet.key] = (columns, [[_export_value(c, _get(r, c.path)) for c in columns]
                                    for r in recs])
    return out


_HEAD_FONT = Font(bold=True, color="FFFFFF")
_HEAD_FILL = PatternFill("solid", fgColor="1F4E79")


def export_workbook(kmap: KnowledgeMap, out: Path) -> dict[str, int]:
    """Write the map as an ``.xlsx``; returns the number of rows per sheet title."""
    wb = Workbook()
    readme = wb.active
    assert readme is not None
    readme.title = README_TITLE
    counts: dict[str, int] = {}
    help_rows: list[tuple[str, str, str]] = []
    for sheet in SHEETS:
        columns, rows = sheet_rows(kmap)[sheet.key]
        ws = wb.create_sheet(sheet.title)
        ws.append([c.header for c in columns])
        for cell in ws[1]:
            cell.font, cell.fill = _HEAD_FONT, _HEAD_FILL
        for row in rows:
            ws.append(row)
        for i, column in enumerate(columns, start=1):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = column.width
            if column.type == "date":
                for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.number_format = "yyyy-mm-dd"
            elif column.width >= 40:
                for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "B2"
        counts[sheet.title] = len(rows)
        help_rows.append((sheet.title, "", sheet.help))
        help_rows += [(sheet.title, c.header, c.help) for c in columns]
    _write_readme(readme, help_rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
    wb.save(tmp)
    os.replace(tmp, out)
    return counts


def _write_readme(ws: Any, help_rows: Sequence[tuple[str, str, str]]) -> None:
    ws.append(["Wegwijs knowledge map. Edit the sheets, then: "
               "wegwijs knowledge import THIS_FILE.xlsx --into knowledge/"])
    ws.append(["Lists are comma-separated in one cell. Dates are dates (year-month-day). "
               "Ids are lower case with dashes. Empty cells mean 'not set'."])
    ws.append([])
    ws.append(["sheet", "column", "meaning"])
    for cell in ws[4]:
        cell.font, cell.fill = _HEAD_FONT, _HEAD_FILL
    for row in help_rows:
        ws.append(list(row))
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 26
    ws.column_dimensions["C"].width = 90


# ------------------------------------------------------------------ reading


def _raw_from_rows(sheet: Sheet, name: str, rows: Iterable[Sequence[Any]]) -> RawSheet:
    headers: list[str] = []
    data: list[tuple[int, list[Any]]] = []
    for number, row in enumerate(rows, start=1):
        if number == 1:
            headers = [_cell_text(v) for v in row]
            continue
        values = list(row)
        if any(_cell_text(v) for v in values):
            data.append((number, values))
    return RawSheet(sheet, name, headers, data)


def _read_csv_text(text: str) -> list[list[str]]:
    text = text.removeprefix("\ufeff")
    try:
        dialect: Any = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def read_sheets(source: Path) -> tuple[dict[str, RawSheet], list[SheetProblem]]:
    """Read an .xlsx, a .zip or folder of CSVs, or one CSV. Unknown sheets are reported."""
    problems: list[SheetProblem] = []
    found: dict[str, RawSheet] = {}

    def take(name: str, rows: Iterable[Sequence[Any]]) -> None:
        stem = name.removesuffix(".csv") if name.lower().endswith(".csv") else name
        sheet = sheet_for_name(stem)
        if sheet is None:
            if normalise_name(stem) != README_TITLE:
                known = [s.title for s in SHEETS]
                problems.append(SheetProblem(
                    name, None, None,
                    f"this is not a sheet Wegwijs knows, so it was ignored{suggest(stem, known)}",
                    "warning"))
            return
        if sheet.key in found:
            problems.append(SheetProblem(name, None, None,
                                         f"'{sheet.title}' appears twice; keep one"))
            return
        found[sheet.key] = _raw_from_rows(sheet, name, rows)

    try:
        _read_into(source, take, problems)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, csv.Error) as exc:
        kind = "an .xlsx workbook" if source.suffix.lower() in (".xlsx", ".xlsm") \
            else "a CSV file or archive"
        problems.append(SheetProblem(source.name, None, None,
                                     f"cannot be read as {kind} ({type(exc).__name__})"))
    return found, problems


def _read_into(source: Path, take: Callable[[str, Iterable[Sequence[Any]]], None],
               problems: list[SheetProblem]) -> None:
    suffix = source.suffix.lower()
    if source.is_dir():
        for path in sorted(source.iterdir()):
            if path.suffix.lower() == ".csv":
                take(path.name, _read_csv_text(_decode(path.read_bytes())))
    elif suffix == ".zip":
        with zipfile.ZipFile(source) as zf:
            for info in zf.infolist():
                base = Path(info.filename).name
                if base.lower().endswith(".csv") and not base.startswith("."):
                    take(base, _read_csv_text(_decode(zf.read(info))))
    elif suffix == ".csv":
        take(source.name, _read_csv_text(_decode(source.read_bytes())))
    elif suffix in (".xlsx", ".xlsm"):
        wb = load_workbook(source, read_only=True, data_only=True)
        try:
            for ws in wb.worksheets:
                take(ws.title, ws.iter_rows(values_only=True))
        finally:
            wb.close()
    else:
        problems.append(SheetProblem(source.name, None, None,
                                     "give an .xlsx file, a .csv file, or a folder or "
                                     ".zip of .csv files"))


# ------------------------------------------------------------------ rows -> records


@dataclass(slots=True)
class _Origin:
    sheet: str  # the name the user sees
    row: int


@dataclass(slots=True)
class _Parsed:
    records: dict[str, list[Record]]
    origins: dict[str, list[_Origin]]  # per file, one per record
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
                f"Wegwijs does not know this column{suggest(header, known)}"))
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
    return resolved


def _parse_cell(column: Column, value: Any) -> Any:
    """The YAML value of a cell (``None`` = not set). Raises ValueError with a sentence."""
    if column.type == "date":
        return parse_date(value) if _cell_text(value) else None
    if column.type == "int":
        return parse_int(value) if _cell_text(value) else None
    if column.type == "bool":
        return True if parse_bool(value) else None
    text = _cell_text(value)
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
            try:
                parsed_value = _parse_cell(column, value)
            except ValueError as exc:
                problems.append(SheetProblem(raw.name, number, column.header, str(exc)))
                continue
            if column.required and not parsed_value:
                problems.append(SheetProblem(raw.name, number, column.header,
                                             _missing_sentence(column)))
            if parsed_value is not None and parsed_value != []:
                _set(record, column.path, parsed_value)
        if raw.sheet.key == "absences":
            parsed.records.setdefault("_absences", []).append(record)
            parsed.origins.setdefault("_absences", []).append(_Origin(raw.name, number))
            continue
        _order_record(raw.sheet, record)
        parsed.records.setdefault(file, []).append(record)
        parsed.origins.setdefault(file, []).append(_Origin(raw.name, number))


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
    municipalities = [m for r in recs.get("regions.yaml", [])
                      for m in r.get("municipalities", [])]
    servants = [r["id"] for r in recs.get("civil_servants.yaml", []) if "id" in r]
    known: dict[str, list[str]] = {"theme": themes, "need": needs, "region": regions,
                                   "stage": list(STAGES), "language": ["nl", "en"],
                                   "servant": servants, "municipality": municipalities}
    names = {"theme": "theme", "need": "need", "region": "region", "stage": "stage",
             "language": "language", "servant": "civil servant",
             "municipality": "municipality"}
    seen_ids: dict[str, _Origin] = {}
    for file, records in recs.items():
        sheet_key = "absences" if file == "_absences" else None
        for record, origin in zip(records, origins[file], strict=True):
            sheet = SHEET_BY_KEY[sheet_key] if sheet_key else _sheet_of(file, origin)
            if sheet_key is None and "id" in record:
                _check_id(record["id"], origin, seen_ids, problems)
            for column in sheet.columns:
                if column.ref is None:
                    continue
                value = _get(record, column.path)
                values = value if isinstance(value, list) else [value] if value else []
                for item in values:
                    if item in known[column.ref]:
                        continue
                    severity: Severity = "warning" if column.ref == "municipality" else "error"
                    note = (" (the desk will never match it to a place)"
                            if column.ref == "municipality" else "")
                    problems.append(SheetProblem(
                        origin.sheet, origin.row, column.header,
                        f"unknown {names[column.ref]} '{item}'{note}"
                        f"{suggest(item, known[column.ref])}", severity))
            _check_window(record, origin, problems)


def _sheet_of(file: str, origin: _Origin) -> Sheet:
    by_name = sheet_for_name(origin.sheet.removesuffix(".csv"))
    if by_name is not None:
        return by_name
    return next(s for s in SHEETS if s.file == file)


def _check_id(value: str, origin: _Origin, seen: dict[str, _Origin],
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


def _check_window(record: Record, origin: _Origin, problems: list[SheetProblem]) -> None:
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
        servant.setdefault("absent", []).append(
            {"from": absence["from"], "until": absence["until"]})
        if "admin" in servant:  # keep 'admin' last, as the writer does
            servant["admin"] = servant.pop("admin")
    parsed.origins.pop("_absences", None)


# ------------------------------------------------------------------ import


def _existing_raw(into: Path) -> dict[str, RawSheet]:
    """The current map in ``into`` as raw sheets (for single-CSV imports)."""
    kmap = load_knowledge(into)
    out: dict[str, RawSheet] = {}
    for key, (columns, rows) in sheet_rows(kmap).items():
        sheet = SHEET_BY_KEY[key]
        out[key] = RawSheet(sheet, f"{sheet.title} (current map)",
                            [c.header for c in columns],
                            [(i, row) for i, row in enumerate(rows, start=2)])
    return out


def _headers_for(into: Path, source_name: str) -> dict[str, str]:
    """Header comments: the existing file's, or a plain default."""
    out: dict[str, str] = {}
    for file in KNOWLEDGE_FILES:
        existing = into / file
        header = ""
        if existing.is_file():
            header = leading_comment(existing.read_text(encoding="utf-8"))
        if not header:
            sheet = next(s for s in SHEETS if s.file == file)
            header = (f"# {sheet.help}\n# Written by `wegwijs knowledge import` from "
                      f"{source_name}.\n# Format: see docs/programme-staff.md and the "
                      "knowledge-format README.")
        out[file] = header
    return out


def sheets_to_texts(
    raw: Mapping[str, RawSheet],
    headers: Mapping[str, str],
    *,
    progress: Progress | None = None,
) -> tuple[dict[str, str], dict[str, list[int]], dict[str, list[_Origin]],
           list[SheetProblem]]:
    """Raw sheets -> YAML texts per file, with record start lines and their origins."""
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
        texts[file], starts[file] = render_file(parsed.records.get(file, []),
                                                headers.get(file, ""))
    return texts, starts, parsed.origins, parsed.problems


def _trace(problem: Any, starts: Mapping[str, list[int]],
           origins: Mapping[str, list[_Origin]]) -> SheetProblem:
    """A loader problem (file, line) as a sheet problem (sheet, row)."""
    file = Path(str(problem.file)).name
    line = problem.line or 0
    record_starts = starts.get(file, [])
    index = max((i for i, s in enumerate(record_starts) if s <= line), default=None)
    severity: Severity = "warning" if problem.severity == "warning" else "error"
    if index is None or file not in origins:
        sheet = next((s.title for s in SHEETS if s.file == file), file)
        return SheetProblem(sheet, None, None, problem.message, severity)
    origin = origins[file][index]
    return SheetProblem(origin.sheet, origin.row, None, problem.message, severity)


def check_import(
    source: Path,
    into: Path,
    *,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> tuple[dict[str, str], ImportReport | None, list[SheetProblem]]:
    """Read and validate ``source`` against ``into``; write nothing.

    Returns the YAML texts, the report when valid (``None`` otherwise) and every problem.
    """
    if progress:
        progress("reading", 0, 1)
    raw, problems = read_sheets(source)
    if any(p.severity == "error" for p in problems) or not raw:
        if not raw and not problems:
            problems.append(SheetProblem(source.name, None, None,
                                         "no sheets Wegwijs knows were found in it"))
        return {}, None, problems
    single_csv = source.suffix.lower() == ".csv" and source.is_file()
    if single_csv and raw:
        if not (into / "themes.yaml").is_file():
            problems.append(SheetProblem(source.name, None, None,
                                         f"a single CSV replaces one sheet of an existing "
                                         f"map, but {into} holds no map"))
            return {}, None, problems
        try:
            base = _existing_raw(into)
        except KnowledgeError as exc:
            problems.append(SheetProblem(
                source.name, None, None,
                f"the current map in {into} has problems, fix those first: "
                + "; ".join(str(p.message) for p in exc.problems[:3])))
            return {}, None, problems
        base.update(raw)
        raw = base
    if progress:
        progress("reading", 1, 1)
    texts, starts, origins, more = sheets_to_texts(raw, _headers_for(into, source.name),
                                                   progress=progress)
    problems += more
    if any(p.severity == "error" for p in problems):
        return texts, None, problems
    if progress:
        progress("validating the map", 0, 1)
    try:
        kmap = load_knowledge_from_texts(texts, today=today)
    except KnowledgeError as exc:
        problems += [_trace(p, starts, origins) for p in exc.problems]
        return texts, None, problems
    if progress:
        progress("validating the map", 1, 1)
    counts = {s.title: len(raw[s.key].rows) for s in SHEETS if s.key in raw}
    warnings = [p for p in problems if p.severity == "warning"]
    return texts, ImportReport(kmap, texts, counts, warnings), problems


def import_knowledge(
    source: Path,
    into: Path,
    *,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``source`` into the folder ``into``, all or nothing.

    Raises ``ImportFailed`` (nothing written) when there is any error.
    """
    _texts, report, problems = check_import(source, into, today=today, progress=progress)
    if report is None:
        raise ImportFailed(problems)
    if progress:
        progress("writing", 0, 1)
    write_folder_atomically(report.texts, into)
    if progress:
        progress("writing", 1, 1)
    return report


def write_folder_atomically(texts: Mapping[str, str], into: Path) -> None:
    """Replace the knowledge files in ``into`` with ``texts`` in one swap.

    The new folder is built next to the old one (other files copied over), checked by
    loading it, and then renamed into place; the old folder is removed afterwards.
    """
    into = into.absolute()
    into.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{into.name}.import-", dir=into.parent))
    try:
        if into.is_dir():
            for path in into.iterdir():
                if path.name in texts:
                    continue
                if path.is_dir():
                    shutil.copytree(path, tmp / path.name, symlinks=True)
                else:
                    shutil.copy2(path, tmp / path.name, follow_symlinks=False)
            os.chmod(tmp, into.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o755)
        for name, text in texts.items():
            (tmp / name).write_text(text, encoding="utf-8")
        load_knowledge(tmp)  # what lands on disk loads, or nothing moves
        if not into.exists():
            os.rename(tmp, into)
            return
        old = into.with_name(f".{into.name}.old-{uuid.uuid4().hex[:8]}")
        os.rename(into, old)
        try:
            os.rename(tmp, into)
        except OSError:
            os.rename(old, into)
            raise
        shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
