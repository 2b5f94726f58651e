"""Command: ``wegwijs report`` (the programme report as one HTML file)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

from bot.cli._apps import app, knowledge_app  # noqa: F401
from bot.cli._dates import parse_day

err = Console(stderr=True, soft_wrap=True, highlight=False)


def _missing_sqlite_file(url: str) -> bool:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return False
    database = parsed.database or ""
    return (parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
            and not Path(database).expanduser().exists())


@app.command("report")
def report_cmd(
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")] = Path(
        "report.html"),
    date_from: Annotated[str | None, typer.Option(
        "--from", help="First day (YYYY-MM-DD); default 12 weeks before --to.")] = None,
    date_to: Annotated[str | None, typer.Option(
        "--to", help="Last day (YYYY-MM-DD); default today.")] = None,
    database_url: Annotated[str | None, typer.Option(
        help="Database to read; default WEGWIJS_DATABASE_URL.")] = None,
    knowledge: Annotated[Path | None, typer.Option(
        help="Knowledge folder for readable names; default WEGWIJS_KNOWLEDGE.")] = None,
) -> None:
    """Write the programme report: what came in, handovers, and knowledge gaps."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db import make_engine
    from bot.report import build_report
    from bot.settings import Settings
    from routing.load import KnowledgeError, load_knowledge

    settings = Settings()
    zone = ZoneInfo(settings.timezone)
    end = parse_day(date_to, "--to") or dt.datetime.now(zone).date()
    start = parse_day(date_from, "--from") or end - dt.timedelta(weeks=12) + dt.timedelta(days=1)
    if start > end:
        err.print("--from is after --to.")
        raise typer.Exit(1)
    url = database_url or settings.database_url
    if _missing_sqlite_file(url):
        err.print("There is no desk database at that address yet; has the desk run?")
        raise typer.Exit(1)
    kmap = None
    try:
        kmap = load_knowledge(knowledge or settings.knowledge)
    except (KnowledgeError, OSError, ValueError):
        err.print("The knowledge map could not be loaded; the report shows themes and needs "
                  "by their ids, provinces by their ids made readable.")
    engine = make_engine(url)
    try:
        html = build_report(engine, start=start, end=end, kmap=kmap, tz=settings.timezone)
    except SQLAlchemyError as exc:
        err.print(f"Cannot read the database: {type(exc).__name__}. Is the URL right and "
                  "has the desk run on it?", markup=False)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, out)
    typer.echo(f"Wrote {out} ({start} – {end}).")
