"""Fixtures shared by the knowledge-map spreadsheet tests (tests/bot/test_sheets*.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.sheets import export_workbook
from routing.load import load_knowledge


@pytest.fixture
def eval_copy(eval_knowledge_dir: Path, tmp_path: Path) -> Path:
    """A writable copy of the example map."""
    target = tmp_path / "knowledge"
    shutil.copytree(eval_knowledge_dir, target)
    return target


@pytest.fixture(scope="module")
def exported(eval_knowledge_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example map exported as a workbook, once per test module (copy before changing)."""
    path = tmp_path_factory.mktemp("export") / "kenniskaart.xlsx"
    export_workbook(load_knowledge(eval_knowledge_dir), path)
    return path
