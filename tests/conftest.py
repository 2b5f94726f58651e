"""Shared fixtures. Server fixtures live in their own modules under tests/fixtures/."""

from __future__ import annotations

from pathlib import Path

import pytest

# Server fixtures (each starts a real server on 127.0.0.1 and stops it afterwards). pytest only
# accepts ``pytest_plugins`` in the top-level conftest, so every fixture module is listed here.
pytest_plugins = [
    "tests.fixtures.postgres",
    "tests.fixtures.fake_telegram",
    "tests.fixtures.synapse",
    "tests.fixtures.chromium",
]

REPO = Path(__file__).resolve().parent.parent
EVAL_DIR = REPO.parent / "shared" / "eval"


@pytest.fixture(scope="session")
def repo_knowledge_dir() -> Path:
    return REPO / "knowledge"


@pytest.fixture(scope="session")
def eval_knowledge_dir() -> Path:
    path = EVAL_DIR / "knowledge"
    if not path.is_dir():
        pytest.skip("shared/eval is not beside the repo")
    return path
