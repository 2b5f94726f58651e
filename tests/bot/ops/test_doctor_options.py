"""`wegwijs doctor --database-url … --knowledge …`: the same two options, with the same
meaning and help text, as `wegwijs chat`, `staff` and `report`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot import migrations
from bot.cli._apps import app

runner = CliRunner()


def test_doctor_checks_the_database_and_map_given_as_options(
        env: pytest.MonkeyPatch, tmp_path: Path, eval_knowledge_dir: Path) -> None:
    # the environment points at a database that does not exist and at no map
    env.setenv("WEGWIJS_KNOWLEDGE", str(tmp_path / "no-map-here"))
    given = tmp_path / "given.db"
    migrations.upgrade(f"sqlite:///{given}")
    done = runner.invoke(app, ["doctor", "--database-url", f"sqlite:///{given}",
                               "--knowledge", str(eval_knowledge_dir)])
    assert "No such option" not in done.output
    assert f"sqlite:///{given} reachable" in done.output, done.output
    assert re.search(r"\[ok\]\s+migrations", done.output), done.output
    assert re.search(rf"\[ok\]\s+knowledge map\s+{re.escape(str(eval_knowledge_dir))}",
                     done.output), done.output
    assert not (tmp_path / "desk.db").exists()  # the environment's database untouched


def test_without_options_the_doctor_still_reads_the_environment(
        env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env.setenv("WEGWIJS_KNOWLEDGE", str(tmp_path / "no-map-here"))
    done = runner.invoke(app, ["doctor"])
    assert done.exit_code == 1
    assert "no-map-here is not a folder" in done.output


def _option_help(command: str, option: str) -> str:
    done = runner.invoke(app, [command, "--help"], env={"COLUMNS": "400", "TERM": "dumb"})
    assert done.exit_code == 0, done.output
    line = next(ln for ln in done.output.splitlines() if option in ln)
    return " ".join(line.replace("│", " ").split()[1:])


@pytest.mark.parametrize("option", ["--database-url", "--knowledge"])
def test_doctor_options_read_as_the_chat_commands_do(option: str) -> None:
    assert _option_help("doctor", option) == _option_help("chat", option)
