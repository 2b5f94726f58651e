"""Spreadsheet cells <-> values, and the problem type every sheet check reports.

Lists are comma-separated in one cell (items with a comma are quoted, CSV-style); dates
may be real date cells, ``2026-12-31`` or ``31-12-2026``; numbers may carry ``€`` and
thousands separators; yes/no in Dutch or English. Every parser raises ``ValueError``
with a sentence a programme manager understands.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from rapidfuzz import fuzz, process

Severity = Literal["error", "warning"]
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


@dataclass(frozen=True, slots=True)
class UnsavedFormula:
    """A formula cell whose result was never saved in the file, so its value is unknown.

    Files written by scripts (openpyxl, pandas) or some tools hold the formula only; Excel
    and LibreOffice store the result when they save.
    """

    cell: str  # where it is, as a spreadsheet names it: ``funds!F7``

    def sentence(self) -> str:
        return (f"cell {self.cell} holds a formula whose result was never saved in the file, "
                "so Wegwijs cannot see its value (it would be imported as empty); open the "
                "file in Excel or LibreOffice and save it, which stores the results, or type "
                "the value instead of the formula")


@dataclass(frozen=True, slots=True)
class ErrorCell(UnsavedFormula):
    """A cell holding an Excel error value (``#N/A``, ``#REF!``, ``#DIV/0!``, ``#SPILL!``...)
    instead of a value: the saved result of a formula that failed (``formula``), or such a
    result pasted as a value. A cell the file marks as an error, never a text that merely
    starts with ``#`` (a hashtag in a description is text).

    A kind of ``UnsavedFormula``, so every check that stops at a formula without a usable
    value stops here too, naming the cell with ``sentence()``.
    """

    error: str = "#N/A"  # the error as the spreadsheet shows it
    formula: bool = True
    in_csv: bool = False  # read from a CSV file, where an error is only its text

    def sentence(self) -> str:
        if self.in_csv:
            return (f"cell {self.cell} holds {self.error}, the text a spreadsheet writes "
                    "into a CSV file for a formula that failed; fix the formula (or type "
                    "the value you mean) in the spreadsheet and save the CSV file again")
        if self.formula:
            return (f"cell {self.cell} holds a formula that gives the error {self.error} "
                    "instead of a value; fix the formula, or replace it with the value "
                    "you mean")
        return (f"cell {self.cell} holds the error {self.error} (the failed result of a "
                "formula, pasted as a value) instead of a value; type the value you mean")


#: Every error value Excel writes into a cell, the classic seven and the newer ones. A CSV
#: file keeps only their text; a whole cell holding exactly one of them is read as the error.
EXCEL_ERRORS = frozenset(["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!",
                          "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!",
                          "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!"])


def cell_reference(sheet: str, row: int, column: int) -> str:
    """``funds!F7``; a sheet name with spaces or signs is quoted: ``'contact points'!F7``."""
    name = sheet if re.fullmatch(r"\w+", sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{get_column_letter(column)}{row}"


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


def cell_text(value: Any) -> str:
    if value is None or isinstance(value, UnsavedFormula):
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
    text = cell_text(value)
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
        raise ValueError(f"'{value}' is not a whole number; write digits only, such as 15 or 5000")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_text(value).replace("€", "").replace("EUR", "").replace(" ", "")
    text = re.sub(r"[.,](-|–|00)$", "", text)  # Dutch "2.500,-" / "2.500,00": whole euros
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
        text = text.replace(".", "").replace(",", "")
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    raise ValueError(f"'{cell_text(value)}' is not a whole number; write digits only, such as 15 or 5000")


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"'{cell_text(value)}' is not yes or no")


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
