"""``wegwijs doctor`` checks the Telegram token's form (offline) and never shows the token,
not even a piece of it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot import doctor, migrations
from bot.cli._apps import app

runner = CliRunner()
GOOD = "7312345678:AAHk2xQd9e-Vb1cLz_0pQmW4rT8yUiOpAsD"
SHAPE = "does not look like a Telegram bot token"
AROUND = "has spaces or quotes around it"


@pytest.fixture(autouse=True)
def _database(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    migrations.upgrade(f"sqlite:///{tmp_path / 'desk.db'}")


def _pieces(secret: str, size: int = 5) -> set[str]:
    """Every run of ``size`` characters of the secret (quotes and spaces taken off)."""
    core = secret.strip().strip("'\"").strip()
    return {core[i:i + size] for i in range(len(core) - size + 1)}


def _telegram(env: pytest.MonkeyPatch, token: str) -> doctor.Finding:
    env.setenv("WEGWIJS_TELEGRAM_TOKEN", token)
    (finding,) = [f for f in doctor.run() if f.check == "telegram"]
    return finding


@pytest.mark.parametrize(("token", "says"), [
    ("7312345678AAHk2xQd9e-Vb1cLz_0pQmW4rT8yUiOpAsD", SHAPE),  # colon lost
    ("7312345678:AAHk2xQd9e-Vb1cLz", SHAPE),  # cut short
    ("bot7312345678:AAHk2xQd9e-Vb1cLz_0pQmW4rT8yUiOpAsD", SHAPE),  # "bot" from the URL
    ("7312345678:AAHk2xQd9e+Vb1cLz_0pQmW4rT8yUiOpAsD", SHAPE),  # a character not allowed
    ("7312345678:AAHk2xQd9e-Vb1c Lz_0pQmW4rT8yUiOpAsD", SHAPE),  # a space inside
    ('"7312345678:AAHk2xQd9e-Vb1cLz_0pQmW4rT8yUiOpAsD"', AROUND),
    ("'7312345678:AAHk2xQd9e-Vb1cLz_0pQmW4rT8yUiOpAsD'", AROUND),
    (" 7312345678:AAHk2xQd9e-Vb1cLz_0pQmW4rT8yUiOpAsD\n", AROUND),
])
def test_a_malformed_token_fails_without_showing_it(env: pytest.MonkeyPatch, token: str,
                                                    says: str) -> None:
    finding = _telegram(env, token)
    assert finding.status == "fail"
    assert says in finding.detail and "WEGWIJS_TELEGRAM_TOKEN" in finding.detail
    assert not any(piece in finding.detail for piece in _pieces(token))


def test_quotes_around_a_bad_token_name_both_problems(env: pytest.MonkeyPatch) -> None:
    finding = _telegram(env, '"12345:short"')
    assert finding.status == "fail"
    assert AROUND in finding.detail and SHAPE in finding.detail


def test_a_well_formed_token_still_passes(env: pytest.MonkeyPatch) -> None:
    finding = _telegram(env, GOOD)
    assert finding.status == "ok" and finding.detail == "token set; long polling"


def test_the_doctor_command_never_prints_or_logs_any_part_of_the_token(
        env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    token = "'9876543210:ZqXwVuTs_RqPoNmLkJiHgFeDcBa-98765'"  # quoted by accident
    env.setenv("WEGWIJS_TELEGRAM_TOKEN", token)
    env.setenv("WEGWIJS_TELEGRAM_WEBHOOK_URL", "https://desk.example.nl/tg")
    with caplog.at_level(logging.DEBUG):
        done = runner.invoke(app, ["doctor"])
    assert done.exit_code == 1
    assert AROUND in done.output and "[FAIL]" in done.output
    shown = done.output + caplog.text
    assert not any(piece in shown for piece in _pieces(token)), "a piece of the token leaked"


@pytest.mark.parametrize(("token", "webhook"), [
    ("12345:short", None),  # a malformed token
    (GOOD, "http://desk.example.nl/tg"),  # a webhook that is not https
])
def test_a_failing_telegram_check_does_not_hide_the_matrix_check(
        env: pytest.MonkeyPatch, token: str, webhook: str | None) -> None:
    env.setenv("WEGWIJS_TELEGRAM_TOKEN", token)
    if webhook:
        env.setenv("WEGWIJS_TELEGRAM_WEBHOOK_URL", webhook)
    env.setenv("WEGWIJS_MATRIX_HOMESERVER", "https://matrix.example.nl")
    checks = {f.check: f for f in doctor.run()}
    assert checks["telegram"].status == "fail"
    assert checks["matrix"].status == "fail" and "user id not set" in checks["matrix"].detail
    assert "channels" not in checks  # a channel is configured, if wrongly: no "terminal only"
