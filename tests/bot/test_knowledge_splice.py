"""An import changes only what changed: a one-cell edit in the spreadsheet is a one-line
change in the git diff of the map, comments and hand layout elsewhere stay, and what is
written always loads back as exactly the imported map."""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import functools
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli._apps import app
from bot.knowledge_splice import keep_unchanged_text, splice_file
from bot.knowledge_writer import Record, map_to_records, render_file
from bot.sheets import ImportFailed, export_workbook, import_knowledge
from routing.load import FILES, check_texts, load_knowledge
from routing.model import KnowledgeMap
from tests.bot.folders import snapshot

runner = CliRunner()
FUND = "fonds-schone-buurt"


# ------------------------------------------------------------------ helpers


@pytest.fixture
def workbook(exported: Path, tmp_path: Path) -> Path:
    """A fresh copy of the example map's workbook, free to edit."""
    return Path(shutil.copy(exported, tmp_path / "kaart.xlsx"))


def _edit(workbook: Path, sheet: str, ident: str, values: dict[str, Any]) -> None:
    """Type ``values`` (by column header) into the row of ``ident``."""
    wb = load_workbook(workbook)
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == ident)
    for header, value in values.items():
        ws.cell(row, headers.index(header) + 1).value = value
    wb.save(workbook)
    wb.close()


def _add_row(workbook: Path, sheet: str, values: dict[str, Any], after: str | None = None) -> None:
    """A new row at the end, or right below the row of ``after``."""
    wb = load_workbook(workbook)
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    if after is None:
        row = ws.max_row + 1
    else:
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == after) + 1
        ws.insert_rows(row)
    for header, value in values.items():
        ws.cell(row, headers.index(header) + 1).value = value
    wb.save(workbook)
    wb.close()


def _delete_row(workbook: Path, sheet: str, ident: str) -> None:
    wb = load_workbook(workbook)
    ws = wb[sheet]
    ws.delete_rows(next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == ident))
    wb.save(workbook)
    wb.close()


def _changes(before: str, after: str) -> list[str]:
    """The diff's changed lines, ``-old`` and ``+new``, as ``git diff`` shows them."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def _entry_block(text: str, ident: str) -> list[str]:
    """The lines of the item ``ident`` (from its dash to its last line of content)."""
    lines = text.splitlines()
    start = lines.index(f"- id: {ident}")
    end = start + 1
    while end < len(lines) and lines[end].startswith(" "):
        end += 1
    return lines[start:end]


def _check_passes(folder: Path) -> None:
    result = runner.invoke(app, ["knowledge", "check", str(folder), "--today", "2026-11-23"])
    assert result.exit_code == 0, result.output


def _import(workbook: Path, folder: Path) -> tuple[dict[str, str], dict[str, str], Any]:
    """Import; the folder's texts before and after, and the report."""
    before = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.yaml")}
    report = import_knowledge(workbook, folder)
    after = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.yaml")}
    assert load_knowledge(folder) == report.kmap  # what was written is what was imported
    _check_passes(folder)
    return before, after, report


# ------------------------------------------------------------------ one cell, one line


def test_a_changed_deadline_is_one_changed_line(eval_copy: Path, workbook: Path) -> None:
    _edit(workbook, "funds", FUND, {"open until": dt.datetime(2027, 3, 31)})
    before, after, report = _import(workbook, eval_copy)
    assert _changes(before["funds.yaml"], after["funds.yaml"]) == [
        "-  open: {from: 2026-01-01, until: 2026-12-31}",
        "+  open: {from: 2026-01-01, until: 2027-03-31}",
    ]
    assert {name for name in before if after[name] != before[name]} == {"funds.yaml"}
    assert report.kmap.entry(FUND).window.until == dt.date(2027, 3, 31)
    assert report.comments_lost == {}


