"""The terminal channel: numbered options that survive a restart of ``wegwijs chat``."""

from __future__ import annotations

import io
from pathlib import Path

from bot.channel import Choice, Outbound
from bot.channels.terminal import TerminalChannel
from bot.db import create_schema, make_engine
from bot.kv import DbStateStore


async def test_terminal_numbers_survive_a_restart(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kv.db'}")
    create_schema(engine)
    first = TerminalChannel(chat_id="vera", stdout=io.StringIO(), stdin=io.StringIO(""),
                            state=DbStateStore(engine))
    await first.start(_ignore)
    await first.send(Outbound("terminal", "vera", "Hoe heet je initiatief?", "1",
                              choices=(Choice("Overslaan", "initiative:skip"),)))
    await first.stop()
    again = TerminalChannel(chat_id="vera", stdout=io.StringIO(), stdin=io.StringIO(""),
                            state=DbStateStore(engine))
    await again.start(_ignore)  # a new process: only the database is left
    picked = again.to_inbound("1")
    assert picked is not None and picked.kind == "choice"
    assert picked.choice == "initiative:skip"
    other = TerminalChannel(chat_id="wim", stdout=io.StringIO(), stdin=io.StringIO(""),
                            state=DbStateStore(engine))
    await other.start(_ignore)
    assert other.to_inbound("1").kind == "text"  # type: ignore[union-attr]  # per chat
    engine.dispose()


async def _ignore(_inbound: object) -> None:
    return None


async def test_terminal_damaged_stored_options_are_no_options(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kv.db'}")
    create_schema(engine)
    store = DbStateStore(engine)
    await store.set("terminal:choices:vera", "{not json")
    term = TerminalChannel(chat_id="vera", stdout=io.StringIO(), stdin=io.StringIO(""),
                           state=store)
    await term.start(_ignore)
    assert term.to_inbound("1").kind == "text"  # type: ignore[union-attr]
    engine.dispose()
