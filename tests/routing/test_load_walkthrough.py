"""What programme staff see when they break a map file by hand (a walkthrough).

Each test is a mistake a person makes in a text editor; the check must name the file and
line and say in plain words what to do, and a file that cannot be read must never load.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from routing.load import Problem, check_knowledge


@pytest.fixture
def folder(eval_knowledge_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(eval_knowledge_dir, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def test_file_saved_in_another_encoding_never_loads_as_empty(folder: Path) -> None:
    funds = folder / "funds.yaml"
    funds.write_bytes(funds.read_bytes() + "\n# café\n".encode("cp1252"))
    kmap, problems = check_knowledge(folder)
    assert kmap is None, "a map without its funds must not go live"
    assert [str(p) for p in problems] == ["funds.yaml: this file is not UTF-8 text; save it as UTF-8"]


def test_missing_needs_file_is_one_problem_not_one_per_entry(folder: Path) -> None:
    (folder / "needs.yaml").unlink()
    kmap, problems = check_knowledge(folder)
    assert kmap is None
    assert [str(p) for p in _errors(problems)] == [
        "needs.yaml: this file is missing from the knowledge folder"]


def test_unclosed_list_in_themes_file_does_not_flood_with_unknown_themes(folder: Path) -> None:
    _edit(folder / "themes.yaml", "- id: ", "- id: [broken\n  x: ")
    kmap, problems = check_knowledge(folder)
    assert kmap is None
    assert [p.file for p in _errors(problems)] == ["themes.yaml"]


def test_indented_field_gets_a_plain_sentence(folder: Path) -> None:
    _edit(folder / "funds.yaml", "\n  name: Fonds Schone Buurt", "\n   name: Fonds Schone Buurt")
    _kmap, problems = check_knowledge(folder)
    (problem,) = problems
    assert problem.file == "funds.yaml" and problem.line is not None
    assert "a line is indented more or less than the fields around it" in problem.message


def test_tab_at_the_start_of_a_line_is_named(folder: Path) -> None:
    _edit(folder / "funds.yaml", "\n  themes: [zwerfafval, circulair]",
          "\n\tthemes: [zwerfafval, circulair]")
    _kmap, problems = check_knowledge(folder)
    (problem,) = problems
    lines = (folder / "funds.yaml").read_text(encoding="utf-8").splitlines()
    assert problem.line is not None and "\t" in lines[problem.line - 1]
    assert "indent with spaces, not tabs" in problem.message


def test_quote_never_closed_is_named(folder: Path) -> None:
    path = folder / "networks.yaml"
    path.write_text(path.read_text(encoding="utf-8")
                    + '\n- id: nieuw-netwerk\n  name: "Nieuw netwerk\n', encoding="utf-8")
    _kmap, problems = check_knowledge(folder)
    (problem,) = problems
    assert problem.file == "networks.yaml"
    assert "a quote (\" or ') is opened but never closed" in problem.message
