"""Fixtures for the desk tests: the example map, and a whole desk on a temp SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from routing.model import KnowledgeMap
from tests.bot.desk.harness import Harness, local


@pytest.fixture(scope="session")
def eval_kmap(eval_knowledge_dir: Path) -> KnowledgeMap:
    from routing.load import load_knowledge

    return load_knowledge(eval_knowledge_dir)


@pytest.fixture
async def desk(tmp_path: Path, eval_kmap: KnowledgeMap) -> AsyncIterator[Harness]:
    """A desk on Monday 2026-11-23 10:00 in Amsterdam."""
    harness = await Harness(tmp_path / "desk.db", eval_kmap, local(2026, 11, 23, 10, 0)).start()
    yield harness
    await harness.stop()
