"""Operations tests: real PostgreSQL (and SQLite) via tests/fixtures/postgres.py.

The fixture module is registered in tests/conftest.py (pytest accepts ``pytest_plugins`` only
there); do not list it here."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import structlog

from bot import migrations
from bot.db import make_engine
from bot.log import QUIET_LIBRARIES


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """CLI commands configure logging for the whole process; undo it after each test so
    other test packages see the logging they expect."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in QUIET_LIBRARIES}
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """An engine on the test database (``db_url``: SQLite and PostgreSQL), migrated to the
    newest schema; disposed after the test."""
    migrations.upgrade(db_url)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        eval_knowledge_dir: Path) -> pytest.MonkeyPatch:
    """No WEGWIJS_* setting from the machine; a SQLite file in tmp_path (not created) and
    the example map."""
    for key in list(os.environ):
        if key.startswith("WEGWIJS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("WEGWIJS_DATABASE_URL", f"sqlite:///{tmp_path / 'desk.db'}")
    monkeypatch.setenv("WEGWIJS_KNOWLEDGE", str(eval_knowledge_dir))
    return monkeypatch