def test_a_file_saved_with_windows_line_ends_keeps_them(eval_copy: Path,
                                                        workbook: Path) -> None:
    """A map folder edited on Windows (CRLF): an import changes one line, not all."""
    funds = eval_copy / "funds.yaml"
    funds.write_bytes(funds.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    raw_before = funds.read_bytes()
    _edit(workbook, "funds", FUND, {"open until": dt.datetime(2027, 3, 31)})
    _before, _after, report = _import(workbook, eval_copy)
    raw_after = funds.read_bytes()
    assert raw_after.count(b"\r\n") == raw_before.count(b"\r\n")
    assert b"\n" not in raw_after.replace(b"\r\n", b"")  # no bare line end crept in
    changed = [(a, b) for a, b in zip(raw_before.split(b"\r\n"), raw_after.split(b"\r\n"),
                                      strict=True) if a != b]
    assert changed == [(b"  open: {from: 2026-01-01, until: 2026-12-31}",
                        b"  open: {from: 2026-01-01, until: 2027-03-31}")]
    assert report.kmap.entry(FUND).window.until == dt.date(2027, 3, 31)
    # a file written with plain line ends stays so
    assert b"\r\n" not in (eval_copy / "themes.yaml").read_bytes()


def test_a_changed_amount_keeps_the_eligibility_block_as_it_was(eval_copy: Path,
                                                                workbook: Path) -> None:
    """Only the amount changes: the block keeps its layout and its notes their quotes."""
    _edit(workbook, "funds", FUND, {"max amount (EUR)": 6000})
    before, after, _report = _import(workbook, eval_copy)
    assert _changes(before["funds.yaml"], after["funds.yaml"]) == [
        "-    max_amount_eur: 5000", "+    max_amount_eur: 6000"]


def test_a_changed_term_changes_only_that_list(eval_copy: Path, workbook: Path) -> None:
    """The other language's list, the label and the other themes stay as written."""
    wb = load_workbook(workbook, read_only=True)
    ws = wb["themes"]
    headers = [c.value for c in next(ws.iter_rows(max_row=1))]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "zwerfafval")
    terms_en = str(row[headers.index("terms (en)")])
    wb.close()
    _edit(workbook, "themes", "zwerfafval", {"terms (en)": terms_en + ", soda cans"})
    before, after, report = _import(workbook, eval_copy)
    changes = _changes(before["themes.yaml"], after["themes.yaml"])
    removed = [c for c in changes if c.startswith("-")]
    added = [c[1:] for c in changes if c.startswith("+")]
    old_en = next(line for line in _entry_block(before["themes.yaml"], "zwerfafval")
                  if line.startswith("    en: "))
    assert removed == ["-" + old_en]
    assert added[0].startswith("    en: [litter, ")  # written again, wrapped if it is long
    assert yaml.safe_load("\n".join(added))["en"][-1] == "soda cans"
    assert "soda cans" in report.kmap.theme("zwerfafval").terms.en


def test_a_term_list_wrapped_by_hand_stays_wrapped(repo_knowledge_dir: Path,
                                                   tmp_path: Path) -> None:
    """The starter map wraps its long term lists by hand; a change to a theme's label
    leaves them as they are (the writer would rewrap them)."""
    folder = tmp_path / "knowledge"
    shutil.copytree(repo_knowledge_dir, folder)
    kmap = load_knowledge(folder)
    book = tmp_path / "kaart.xlsx"
    export_workbook(kmap, book)
    theme = kmap.themes[0]
    _edit(book, "themes", theme.id, {"label (en)": f"{theme.label.en} (changed)"})
    before, after, _report = _import(book, folder)
    changes = _changes(before["themes.yaml"], after["themes.yaml"])
    assert len(changes) == 2 and changes[0].startswith("-  label: ")
    assert "(changed)" in changes[1]


# ------------------------------------------------------------------ comments


COMMENTED = {
    "  url: https://example.org/fondsen/fonds-schone-buurt":
        "  url: https://example.org/fondsen/fonds-schone-buurt  # checked 2026-10-01",
    "  open: {from: 2026-01-01, until: 2026-12-31}":
        "  # the dates were agreed with the fund by phone\n"
        "  open: {from: 2026-01-01, until: 2026-12-31}",
    "    max_amount_eur: 5000":
        "    # raised once already, in 2025\n    max_amount_eur: 5000",
    "- id: stimuleringsfonds-schone-lucht":
        "# ask Anna before changing this one\n- id: stimuleringsfonds-schone-lucht",
}


def _commented_map(folder: Path, book: Path) -> None:
    """The example map with the ``COMMENTED`` comments in its first three funds, and
    its workbook."""
    funds = folder / "funds.yaml"
    text = funds.read_text(encoding="utf-8")
    start = text.index(f"- id: {FUND}\n")
    end = text.index("\n- id: meetfonds-burgerwetenschap")  # three entries
    part = text[start:end]
    for plain, commented in COMMENTED.items():
        assert part.count(plain) == 1
        part = part.replace(plain, commented)
    funds.write_text(text[:start] + part + text[end:], encoding="utf-8")
    export_workbook(load_knowledge(folder), book)


