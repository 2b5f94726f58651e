"""``wegwijs knowledge diff`` used the way programme staff use it (a walkthrough)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli._apps import app
from bot.knowledge_diff import read_questions

runner = CliRunner()


def test_questions_typed_one_per_line_are_read(tmp_path: Path) -> None:
    path = tmp_path / "vragen.txt"
    path.write_text("Wie helpt met een buurtmoestuin?\n\n  Geld voor een geveltuin \n",
                    encoding="utf-8")
    assert read_questions(path) == [("1", "Wie helpt met een buurtmoestuin?"),
                                    ("3", "Geld voor een geveltuin")]


def test_a_json_lines_file_with_a_plain_line_names_that_line(tmp_path: Path) -> None:
    path = tmp_path / "vragen.jsonl"
    path.write_text('{"id": "q1", "text": "Geld voor een geveltuin"}\nlos zinnetje\n',
                    encoding="utf-8")
    with pytest.raises(ValueError, match=r"vragen.jsonl line 2 is not valid JSON"):
        read_questions(path)


def test_broken_json_line_says_how_to_write_it(tmp_path: Path) -> None:
    path = tmp_path / "vragen.jsonl"
    path.write_text('{"id": "1", "text": "half af\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"vragen.jsonl line 1 is not valid JSON; write"):
        read_questions(path)


def test_questions_in_another_encoding_are_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "vragen.txt"
    path.write_bytes("Subsidie voor een café\n".encode("cp1252"))
    with pytest.raises(ValueError, match="is not UTF-8 text; save it as UTF-8"):
        read_questions(path)


def test_a_missing_new_folder_reads_cleanly(eval_knowledge_dir: Path, tmp_path: Path) -> None:
    done = runner.invoke(app, ["knowledge", "diff", str(eval_knowledge_dir),
                               str(tmp_path / "nieuw")])
    assert done.exit_code == 1
    assert f"{tmp_path / 'nieuw'}: the knowledge folder does not exist" in done.output
    assert ":-:" not in done.output
