"""Who the Matrix adapter takes for a civil servant: under ``wegwijs serve`` the desk's live
map (one map in the process), otherwise the map as its folder holds it now."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.channel import MemoryStateStore
from bot.channels.matrix import MatrixChannel
from bot.channels.matrix_servants import MapServants, SourceServants
from bot.cli.serve_cmds import build_channels
from bot.db import make_engine
from bot.knowledge_source import KnowledgeSource
from bot.settings import Settings
from routing.load import load_knowledge
from routing.model import KnowledgeMap

NEW = "@nieuwe.collega:desk.example.org"


def new_servant(kmap: KnowledgeMap) -> str:
    """A map entry for a colleague who is not in the map yet (themes and regions the map has)."""
    first = kmap.servants[0]
    return f"""
- id: nieuwe-collega
  name: Nieuwe Collega
  title: {{nl: "Adviseur", en: "Adviser"}}
  organisation: Voorbeeldorganisatie
  themes: [{first.themes[0]}]
  regions: [{first.regions[0]}]
  languages: [nl]
  channels: {{matrix: "{NEW}", email: nieuwe.collega@example.org}}
  max_open_cases: 5
"""


def a_servant(kmap: KnowledgeMap) -> str:
    """The Matrix id of a servant in the map as it is."""
    return next(str(s.channels["matrix"]) for s in kmap.servants if "matrix" in s.channels)


@pytest.fixture
def knowledge(repo_knowledge_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(repo_knowledge_dir, target)
    return target


def rewrite(path: Path, text: str) -> None:
    """Write ``text`` and give the file a modification time of its own (a real edit
    always gets one; a test may be faster than the file system's clock)."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def matrix_settings(knowledge: Path, tmp_path: Path) -> Settings:
    return Settings(matrix_homeserver="https://matrix.example.org",
                    matrix_user_id="@wegwijs:example.org",
                    matrix_password=SecretStr("geheim"), knowledge=knowledge,
                    matrix_store_path=tmp_path / "store")


def channel_for(knowledge: Path, tmp_path: Path) -> MatrixChannel:
    return MatrixChannel.from_settings(matrix_settings(knowledge, tmp_path), MemoryStateStore())


def test_a_servant_added_to_the_map_is_known_without_a_restart(
        knowledge: Path, tmp_path: Path) -> None:
    kmap = load_knowledge(knowledge)
    known = a_servant(kmap)
    channel = channel_for(knowledge, tmp_path)
    assert channel.is_servant(known)
    assert not channel.is_servant(NEW)

    servants = knowledge / "civil_servants.yaml"
    original = servants.read_text(encoding="utf-8")
    rewrite(servants, original + new_servant(kmap))
    assert channel.is_servant(NEW)  # the same channel object: no restart
    assert channel.is_servant(known)

    assert f'"{known}"' in original
    rewrite(servants, original.replace(f'"{known}"', '"@elders:desk.example.org"'))
    assert not channel.is_servant(known)  # that id is nobody's any more
    assert channel.is_servant("@elders:desk.example.org")
    assert not channel.is_servant(NEW)


def test_a_broken_map_keeps_the_last_good_servants(knowledge: Path) -> None:
    servants_file = knowledge / "civil_servants.yaml"
    original = servants_file.read_text(encoding="utf-8")
    kmap = load_knowledge(knowledge)
    servants = MapServants(knowledge)
    good = servants()
    assert a_servant(kmap) in good and NEW not in good

    rewrite(servants_file, original + new_servant(kmap) + "\n- id: [kapot\n")  # half-saved
    assert servants() == good
    rewrite(servants_file, original + new_servant(kmap))  # the save completes
    assert servants() == good | {NEW}

    shutil.rmtree(knowledge)  # the folder gone (moved while deploying): keep what we had
    assert servants() == good | {NEW}


def test_a_map_broken_from_the_start_means_no_servants_until_it_is_fixed(
        knowledge: Path) -> None:
    servants_file = knowledge / "civil_servants.yaml"
    original = servants_file.read_text(encoding="utf-8")
    rewrite(servants_file, "- id: [kapot\n")
    servants = MapServants(knowledge)
    assert servants() == frozenset()
    rewrite(servants_file, original)
    assert a_servant(load_knowledge(knowledge)) in servants()


async def test_served_the_channel_knows_the_servants_of_the_desks_live_map(
        knowledge: Path, tmp_path: Path) -> None:
    """``wegwijs serve`` builds the channels with the live source's servants: the channel
    follows the map the desk routes on (swapped by the source), not the folder by itself."""
    kmap = load_knowledge(knowledge)
    known = a_servant(kmap)
    source = KnowledgeSource.open(knowledge, poll_seconds=60)
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    try:
        [channel] = build_channels(matrix_settings(knowledge, tmp_path), engine,
                                   servants=SourceServants(source))
    finally:
        engine.dispose()
    assert isinstance(channel, MatrixChannel)
    assert channel.is_servant(known) and not channel.is_servant(NEW)

    servants_file = knowledge / "civil_servants.yaml"
    original = servants_file.read_text(encoding="utf-8")
    rewrite(servants_file, original + new_servant(kmap))
    assert not channel.is_servant(NEW)  # on disk, not yet in the desk's map
    assert (await source.reload()).outcome == "loaded"
    assert channel.is_servant(NEW) and channel.is_servant(known)

    rewrite(servants_file, original + "\n- id: [kapot\n")  # refused: the live map stays
    assert (await source.reload()).outcome == "refused"
    assert channel.is_servant(NEW) and channel.is_servant(known)

    rewrite(servants_file, original.replace(f'"{known}"', '"@elders:desk.example.org"'))
    assert (await source.reload()).outcome == "loaded"
    assert not channel.is_servant(known) and not channel.is_servant(NEW)
    assert channel.is_servant("@elders:desk.example.org")


def test_source_servants_are_worked_out_once_per_map_version(knowledge: Path) -> None:
    source = KnowledgeSource.open(knowledge, poll_seconds=60)
    servants = SourceServants(source)
    first = servants()
    assert a_servant(source.current) in first
    assert servants() is first  # the same version: the same set, nothing recomputed
