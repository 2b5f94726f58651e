"""Knowledge map <-> spreadsheet: the round trip is exact, problems are all reported with
sheet, row and column, and a failed import writes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from bot.cli._apps import app
from bot.knowledge_writer import KNOWLEDGE_FILES, LINE_WIDTH, render_file, scalar
from bot.sheets import (
    ImportFailed,
    SheetProblem,
    export_workbook,
    import_knowledge,
    join_list,
    sheet_rows,
    split_list,
)
from bot.sheets_schema import SHEETS
from routing.load import load_knowledge
from routing.model import KnowledgeMap
from tests.bot.folders import snapshot

runner = CliRunner()


@pytest.fixture(scope="module")
def eval_map(eval_knowledge_dir: Path) -> KnowledgeMap:
    return load_knowledge(eval_knowledge_dir)


@pytest.fixture(scope="module")
def exported(eval_map: KnowledgeMap, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "kaart.xlsx"
    export_workbook(eval_map, path)
    return path


@pytest.fixture
def workbook(exported: Path, tmp_path: Path) -> Path:
    """A fresh copy of the example map's workbook, free to edit."""
    return Path(shutil.copy(exported, tmp_path / "kaart.xlsx"))


def _header_index(ws: Worksheet, header: str) -> int:
    return [c.value for c in ws[1]].index(header) + 1


def _row_of(ws: Worksheet, ident: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == ident)


# ------------------------------------------------------------------ round trip


def test_round_trip_of_the_example_map_is_exact(eval_map: KnowledgeMap, workbook: Path,
                                                tmp_path: Path) -> None:
    original = eval_map
    into = tmp_path / "imported"
    report = import_knowledge(workbook, into)
    assert load_knowledge(into) == original
    assert report.kmap == original
    assert report.counts["funds"] == sum(e.kind == "fund" for e in original.entries)


def test_round_trip_of_the_repo_map_is_exact(repo_knowledge_dir: Path, tmp_path: Path) -> None:
    if not all((repo_knowledge_dir / name).is_file() for name in KNOWLEDGE_FILES):
        pytest.skip("the repo's knowledge/ is not complete yet")
    original = load_knowledge(repo_knowledge_dir)
    export_workbook(original, tmp_path / "repo.xlsx")
    import_knowledge(tmp_path / "repo.xlsx", tmp_path / "imported")
    assert load_knowledge(tmp_path / "imported") == original