def test_comments_inside_a_changed_entry_survive(eval_copy: Path, tmp_path: Path) -> None:
    book = tmp_path / "kaart.xlsx"
    _commented_map(eval_copy, book)
    _edit(book, "funds", FUND, {"open until": dt.datetime(2027, 3, 31),
                                "max amount (EUR)": 6000, "url": "https://example.org/sb"})
    before, after, report = _import(book, eval_copy)
    new = after["funds.yaml"]
    assert "  # the dates were agreed with the fund by phone\n" \
           "  open: {from: 2026-01-01, until: 2027-03-31}\n" in new
    assert "    # raised once already, in 2025\n    max_amount_eur: 6000\n" in new
    assert "# ask Anna before changing this one\n- id: stimuleringsfonds-schone-lucht" in new
    assert _changes(before["funds.yaml"], new) == [
        "-  url: https://example.org/fondsen/fonds-schone-buurt  # checked 2026-10-01",
        "+  url: https://example.org/sb",
        "-    max_amount_eur: 5000",
        "+    max_amount_eur: 6000",
        "-  open: {from: 2026-01-01, until: 2026-12-31}",
        "+  open: {from: 2026-01-01, until: 2027-03-31}",
    ]
    # the end-of-line comment was on the line that changed: the one comment lost, said so
    assert report.comments_lost == {"funds.yaml": ["# checked 2026-10-01"]}


# ------------------------------------------------------------------ rows removed and added


def test_a_removed_row_removes_exactly_that_entry(eval_copy: Path, workbook: Path) -> None:
    gone = "actiefonds-schoon-nederland"
    block = _entry_block((eval_copy / "funds.yaml").read_text(encoding="utf-8"), gone)
    _delete_row(workbook, "funds", gone)
    before, after, report = _import(workbook, eval_copy)
    changes = _changes(before["funds.yaml"], after["funds.yaml"])
    assert all(c.startswith("-") for c in changes)
    assert sorted(c[1:] for c in changes) == sorted([*block, ""])  # and one blank line
    assert gone not in after["funds.yaml"]
    assert gone not in {e.id for e in report.kmap.entries}


def test_a_comment_right_above_a_removed_entry_goes_with_it(eval_copy: Path,
                                                           tmp_path: Path) -> None:
    book = tmp_path / "kaart.xlsx"
    _commented_map(eval_copy, book)
    gone = "stimuleringsfonds-schone-lucht"
    _delete_row(book, "funds", gone)
    before, after, report = _import(book, eval_copy)
    changes = _changes(before["funds.yaml"], after["funds.yaml"])
    assert sorted(c[1:] for c in changes) == sorted(
        ["", "# ask Anna before changing this one", *_entry_block(before["funds.yaml"], gone)])
    assert all(c.startswith("-") for c in changes)
    assert report.comments_lost == {"funds.yaml": ["# ask Anna before changing this one"]}
    assert "# the dates were agreed with the fund by phone" in after["funds.yaml"]


def test_removing_the_first_entry_of_a_section_keeps_its_heading(eval_copy: Path,
                                                                 workbook: Path) -> None:
    heading = "# " + "-" * 64 + " provincial"
    text = (eval_copy / "funds.yaml").read_text(encoding="utf-8")
    first = text.split(heading + "\n\n- id: ", 1)[1].split("\n", 1)[0]
    second = text.split(f"- id: {first}\n", 1)[1].split("\n- id: ", 1)[1].split("\n", 1)[0]
    _delete_row(workbook, "funds", first)
    before, after, _report = _import(workbook, eval_copy)
    assert f"{heading}\n\n- id: {second}\n" in after["funds.yaml"]
    removed = [c[1:] for c in _changes(before["funds.yaml"], after["funds.yaml"])]
    assert sorted(removed) == sorted([*_entry_block(text, first), ""])


