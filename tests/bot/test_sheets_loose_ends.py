"""Two loose ends of the spreadsheet import: formula cells whose result was never saved,
and comments that programme staff wrote between the entries of a knowledge file."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from bot.cli._apps import app
from bot.knowledge_writer import file_comments
from bot.sheets import ImportFailed, check_import, export_workbook, import_knowledge
from routing.load import load_knowledge
from tests.bot.folders import snapshot

runner = CliRunner()


@pytest.fixture
def workbook(exported: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(exported, tmp_path / "kaart.xlsx"))


def _column(ws: Worksheet, header: str) -> int:
    return [c.value for c in ws[1]].index(header) + 1


def _row(ws: Worksheet, ident: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == ident)


def _put_formulas(workbook: Path, sheet: str, ident: str,
                  formulas: dict[str, str]) -> tuple[int, dict[str, str]]:
    """Write formulas (openpyxl stores no result for them); returns row and cell letters."""
    wb = load_workbook(workbook)
    ws = wb[sheet]
    row = _row(ws, ident)
    letters = {}
    for header, formula in formulas.items():
        cell = ws.cell(row, _column(ws, header))
        cell.value = formula
        letters[header] = cell.column_letter
    wb.save(workbook)
    return row, letters


# ------------------------------------------------------------------ formulas without a value


def test_a_formula_without_a_saved_value_blocks_the_import(eval_copy: Path,
                                                           workbook: Path) -> None:
    row, letters = _put_formulas(workbook, "funds", "fonds-schone-buurt", {
        "max amount (EUR)": "=2500*2",
        "open until": "=DATE(2026,12,31)",
        "name": '="Fonds " & "Schone Buurt"',
    })
    before = snapshot(eval_copy)
    with pytest.raises(ImportFailed) as caught:
        import_knowledge(workbook, eval_copy)
    assert snapshot(eval_copy) == before
    at_row = [p for p in caught.value.problems if p.sheet == "funds" and p.row == row]
    assert {p.column for p in at_row} == set(letters)  # one problem per cell, no others
    assert all(p.severity == "error" for p in at_row)
    by_column = {p.column: p for p in at_row}
    message = by_column["max amount (EUR)"].message
    assert f"funds!{letters['max amount (EUR)']}{row}" in message
    assert "formula" in message and "Excel or LibreOffice" in message and "save" in message
    assert "type the value" in message
    # the required name gets the formula sentence, not "'name' is empty"
    assert "formula" in by_column["name"].message
    assert "is empty" not in by_column["name"].message


def test_a_sheet_name_with_a_space_is_quoted_in_the_cell_reference(eval_copy: Path,
                                                                  workbook: Path) -> None:
    wb = load_workbook(workbook)
    ws = wb["contact points"]
    ident = ws.cell(2, 1).value
    assert isinstance(ident, str)
    row, letters = _put_formulas(workbook, "contact points", ident, {"url": '="https://x"'})
    _texts, report, problems = check_import(workbook, eval_copy)
    assert report is None
    [problem] = [p for p in problems if p.row == row and p.sheet == "contact points"]
    assert f"'contact points'!{letters['url']}{row}" in problem.message


def _store_results(workbook: Path, results: dict[str, str]) -> None:
    """Give formula cells a saved result, as Excel or LibreOffice write it on save."""
    tmp = workbook.with_suffix(".tmp")
    with zipfile.ZipFile(workbook) as src, zipfile.ZipFile(tmp, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                text = data.decode("utf-8")
                for ref, xml_value in results.items():
                    found = re.search(rf'(<c r="{ref}"[^>]*)><f>[^<]*</f><v\s*/>', text)
                    if found:
                        text = text[:found.start()] + found[1] + xml_value + text[found.end():]
                data = text.encode("utf-8")
            dst.writestr(info, data)
    tmp.replace(workbook)


def test_a_formula_with_a_saved_value_imports_that_value(eval_copy: Path,
                                                         workbook: Path) -> None:
    row, letters = _put_formulas(workbook, "funds", "fonds-schone-buurt", {
        "max amount (EUR)": "=2500*3",
        "terms (en)": '=IF(TRUE,"","x")',
    })
    amount, terms = f"{letters['max amount (EUR)']}{row}", f"{letters['terms (en)']}{row}"
    _store_results(workbook, {
        amount: r"><f>2500*3</f><v>7500</v>",
        # a formula whose result is an empty text: Excel marks the cell t="str"
        terms: r' t="str"><f>IF(TRUE,"","x")</f><v></v>',
    })
    report = import_knowledge(workbook, eval_copy)
    fund = next(e for e in report.kmap.entries if e.id == "fonds-schone-buurt")
    assert fund.eligibility is not None and fund.eligibility.max_amount_eur == 7500
    assert fund.terms.en == ()


def test_the_cli_names_the_cell_and_says_what_to_do(eval_copy: Path, workbook: Path) -> None:
    row, letters = _put_formulas(workbook, "funds", "fonds-schone-buurt",
                                 {"open until": "=TODAY()+30"})
    result = runner.invoke(app, ["knowledge", "import", str(workbook), "--into",
                                 str(eval_copy)])
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "nothing was written" in out
    assert f"funds!{letters['open until']}{row}" in out
    assert "Excel or LibreOffice" in out
    assert "Traceback" not in out


# ------------------------------------------------------------------ comments between entries


FUNDS_WITH_COMMENTS = """\
# Funds, kept by the programme team.
# Second header line.

