"""Loose ends of ``wegwijs chat`` found in a walk-through, each pinned down before it was
mended:

4. a reply the terminal could not show (a broken pipe) is shown at the next input, not
   held for the outbox's network back-off (the clock here is fake and stands still: only
   a retry "at the next chance" can show it);
5. a restarted ``wegwijs chat`` shows the question the conversation waits for, once.

The questions are our own; none come from the eval set.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import partial
from pathlib import Path

import pytest

from bot.channel import Choice, Outbound, TransientError
from bot.channels.terminal import TerminalChannel
from bot.cli.desk_cmds import _run_terminal, terminal_runtime
from bot.clock import FakeClock
from bot.db import create_schema, make_engine
from bot.desk import Desk
from bot.followup import FollowUpConfig
from bot.kv import DbStateStore
from bot.texts import t
from routing.load import load_knowledge
from routing.model import KnowledgeMap

QUESTION = "We zoeken subsidie voor een moestuin in Zeist"  # answered with an offer


class FlakyOut(io.StringIO):
    """A stdout whose next ``fail`` writes raise ``BrokenPipeError``."""

    def __init__(self) -> None:
        super().__init__()
        self.fail = 0

    def write(self, text: str) -> int:
        if self.fail:
            self.fail -= 1
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


async def _chat(url: str, kmap: KnowledgeMap, lines: str) -> str:
    """One ``wegwijs chat`` run of Tess on the database at ``url``: what it printed."""
    out = io.StringIO()
    await _run_terminal(url, kmap, chat_id="tess", sender_id="tess", display_name="tess",
                        label="wegwijs", config=FollowUpConfig(), volunteer=True,
                        stdin=io.StringIO(lines), stdout=out)
    return out.getvalue()


async def test_a_reply_not_shown_is_shown_at_the_next_input(tmp_path: Path,
                                                            eval_knowledge_dir: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    create_schema(engine)
    clock = FakeClock(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC))
    desk = Desk(engine, load_knowledge(eval_knowledge_dir), clock=clock,
                config=FollowUpConfig(), channels=("terminal",))
    out = FlakyOut()
    channel = TerminalChannel(chat_id="tess", stdin=io.StringIO(""), stdout=out,
                              state=DbStateStore(engine))
    runtime = terminal_runtime(desk, channel)
    await runtime.start(poll=False)
    try:
        out.fail = 1
        first = channel.to_inbound("/help")
        assert first is not None
        await runtime.on_inbound(first)  # the reply cannot be written: no crash
        assert out.getvalue() == ""
        second = channel.to_inbound("/privacy")
        assert second is not None
        await runtime.on_inbound(second)  # the terminal works again, the clock stands still
        shown = out.getvalue()
        assert t("help", "nl").splitlines()[0] in shown  # the held reply, first
        assert shown.index("/status") < shown.index("12 maanden")  # then the new one
    finally:
        await runtime.stop()
        engine.dispose()


async def test_options_count_only_once_they_were_shown(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kv.db'}")
    create_schema(engine)
    out = FlakyOut()
    channel = TerminalChannel(chat_id="tess", stdin=io.StringIO(""), stdout=out,
                              state=DbStateStore(engine))
    out.fail = 1
    with pytest.raises(TransientError):  # the outbox keeps the message for a retry
        await channel.send(Outbound("terminal", "tess", "Kies", "1",
                                    choices=(Choice("Ja", "consent:1:yes"),)))
    picked = channel.to_inbound("1")
    assert picked is not None and picked.kind == "text"  # "1" was never shown as an option
    engine.dispose()


async def test_a_restarted_chat_shows_the_waiting_question_once(
        tmp_path: Path, eval_knowledge_dir: Path) -> None:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    chat = partial(_chat, url, load_knowledge(eval_knowledge_dir))

    first = await chat(f"{QUESTION}\n")
    assert "Marleen Visser" in first and "1) Ja" in first  # the offer
    again = await chat("")
    assert again.count("wegwijs> ") == 1, again  # the offer once more, and only that
    assert "Marleen Visser" in again and "1) Ja" in again and "2) Nee" in again
    third = await chat("1\nTuin van Tess\n")  # "1" picks "Ja" from the offer shown again
    assert third.count("Marleen Visser") >= 2 and "zaak 1" in third
    assert await chat("") == ""  # the case is handed over: nothing waits, nothing shown


async def test_a_number_after_a_restart_picks_from_the_options_shown_again(
        tmp_path: Path, eval_knowledge_dir: Path) -> None:
    """The options stored before the restart (here in another order) no longer count once
    the waiting question is shown again: "2" is the "Nee" on screen, never a "Ja"."""
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    chat = partial(_chat, url, load_knowledge(eval_knowledge_dir))

    assert "1) Ja" in await chat(f"{QUESTION}\n")
    engine = make_engine(url)
    await DbStateStore(engine).set("terminal:choices:tess", '[["Anders", "consent:1:no"], '
                                                            '["Ja", "consent:1:yes"]]')
    engine.dispose()
    shown = await chat("2\n")
    assert "2) Nee" in shown and t("declined", "nl").split(".")[0] in shown, shown
    assert "Hoe heet je initiatief" not in shown  # no consent was taken
