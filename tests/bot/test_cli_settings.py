"""Invalid settings end every command with a sentence per setting, never a traceback:
pydantic's input dump would show secrets such as the Telegram token."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli._apps import app

runner = CliRunner()
SECRET = "7312345678:SeCrEtPaRtSeCrEtPaRtSeCrEtPaRt_123"


@pytest.mark.parametrize("argv", [
    ["report", "--out", "r.html"],
    ["route", "subsidie voor een moestuin in Utrecht"],
    ["route", "--knowledge", "KNOWLEDGE", "subsidie voor een moestuin in Utrecht"],
    ["knowledge", "check"],
    ["chat", "--knowledge", "KNOWLEDGE"],
    ["staff", "--knowledge", "KNOWLEDGE", "--as", "lotte-vermeulen"],
    ["serve", "--knowledge", "KNOWLEDGE"],
])
def test_invalid_settings_are_sentences_without_secrets(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, eval_knowledge_dir: Path,
        argv: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WEGWIJS_TELEGRAM_TOKEN", SECRET)
    monkeypatch.setenv("WEGWIJS_MATRIX_PASSWORD", "changeme")
    argv = [str(eval_knowledge_dir) if a == "KNOWLEDGE" else a for a in argv]
    done = runner.invoke(app, argv, input="/stop\n")
    assert done.exit_code == 1 and isinstance(done.exception, SystemExit), done.output
    assert done.output.strip() == ("configuration: settings: matrix_password is "
                                   "a placeholder; set the real secret or leave it out")
    assert SECRET[:5] not in done.output and "changeme" not in done.output
