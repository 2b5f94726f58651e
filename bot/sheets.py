"""Knowledge map <-> spreadsheets, for programme staff who live in Excel.

* ``export_workbook(kmap, path)`` writes one ``.xlsx`` with a sheet per kind
  (layout in ``bot.sheets_schema``) and a "read me" sheet explaining every column.
* ``import_knowledge(source, into)`` reads an ``.xlsx``, a folder or ``.zip`` of CSV
  files (one per sheet, named like the sheet: ``funds.csv``, ``contact points.csv``), or
  a single CSV file (replaces that one kind, the rest comes from ``into``). It reports
  every problem as sheet + row + column + a plain sentence, and writes nothing unless
  the whole map is valid; the new folder then replaces the old one in one swap. The
  files are written as edits of the old ones (``bot.knowledge_splice``): what did not
  change keeps its text and comments, so a one-cell edit is a one-line diff; the report
  lists the comments that could not stay.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bot.knowledge_splice import keep_unchanged_text
from bot.knowledge_writer import KNOWLEDGE_FILES, FileComments, file_comments, map_to_records
from bot.sheets_cells import SheetProblem, join_list, split_list
from bot.sheets_read import RawSheet, read_sheets
from bot.sheets_rows import CURRENT_MAP_SUFFIX, Progress, get, sheets_to_texts, trace
from bot.sheets_schema import DEFAULT_PREFIX_KEYS, README_TITLE, SHEET_BY_KEY, SHEETS, Column, Sheet
from routing.load import KnowledgeError, check_texts, load_knowledge
from routing.model import KnowledgeMap

__all__ = [
    "ImportFailed", "ImportReport", "Progress", "SheetProblem", "check_import",
    "export_workbook", "import_knowledge", "join_list", "read_sheets", "sheet_rows",
    "split_list", "write_folder_atomically",
]


class ImportFailed(Exception):
    """The import found errors; nothing was written."""

    def __init__(self, problems: Sequence[SheetProblem]) -> None:
        self.problems = list(problems)
        errors = sum(p.severity == "error" for p in problems)
        super().__init__(f"{errors} problem(s) in the spreadsheet; nothing was written")


@dataclass(slots=True)
class ImportReport:
    kmap: KnowledgeMap
    texts: dict[str, str]
    counts: dict[str, int]
    warnings: list[SheetProblem] = field(default_factory=list)
    #: Per file: comments of the old file that have no place in the new one (they stood
    #: on a line or in a value that changed, or with an item that is gone).
    comments_lost: dict[str, list[str]] = field(default_factory=dict)
    #: The map that was in the folder before, when there was one that loaded.
    before: KnowledgeMap | None = None


# ------------------------------------------------------------------ export


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
        out[sheet.key] = (columns, [[_export_value(c, get(r, c.path)) for c in columns]
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
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    # openpyxl would store "=..." as a formula and "#N/A" as an error
                    cell.data_type = "s"
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
    ws.append(["Lists are comma-separated in one cell (put an item that contains a comma in "
               "\"double quotes\"). Dates are dates: 2026-12-31 or 31-12-2026. Ids are lower "
               "case with dashes. Empty cells mean 'not set'."])
    ws.append(["Keep the sheet names and column names as they are. A column Wegwijs does not "
               "know is refused (its cells would be lost); keep your own notes elsewhere. "
               "Type phone numbers in cells formatted as text, so the leading 0 stays."])
    ws.append([])
    ws.append(["sheet", "column", "meaning"])
    for cell in ws[5]:
        cell.font, cell.fill = _HEAD_FONT, _HEAD_FILL
    for row in help_rows:
        ws.append(list(row))
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 26
    ws.column_dimensions["C"].width = 90


# ------------------------------------------------------------------ import


def _existing_raw(into: Path) -> dict[str, RawSheet]:
    """The current map in ``into`` as raw sheets (for single-CSV imports)."""
    kmap = load_knowledge(into)
    out: dict[str, RawSheet] = {}
    for key, (columns, rows) in sheet_rows(kmap).items():
        sheet = SHEET_BY_KEY[key]
        out[key] = RawSheet(sheet, f"{sheet.title}{CURRENT_MAP_SUFFIX}",
                            [c.header for c in columns],
                            [(i, row) for i, row in enumerate(rows, start=2)])
    return out


def _comments_for(into: Path, source_name: str) -> dict[str, FileComments]:
    """Per file: the comments of the existing file, or a plain default header."""
    out: dict[str, FileComments] = {}
    for file in KNOWLEDGE_FILES:
        existing = into / file
        comments = FileComments()
        # a file that is not UTF-8 is refused by the loader anyway; the import replaces it
        with suppress(UnicodeDecodeError):
            if existing.is_file():
                comments = file_comments(existing.read_text(encoding="utf-8"))
        if not comments.header:
            sheet = next(s for s in SHEETS if s.file == file)
            comments.header = (f"# {sheet.help}\n# Written by `wegwijs knowledge import` "
                               f"from {source_name}.\n# Format: see docs/programme-staff.md "
                               "and the knowledge-format README.")
        out[file] = comments
    return out


def _comments_lost(old: Mapping[str, FileComments],
                   texts: Mapping[str, str]) -> dict[str, list[str]]:
    """Per file: the comments of the old file that the new text no longer holds."""
    lost: dict[str, list[str]] = {}
    for file, comments in old.items():
        if not comments.all or file not in texts:
            continue
        left = Counter(file_comments(texts[file]).all)
        gone: list[str] = []
        for comment in comments.all:
            if left[comment] > 0:
                left[comment] -= 1
            else:
                gone.append(comment)
        if gone:
            lost[file] = gone
    return lost


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
        if not raw and not any(p.severity == "error" for p in problems):
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
    comments = _comments_for(into, source.name)
    texts, starts, origins, more = sheets_to_texts(raw, comments, progress=progress)
    problems += _name_renamed_sheets(problems, more)
    errors = [p for p in problems if p.severity == "error"]
    if any(p.row in (None, 1) for p in errors):
        return texts, None, problems  # missing sheets or columns: every row would repeat it
    if progress:
        progress("validating the map", 0, 1)
    # The loader's own checks, too, so one round shows every problem; rows already
    # flagged above are not flagged twice.
    kmap, found = check_texts(texts, today=today)
    flagged = {(p.sheet, p.row) for p in errors}
    for traced in (trace(p, texts, starts, origins) for p in found):
        if (traced.sheet, traced.row) not in flagged or traced.row is None:
            problems.append(traced)
    if progress:
        progress("validating the map", 1, 1)
    problems = _in_sheet_order(problems)
    if kmap is None or any(p.severity == "error" for p in problems):
        return texts, None, problems
    counts = {s.title: len(raw[s.key].rows) for s in SHEETS if s.key in raw}
    warnings = [p for p in problems if p.severity == "warning"]
    texts, before = _unchanged_files_kept(texts, kmap, into, today)
    lost = _comments_lost(comments, texts)
    return texts, ImportReport(kmap, texts, counts, warnings, lost, before), problems


def _unchanged_files_kept(texts: dict[str, str], kmap: KnowledgeMap, into: Path,
                          today: dt.date | None
                          ) -> tuple[dict[str, str], KnowledgeMap | None]:
    """The new texts, written as edits of the files on disk: what the import leaves as it
    was keeps its text there (layout, line breaks, comments), so an export imported back
    unchanged changes nothing and a one-cell edit changes one line
    (``bot.knowledge_splice``); and the map that was there, if one loaded."""
    try:
        before = load_knowledge(into, today=today)
        old_texts = {name: (into / name).read_text(encoding="utf-8") for name in texts
                     if (into / name).is_file()}
    except (KnowledgeError, OSError, UnicodeDecodeError):
        return texts, None  # no readable map there: everything is written anew
    return keep_unchanged_text(texts, old_texts, before, kmap, today=today), before


def _in_sheet_order(problems: list[SheetProblem]) -> list[SheetProblem]:
    """By sheet (in the workbook's order, others after) and row, so staff can work down
    each sheet; problems of a whole sheet first, in the order they were found."""
    rank = {s.title: i for i, s in enumerate(SHEETS)}
    return sorted(problems, key=lambda p: (rank.get(p.sheet, len(rank)), p.sheet, p.row or 0))


_UNKNOWN_SHEET = "this is not a sheet Wegwijs knows"
_MISSING_SHEET = "this sheet is missing"


def _name_renamed_sheets(read: Sequence[SheetProblem],
                         found: Sequence[SheetProblem]) -> list[SheetProblem]:
    """``found``, with a missing sheet pointing at the unknown sheet(s) it may have become."""
    unknown = [p.sheet for p in read if p.message.startswith(_UNKNOWN_SHEET)]
    if not unknown:
        return list(found)
    names = " or ".join(f"'{n}'" for n in unknown)
    out: list[SheetProblem] = []
    for p in found:
        if p.row is None and p.message.startswith(_MISSING_SHEET):
            p = SheetProblem(p.sheet, None, None,
                             f"{_MISSING_SHEET}; was it renamed to {names}? Sheet names must "
                             f"stay as exported: rename it back to '{p.sheet}'", p.severity)
        out.append(p)
    return out


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


def _line_ends(path: Path) -> str:
    """The line ends of the file being replaced ("\\r\\n" for a file saved on Windows),
    so that an import does not turn every line of it into a change."""
    try:
        with path.open("rb") as fh:
            head = fh.read(65_536)
    except OSError:
        return "\n"
    return "\r\n" if b"\r\n" in head else "\n"


def write_folder_atomically(texts: Mapping[str, str], into: Path) -> None:
    """Replace the knowledge files in ``into`` with ``texts`` in one swap.

    The new folder is built next to the old one (other files copied over), read back,
    and then renamed into place; the old folder is removed afterwards. ``texts`` must
    already be validated (``check_import`` does that).
    """
    into = into.absolute()
    if into.exists() and not into.is_dir():  # never replace a file (the workbook!) by a folder
        raise NotADirectoryError(f"{into} is a file, not a knowledge folder")
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
            with (tmp / name).open("w", encoding="utf-8", newline=_line_ends(into / name)
                                   ) as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
        for name, text in texts.items():  # what lands on disk is what was validated
            if (tmp / name).read_text(encoding="utf-8") != text:
                raise OSError(f"{name} did not write back intact")
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
