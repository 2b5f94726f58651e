"""Logs carry ids, never message texts, handles or secrets, on both renderers and for
standard-library loggers (python-telegram-bot/httpx log request URLs with the bot token)."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from pydantic import SecretStr

from bot.log import REDACTED, bind_ids, configure_logging, redacted_copy, scrub, unbind_ids

BOT_TOKEN = "7312345678:AAHk2xQd9e-Vb1cLz_0pQmW4rT8yUiOpAsD"
QUESTION = "Wij willen een buurtmoestuin starten in Lombok, waar vinden we geld?"
MATRIX_HANDLE = "@anna.devries:matrix.example.org"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    buf = io.StringIO()
    root = logging.getLogger()
    level = root.level
    yield buf
    structlog.contextvars.clear_contextvars()
    for handler in [h for h in root.handlers if h.get_name() == "wegwijs"]:
        root.removeHandler(handler)
    root.setLevel(level)
    structlog.reset_defaults()


def _json_lines(buf: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buf.getvalue().splitlines() if line.strip()]


def test_json_line_keeps_ids_and_drops_text_handles_secrets(captured: io.StringIO) -> None:
    configure_logging(log_format="json", log_level="INFO", stream=captured)
    structlog.get_logger("bot.desk").info(
        "inbound.handled", case_id=7, volunteer_id=42, servant_id="s-utrecht-01",
        text=QUESTION, sender_id=MATRIX_HANDLE, display_name="Anna de Vries",
        token=SecretStr(BOT_TOKEN), question_text=QUESTION, channel="matrix",
    )
    [line] = _json_lines(captured)
    assert line["event"] == "inbound.handled"
    assert line["case_id"] == 7 and line["volunteer_id"] == 42
    assert line["servant_id"] == "s-utrecht-01" and line["channel"] == "matrix"
    for key in ("text", "sender_id", "display_name", "token", "question_text"):
        assert line[key] == REDACTED
    raw = captured.getvalue()
    assert "Lombok" not in raw and "anna" not in raw.lower() and BOT_TOKEN not in raw
    assert line["level"] == "info" and "timestamp" in line


def test_secrets_and_handles_in_free_text_are_scrubbed(captured: io.StringIO) -> None:
    configure_logging(log_format="json", stream=captured)
    log = structlog.get_logger("x")
    log.warning(f"send failed for {MATRIX_HANDLE} mail anna@example.org tel 06-12345678")
    log.info("db", url="postgresql+psycopg://wegwijs:s3cr3t@db:5432/wegwijs")
    lines = _json_lines(captured)
    assert lines[0]["event"] == "send failed for [matrix-id] mail [email] tel [phone]"
    assert "s3cr3t" not in json.dumps(lines[1]) and "[credentials]" in str(lines[1]["url"])


def test_foreign_stdlib_records_are_scrubbed(captured: io.StringIO) -> None:
    configure_logging(log_format="json", log_level="DEBUG", stream=captured)
    logging.getLogger("some.library").warning(
        "HTTP Request: POST https://api.telegram.org/bot%s/getUpdates \"HTTP/1.1 200 OK\"",
        BOT_TOKEN)
    [line] = _json_lines(captured)
    assert BOT_TOKEN not in captured.getvalue()
    assert "bot[token]/getUpdates" in str(line["event"])
    assert line["logger"] == "some.library"


def test_chatty_libraries_are_quietened_below_warning(captured: io.StringIO) -> None:
    configure_logging(log_format="json", log_level="DEBUG", stream=captured)
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/botX/getMe")
    assert captured.getvalue() == ""
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING


def test_exception_text_is_scrubbed(captured: io.StringIO) -> None:
    configure_logging(log_format="json", stream=captured)
    try:
        raise RuntimeError(f"could not reach {MATRIX_HANDLE} with token {BOT_TOKEN}")
    except RuntimeError:
        structlog.get_logger("x").exception("send.failed", case_id=3)
    [line] = _json_lines(captured)
    assert "RuntimeError" in str(line["exception"])
    assert BOT_TOKEN not in captured.getvalue() and "anna" not in captured.getvalue()


def test_console_renderer_also_redacts(captured: io.StringIO) -> None:
    configure_logging(log_format="console", stream=captured)
    structlog.get_logger("x").info("relay", case_id=9, text=QUESTION, handle=MATRIX_HANDLE)
    out = captured.getvalue()
    assert "relay" in out and "case_id=9" in out
    assert "Lombok" not in out and "anna" not in out


def test_bound_ids_appear_on_every_line(captured: io.StringIO) -> None:
    configure_logging(log_format="json", stream=captured)
    bind_ids(case_id=12, volunteer_id=None)
    structlog.get_logger("x").info("one")
    unbind_ids("case_id")
    structlog.get_logger("x").info("two")
    first, second = _json_lines(captured)
    assert first["case_id"] == 12 and "volunteer_id" not in first
    assert "case_id" not in second


def test_nested_values_are_redacted() -> None:
    safe = redacted_copy({"case": {"id": 4, "question": QUESTION, "tags": ["geld", MATRIX_HANDLE]}})
    assert safe == {"case": {"id": 4, "question": REDACTED, "tags": ["geld", "[matrix-id]"]}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bel +31 6 1234 5678 of 0031612345678", "bel [phone] of [phone]"),
        ("om 2026-11-23 08:22:09 gestart", "om 2026-11-23 08:22:09 gestart"),
        ("case 12345 and 42 routes", "case 12345 and 42 routes"),
        ("Authorization: Bearer abc.def-ghi", "Authorization: Bearer [redacted]"),
        ("?access_token=syt_abc123&limit=5", "?access_token=[redacted]&limit=5"),
    ],
)
def test_scrub_patterns(text: str, expected: str) -> None:
    assert scrub(text) == expected


def test_rejects_unknown_format() -> None:
    with pytest.raises(ValueError, match="log format"):
        configure_logging(log_format="xml", stream=io.StringIO())



def test_a_fresh_desk_process_logs_no_alembic_plugin_setup(tmp_path: Path) -> None:
    """alembic announces each plugin it sets up, at INFO, on first import: a fresh
    process that configures logging and upgrades the database shows none of that."""
    script = ("import sys; from bot.log import configure_logging; "
              "configure_logging(log_level='INFO', stream=sys.stdout); "
              "from bot.migrations import upgrade; upgrade(sys.argv[1])")
    done = subprocess.run([sys.executable, "-c", script, f"sqlite:///{tmp_path / 'd.db'}"],
                          capture_output=True, text=True, timeout=120, check=True)
    assert "Running upgrade" in done.stdout + done.stderr  # the log is on
    assert "setup plugin" not in done.stdout + done.stderr
