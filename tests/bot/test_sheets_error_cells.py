"""Spreadsheet import: a cell holding an Excel error value (``#N/A``, ``#REF!``...) stops the
import with a sentence naming the cell, like a formula whose result was never saved; a text
that merely starts with ``#`` (a hashtag) is still imported as text.

The workbooks are real .xlsx files: the example map exported by Wegwijs, changed with
openpyxl, and given the saved formula results as Excel and LibreOffice write them
(``<c t="e"><f>...</f><v>#N/A</v></c>``), which openpyxl itself cannot write.
"""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli._apps import app
from bot.sheets import ImportFailed, check_import, export_workbook, import_knowledge
from routing.load import load_knowledge
from tests.bot.folders import snapshot

runner = CliRunner()
FUND = "fonds-schone-buurt"
#: Every error value Excel writes, the classic seven and the newer ones.
ERRORS = ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!",
          "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!",
          "#UNKNOWN!")


@pytest.fixture
def workbook(exported: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(exported, tmp_path / "kaart.xlsx"))


def _cells(workbook: Path, sheet: str, ident: str,
           values: dict[str, str]) -> tuple[int, dict[str, str]]:
    """Type ``values`` (by column header) into the row of ``ident``, as openpyxl writes
    them; returns the row number and each cell's reference, e.g. ``{"url": "N7"}``."""
    wb = load_workbook(workbook)
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == ident)
    refs = {}
    for header, value in values.items():
        cell = ws.cell(row, headers.index(header) + 1)
        cell.value = value
        refs[header] = f"{cell.column_letter}{row}"
    wb.save(workbook)
    return row, refs


def _first_ident(workbook: Path, sheet: str) -> str:
    """The id in the first data row of ``sheet`` (the read-only workbook closed again: an
    open one warns when garbage-collected, and warnings are errors here)."""
    wb = load_workbook(workbook, read_only=True)
    try:
        ident = wb[sheet].cell(2, 1).value
    finally:
        wb.close()
    assert isinstance(ident, str)
    return ident


