"""``wegwijs report`` typed the way a programme officer types it (a walkthrough)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli._apps import app
from bot.db import make_engine
from tests.bot.report.seed import seed

runner = CliRunner()


@pytest.fixture
def desk_db(tmp_path: Path) -> str:
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    seed(engine, questions=20, cases=5)
    engine.dispose()
    return f"sqlite:///{tmp_path / 'desk.db'}"


def _report(*args: str) -> tuple[int, str]:
    done = runner.invoke(app, ["report", *args])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    return done.exit_code, done.output


def test_a_folder_as_out_gets_the_report_inside_it(tmp_path: Path, desk_db: str) -> None:
    folder = tmp_path / "rapporten"
    folder.mkdir()
    code, output = _report("--out", str(folder), "--database-url", desk_db)
    assert code == 0, output
    assert (folder / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in folder.iterdir()] == ["report.html"]


def test_an_out_path_that_cannot_be_written_is_a_sentence(tmp_path: Path, desk_db: str) -> None:
    blocker = tmp_path / "rapport"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    code, output = _report("--out", str(blocker / "r.html"), "--database-url", desk_db)
    assert code == 1
    assert f"Cannot write {blocker / 'r.html'}" in output and "Traceback" not in output


def test_a_missing_database_names_the_address(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nope.db'}"
    code, output = _report("--out", str(tmp_path / "r.html"), "--database-url", url)
    assert code == 1 and f"no desk database at {url}" in output


def test_dates_the_wrong_way_round_are_named(tmp_path: Path, desk_db: str) -> None:
    code, output = _report("--out", str(tmp_path / "r.html"), "--database-url", desk_db,
                           "--from", "2026-11-30", "--to", "2026-11-01")
    assert code == 1 and "--from (2026-11-30) is after --to (2026-11-01)" in output


def test_a_database_without_tables_says_to_upgrade(tmp_path: Path) -> None:
    empty = tmp_path / "leeg.db"
    empty.touch()
    code, output = _report("--out", str(tmp_path / "r.html"), "--database-url",
                           f"sqlite:///{empty}")
    assert code == 1 and "has no desk tables yet: run `wegwijs db upgrade`" in output
    assert "OperationalError" not in output
