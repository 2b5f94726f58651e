"""Commands: ``wegwijs chat`` (a volunteer) and ``wegwijs staff --as ID`` (a civil servant),
both in the terminal, on the same database: two terminals show the whole flow."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer
from sqlalchemy import Engine

from bot.cli._apps import app, knowledge_app  # noqa: F401
from routing.model import KnowledgeMap

if TYPE_CHECKING:
    from bot.channels.terminal import TerminalChannel
    from bot.desk import Desk
    from bot.followup import FollowUpConfig
    from bot.runtime import Runtime

DatabaseOpt = Annotated[str | None, typer.Option(
    "--database-url", help="Database URL (default: WEGWIJS_DATABASE_URL or a SQLite file in "
    "the user data folder).")]
KnowledgeOpt = Annotated[Path | None, typer.Option(
    "--knowledge", help="Knowledge map folder (default: WEGWIJS_KNOWLEDGE or knowledge/).")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code=code)


def _load(path: Path) -> KnowledgeMap:
    from routing.load import KnowledgeError, load_knowledge

    if not path.is_dir():
        raise _fail(f"Knowledge map not found: {path} is not a folder.")
    try:
        kmap: KnowledgeMap = load_knowledge(path)
    except KnowledgeError as exc:
        problems = getattr(exc, "problems", None) or [str(exc)]
        lines = "\n".join(f"  - {p}" for p in problems)
        raise _fail(f"The knowledge map in {path} has problems:\n{lines}") from None
    return kmap


async def _run_terminal(database_url: str, kmap: KnowledgeMap, *, chat_id: str,
                        sender_id: str, display_name: str | None, label: str,
                        config: FollowUpConfig, volunteer: bool = False,
                        stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
    """One terminal session on the database at ``database_url``, until the input ends.
    ``volunteer``: the chat is a volunteer's, whose pending question is shown again."""
    from bot.channels.terminal import TerminalChannel
    from bot.desk import Desk
    from bot.kv import DbStateStore
    from bot.scheduler import build_scheduler

    engine = open_database(database_url)
    timezone = config.timezone
    desk = Desk(engine, kmap, config=config, channels=("terminal",))
    # the options last shown live in the database, so a number still picks one after a
    # restart of the chat
    channel = TerminalChannel(chat_id=chat_id, sender_id=sender_id, display_name=display_name,
                              label=label, state=DbStateStore(engine), stdin=stdin,
                              stdout=stdout)
    runtime = terminal_runtime(desk, channel)
    scheduler = build_scheduler(runtime.tick, timezone=timezone)
    if volunteer and await asyncio.to_thread(ask_pending_question, desk, channel.name,
                                             sender_id):
        # shown before any input is read: a number typed next picks from these options,
        # not from the ones stored before the restart
        await runtime.deliver_pending()
    await runtime.start()
    scheduler.start()
    try:
        await channel.closed.wait()
        await runtime.deliver_pending()  # what is addressed to us, before leaving
    finally:
        scheduler.shutdown(wait=False)
        await runtime.stop()
        engine.dispose()


def terminal_runtime(desk: Desk, channel: TerminalChannel) -> Runtime:
    """The runtime of one terminal: it delivers only what is addressed to this chat, and
    a message the terminal could not show (a broken pipe) is tried again at the next
    chance (the next poll or input), not after the network back-off: nothing remote is
    spared by waiting."""
    from bot.runtime import Runtime

    return Runtime(desk, [channel], chat=(channel.name, channel.chat_id), poll_interval=1.0,
                   max_backoff=0.0)


def ask_pending_question(desk: Desk, channel: str, sender_id: str) -> bool:
    """Queue the question the volunteer's conversation waits for once more (a chat that
    starts again would otherwise show an empty prompt). The state is the database's."""
    return desk.ask_pending(channel, sender_id)


def open_database(database_url: str) -> Engine:
    """The desk's database at ``database_url``, brought to the newest migration first
    (as ``wegwijs serve`` does), so that a terminal session never creates tables a later
    ``wegwijs db upgrade`` would trip over."""
    from bot import migrations
    from bot.db import make_engine

    migrations.upgrade(database_url)
    return make_engine(database_url)


def _settings(database_url: str | None,
              knowledge: Path | None) -> tuple[str, Path, FollowUpConfig]:
    from bot.cli._settings import settings_or_exit
    from bot.followup import FollowUpConfig

    settings = settings_or_exit()
    return (database_url or settings.database_url, knowledge or settings.knowledge,
            FollowUpConfig(timezone=settings.timezone,
                           retention_months=settings.retention_months))


def _hint(text: str) -> None:
    if sys.stdin.isatty():
        typer.echo(text, err=True)


@app.command("chat")
def chat(
    database_url: DatabaseOpt = None,
    knowledge: KnowledgeOpt = None,
    as_volunteer: Annotated[str | None, typer.Option(
        "--as-volunteer", help="Chat as this volunteer (default: your user name).")] = None,
) -> None:
    """Talk to the desk as a volunteer, in this terminal (lines from stdin when piped)."""
    url, path, config = _settings(database_url, knowledge)
    kmap = _load(path)
    who = as_volunteer or os.environ.get("USER") or getpass.getuser()
    _hint("Wegwijs in de terminal. Typ je vraag; /help voor opdrachten, Ctrl-D om te stoppen.")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run_terminal(url, kmap, chat_id=who, sender_id=who, display_name=who,
                                  label="wegwijs", config=config, volunteer=True))


@app.command("staff")
def staff(
    servant_id: Annotated[str, typer.Option("--as", help="Your servant id from "
                                            "civil_servants.yaml.")],
    database_url: DatabaseOpt = None,
    knowledge: KnowledgeOpt = None,
) -> None:
    """Work as a civil servant in this terminal: /zaken, /neem N, /antwoord N tekst, …"""
    url, path, config = _settings(database_url, knowledge)
    kmap = _load(path)
    servant = kmap.find_servant(servant_id)
    if servant is None:  # Dutch: the servant's language is not known yet
        from bot.texts import t

        known = ", ".join(s.id for s in kmap.servants)
        raise _fail(t("s_cli_unknown", "nl", who=servant_id, known=known))
    _hint(f"Wegwijs staff: {servant.name}. /zaken voor je zaken, /help voor opdrachten.")
    with contextlib.suppress(KeyboardInterrupt):
        # the chat the desk addresses this servant's terminal messages to
        chat_id = servant.channels.get("terminal", servant.id)
        asyncio.run(_run_terminal(url, kmap, chat_id=chat_id, sender_id=servant.id,
                                  display_name=servant.name, label="wegwijs", config=config))