def _write_csvs(workbook: Path, folder: Path) -> None:
    folder.mkdir()
    wb = load_workbook(workbook)
    for ws in wb.worksheets:
        with (folder / f"{ws.title}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            for row in ws.iter_rows(values_only=True):
                writer.writerow(["" if v is None else
                                 v.date().isoformat() if isinstance(v, dt.datetime) else v
                                 for v in row])


def test_a_folder_and_a_zip_of_csv_files_round_trip_too(eval_map: KnowledgeMap,
                                                        workbook: Path, tmp_path: Path) -> None:
    original = eval_map
    folder = tmp_path / "csv"
    _write_csvs(workbook, folder)
    import_knowledge(folder, tmp_path / "from-folder")
    assert load_knowledge(tmp_path / "from-folder") == original
    archive = tmp_path / "kaart.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in folder.iterdir():
            zf.write(path, f"kaart/{path.name}")
    import_knowledge(archive, tmp_path / "from-zip")
    assert load_knowledge(tmp_path / "from-zip") == original


def test_the_workbook_is_readable_for_people(workbook: Path) -> None:
    wb = load_workbook(workbook)
    assert wb.sheetnames == ["read me", *[s.title for s in SHEETS]]
    funds = wb["funds"]
    headers = [c.value for c in funds[1]]
    assert headers[:4] == ["id", "name", "summary (nl)", "summary (en)"]
    row = _row_of(funds, "fonds-schone-buurt")
    assert funds.cell(row, _header_index(funds, "themes")).value == "zwerfafval, circulair"
    until = funds.cell(row, _header_index(funds, "open until")).value
    assert isinstance(until, dt.datetime) and until.date() == dt.date(2026, 12, 31)
    assert funds.cell(row, _header_index(funds, "max amount (EUR)")).value == 5000


def test_written_yaml_follows_the_format_and_keeps_the_header(eval_copy: Path,
                                                              workbook: Path) -> None:
    header_before = (eval_copy / "funds.yaml").read_text().splitlines()[0]
    import_knowledge(workbook, eval_copy)
    text = (eval_copy / "funds.yaml").read_text()
    assert text.splitlines()[0] == header_before
    assert "\n- id: fonds-schone-buurt\n  name: Fonds Schone Buurt\n" in text
    assert "  open: {from: 2026-01-01, until: 2026-12-31}\n" in text
    assert "  themes: [zwerfafval, circulair]\n" in text
    for name in KNOWLEDGE_FILES:
        assert isinstance(yaml.safe_load((eval_copy / name).read_text()), list)


def test_a_single_csv_replaces_only_its_sheet(eval_copy: Path, workbook: Path,
                                             tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    _write_csvs(workbook, folder)
    lines = (folder / "networks.csv").read_text(encoding="utf-8").splitlines()
    removed = lines[1].split(",")[0]
    (tmp_path / "networks.csv").write_text("\n".join([lines[0], *lines[2:]]) + "\n",
                                           encoding="utf-8")
    before = load_knowledge(eval_copy)
    import_knowledge(tmp_path / "networks.csv", eval_copy)
    after = load_knowledge(eval_copy)
    assert removed not in {e.id for e in after.entries}
    assert len(after.entries) == len(before.entries) - 1
    assert after.servants == before.servants and after.themes == before.themes


# ------------------------------------------------------------------ problems


def test_every_problem_is_reported_and_nothing_is_written(eval_copy: Path, workbook: Path,
                                                          tmp_path: Path) -> None:
    wb = load_workbook(workbook)
    funds, networks, servants = wb["funds"], wb["networks"], wb["civil servants"]
    r1 = _row_of(funds, "fonds-schone-buurt")
    funds.cell(r1, _header_index(funds, "themes")).value = "zwerfafvl, circulair"
    funds.cell(r1, _header_index(funds, "open until")).value = "31-02-2026"
    r2 = _row_of(networks, "greenwish")
    networks.cell(r2, _header_index(networks, "summary (nl)")).value = None
    networks.cell(r2, _header_index(networks, "needs")).value = "netwerk"
    r3 = 2
    servants.cell(r3, _header_index(servants, "regions")).value = "Utrech"
    servants.cell(r3 + 1, 1).value = servants.cell(r3, 1).value  # duplicate id
    funds.cell(r1 + 1, 1).value = "Fonds Met Hoofdletters"
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)

    before = snapshot(eval_copy)
    with pytest.raises(ImportFailed) as caught:
        import_knowledge(broken, eval_copy)
    assert snapshot(eval_copy) == before
    assert sorted(p.name for p in eval_copy.parent.iterdir()) == ["broken.xlsx", "kaart.xlsx",
                                                                  "knowledge"]

    problems = {(p.sheet, p.row, p.column): p.message for p in caught.value.problems
                if p.severity == "error"}
    assert "did you mean 'zwerfafval'?" in problems[("funds", r1, "themes")]
    assert "is not a date" in problems[("funds", r1, "open until")]
    assert "Dutch" in problems[("networks", r2, "summary (nl)")]
    assert "did you mean 'network'?" in problems[("networks", r2, "needs")]
    assert "did you mean 'utrecht'?" in problems[("civil servants", r3, "regions")]
    assert "already used" in problems[("civil servants", r3 + 1, "id")]
    assert "did you mean 'fonds-met-hoofdletters'?" in problems[("funds", r1 + 1, "id")]
    assert all(p.row is not None for p in caught.value.problems if p.severity == "error")


def test_unknown_and_missing_columns_and_sheets_are_named(workbook: Path,
                                                          tmp_path: Path) -> None:
    wb = load_workbook(workbook)
    wb["funds"].cell(1, _header_index(wb["funds"], "summary (en)")).value = "sumary (en)"
    wb["themes"].delete_cols(_header_index(wb["themes"], "label (nl)"))
    del wb["needs"]
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    with pytest.raises(ImportFailed) as caught:
        import_knowledge(broken, tmp_path / "out")
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "sheet 'funds', row 1, column 'sumary (en)': Wegwijs does not know this column; " \
        "did you mean 'summary (en)'?" in text
    assert "sheet 'themes', row 1, column 'label (nl)': this column is missing" in text
    assert "sheet 'needs': this sheet is missing" in text
    assert not (tmp_path / "out").exists()


def test_problems_found_by_the_loader_point_at_row_and_column(workbook: Path,
                                                              tmp_path: Path) -> None:
    wb = load_workbook(workbook)
    regions, funds = wb["regions"], wb["funds"]
    row = _row_of(regions, "noord-brabant")
    regions.cell(row, _header_index(regions, "municipality aliases")).value = \
        "Den Bosch = Den Bosk"
    fund_row = _row_of(funds, "fonds-schone-buurt")
    funds.cell(fund_row, _header_index(funds, "stages")).value = "idea, groeien"
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    with pytest.raises(ImportFailed) as caught:
        import_knowledge(broken, tmp_path / "out")
    found = {(p.sheet, p.row, p.column): p.message for p in caught.value.problems}
    # one round reports both: the alias target is the loader's check, the stage ours
    assert "Den Bosk" in found[("regions", row, "municipality aliases")]
    assert "unknown stage 'groeien'" in found[("funds", fund_row, "stages")]


def test_progress_is_reported(workbook: Path, tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    import_knowledge(workbook, tmp_path / "out", progress=lambda *a: seen.append(a))
    phases = [p for p, _, _ in seen]
    assert phases[0] == "reading" and "checking rows" in phases and phases[-1] == "writing"
    checking = [(done, total) for phase, done, total in seen if phase == "checking rows"]
    assert [d for d, _ in checking] == list(range(1, len(checking) + 1))
    assert checking[-1][0] == checking[-1][1] > 100


# ------------------------------------------------------------------ cells


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_survives_the_yaml_writer(text: str) -> None:
    assert yaml.safe_load(f"key: {scalar(text)}") == {"key": text}
    assert yaml.safe_load(f"[{scalar(text)}]") == [text]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1).map(str.strip).filter(bool)))