- id: fonds-a
  name: Fonds A
  summary: {nl: Geld voor A.}
  themes: [zwerfafval]
  needs: [funding]
  regions: [nl]
  url: https://example.org/fonds

# ---- checked with the fund on 2026-10-01
# (ask Anna before changing)

- id: fonds-b
  name: Fonds B
  summary: {nl: Geld voor B.}
  themes: [zwerfafval]
  needs: [funding]
  regions: [nl]
  url: https://example.org/fonds
  # this fund may close early

# the fund below is going away
- id: fonds-c
  name: Fonds C  # renamed in 2025
  summary: {nl: "Geld voor C. # geen commentaar"}
  themes: [zwerfafval]
  needs: [funding]
  regions: [nl]
  url: https://example.org/fonds

# end of the list
"""


def test_file_comments_are_found_outside_strings() -> None:
    found = file_comments(FUNDS_WITH_COMMENTS)
    assert found.header.splitlines()[0] == "# Funds, kept by the programme team."
    assert found.before["fonds-b"] == [
        "# ---- checked with the fund on 2026-10-01", "# (ask Anna before changing)", ""]
    assert found.before["fonds-c"] == ["# the fund below is going away"]
    assert found.after["fonds-b"] == ["  # this fund may close early"]
    assert found.footer == ["# end of the list"]
    assert "# renamed in 2025" in found.all
    assert not any("geen commentaar" in c for c in found.all)  # inside a quoted string


def _minimal_map(folder: Path, eval_knowledge_dir: Path) -> None:
    """The example map with a small funds file that has comments between entries."""
    shutil.copytree(eval_knowledge_dir, folder)
    (folder / "funds.yaml").write_text(FUNDS_WITH_COMMENTS, encoding="utf-8")
    load_knowledge(folder)  # it is a valid map


def test_comments_before_entries_that_still_exist_are_kept(eval_knowledge_dir: Path,
                                                           tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    _minimal_map(folder, eval_knowledge_dir)
    book = tmp_path / "kaart.xlsx"
    export_workbook(load_knowledge(folder), book)
    wb = load_workbook(book)  # a real change, so funds.yaml is written anew
    ws = wb["funds"]
    headers = [c.value for c in ws[1]]
    ws.cell(_row(ws, "fonds-a"), headers.index("summary (en)") + 1).value = "Changed."
    wb.save(book)
    report = import_knowledge(book, folder)
    text = (folder / "funds.yaml").read_text(encoding="utf-8")
    assert "Changed." in text
    assert text.startswith("# Funds, kept by the programme team.\n# Second header line.\n")
    assert ("\n# ---- checked with the fund on 2026-10-01\n# (ask Anna before changing)\n"
            "\n- id: fonds-b\n") in text
    assert "\n  # this fund may close early\n\n# the fund below is going away\n" \
           "- id: fonds-c\n" in text
    assert text.endswith("\n# end of the list\n")
    assert isinstance(yaml.safe_load(text), list)
    # fonds-c did not change, so even its end-of-line comment stays
    assert "  name: Fonds C  # renamed in 2025\n" in text
    assert report.comments_lost == {}
    assert load_knowledge(folder).entries == report.kmap.entries


def test_a_comment_whose_entry_was_removed_is_reported_once(eval_knowledge_dir: Path,
                                                            tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    _minimal_map(folder, eval_knowledge_dir)
    book = tmp_path / "kaart.xlsx"
    export_workbook(load_knowledge(folder), book)
    wb = load_workbook(book)
    ws = wb["funds"]
    ws.delete_rows(_row(ws, "fonds-b"))
    wb.save(book)
    result = runner.invoke(app, ["knowledge", "import", str(book), "--into", str(folder)])
    assert result.exit_code == 0, result.output
    text = (folder / "funds.yaml").read_text(encoding="utf-8")
    assert "fonds-b" not in text and "checked with the fund" not in text
    assert "# the fund below is going away\n- id: fonds-c\n" in text
    out = result.output
    assert out.count("comments were not kept") == 1
    assert "funds.yaml" in out
    assert "# ---- checked with the fund on 2026-10-01" in out
    assert "# this fund may close early" in out


def test_the_example_maps_section_comments_survive_a_round_trip(eval_copy: Path,
                                                                 workbook: Path) -> None:
    def comments(folder: Path) -> dict[str, list[str]]:
        return {p.name: file_comments(p.read_text(encoding="utf-8")).all
                for p in sorted(folder.glob("*.yaml"))}

    before = comments(eval_copy)
    report = import_knowledge(workbook, eval_copy)
    assert comments(eval_copy) == before
    assert report.comments_lost == {}


def test_a_broken_or_foreign_file_in_the_folder_does_not_stop_the_import(
        eval_copy: Path, workbook: Path) -> None:
    (eval_copy / "funds.yaml").write_text("# our funds\n- id: [broken\n  # note\n",
                                          encoding="utf-8")
    (eval_copy / "networks.yaml").write_bytes("# netwerken met één fout\n- id: x\n"
                                              .encode("cp1252"))
    report = import_knowledge(workbook, eval_copy)
    assert (eval_copy / "funds.yaml").read_text(encoding="utf-8").startswith("# our funds\n")
    assert report.comments_lost == {"funds.yaml": ["# note"]}
    assert load_knowledge(eval_copy).entries == report.kmap.entries
