"""Operations commands: ``wegwijs db upgrade``, ``wegwijs doctor`` and
``wegwijs privacy export|erase``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError

from bot.cli._apps import app
from bot.cli.desk_cmds import DatabaseOpt as DeskDatabaseOpt
from bot.cli.desk_cmds import KnowledgeOpt
from bot.settings import Settings

if TYPE_CHECKING:
    from routing.model import KnowledgeMap

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")
privacy_app = typer.Typer(help="GDPR: export or erase what the desk holds about a volunteer.",
                          no_args_is_help=True)
app.add_typer(privacy_app, name="privacy")

DatabaseOpt = Annotated[str | None, typer.Option(
    "--database-url", help="Overrides WEGWIJS_DATABASE_URL.", show_default=False)]


def _settings(database_url: str | None = None) -> Settings:
    """Settings from the environment (flags override); a friendly exit when invalid."""
    from bot.doctor import settings_errors

    overrides = {"database_url": database_url} if database_url else {}
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        for line in settings_errors(exc):
            typer.echo(f"configuration: {line}", err=True)
        raise typer.Exit(2) from None


def _configure_logging(settings: Settings) -> None:
    from bot.log import configure_logging

    configure_logging(settings)


@db_app.command("upgrade")
def db_upgrade(
    database_url: DatabaseOpt = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Bring the database schema to the newest migration (safe to run on every start)."""
    from bot import migrations
    from bot.doctor import safe_url

    settings = _settings(database_url)
    _configure_logging(settings)
    try:
        result = migrations.upgrade(settings.database_url, revision)
    except Exception as exc:
        typer.echo(f"upgrade failed on {safe_url(settings.database_url)}: "
                   f"{type(exc).__name__}: {str(getattr(exc, 'orig', exc)).strip()}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{safe_url(settings.database_url)}: schema at {result.current} "
               f"(newest {result.head})")


@db_app.command("current")
def db_current(database_url: DatabaseOpt = None) -> None:
    """Show the schema revision of the database and the newest one this Wegwijs knows."""
    from bot import migrations
    from bot.db import make_engine
    from bot.doctor import safe_url

    settings = _settings(database_url)
    engine = make_engine(settings.database_url)
    try:
        status = migrations.status(engine)
    finally:
        engine.dispose()
    typer.echo(f"{safe_url(settings.database_url)}: {status.current or 'empty'} "
               f"(newest {status.head})")
    if not status.at_head:
        raise typer.Exit(1)


@app.command("doctor")
def doctor(
    database_url: DeskDatabaseOpt = None,
    knowledge: KnowledgeOpt = None,
) -> None:
    """Check configuration, database, migrations, channel credentials and the knowledge map.
    Exits non-zero when something must be fixed."""
    from bot import doctor as checks

    given = {key: value for key, value in
             (("database_url", database_url), ("knowledge", knowledge)) if value}

    def load() -> Settings:
        """The environment's settings, the command line's options first (as chat has)."""
        return Settings(**given)  # type: ignore[arg-type]

    findings = checks.run(load)
    typer.echo(checks.render(findings))
    raise typer.Exit(checks.exit_code(findings))


def _volunteer_ids(settings: Settings, volunteer: str) -> list[int]:
    from bot import privacy
    from bot.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        ids = privacy.find_volunteers(engine, volunteer)
    finally:
        engine.dispose()
    if not ids:
        typer.echo(f"no volunteer {volunteer!r} in this database", err=True)
        raise typer.Exit(1)
    return ids


@privacy_app.command("export")
def privacy_export(
    volunteer: Annotated[str, typer.Option(
        "--volunteer", help="Volunteer id (number), or CHANNEL:SENDER_ID as on the channel.")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of stdout.")] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Everything the desk holds about one volunteer, as JSON (GDPR art. 15)."""
    from bot import privacy
    from bot.db import make_engine

    settings = _settings(database_url)
    engine = make_engine(settings.database_url)
    try:
        data = [privacy.export_volunteer(engine, vid)
                for vid in _volunteer_ids(settings, volunteer)]
    finally:
        engine.dispose()
    text = json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2,
                      sort_keys=True)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        output.write_text(text + "\n", encoding="utf-8")
        output.chmod(0o600)
        typer.echo(f"written to {output}", err=True)


@privacy_app.command("erase")
def privacy_erase(
    volunteer: Annotated[str, typer.Option(
        "--volunteer", help="Volunteer id (number), or CHANNEL:SENDER_ID as on the channel.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Erase everything personal about one volunteer (GDPR art. 17). Cannot be undone.
    The civil servant of each of their open cases gets a short notice that the case was
    erased (no details), delivered by the running desk."""
    from bot import privacy
    from bot.cli.serve_cmds import configured_channel_names
    from bot.clock import SystemClock
    from bot.db import make_engine
    from bot.outbox import TERMINAL

    settings = _settings(database_url)
    _configure_logging(settings)
    ids = _volunteer_ids(settings, volunteer)
    if not yes:
        typer.confirm(f"Erase everything about volunteer {', '.join(map(str, ids))}?",
                      abort=True)
    kmap = _knowledge_for_addresses(settings)
    channels = [*configured_channel_names(settings), TERMINAL]
    engine = make_engine(settings.database_url)
    try:
        for vid in ids:
            report = privacy.erase_and_tell(engine, vid, kmap, now=SystemClock().now(),
                                            channels=channels, timezone=settings.timezone)
            typer.echo(f"volunteer {vid}: {report.summary()}")
    finally:
        engine.dispose()


def _knowledge_for_addresses(settings: Settings) -> KnowledgeMap:
    """The map, for the civil servants' addresses; an empty one when it cannot be loaded
    (erasure must not wait for a broken map: servants are then reached where they last
    wrote from, else in the terminal)."""
    from routing.load import KnowledgeError, load_knowledge
    from routing.model import KnowledgeMap

    try:
        return load_knowledge(settings.knowledge)
    except (KnowledgeError, OSError, ValueError):
        typer.echo("The knowledge map could not be loaded; civil servants are told where "
                   "they last wrote from, else in the terminal.", err=True)
        return KnowledgeMap((), (), (), (), ())


@privacy_app.command("retention")
def privacy_retention(database_url: DatabaseOpt = None) -> None:
    """Apply the retention period now (WEGWIJS_RETENTION_MONTHS / _ACTION). The desk runs
    this daily; use this command from cron or a systemd timer if it does not."""
    from bot import retention
    from bot.clock import SystemClock
    from bot.db import make_engine

    settings = _settings(database_url)
    _configure_logging(settings)
    engine = make_engine(settings.database_url)
    try:
        report = retention.run_daily(engine, SystemClock(), settings.retention_months,
                                     settings.retention_action)
    finally:
        engine.dispose()
    typer.echo(f"{settings.retention_action}: {report.summary()}")
