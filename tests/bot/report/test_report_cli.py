"""``wegwijs report``: writes the file; bad input gets a sentence and exit 1."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bot.cli._apps import app
from bot.db import make_engine
from tests.bot.report.seed import seed

runner = CliRunner()


def test_report_command_writes_a_page_with_readable_names(tmp_path: Path,
                                                          eval_knowledge_dir: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    seed(engine)
    engine.dispose()
    out = tmp_path / "out" / "rapport.html"
    done = runner.invoke(app, ["report", "--out", str(out), "--from", "2026-10-05", "--to",
                               "2026-11-15", "--database-url", f"sqlite:///{tmp_path / 'desk.db'}",
                               "--knowledge", str(eval_knowledge_dir)])
    assert done.exit_code == 0, done.output
    html = out.read_text(encoding="utf-8")
    assert 'data-from="2026-10-05"' in html and 'data-to="2026-11-15"' in html
    assert 'data-label="Utrecht"' in html and "Zwerfafval" in html  # names from the map


def test_a_missing_database_is_explained(tmp_path: Path) -> None:
    done = runner.invoke(app, ["report", "--out", str(tmp_path / "r.html"), "--database-url",
                               f"sqlite:///{tmp_path / 'nope.db'}"])
    assert done.exit_code == 1 and "no desk database" in done.output
    assert not (tmp_path / "nope.db").exists() and not (tmp_path / "r.html").exists()


def test_bad_dates_are_explained(tmp_path: Path) -> None:
    done = runner.invoke(app, ["report", "--out", str(tmp_path / "r.html"), "--from", "13-13"])
    assert done.exit_code == 1 and "is not a date" in done.output
    done = runner.invoke(app, ["report", "--out", str(tmp_path / "r.html"), "--from",
                               "2026-11-02", "--to", "2026-11-01"])
    assert done.exit_code == 1 and "after" in done.output
