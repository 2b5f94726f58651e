"""Command: ``wegwijs report`` (the programme report as one HTML file)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

from bot.cli._apps import app, knowledge_app  # noqa: F401
from bot.cli._dates import parse_period_day

if TYPE_CHECKING:
    from sqlalchemy import Engine

err = Console(stderr=True, soft_wrap=True, highlight=False)


@app.command("report")
def report_cmd(
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")] = Path(
        "report.html"),
    date_from: Annotated[str | None, typer.Option(
        "--from", help="First day: 2026-09-01, 01-09-2026, 01/09/2026, or a month 2026-09 "
        "(its first day); default 12 weeks before --to.")] = None,
    date_to: Annotated[str | None, typer.Option(
        "--to", help="Last day: 2026-11-30, 30-11-2026, 30/11/2026, or a month 2026-11 "
        "(its last day); default today.")] = None,
    database_url: Annotated[str | None, typer.Option(
        help="Database to read; default WEGWIJS_DATABASE_URL.")] = None,
    knowledge: Annotated[Path | None, typer.Option(
        help="Knowledge folder for readable names; default WEGWIJS_KNOWLEDGE.")] = None,
) -> None:
    """Write the programme report: what came in, handovers, and knowledge gaps."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.cli._settings import settings_or_exit
    from bot.db import make_engine
    from bot.doctor import missing_sqlite_file, safe_url
    from bot.report import build_report
    from routing.load import KnowledgeError, load_knowledge

    settings = settings_or_exit()
    zone = ZoneInfo(settings.timezone)
    first = parse_period_day(date_from, "--from", last=False)
    end = parse_period_day(date_to, "--to", last=True) or dt.datetime.now(zone).date()
    start = first or end - dt.timedelta(weeks=12) + dt.timedelta(days=1)
    if start > end:
        err.print(f"--from ({start}) is after --to ({end}).", markup=False)
        raise typer.Exit(1)
    if out.is_dir():  # a folder was given: the report goes into it
        out = out / "report.html"
    url = database_url or settings.database_url
    if missing_sqlite_file(url):
        err.print(f"There is no desk database at {safe_url(url)} yet; has the desk run? "
                  "(Set WEGWIJS_DATABASE_URL or --database-url to the desk's database.)",
                  markup=False)
        raise typer.Exit(1)
    kmap = None
    folder = knowledge or settings.knowledge
    try:
        kmap = load_knowledge(folder)
    except (KnowledgeError, OSError, ValueError):
        err.print(f"The knowledge map in {folder} could not be loaded (see `wegwijs knowledge "
                  "check`); the report shows themes and needs by their ids, provinces by "
                  "their ids made readable.", markup=False)
    engine = make_engine(url)
    try:
        html = build_report(engine, start=start, end=end, kmap=kmap, tz=settings.timezone)
    except SQLAlchemyError as exc:
        if _has_no_tables(engine):
            err.print(f"The database at {safe_url(url)} has no desk tables yet: run "
                      "`wegwijs db upgrade` (the desk does it when it starts), or point "
                      "--database-url at the desk's database.", markup=False)
        else:
            err.print(f"Cannot read the database at {safe_url(url)}: {type(exc).__name__}. "
                      "Is the URL right and has the desk run on it?", markup=False)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(tmp) else ""
        err.print(f"Cannot write {out}: {exc.strerror or exc}{where}. Give a file name in a folder "
                  "you can write to, e.g. --out rapport.html", markup=False)
        raise typer.Exit(1) from None
    typer.echo(f"Wrote {out} ({start} – {end}).")


def _has_no_tables(engine: Engine) -> bool:
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return not inspect(engine).get_table_names()
    except SQLAlchemyError:
        return False
