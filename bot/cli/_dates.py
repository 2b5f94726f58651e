"""Date options shared by the commands: ``--today``, ``--from``, ``--to``."""

from __future__ import annotations

import datetime as dt

import typer


def parse_day(value: str | None, option: str = "--today") -> dt.date | None:
    """The date given for ``option``, or None when absent; a bad date exits 1 with a sentence."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        typer.echo(f"{option}: '{value}' is not a date like 2026-11-23.", err=True)
        raise typer.Exit(code=1) from None


def today() -> dt.date:
    """Today in the desk's time zone (``WEGWIJS_TIMEZONE``)."""
    from zoneinfo import ZoneInfo

    from bot.settings import Settings

    return dt.datetime.now(ZoneInfo(Settings().timezone)).date()


def day_or_today(value: str | None, option: str = "--today") -> dt.date:
    day = parse_day(value, option)
    return day if day is not None else today()