def _save_results(workbook: Path, results: dict[str, tuple[str, str]]) -> None:
    """Store a saved result for formula cells, as a spreadsheet program does on save:
    ``{"N7": ("e", "#N/A")}`` writes ``<c r="N7" t="e"><f>..</f><v>#N/A</v></c>``."""
    tmp = workbook.with_suffix(".tmp")
    found = set()
    with zipfile.ZipFile(workbook) as src, zipfile.ZipFile(tmp, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                text = data.decode("utf-8")
                for ref, (kind, value) in results.items():
                    text, hits = re.subn(rf'<c r="{ref}"([^>]*)>(<f>[^<]*</f>)<v\s*/>',
                                         rf'<c r="{ref}"\1 t="{kind}">\2<v>{value}</v>', text)
                    if hits:
                        found.add(ref)
                data = text.encode("utf-8")
            dst.writestr(info, data)
    tmp.replace(workbook)
    assert found == set(results), "a formula cell to give a result was not found"


def _problems_at(caught: pytest.ExceptionInfo[ImportFailed], sheet: str,
                 row: int) -> dict[str | None, str]:
    at_row = [p for p in caught.value.problems if p.sheet == sheet and p.row == row]
    assert all(p.severity == "error" for p in at_row)
    return {p.column: p.message for p in at_row}


@pytest.mark.parametrize("error", ERRORS)
def test_a_formula_whose_saved_result_is_an_error_stops_the_import(
        eval_copy: Path, workbook: Path, error: str) -> None:
    row, refs = _cells(workbook, "funds", FUND, {"summary (en)": "=VLOOKUP(A2,B:C,2,0)"})
    _save_results(workbook, {refs["summary (en)"]: ("e", error)})
    before = snapshot(eval_copy)
    with pytest.raises(ImportFailed) as caught:
        import_knowledge(workbook, eval_copy)
    assert snapshot(eval_copy) == before  # nothing written
    by_column = _problems_at(caught, "funds", row)
    assert list(by_column) == ["summary (en)"]  # one problem, in that cell
    message = by_column["summary (en)"]
    assert f"funds!{refs['summary (en)']}" in message
    assert f"formula that gives the error {error} " in message
    assert "fix the formula, or replace it with the value" in message


def test_an_error_in_a_number_or_date_column_gets_the_same_sentence(
        eval_copy: Path, workbook: Path) -> None:
    """Not "'#N/A' is not a whole number": the cell is the problem, not how it is written."""
    row, refs = _cells(workbook, "funds", FUND, {
        "max amount (EUR)": "=B2/0", "open until": "=DATE(2026,13,44)+#REF!",
        "name": '=VLOOKUP("x",A:B,2,0)'})
    _save_results(workbook, {refs["max amount (EUR)"]: ("e", "#DIV/0!"),
                             refs["open until"]: ("e", "#REF!"),
                             refs["name"]: ("e", "#N/A")})
    with pytest.raises(ImportFailed) as caught:
        import_knowledge(workbook, eval_copy)
    by_column = _problems_at(caught, "funds", row)
    assert set(by_column) == {"max amount (EUR)", "open until", "name"}
    assert "#DIV/0!" in by_column["max amount (EUR)"]
    assert "#REF!" in by_column["open until"]
    assert all("formula that gives the error" in m for m in by_column.values())
    assert not any("whole number" in m or "is not a date" in m or "is empty" in m
                   for m in by_column.values())


def test_an_error_pasted_as_a_value_stops_the_import_too(eval_copy: Path,
                                                         workbook: Path) -> None:
    # openpyxl, like Excel, stores a typed "#REF!" as an error value, without a formula
    row, refs = _cells(workbook, "funds", FUND, {"eligibility notes (nl)": "#REF!"})
    with zipfile.ZipFile(workbook) as zf:
        sheets = "".join(zf.read(n).decode() for n in zf.namelist()
                         if n.startswith("xl/worksheets/"))
    assert re.search(rf'<c r="{refs["eligibility notes (nl)"]}"[^>]* t="e"', sheets)
    with pytest.raises(ImportFailed) as caught:
        import_knowledge(workbook, eval_copy)
    message = _problems_at(caught, "funds", row)["eligibility notes (nl)"]
    assert f"funds!{refs['eligibility notes (nl)']}" in message and "#REF!" in message
    assert "type the value you mean" in message


def test_texts_that_start_with_a_hash_are_still_imported(eval_copy: Path,
                                                         workbook: Path) -> None:
    _row, refs = _cells(workbook, "funds", FUND, {
        "summary (en)": "#SchoneBuurt: money for clean-ups #N/A-free",
        "terms (nl)": "#schonebuurt, #opruimen",
        "eligibility notes (en)": '="#" & "zwerfafval"',
    })
    # a formula whose saved result is a text starting with "#": Excel marks it t="str"
    _save_results(workbook, {refs["eligibility notes (en)"]: ("str", "#zwerfafval")})
    report = import_knowledge(workbook, eval_copy)
    fund = report.kmap.entry(FUND)
    assert fund.summary.en == "#SchoneBuurt: money for clean-ups #N/A-free"
    assert {"#schonebuurt", "#opruimen"} <= set(fund.terms.nl)
    assert fund.eligibility is not None and fund.eligibility.notes is not None
    assert fund.eligibility.notes.en == "#zwerfafval"


def test_a_sheet_name_with_a_space_is_quoted_in_the_error_sentence(eval_copy: Path,
                                                                  workbook: Path) -> None:
    ident = _first_ident(workbook, "contact points")
    row, refs = _cells(workbook, "contact points", ident, {"url": '=HYPERLINK(#REF!)'})
    _save_results(workbook, {refs["url"]: ("e", "#REF!")})
    _texts, report, problems = check_import(workbook, eval_copy)
    assert report is None
    [problem] = [p for p in problems if p.sheet == "contact points" and p.row == row]
    assert f"'contact points'!{refs['url']}" in problem.message


def test_the_cli_stops_names_the_cell_and_says_what_to_do(eval_copy: Path,
                                                          workbook: Path) -> None:
    _row, refs = _cells(workbook, "funds", FUND, {"summary (nl)": "=Blad2!A1"})
    _save_results(workbook, {refs["summary (nl)"]: ("e", "#REF!")})
    before = snapshot(eval_copy)
    result = runner.invoke(app, ["knowledge", "import", str(workbook), "--into",
                                 str(eval_copy)])
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "nothing was written" in out
    assert f"funds!{refs['summary (nl)']} holds a formula that gives the error #REF!" in out
    assert "Traceback" not in out
    assert snapshot(eval_copy) == before


def test_map_texts_that_look_like_errors_or_formulas_survive_export_and_import(
        eval_copy: Path, tmp_path: Path) -> None:
    """A map text "#N/A" or "= ..." is exported as text, not as an error value or a
    formula, so the exported workbook imports back unchanged."""
    funds = eval_copy / "funds.yaml"
    text = funds.read_text(encoding="utf-8")
    start = text.index(f"- id: {FUND}")
    end = text.index("\n- id:", start)
    entry = text[start:end]
    changed = re.sub(r'(\n    nl: )"[^"]*"', r'\1"=1+1 is geen formule"', entry, count=1)
    changed = re.sub(r'(\n    en: )"[^"]*"', r'\1"#N/A"', changed, count=1)
    assert changed != entry
    funds.write_text(text[:start] + changed + text[end:], encoding="utf-8")
    before = load_knowledge(eval_copy).entry(FUND)
    assert before.summary.nl == "=1+1 is geen formule" and before.summary.en == "#N/A"
    path = tmp_path / "round.xlsx"
    export_workbook(load_knowledge(eval_copy), path)
    report = import_knowledge(path, eval_copy)
    after = report.kmap.entry(FUND)
    assert (after.summary.nl, after.summary.en) == (before.summary.nl, before.summary.en)


def test_an_unknown_value_of_a_short_list_names_the_values_allowed(eval_copy: Path,
                                                                   workbook: Path) -> None:
    """Not an error cell, but the same kind of typo help: "fr" is no language of the desk,
    and nothing is close, so the sentence lists the two there are."""
    ident = _first_ident(workbook, "civil servants")
    row, _refs = _cells(workbook, "civil servants", ident, {"languages": "nl, fr"})
    _texts, report, problems = check_import(workbook, eval_copy)
    assert report is None
    [problem] = [p for p in problems if p.sheet == "civil servants" and p.row == row]
    assert problem.message == "unknown language 'fr'; use one of: nl, en"



def test_problems_are_listed_by_sheet_and_row(eval_copy: Path, workbook: Path) -> None:
    """The list reads down the workbook as Wegwijs lays it out, whatever order staff
    gave the sheets: funds before networks."""
    _cells(workbook, "funds", FUND, {"max amount (EUR)": "veel"})
    ident = _first_ident(workbook, "networks")
    _cells(workbook, "networks", ident, {"open until": "morgen"})
    wb = load_workbook(workbook)
    wb.move_sheet("networks", offset=-wb.sheetnames.index("networks"))
    wb.save(workbook)
    _texts, report, problems = check_import(workbook, eval_copy)
    assert report is None
    assert [p.sheet for p in problems if p.severity == "error"] == ["funds", "networks"]


def test_an_export_imported_back_unchanged_changes_no_file(eval_copy: Path,
                                                          tmp_path: Path) -> None:
    """Files whose content an import leaves as it was keep their layout and comments;
    only a file with a real change is written anew."""
    path = tmp_path / "round.xlsx"
    export_workbook(load_knowledge(eval_copy), path)
    before = snapshot(eval_copy)
    report = import_knowledge(path, eval_copy)
    assert snapshot(eval_copy) == before
    assert report.comments_lost == {}
    _cells(path, "funds", FUND, {"summary (nl)": "Een nieuwe samenvatting."})
    import_knowledge(path, eval_copy)
    after = snapshot(eval_copy)
    assert after["funds.yaml"] != before["funds.yaml"]
    assert {name for name in before if after[name] != before[name]} == {"funds.yaml"}


def _funds_csv(workbook: Path, path: Path, values: dict[str, str]) -> int:
    """The funds sheet saved as a CSV file (';', as Excel with Dutch settings saves it),
    with ``values`` (by column header) in the row of FUND as the file holds them; returns
    that row's number."""
    ws = load_workbook(workbook)["funds"]
    headers = [c.value for c in ws[1]]
    rows = [["" if v is None else v.date().isoformat() if hasattr(v, "date") else v
             for v in row] for row in ws.iter_rows(values_only=True)]
    number = next(i for i, row in enumerate(rows, start=1) if row[0] == FUND)
    for header, value in values.items():
        rows[number - 1][headers.index(header)] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    return number


def test_an_error_text_in_a_csv_file_stops_the_import(eval_copy: Path, workbook: Path,
                                                      tmp_path: Path) -> None:
    """A spreadsheet saving a CSV file writes a failed formula as its error text: the
    whole cell "#N/A" is that error, not a summary; a text with it inside is text."""
    source = tmp_path / "funds.csv"
    row = _funds_csv(workbook, source, {"summary (en)": "#N/A", "url": " #REF! ",
                                        "summary (nl)": "#N/A is geen fout hier"})
    before = snapshot(eval_copy)
    with pytest.raises(ImportFailed) as caught:
        import_knowledge(source, eval_copy)
    assert snapshot(eval_copy) == before  # nothing written
    by_column = _problems_at(caught, "funds.csv", row)
    assert set(by_column) == {"summary (en)", "url"}
    assert "holds #N/A, the text a spreadsheet writes into a CSV file" in by_column[
        "summary (en)"]
    assert "#REF!" in by_column["url"] and "save the CSV file again" in by_column["url"]
    # the same file without the two error texts imports, the text with "#N/A" inside too
    _funds_csv(workbook, source, {"summary (nl)": "#N/A is geen fout hier"})
    report = import_knowledge(source, eval_copy)
    assert report.kmap.entry(FUND).summary.nl == "#N/A is geen fout hier"


def test_a_csv_file_with_a_download_copy_number_is_still_its_sheet(
        eval_copy: Path, workbook: Path, tmp_path: Path) -> None:
    """A second download is saved as "funds (1).csv": still the funds sheet."""
    source = tmp_path / "funds (1).csv"
    _funds_csv(workbook, source, {"summary (nl)": "Geld voor een schone buurt, nu."})
    report = import_knowledge(source, eval_copy)
    assert report.kmap.entry(FUND).summary.nl == "Geld voor een schone buurt, nu."


def test_an_import_lists_what_it_changed(eval_copy: Path, workbook: Path) -> None:
    """Not only the totals: a row deleted by accident shows as removed."""
    wb = load_workbook(workbook)
    ws = wb["funds"]
    gone = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value != FUND)
    gone_id = ws.cell(gone, 1).value
    ws.delete_rows(gone)
    wb.save(workbook)
    _cells(workbook, "funds", FUND, {"summary (nl)": "Nieuwe tekst."})
    result = runner.invoke(app, ["knowledge", "import", str(workbook), "--into",
                                 str(eval_copy)])
    assert result.exit_code == 0, result.output
    assert "0 added, 1 removed, 1 edited." in result.output
    assert f"- fund {gone_id} (removed)" in result.output
    assert f"~ fund {FUND} (edited)" in result.output
