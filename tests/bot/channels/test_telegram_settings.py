"""Telegram settings from the environment, and ``wegwijs serve`` refusing what cannot work."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner, Result

from bot.channel import MemoryStateStore
from bot.channels.telegram import TelegramChannel, WebhookConfig
from bot.cli.serve_cmds import NO_CHANNEL, build_channels
from bot.db import make_engine
from bot.settings import Settings
from tests.fixtures.fake_telegram import TOKEN

pytestmark = pytest.mark.telegram


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("WEGWIJS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("WEGWIJS_DATABASE_URL", f"sqlite:///{tmp_path / 'desk.db'}")


def test_polling_by_default_and_webhook_when_a_url_is_set() -> None:
    polling = TelegramChannel.from_settings(
        Settings(telegram_token=SecretStr(TOKEN)), MemoryStateStore())
    assert repr(polling) == "TelegramChannel(mode=polling)"

    webhook = TelegramChannel.from_settings(Settings(
        telegram_token=SecretStr(TOKEN), telegram_webhook_url="https://desk.example.nl/tg/x",
        telegram_webhook_secret=SecretStr("geheim_123"),
        telegram_webhook_listen="0.0.0.0:8443"), MemoryStateStore())
    assert repr(webhook) == "TelegramChannel(mode=webhook)"
    config = webhook._webhook
    assert config is not None
    assert (config.path, config.listen_host, config.listen_port) == ("/tg/x", "0.0.0.0", 8443)
    assert "geheim_123" not in repr(config)


def test_a_missing_webhook_secret_is_made_up_per_start() -> None:
    settings = Settings(telegram_token=SecretStr(TOKEN),
                        telegram_webhook_url="https://desk.example.nl/tg")
    first = TelegramChannel.from_settings(settings, MemoryStateStore())._webhook
    second = TelegramChannel.from_settings(settings, MemoryStateStore())._webhook
    assert first is not None and second is not None
    assert len(first.secret) >= 32 and first.secret != second.secret


@pytest.mark.parametrize(("url", "secret", "problem"), [
    ("http://desk.example.nl/tg", "geheim", "https"),
    ("https://desk.example.nl/tg", "geheim met spaties", "secret"),
])
def test_webhook_settings_that_cannot_work_are_refused(url: str, secret: str,
                                                       problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        WebhookConfig(url, secret)


def test_build_channels_starts_telegram_only_when_its_token_is_set(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        assert build_channels(Settings(), engine) == []
        channels = build_channels(Settings(telegram_token=SecretStr(TOKEN)), engine)
        assert [c.name for c in channels] == ["telegram"]
    finally:
        engine.dispose()


def _serve() -> Result:
    import bot.cli  # noqa: F401  (attaches every command)
    from bot.cli._apps import app

    return CliRunner().invoke(app, ["serve"])


def test_serve_without_any_channel_says_what_to_set() -> None:
    result = _serve()
    assert result.exit_code == 2
    assert NO_CHANNEL in result.output
    assert "Traceback" not in result.output


def test_serve_with_an_http_webhook_url_explains_instead_of_crashing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEGWIJS_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("WEGWIJS_TELEGRAM_WEBHOOK_URL", "http://desk.example.nl/tg")
    result = _serve()
    assert result.exit_code == 2
    assert "https://" in result.output
    assert TOKEN.split(":")[1] not in result.output


def test_serve_with_a_broken_knowledge_map_lists_the_problems(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "knowledge"
    broken.mkdir()
    (broken / "themes.yaml").write_text("- id: [kapot\n", encoding="utf-8")
    monkeypatch.setenv("WEGWIJS_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("WEGWIJS_KNOWLEDGE", str(broken))
    result = _serve()
    assert result.exit_code == 2
    assert f"The knowledge map in {broken} has problems:" in result.output
    assert "themes.yaml" in result.output
    assert "Traceback" not in result.output
    assert TOKEN.split(":")[1] not in result.output
