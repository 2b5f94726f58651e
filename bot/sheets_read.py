"""Read a workbook, a CSV file, or a folder or ``.zip`` of CSV files into raw sheets.

Sheets are recognised by name (``funds``, ``contact points`` or ``contact_points``, ...;
a CSV file by its file name). Rows keep their spreadsheet row numbers for messages. A
workbook's formula cells give their saved result; a formula whose result was never saved
(files written by scripts) becomes ``UnsavedFormula``, and a cell whose value is an Excel
error (``#N/A``, ``#REF!``...: a formula that failed) becomes ``ErrorCell``; the row check
reports both and stops the import.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from bot.sheets_cells import (
    EXCEL_ERRORS,
    ErrorCell,
    SheetProblem,
    UnsavedFormula,
    cell_reference,
    cell_text,
    suggest,
)
from bot.sheets_schema import README_TITLE, SHEETS, Sheet, normalise_name, sheet_for_name


@dataclass(slots=True)
class RawSheet:
    """A sheet as read: header row and data rows with their spreadsheet row numbers."""

    sheet: Sheet
    name: str  # as the user sees it: the tab name or the CSV file name
    headers: list[str]
    rows: list[tuple[int, list[Any]]]

# ------------------------------------------------------------------ reading


def _raw_from_rows(sheet: Sheet, name: str, rows: Iterable[Sequence[Any]]) -> RawSheet:
    headers: list[str] = []
    data: list[tuple[int, list[Any]]] = []
    for number, row in enumerate(rows, start=1):
        if number == 1:
            headers = [cell_text(v) for v in row]
            continue
        values = list(row)
        if any(cell_text(v) or isinstance(v, UnsavedFormula) for v in values):
            data.append((number, values))
    return RawSheet(sheet, name, headers, data)


def _csv_cells(name: str, rows: list[list[str]]) -> list[list[Any]]:
    """The rows of a CSV file, a cell that is exactly an Excel error text (``#N/A``) as
    ``ErrorCell``: the spreadsheet wrote a failed formula's result, not a value."""
    return [[ErrorCell(cell_reference(name, number, index), error=value.strip(),
                       formula=False, in_csv=True)
             if number > 1 and value.strip() in EXCEL_ERRORS else value
             for index, value in enumerate(row, start=1)]
            for number, row in enumerate(rows, start=1)]


def _read_csv_text(text: str) -> list[list[str]]:
    text = text.removeprefix("\ufeff")
    try:
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    # Only the delimiter is guessed (from the header row): the sniffer cannot see from a
    # header without quotes that a quote inside a cell is doubled, as Excel writes it.
    return list(csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter))


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
                text = _decode(path.read_bytes())
                take(path.name, _csv_cells(path.name, _read_csv_text(text)))
    elif suffix == ".zip":
        with zipfile.ZipFile(source) as zf:
            for info in zf.infolist():
                base = Path(info.filename).name
                if base.lower().endswith(".csv") and not base.startswith("."):
                    take(base, _csv_cells(base, _read_csv_text(_decode(zf.read(info)))))
    elif suffix == ".csv":
        take(source.name, _csv_cells(source.name,
                                     _read_csv_text(_decode(source.read_bytes()))))
    elif suffix in (".xlsx", ".xlsm"):
        formulas = _formula_cells(source)
        wb = load_workbook(source, read_only=True, data_only=True)
        try:
            for ws in wb.worksheets:
                take(ws.title, _saved_values(ws, formulas.get(ws.title, set())))
        finally:
            wb.close()
    else:
        problems.append(SheetProblem(source.name, None, None,
                                     "give an .xlsx file, a .csv file, or a folder or "
                                     ".zip of .csv files"))


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s/>]")


def _has_formulas(source: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula (a quick scan of its XML)."""
    with zipfile.ZipFile(source) as zf:
        return any(_FORMULA_TAG.search(zf.read(info))
                   for info in zf.infolist()
                   if info.filename.startswith("xl/worksheets/")
                   and info.filename.endswith(".xml"))


def _formula_cells(source: Path) -> dict[str, set[tuple[int, int]]]:
    """Per sheet Wegwijs knows: the (row, column) of every formula cell."""
    out: dict[str, set[tuple[int, int]]] = {}
    if not _has_formulas(source):
        return out  # the usual case; spares reading the workbook twice
    wb = load_workbook(source, read_only=True, data_only=False)
    try:
        for ws in wb.worksheets:
            if sheet_for_name(ws.title) is None:
                continue
            out[ws.title] = {(cell.row, cell.column) for row in ws.iter_rows()
                             for cell in row if cell.data_type == "f"}
    finally:
        wb.close()
    return out


def _saved_values(ws: Any, formulas: set[tuple[int, int]]) -> Iterator[list[Any]]:
    """The saved cell values, row by row; a formula without a saved result becomes
    ``UnsavedFormula`` instead of looking empty, an error value (``t="e"`` in the file)
    ``ErrorCell`` instead of looking like the text ``#N/A``.

    A formula whose saved result is an empty text is marked ``t="str"`` (Excel and
    LibreOffice write it so): that one is really empty. A text that starts with ``#`` is
    stored as text, not as an error: it stays text.
    """
    for number, row in enumerate(ws.iter_rows(), start=1):
        values: list[Any] = []
        for index, cell in enumerate(row, start=1):
            if cell.data_type == "e":
                values.append(ErrorCell(cell_reference(ws.title, number, index),
                                        error=cell_text(cell.value) or "#N/A",
                                        formula=(number, index) in formulas))
            elif (cell.value is None and (number, index) in formulas
                    and cell.data_type != "str"):
                values.append(UnsavedFormula(cell_reference(ws.title, number, index)))
            else:
                values.append(cell.value)
        yield values
