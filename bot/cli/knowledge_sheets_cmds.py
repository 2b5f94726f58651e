"""Commands: ``wegwijs knowledge export | import | diff`` (spreadsheets for programme staff)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from bot.cli._apps import app, knowledge_app  # noqa: F401
from bot.cli._dates import day_or_today
from bot.knowledge_diff import diff_maps, format_report, read_questions, route_changes, to_json
from bot.sheets import ImportFailed, export_workbook, import_knowledge
from bot.sheets import Progress as ProgressFn
from routing.load import KnowledgeError, load_knowledge
from routing.model import KnowledgeMap

err = Console(stderr=True, soft_wrap=True, highlight=False)


def _load_or_exit(path: Path, what: str) -> KnowledgeMap:
    try:
        kmap: KnowledgeMap = load_knowledge(path)
        return kmap
    except KnowledgeError as exc:
        err.print(f"The {what} map in {path} has problems:")
        for p in exc.problems:
            err.print(f"  {p}", markup=False)
        raise typer.Exit(1) from None
    except OSError as exc:
        err.print(f"Cannot read {path}: {exc.strerror or exc}", markup=False)
        raise typer.Exit(1) from None


@knowledge_app.command("export")
def export_cmd(
    directory: Annotated[Path, typer.Argument(help="The knowledge folder to export.")],
    to: Annotated[Path, typer.Option("--to", help="The .xlsx file to write.")],
) -> None:
    """Write the knowledge map as a spreadsheet, one sheet per kind."""
    if to.suffix.lower() != ".xlsx":
        err.print("Give a file name ending in .xlsx, e.g. --to kenniskaart.xlsx")
        raise typer.Exit(1)
    kmap = _load_or_exit(directory, "knowledge")
    counts = export_workbook(kmap, to)
    summary = ", ".join(f"{n} {title}" for title, n in counts.items())
    typer.echo(f"Wrote {to}: {summary}.")


@contextmanager
def _progress() -> Iterator[ProgressFn]:
    """A progress bar on stderr when it is a terminal; silent otherwise."""
    bars = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    console=err, transient=True, disable=not err.is_terminal)
    tasks: dict[str, TaskID] = {}

    def update(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = bars.add_task(phase, total=max(total, 1))
        bars.update(tasks[phase], completed=done, total=max(total, 1))

    with bars:
        yield update


@knowledge_app.command("import")
def import_cmd(
    source: Annotated[Path, typer.Argument(
        help="An .xlsx file, a .csv file (one sheet), or a folder or .zip of .csv files.")],
    into: Annotated[Path, typer.Option("--into", help="The knowledge folder to write.")],
    today: Annotated[str | None, typer.Option(help="Check dates as of YYYY-MM-DD.")] = None,
) -> None:
    """Read a spreadsheet into the knowledge folder. Nothing is written if anything is wrong."""
    if not source.exists():
        err.print(f"{source} does not exist.", markup=False)
        raise typer.Exit(1)
    if into.exists() and not into.is_dir():
        err.print(f"--into must be the knowledge folder, but {into} is a file; nothing was "
                  "written. Usage: wegwijs knowledge import kenniskaart.xlsx --into knowledge/",
                  markup=False)
        raise typer.Exit(1)
    day = day_or_today(today)
    try:
        with _progress() as update:
            report = import_knowledge(source, into, today=day, progress=update)
    except ImportFailed as exc:
        errors = [p for p in exc.problems if p.severity == "error"]
        err.print(f"{len(errors)} problem(s) found; nothing was written to {into}.",
                  markup=False)
        for p in exc.problems:
            err.print(f"  {p}", markup=False)
        raise typer.Exit(1) from None
    except (OSError, ValueError) as exc:
        err.print(f"Cannot read {source}: {exc}. Nothing was written.", markup=False)
        raise typer.Exit(1) from None
    for p in report.warnings:
        err.print(f"  {p}", markup=False)
    _say_comments_lost(report.comments_lost)
    summary = ", ".join(f"{n} {title}" for title, n in report.counts.items())
    typer.echo(f"Imported into {into}: {summary}.")
    if report.before is not None:  # what changed, so a row deleted by accident shows
        typer.echo(format_report(diff_maps(report.before, report.kmap)))


_LOST_SHOWN = 10  # comment lines shown per file


def _say_comments_lost(lost: dict[str, list[str]]) -> None:
    """One note naming the files whose comments were not kept, with the comments."""
    if not lost:
        return
    files = ", ".join(f"{file} ({len(lines)})" for file, lines in lost.items())
    err.print(f"Note: some comments were not kept, in {files}. Comments stay wherever "
              "the import changed nothing; those on a line that changed, inside a value "
              "that changed, or with an entry that is gone have no place in the new "
              "file. Put them back by hand if you need them:", markup=False)
    for file, lines in lost.items():
        for line in lines[:_LOST_SHOWN]:
            err.print(f"  {file}: {line.strip()}", markup=False)
        if len(lines) > _LOST_SHOWN:
            err.print(f"  {file}: ... and {len(lines) - _LOST_SHOWN} more", markup=False)


@knowledge_app.command("diff")
def diff_cmd(
    old: Annotated[Path, typer.Argument(help="The knowledge folder as it is now.")],
    new: Annotated[Path, typer.Argument(help="The edited knowledge folder.")],
    questions: Annotated[Path | None, typer.Option(
        "--questions", help="Questions, one per line (plain text, or JSON with \"id\" and "
        "\"text\"): show which route differently.")] = None,
    today: Annotated[str | None, typer.Option(help="Route as of YYYY-MM-DD.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show what changed between two knowledge maps, and its effect on routing."""
    before = _load_or_exit(old, "old")
    after = _load_or_exit(new, "new")
    diff = diff_maps(before, after)
    moved = None
    total = 0
    if questions is not None:
        try:
            items = read_questions(questions)
        except (OSError, ValueError) as exc:
            err.print(f"Cannot read the questions: {exc}", markup=False)
            raise typer.Exit(1) from None
        total = len(items)
        day = day_or_today(today)
        moved = route_changes(before, after, items, today=day)
    if as_json:
        sys.stdout.write(json.dumps(to_json(diff, moved), ensure_ascii=False) + "\n")
    else:
        typer.echo(format_report(diff, moved, total))