def test_any_list_survives_a_cell(items: list[str]) -> None:
    clean = [" ".join(i.split()) for i in items if " ".join(i.split())]
    assert split_list(join_list(clean)) == clean


def test_sheet_problem_reads_like_a_sentence() -> None:
    p = SheetProblem("funds", 7, "themes", "unknown theme 'x'")
    assert str(p) == "sheet 'funds', row 7, column 'themes': unknown theme 'x'"


def test_every_sheet_has_rows_for_the_example(eval_map: KnowledgeMap) -> None:
    rows = sheet_rows(eval_map)
    assert {key for key, (_, r) in rows.items() if r} == {s.key for s in SHEETS}


# ------------------------------------------------------------------ command line


def test_cli_export_then_import(eval_knowledge_dir: Path, eval_map: KnowledgeMap,
                                tmp_path: Path) -> None:
    out = tmp_path / "kaart.xlsx"
    done = runner.invoke(app, ["knowledge", "export", str(eval_knowledge_dir), "--to", str(out)])
    assert done.exit_code == 0, done.output
    assert "funds" in done.output and out.is_file()
    done = runner.invoke(app, ["knowledge", "import", str(out), "--into",
                               str(tmp_path / "k")])
    assert done.exit_code == 0, done.output
    assert load_knowledge(tmp_path / "k") == eval_map


def test_cli_import_errors_exit_1_with_the_list(workbook: Path, tmp_path: Path) -> None:
    wb = load_workbook(workbook)
    wb["funds"].cell(2, _header_index(wb["funds"], "regions")).value = "gelderlnd"
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    done = runner.invoke(app, ["knowledge", "import", str(broken), "--into",
                               str(tmp_path / "k")])
    assert done.exit_code == 1
    assert "nothing was written" in done.output
    assert "sheet 'funds', row 2, column 'regions'" in done.output
    assert "did you mean 'gelderland'?" in done.output
    assert "Traceback" not in done.output
    assert not (tmp_path / "k").exists()


def test_cli_rejects_a_file_it_cannot_read(tmp_path: Path) -> None:
    bad = tmp_path / "kaart.xlsx"
    bad.write_bytes(b"not a workbook")
    done = runner.invoke(app, ["knowledge", "import", str(bad), "--into", str(tmp_path / "k")])
    assert done.exit_code == 1
    assert "Traceback" not in done.output and "nothing was written" in done.output
    assert "cannot be read as an .xlsx workbook" in done.output


def test_a_dutch_excel_csv_with_semicolons_and_windows_encoding(eval_copy: Path,
                                                                workbook: Path,
                                                                tmp_path: Path) -> None:
    """What "Opslaan als CSV (puntkomma)" in a Dutch Excel produces."""
    ws = load_workbook(workbook)["networks"]
    row = _row_of(ws, "greenwish")
    ws.cell(row, _header_index(ws, "name")).value = "Greenwish Café"
    path = tmp_path / "networks.csv"
    with path.open("w", newline="", encoding="cp1252") as fh:
        writer = csv.writer(fh, delimiter=";")
        for values in ws.iter_rows(values_only=True):
            writer.writerow(["" if v is None else v for v in values])
    import_knowledge(path, eval_copy)
    assert load_knowledge(eval_copy).entry("greenwish").name == "Greenwish Café"


def test_cli_export_explains_what_is_wrong(eval_copy: Path, tmp_path: Path) -> None:
    done = runner.invoke(app, ["knowledge", "export", str(eval_copy), "--to",
                               str(tmp_path / "kaart.csv")])
    assert done.exit_code == 1 and ".xlsx" in done.output
    (eval_copy / "needs.yaml").write_text("- id: [kapot\n", encoding="utf-8")
    done = runner.invoke(app, ["knowledge", "export", str(eval_copy), "--to",
                               str(tmp_path / "kaart.xlsx")])
    assert done.exit_code == 1 and "needs.yaml" in done.output
    assert "Traceback" not in done.output and not (tmp_path / "kaart.xlsx").exists()


def test_a_long_list_of_terms_wraps_like_a_hand_written_map() -> None:
    terms = [f"term nummer {i}" for i in range(30)]
    text, _starts = render_file([{"id": "t", "label": {"nl": "T"}, "terms": {"nl": terms}}],
                                "header")
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= LINE_WIDTH
    assert sum(line.lstrip().startswith("nl: [") for line in lines) == 1
    assert yaml.safe_load(text)[0]["terms"]["nl"] == terms
