"""Command: ``wegwijs serve``: the desk with every configured chat channel, until stopped.

A channel is configured when its credentials are in the environment (``WEGWIJS_TELEGRAM_TOKEN``,
the ``WEGWIJS_MATRIX_*`` settings); a Telegram token that is not in @BotFather's form (quotes
or spaces pasted around it, a piece missing) stops ``serve`` with doctor's sentence and exit 1
before it connects anywhere. SIGTERM / SIGINT stop it cleanly; everything lives in the
database, so a restart continues where it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli._apps import app, knowledge_app  # noqa: F401

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    from sqlalchemy import Engine

    from bot.channel import Channel
    from bot.knowledge_source import KnowledgeSource
    from bot.settings import Settings

NO_CHANNEL = (
    "No chat channel is configured. Set WEGWIJS_TELEGRAM_TOKEN (see docs/telegram.md) or the "
    "WEGWIJS_MATRIX_* settings. To try the desk without any token: wegwijs chat")


def configured_channel_names(settings: Settings) -> list[str]:
    """The names of the channels ``build_channels`` would start, without starting any."""
    names = ["telegram"] if settings.telegram_token is not None else []
    return names + (["matrix"] if settings.matrix_homeserver is not None else [])


def telegram_token_refusal(settings: Settings) -> str | None:
    """Why ``serve`` will not start with this Telegram token, or None: its form, checked
    offline with doctor's sentence (``bot.telegram_token``), never quoting the token. A
    token with quotes or spaces pasted around it is refused, not stripped."""
    from bot.telegram_token import token_sentence

    if settings.telegram_token is None:
        return None
    return token_sentence(settings.telegram_token.get_secret_value())


def build_channels(settings: Settings, engine: Engine, *,
                   servants: Callable[[], Collection[str]] | None = None) -> list[Channel]:
    """Every channel whose credentials are set, each with its state in the database.
    ``servants`` tells the Matrix channel who the civil servants are (``wegwijs serve``
    answers from its live map); without it the channel reads the map folder itself."""
    from bot.kv import DbStateStore

    channels: list[Channel] = []
    if settings.telegram_token is not None:
        from bot.channels.telegram import TelegramChannel

        channels.append(TelegramChannel.from_settings(settings, DbStateStore(engine)))
    if settings.matrix_homeserver is not None:
        from bot.channels.matrix import MatrixChannel

        channels.append(MatrixChannel.from_settings(settings, DbStateStore(engine),
                                                    servants=servants))
    return channels


def open_knowledge(path: Path) -> KnowledgeSource:
    """The live knowledge map for ``wegwijs serve``; a clear exit when it cannot be loaded."""
    from bot.knowledge_source import KnowledgeSource
    from routing.load import KnowledgeError

    if not path.is_dir():
        raise _fail(f"Knowledge map not found: {path} is not a folder.")
    try:
        return KnowledgeSource.open(path)
    except KnowledgeError as exc:
        problems = [str(p) for p in exc.problems] or [str(exc)]
        lines = "\n".join(f"  - {p}" for p in problems)
        raise _fail(f"The knowledge map in {path} has problems:\n{lines}") from None


async def run_desk(settings: Settings, knowledge: KnowledgeSource, channels: list[Channel],
                   engine: Engine, stop: asyncio.Event) -> None:
    """Run the desk on the live map ``knowledge`` with ``channels`` until ``stop`` is set."""
    from bot import retention
    from bot.desk import Desk
    from bot.followup import FollowUpConfig
    from bot.runtime import Runtime
    from bot.scheduler import build_scheduler

    snapshot = knowledge.snapshot
    desk = Desk(engine, snapshot.kmap, router=snapshot.router,
                config=FollowUpConfig(timezone=settings.timezone,
                                      retention_months=settings.retention_months),
                channels=[channel.name for channel in channels])
    runtime = Runtime(desk, channels)
    scheduler = build_scheduler(runtime.tick, timezone=settings.timezone)
    # Retention (GDPR): closed cases past the retention period, once a day at night.
    scheduler.add_job(retention.run_daily, "cron", hour=3, minute=30,
                      args=[engine, desk.clock, settings.retention_months, settings.retention_action],
                      id="retention", name="retention", replace_existing=True, coalesce=True,
                      max_instances=1, misfire_grace_time=None)
    # Live reload of the knowledge map (file change or SIGHUP); see bot/knowledge_source.py.
    # A new map goes to the desk; a refused one is reported to the admins through the runtime.
    knowledge.notify, knowledge.on_swap = runtime.tell_servant, runtime.use_knowledge
    await runtime.start()
    scheduler.start()
    knowledge.start()
    try:
        await stop.wait()
    finally:
        await knowledge.stop()
        scheduler.shutdown(wait=False)
        await runtime.stop()


async def _serve(settings: Settings) -> None:
    from bot import migrations
    from bot.channel import ChannelError
    from bot.channels.matrix_servants import SourceServants
    from bot.db import make_engine

    if not configured_channel_names(settings):
        raise _fail(NO_CHANNEL)
    engine = make_engine(settings.database_url)
    try:
        # One live map in the process: the desk routes on it, the Matrix channel knows the
        # civil servants from it.
        knowledge = open_knowledge(settings.knowledge)
        try:
            channels = build_channels(settings, engine, servants=SourceServants(knowledge))
        except ValueError as exc:  # a setting that cannot work, e.g. an http:// webhook URL
            raise _fail(f"Channel settings: {exc}") from None
        migrations.upgrade(settings.database_url)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):  # not on every platform
                loop.add_signal_handler(signum, stop.set)
        typer.echo(f"Wegwijs serves: {', '.join(c.name for c in channels)}", err=True)
        try:
            await run_desk(settings, knowledge, channels, engine, stop)
        except ChannelError as exc:
            raise _fail(f"A channel could not start: {exc}", code=1) from None
    finally:
        engine.dispose()


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code=code)


@app.command("serve")
def serve(
    database_url: Annotated[str | None, typer.Option(
        "--database-url", help="Database URL (default: WEGWIJS_DATABASE_URL).")] = None,
    knowledge: Annotated[Path | None, typer.Option(
        "--knowledge", help="Knowledge map folder (default: WEGWIJS_KNOWLEDGE).")] = None,
) -> None:
    """Run the desk with every configured chat channel (Telegram, Matrix) until stopped."""
    from bot.cli._settings import settings_or_exit
    from bot.log import configure_logging

    settings = settings_or_exit()
    if database_url:
        settings.database_url = database_url
    if knowledge:
        settings.knowledge = knowledge
    # A malformed token would start the desk and fail later against Telegram with an
    # opaque error: say what is wrong first, before connecting anywhere (database
    # included) and before any log line, so the sentence is all the operator sees.
    if refusal := telegram_token_refusal(settings):
        raise _fail(refusal, code=1)
    configure_logging(settings)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(settings))
