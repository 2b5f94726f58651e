"""Command: ``wegwijs knowledge check [DIR]`` — validate a knowledge map folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli._apps import knowledge_app
from bot.cli._dates import day_or_today


@knowledge_app.command("check")
def check(
    folder: Annotated[Path | None, typer.Argument(
        help="Knowledge map folder (default: WEGWIJS_KNOWLEDGE, else the repo's knowledge/).",
        show_default=False)] = None,
    today: Annotated[str | None, typer.Option(
        "--today", help="Check open windows as on this date (YYYY-MM-DD).")] = None,
) -> None:
    """Check a knowledge map: every problem with file and line; exit 1 on any error."""
    from routing.load import check_knowledge, summary

    day = day_or_today(today)
    if folder is None:
        from bot.cli._settings import settings_or_exit

        folder = settings_or_exit().knowledge
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        typer.echo(f"Knowledge map not found: {folder} {what}.", err=True)
        raise typer.Exit(code=1)
    kmap, problems = check_knowledge(folder, today=day)
    for problem in problems:
        typer.echo(str(problem))
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    counts = f"{errors} error(s), {warnings} warning(s)"
    if kmap is None or errors:
        typer.echo(f"{folder}: NOT valid — {counts}. Nothing was loaded.")
        raise typer.Exit(code=1)
    typer.echo(f"{folder}: OK — {summary(kmap)}; {counts} (windows checked on {day}).")
