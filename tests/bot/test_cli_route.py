"""``wegwijs route`` and ``wegwijs eval`` through the real Typer app."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("routing.load")
from bot.cli._apps import app  # importing bot.cli first attaches the commands

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]
TODAY = "2026-11-23"


def test_route_readable(eval_knowledge_dir: Path) -> None:
    result = runner.invoke(app, ["route", "--knowledge", str(eval_knowledge_dir), "--today",
                                 TODAY, "Is er subsidie voor een repair café in Zwolle?"])
    assert result.exit_code == 0, result.output
    assert "Themes:" in result.output and "overijssel" in result.output


def test_route_json_is_route_result(eval_knowledge_dir: Path) -> None:
    result = runner.invoke(app, ["route", "--knowledge", str(eval_knowledge_dir), "--today",
                                 TODAY, "--json", "hoi"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["out_of_scope"] is True and data["redirect"]


def test_route_jsonl_keeps_going_after_bad_lines(eval_knowledge_dir: Path) -> None:
    lines = "\n".join([
        json.dumps({"id": "a", "text": "geld voor bomen in Arnhem", "extra": 1}),
        "this is not json",
        json.dumps({"id": "b"}),
        json.dumps({"id": "c", "text": "🎉"}),
    ])
    result = runner.invoke(app, ["route", "--jsonl", "--knowledge", str(eval_knowledge_dir),
                                 "--today", TODAY], input=lines)
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "c"]
    assert set(out[0]) == {"id", "themes", "needs", "region", "municipality", "out_of_scope",
                           "clarify", "routes", "servant"}
    assert "line 2" in result.stderr and "line 3" in result.stderr


def test_missing_or_broken_map_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["route", "--knowledge", str(tmp_path / "nope"), "x"])
    assert result.exit_code == 1
    assert "not a folder" in result.stderr
    (tmp_path / "themes.yaml").write_text("- id: [unclosed\n", encoding="utf-8")
    result = runner.invoke(app, ["route", "--knowledge", str(tmp_path), "x"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output + result.stderr


def test_bad_today_is_a_clear_error(eval_knowledge_dir: Path) -> None:
    result = runner.invoke(app, ["route", "--knowledge", str(eval_knowledge_dir),
                                 "--today", "23-11-2026", "x"])
    assert result.exit_code == 1 and "not a date" in result.stderr


def test_eval_matches_reference_scorer(eval_knowledge_dir: Path, tmp_path: Path) -> None:
    questions = eval_knowledge_dir.parent / "questions.jsonl"
    result = runner.invoke(app, ["eval", str(questions), "--knowledge", str(eval_knowledge_dir),
                                 "--today", TODAY, "--json"])
    assert result.exit_code == 0, result.output
    ours = json.loads(result.stdout)
    assert ours["latency_p99_ms"] >= ours["latency_p50_ms"] > 0
    routed = runner.invoke(app, ["route", "--jsonl", "--knowledge", str(eval_knowledge_dir),
                                 "--today", TODAY],
                           input=questions.read_text(encoding="utf-8"))
    results = tmp_path / "results.jsonl"
    results.write_text(routed.stdout, encoding="utf-8")
    reference = subprocess.run(
        [sys.executable, str(eval_knowledge_dir.parent / "score.py"), str(questions),
         str(results)], capture_output=True, text=True, check=True)
    theirs = json.loads(reference.stdout)
    assert {k: ours[k] for k in theirs} == theirs
