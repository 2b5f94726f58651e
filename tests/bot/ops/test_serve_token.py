"""``wegwijs serve`` refuses a Telegram token that is not in @BotFather's form (quotes or
spaces pasted around it, a piece missing) with doctor's sentence and exit 1, before it
connects anywhere, and never shows any part of the token."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot import doctor
from bot.cli._apps import app

runner = CliRunner()
GOOD = "7312345678:AAHk2xQd9e-Vb1cLz_0pQmW4rT8yUiOpAsD"
AROUND = ("WEGWIJS_TELEGRAM_TOKEN is set but has spaces or quotes around it (pasted by "
          "accident?): remove them")
SHAPE = "does not look like a Telegram bot token"
BAD = [
    f'"{GOOD}"',  # quoted in an env file that does not take quotes off
    f"'{GOOD}'",
    f"{GOOD}\n",  # a line break pasted with it
    f" {GOOD}",
    GOOD.replace(":", ""),  # the colon lost
    GOOD[:25],  # cut short
    f"bot{GOOD}",  # "bot" copied from the API URL
]


def _pieces(token: str, size: int = 5) -> set[str]:
    """Every run of ``size`` characters of the token, as set and with quotes and spaces
    taken off."""
    core = token.strip().strip("'\"").strip()
    return {s[i:i + size] for s in (token, core) for i in range(len(s) - size + 1)}


def _database(tmp_path: Path) -> Path:
    return tmp_path / "desk.db"  # the ``env`` fixture points WEGWIJS_DATABASE_URL here


@pytest.mark.parametrize("token", BAD)
def test_serve_refuses_a_malformed_token_with_doctors_sentence(
        env: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture,
        token: str) -> None:
    env.setenv("WEGWIJS_TELEGRAM_TOKEN", token)
    (finding,) = [f for f in doctor.run() if f.check == "telegram"]
    assert finding.status == "fail"
    with caplog.at_level(logging.DEBUG):
        done = runner.invoke(app, ["serve"])
    assert done.exit_code == 1, done.output
    assert done.output.strip() == finding.detail  # one sentence, the same as doctor's
    assert "WEGWIJS_TELEGRAM_TOKEN" in done.output and "Traceback" not in done.output
    assert AROUND in done.output or SHAPE in done.output
    shown = done.output + caplog.text
    assert not any(piece in shown for piece in _pieces(token)), "a piece of the token leaked"
    assert not _database(tmp_path).exists()  # it stopped before opening the database


def test_serve_refuses_even_when_matrix_could_start(env: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    """The operator meant Telegram to run: no desk with one channel quietly missing."""
    env.setenv("WEGWIJS_TELEGRAM_TOKEN", f'"{GOOD}"')
    env.setenv("WEGWIJS_MATRIX_HOMESERVER", "http://127.0.0.1:9")
    env.setenv("WEGWIJS_MATRIX_USER_ID", "@wegwijs:localhost")
    env.setenv("WEGWIJS_MATRIX_ACCESS_TOKEN", "syt_d2Vnd2lqcw_abcdefghijklmnopqrst_0AbCdE")
    done = runner.invoke(app, ["serve"])
    assert done.exit_code == 1
    assert done.output.strip() == AROUND
    assert not _database(tmp_path).exists()


def test_a_well_formed_token_passes_the_check(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """With a good token serve goes on to its next step: here a knowledge folder that is
    not there (so nothing connects to Telegram in this test)."""
    env.setenv("WEGWIJS_TELEGRAM_TOKEN", GOOD)
    env.setenv("WEGWIJS_KNOWLEDGE", str(tmp_path / "no-map"))
    done = runner.invoke(app, ["serve"])
    assert done.exit_code == 2
    assert "Knowledge map not found" in done.output
    assert "WEGWIJS_TELEGRAM_TOKEN" not in done.output


def test_the_installed_command_refuses_a_quoted_token(tmp_path: Path,
                                                      eval_knowledge_dir: Path) -> None:
    """The real ``wegwijs`` program, as an operator starts it: exit 1, the sentence on
    stderr, nothing of the token on either stream."""
    token = "'9876543210:ZqXwVuTs_RqPoNmLkJiHgFeDcBa-98765'"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WEGWIJS_")}
    environ |= {"WEGWIJS_TELEGRAM_TOKEN": token,
                "WEGWIJS_DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}",
                "WEGWIJS_KNOWLEDGE": str(eval_knowledge_dir)}
    wegwijs = Path(sys.executable).with_name("wegwijs")
    done = subprocess.run([str(wegwijs), "serve"], env=environ, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == AROUND
    shown = done.stdout + done.stderr
    assert not any(piece in shown for piece in _pieces(token)), "a piece of the token leaked"
    assert not (tmp_path / "desk.db").exists()