def test_an_added_row_adds_one_entry(eval_copy: Path, workbook: Path) -> None:
    _add_row(workbook, "funds", {"id": "fonds-nieuw", "name": "Fonds Nieuw",
                                 "summary (nl)": "Geld voor iets nieuws.", "needs": "funding",
                                 "regions": "utrecht", "url": "https://example.org/nieuw"})
    _add_row(workbook, "funds", {"id": "fonds-ertussen", "name": "Fonds Ertussen",
                                 "summary (nl)": "Geld voor iets anders.", "needs": "funding",
                                 "regions": "nl", "url": "https://example.org/ertussen"},
             after=FUND)
    before, after, report = _import(workbook, eval_copy)
    changes = _changes(before["funds.yaml"], after["funds.yaml"])
    assert all(c.startswith("+") for c in changes)
    new = after["funds.yaml"]
    added = yaml.safe_load(new[new.index("- id: fonds-nieuw"):])
    assert added == [{"id": "fonds-nieuw", "name": "Fonds Nieuw",
                      "summary": {"nl": "Geld voor iets nieuws."}, "themes": [],
                      "needs": ["funding"], "regions": ["utrecht"],
                      "url": "https://example.org/nieuw"}]
    # the row put below fonds-schone-buurt in the sheet comes right after it in the file
    assert "\n".join(_entry_block(before["funds.yaml"], FUND)) \
        + "\n\n- id: fonds-ertussen\n" in new
    assert [e.id for e in report.kmap.entries if e.kind == "fund"][1] == "fonds-ertussen"
    assert len([c for c in changes if c == "+"]) == 2  # one blank line before each


def test_a_broken_spreadsheet_still_changes_nothing(eval_copy: Path, workbook: Path) -> None:
    """Not new: a valid edit next to an invalid one writes nothing at all."""
    _edit(workbook, "funds", FUND, {"open until": dt.datetime(2027, 3, 31)})
    _edit(workbook, "funds", "actiefonds-schoon-nederland", {"max amount (EUR)": "veel"})
    before = snapshot(eval_copy)
    with pytest.raises(ImportFailed):
        import_knowledge(workbook, eval_copy)
    assert snapshot(eval_copy) == before


# ------------------------------------------------------------------ what must load back


def test_an_entry_kept_as_written_that_no_longer_loads_is_written_anew(
        eval_copy: Path, tmp_path: Path) -> None:
    """A contact point names a municipality by an alias; the spreadsheet drops the
    alias. The entry itself did not change, but its old text would not load any more:
    it is written anew (the rest of the file stays), and the map on disk loads."""
    regions = eval_copy / "regions.yaml"
    text = regions.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if "'s-Hertogenbosch\"" in x)
    regions.write_text(text.replace(
        line, line + "\n  municipality_aliases: {Den Bosch: \"'s-Hertogenbosch\"}"),
        encoding="utf-8")
    points = eval_copy / "contact_points.yaml"
    text = points.read_text(encoding="utf-8")
    assert text.count("\"'s-Hertogenbosch\"") == 1
    points.write_text(text.replace("\"'s-Hertogenbosch\"", "Den Bosch"), encoding="utf-8")
    kmap = load_knowledge(eval_copy)
    ident = next(e.id for e in kmap.entries if "'s-Hertogenbosch" in e.municipalities)
    book = tmp_path / "kaart.xlsx"
    export_workbook(kmap, book)
    region = next(r.id for r in kmap.regions if r.municipality_aliases)
    _edit(book, "regions", region, {"municipality aliases": None})
    before, after, report = _import(book, eval_copy)
    assert "Den Bosch" not in after["contact_points.yaml"]
    assert report.kmap.entry(ident).municipalities == kmap.entry(ident).municipalities
    changed = _changes(before["contact_points.yaml"], after["contact_points.yaml"])
    entry_lines = set(_entry_block(before["contact_points.yaml"], ident))
    assert {c[1:] for c in changed if c.startswith("-")} <= entry_lines


# ------------------------------------------------------------------ the splice itself


ODD_FUNDS = """\
# Funds, written by hand in odd ways.

  - id: fonds-a
    url: https://example.org/a   # the url first, by habit
    name: Fonds A
    summary: {nl: Geld voor A.}
    needs: [funding]
    regions: [nl]
    internal_note: not read by Wegwijs, kept

  -
    id: fonds-b
    name: Fonds B
    summary:
      nl: |
        Geld voor B.

        Ook voor # dit, geen commentaar.
    needs: [funding]
    regions: [nl]
    url: https://example.org/b
  # the fund below is going away
  - id: fonds-c
    name: Fonds C
    summary: {nl: Geld voor C.}
    needs: [funding]
    regions: [nl]
    url: https://example.org/c

# end of the list
"""


def _texts_with(eval_knowledge_dir: Path, funds: str) -> dict[str, str]:
    texts = {name: (eval_knowledge_dir / name).read_text(encoding="utf-8") for name in FILES}
    texts["funds.yaml"] = funds
    return texts


def _load(texts: dict[str, str]) -> KnowledgeMap:
    kmap, problems = check_texts(texts)
    assert kmap is not None, [str(p) for p in problems if p.severity == "error"]
    return kmap


