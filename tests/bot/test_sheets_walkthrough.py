"""A programme officer edits the exported workbook the way people do in Excel, imports it
back and reads the messages (a walkthrough). Every message names sheet, row and column and
says what to do; nothing is lost without a word."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from bot.cli._apps import app
from bot.sheets import ImportFailed, import_knowledge
from routing.load import load_knowledge

runner = CliRunner()


@pytest.fixture
def book(exported: Path, tmp_path: Path) -> Workbook:
    return load_workbook(exported)


def _col(ws: Worksheet, header: str) -> int:
    return [c.value for c in ws[1]].index(header) + 1


def _import(wb: Workbook, tmp_path: Path) -> tuple[Path, list[str]]:
    """Save and import into a fresh folder: the errors as printed when it failed, else the
    warnings."""
    source = tmp_path / "bewerkt.xlsx"
    wb.save(source)
    into = tmp_path / "kaart"
    try:
        report = import_knowledge(source, into, today=dt.date(2026, 11, 23))
    except ImportFailed as failed:
        assert not into.exists(), "a failed import must write nothing"
        return into, [str(p) for p in failed.problems if p.severity == "error"]
    return into, [str(p) for p in report.warnings]


def test_amount_written_the_dutch_way_is_whole_euros(book: Workbook, tmp_path: Path) -> None:
    ws = book["funds"]
    ws.cell(2, _col(ws, "max amount (EUR)")).value = "€ 2.500,-"
    ws.cell(3, _col(ws, "max amount (EUR)")).value = "1.250,00"
    fund_ids = ws.cell(2, 1).value, ws.cell(3, 1).value
    into, problems = _import(book, tmp_path)
    assert not any("max amount" in p for p in problems), problems
    amounts = {e.id: e.eligibility.max_amount_eur for e in load_knowledge(into).entries
               if e.eligibility is not None}
    assert (amounts[fund_ids[0]], amounts[fund_ids[1]]) == (2500, 1250)


def test_amount_that_is_not_a_number_says_how_to_write_it(book: Workbook,
                                                           tmp_path: Path) -> None:
    ws = book["funds"]
    ws.cell(4, _col(ws, "max amount (EUR)")).value = "ongeveer 2500"
    _into, problems = _import(book, tmp_path)
    assert problems == ["sheet 'funds', row 4, column 'max amount (EUR)': 'ongeveer 2500' is "
                        "not a whole number; write digits only, such as 15 or 5000"]


def test_own_notes_column_explains_what_to_do(book: Workbook, tmp_path: Path) -> None:
    ws = book["funds"]
    extra = ws.max_column + 1
    ws.cell(1, extra).value = "notitie"
    ws.cell(2, extra).value = "nog even bellen"
    _into, problems = _import(book, tmp_path)
    (problem,) = problems
    assert problem.startswith("sheet 'funds', row 1, column 'notitie': Wegwijs does not know "
                              "this column")
    assert "would be lost" in problem and "'read me' sheet" in problem


def test_deleted_english_column_is_not_dropped_silently(book: Workbook, tmp_path: Path) -> None:
    ws = book["networks"]
    rows = ws.max_row - 1
    ws.delete_cols(_col(ws, "summary (en)"))
    into, warnings = _import(book, tmp_path)
    assert into.is_dir()  # still imported: English is optional
    mentions = [w for w in warnings if "'summary (en)'" in w]
    assert mentions == [f"sheet 'networks', row 1: warning: this column is missing: "
                        f"'summary (en)'; on all {rows} row(s) it is imported as empty, so "
                        "what the map held there is removed. Add the column back if you "
                        "deleted it by accident"]


def test_renamed_sheet_is_pointed_at(book: Workbook, tmp_path: Path) -> None:
    book["contact points"].title = "Contactpunten"
    _into, problems = _import(book, tmp_path)
    assert "sheet 'contact points': this sheet is missing; was it renamed to 'Contactpunten'? " \
        "Sheet names must stay as exported: rename it back to 'contact points'" in problems


def test_absence_with_dates_swapped_is_reported_once(book: Workbook, tmp_path: Path) -> None:
    ws = book["absences"]
    start, until = ws.cell(2, 2).value, ws.cell(2, 3).value
    ws.cell(2, 2).value, ws.cell(2, 3).value = until, start
    _into, problems = _import(book, tmp_path)
    assert len(problems) == 1, problems
    assert problems[0].startswith("sheet 'absences', row 2, column 'until':")


def test_whole_round_trip_after_edits_keeps_everything_else(book: Workbook,
                                                            tmp_path: Path,
                                                            eval_knowledge_dir: Path) -> None:
    """Blank rows in between and a date typed as 31-12-2027 change nothing else."""
    ws = book["funds"]
    fund = ws.cell(2, 1).value
    ws.cell(2, _col(ws, "open until")).value = "31-12-2027"
    ws.insert_rows(5, 2)
    into, warnings = _import(book, tmp_path)
    assert into.is_dir(), warnings
    before = {e.id: e for e in load_knowledge(eval_knowledge_dir).entries}
    after = {e.id: e for e in load_knowledge(into).entries}
    assert before.keys() == after.keys()
    changed = [i for i in before if before[i] != after[i]]
    assert changed in ([], [fund])
    window = after[fund].window
    assert window is not None and window.until == dt.date(2027, 12, 31)


def test_copy_of_the_workbook_is_untouched_by_a_failed_import(exported: Path,
                                                              tmp_path: Path) -> None:
    copy = Path(shutil.copy(exported, tmp_path / "copy.xlsx"))
    before = copy.read_bytes()
    wb = load_workbook(copy)
    del wb["needs"]
    _into, problems = _import(wb, tmp_path)
    assert problems and copy.read_bytes() == before


def test_importing_into_the_workbook_itself_keeps_the_workbook(exported: Path,
                                                               tmp_path: Path) -> None:
    """``--into`` swapped with the source must not turn the spreadsheet into a folder."""
    workbook = Path(shutil.copy(exported, tmp_path / "kenniskaart.xlsx"))
    before = workbook.read_bytes()
    done = runner.invoke(app, ["knowledge", "import", str(workbook), "--into", str(workbook)])
    assert done.exit_code == 1
    assert "--into must be the knowledge folder" in done.output
    assert workbook.is_file() and workbook.read_bytes() == before
    with pytest.raises(NotADirectoryError):
        import_knowledge(workbook, workbook, today=dt.date(2026, 11, 23))
    assert workbook.is_file() and workbook.read_bytes() == before


def test_csv_saved_by_excel_with_semicolons_keeps_quoted_list_items(
        book: Workbook, tmp_path: Path, eval_knowledge_dir: Path) -> None:
    """Excel (Dutch settings) saves with ';' and doubles a quote inside a cell."""
    ws = book["funds"]
    fund = ws.cell(2, 1).value
    ws.cell(2, _col(ws, "terms (nl)")).value = '"opruimen, samen", prikstok'
    source = tmp_path / "funds.csv"
    with source.open("w", encoding="cp1252", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        for row in ws.iter_rows(values_only=True):
            writer.writerow(["" if v is None else v.strftime("%d-%m-%Y")
                             if isinstance(v, dt.datetime) else v for v in row])
    into = Path(shutil.copytree(eval_knowledge_dir, tmp_path / "kaart"))
    import_knowledge(source, into, today=dt.date(2026, 11, 23))
    entry = next(e for e in load_knowledge(into).entries if e.id == fund)
    assert entry.terms.nl == ("opruimen, samen", "prikstok")


def test_phone_typed_as_a_number_is_flagged(book: Workbook, tmp_path: Path) -> None:
    """Excel turns 0301234567 typed in a plain cell into 301234567."""
    ws = book["funds"]
    ws.cell(2, _col(ws, "contact: phone")).value = 301234567
    ws.cell(3, _col(ws, "contact: phone")).value = "030 123 4567"
    _into, warnings = _import(book, tmp_path)
    phone = [w for w in warnings if "contact: phone" in w]
    assert phone == ["sheet 'funds', row 2, column 'contact: phone': warning: '301234567' is a "
                     "number cell, so a leading 0 or + was lost; format the cell as text and "
                     "type the number again, e.g. 030 123 4567"]
