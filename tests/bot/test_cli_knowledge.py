"""``wegwijs knowledge check``: every problem as ``file:line: message``, exit 0 or 1."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli._apps import app

runner = CliRunner()
TODAY = "2026-11-23"


def test_example_map_passes_with_warnings(eval_knowledge_dir: Path) -> None:
    result = runner.invoke(app, ["knowledge", "check", str(eval_knowledge_dir), "--today", TODAY])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert sum(": warning: " in line and "closed on" in line for line in lines) == 3
    assert lines[0].startswith("funds.yaml:")  # file:line: message
    summary = lines[-1]
    assert "OK" in summary and "12 regions" in summary and "civil servants" in summary
    assert "0 error(s), 3 warning(s)" in summary


def test_starter_map_is_clean(repo_knowledge_dir: Path) -> None:
    result = runner.invoke(app, ["knowledge", "check", str(repo_knowledge_dir), "--today", TODAY])
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 1 and "342 municipalities" in result.output


def test_default_folder_comes_from_settings(tmp_path: Path, repo_knowledge_dir: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "map"
    shutil.copytree(repo_knowledge_dir, copy)
    (copy / "themes.yaml").write_text("- id: Bad Id\n", encoding="utf-8")
    monkeypatch.setenv("WEGWIJS_KNOWLEDGE", str(copy))
    result = runner.invoke(app, ["knowledge", "check", "--today", TODAY])
    assert result.exit_code == 1
    assert "themes.yaml:1: id 'Bad Id' must be lower case" in result.output
    assert str(copy) in result.output.splitlines()[-1]


def test_broken_map_lists_every_problem_and_exits_1(tmp_path: Path,
                                                    eval_knowledge_dir: Path) -> None:
    copy = tmp_path / "map"
    shutil.copytree(eval_knowledge_dir, copy)
    funds = copy / "funds.yaml"
    text = funds.read_text(encoding="utf-8")
    funds.write_text(text.replace("themes: [zwerfafval", "themes: [zwerfafvl", 1), encoding="utf-8")
    (copy / "needs.yaml").write_text("- id: funding\n  label: {nl: Geld\n", encoding="utf-8")
    result = runner.invoke(app, ["knowledge", "check", str(copy), "--today", TODAY])
    assert result.exit_code == 1
    out = result.output
    assert "needs.yaml:3: this is not valid YAML" in out
    assert "names unknown theme 'zwerfafvl' (did you mean 'zwerfafval'?)" in out
    assert "NOT valid" in out.splitlines()[-1] and "Traceback" not in out


def test_missing_folder_exits_1_with_a_sentence(tmp_path: Path) -> None:
    result = runner.invoke(app, ["knowledge", "check", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "Knowledge map not found" in result.output and "does not exist" in result.output


def test_bad_today_exits_1(eval_knowledge_dir: Path) -> None:
    result = runner.invoke(app, ["knowledge", "check", str(eval_knowledge_dir),
                                 "--today", "23-11-2026"])
    assert result.exit_code == 1 and "is not a date" in result.output


def test_console_script_prints_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "themes.yaml").write_bytes(b"\xff\xfe not utf-8")
    done = subprocess.run([sys.executable, "-c", "from bot.cli import main; main()",
                           "knowledge", "check", str(tmp_path)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert "themes.yaml: this file is not UTF-8 text" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