def test_odd_hand_written_layouts_are_edited_in_place(eval_knowledge_dir: Path) -> None:
    texts = _texts_with(eval_knowledge_dir, ODD_FUNDS)
    old = map_to_records(_load(texts))["funds.yaml"]
    new = copy.deepcopy(old)
    new[0]["name"] = "Fonds Aa"
    new[0]["stages"] = ["idea"]
    new[1]["summary"]["en"] = "Money for B."
    del new[2]
    spliced = splice_file(ODD_FUNDS, old, new)
    assert map_to_records(_load({**texts, "funds.yaml": spliced}))["funds.yaml"] == new
    assert spliced == ODD_FUNDS.replace("    name: Fonds A\n", "    name: Fonds Aa\n").replace(
        "    regions: [nl]\n    internal_note", "    regions: [nl]\n    stages: [idea]\n"
        "    internal_note").replace(
        "        Ook voor # dit, geen commentaar.\n",
        "        Ook voor # dit, geen commentaar.\n      en: Money for B.\n").replace(
        ODD_FUNDS[ODD_FUNDS.index("  # the fund below"):ODD_FUNDS.index("\n# end")], "")


_ACTIONS = ("until", "amount", "no-elig", "terms", "name", "drop", "add", "move",
            "no-stages", "notes")
_EDITS = st.lists(st.tuples(st.sampled_from(_ACTIONS), st.integers(0, 60), st.integers(0, 60)),
                  min_size=1, max_size=6)


def _edited(old: list[Record], edits: list[tuple[str, int, int]]) -> list[Record]:
    """The funds' records after edits a spreadsheet could make: (what, which row, a number)."""
    new = copy.deepcopy(old)
    for k, (what, row, n) in enumerate(edits):
        i = row % len(new)
        rec = new[i]
        if what == "until":
            rec["open"] = {"until": dt.date(2027, 1, 1) + dt.timedelta(n)}
        elif what == "amount":
            rec.setdefault("eligibility", {})["max_amount_eur"] = 100 + n
        elif what == "no-elig":
            rec.pop("eligibility", None)
        elif what == "terms":
            rec["terms"] = {"en": ["word", f"word {n}"]}
        elif what == "name":
            rec["name"] = f"{rec['name']}: {('nieuw', '#1', 'no')[n % 3]}"
        elif what == "drop" and len(new) > 1:
            del new[i]
        elif what == "add":
            new.insert(i, {"id": f"fonds-nieuw-{k}", "name": "Nieuw",
                           "summary": {"nl": "Nieuw."}, "themes": [], "needs": ["funding"],
                           "regions": ["nl"], "url": "https://example.org/n"})
        elif what == "move":
            new.insert(n % len(new), new.pop(i))
        elif what == "no-stages":
            rec.pop("stages", None)
        elif what == "notes":
            rec.setdefault("eligibility", {})["notes"] = {"nl": "Let op: nieuw."}
    return new


@functools.cache
def _texts_of(folder: Path) -> dict[str, str]:
    return {name: (folder / name).read_text(encoding="utf-8") for name in FILES}


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(edits=_EDITS)
def test_a_spliced_file_loads_as_the_new_records_and_keeps_the_rest(
        edits: list[tuple[str, int, int]], eval_knowledge_dir: Path) -> None:
    """Whatever the edits, the spliced text loads back as exactly the new records (no
    fallback needed), and every item not touched keeps its text."""
    eval_texts = _texts_of(eval_knowledge_dir)
    old_text = eval_texts["funds.yaml"]
    before = _load(eval_texts)
    old = map_to_records(before)["funds.yaml"]
    new = _edited(old, edits)
    written, _starts = render_file(new, "# funds")
    after = _load({**eval_texts, "funds.yaml": written})
    new = map_to_records(after)["funds.yaml"]  # as an import has them: fields in order
    spliced = splice_file(old_text, old, new)
    assert _load({**eval_texts, "funds.yaml": spliced}) == after
    unchanged = [r["id"] for r in new if r in old]
    for ident in unchanged:
        block = "\n".join(_entry_block(old_text, ident))
        assert block in spliced
    # the whole import does the same, and keeps the other files as they are
    out = keep_unchanged_text({**eval_texts, "funds.yaml": written}, eval_texts, before,
                              after)
    assert out["funds.yaml"] == spliced
    assert {n for n in FILES if out[n] != eval_texts[n]} <= {"funds.yaml"}
