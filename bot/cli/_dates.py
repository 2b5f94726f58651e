"""Date options shared by the commands: ``--today`` (ISO only), ``--from`` and ``--to``
(also as Dutch staff type them, or a whole month)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

import typer

#: ``--from``/``--to`` forms besides ISO 2026-11-23: 23-11-2026, 23/11/2026, 23.11.2026
#: (day first, one separator throughout, four-digit year) and 2026-11 (a month).
_DAY_FIRST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_day(value: str | None, option: str = "--today") -> dt.date | None:
    """The date given for ``option``, or None when absent; a bad date exits 1 with a sentence."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        typer.echo(f"{option}: '{value}' is not a date like 2026-11-23.", err=True)
        raise typer.Exit(code=1) from None


def period_forms(*, last: bool) -> str:
    """The accepted forms of a period's first (or ``last``) day, for messages and help."""
    edge = "last" if last else "first"
    return (f"2026-11-23, 23-11-2026, 23/11/2026, 23.11.2026 or 2026-11 (the {edge} day "
            "of that month)")


def read_period_day(text: str, *, last: bool) -> dt.date:
    """A period's first or (``last``) last day as typed: 2026-11-23, 23-11-2026,
    23/11/2026, 23.11.2026, or a month 2026-11 (its first day, or its last when ``last``).

    Raises ``ValueError`` with a sentence naming the accepted forms for anything else,
    including impossible days (31-02-2026) and two-digit years (23-11-26).
    """
    value = text.strip()
    try:
        if _ISO.fullmatch(value):
            return dt.date.fromisoformat(value)
        if match := _DAY_FIRST.fullmatch(value):
            day, _, month, year = match.groups()
            return dt.date(int(year), int(month), int(day))
        if match := _MONTH.fullmatch(value):
            year, month = int(match[1]), int(match[2])
            first = dt.date(year, month, 1)
            return first.replace(day=calendar.monthrange(year, month)[1]) if last else first
    except ValueError:
        pass
    raise ValueError(f"'{text}' is not a date; write {period_forms(last=last)}.")


def parse_period_day(value: str | None, option: str, *, last: bool) -> dt.date | None:
    """``--from`` (``last=False``) or ``--to`` (``last=True``), or None when absent; anything
    else exits 1 with one sentence naming the forms."""
    if value is None:
        return None
    try:
        return read_period_day(value, last=last)
    except ValueError as exc:
        typer.echo(f"{option}: {exc}", err=True)
        raise typer.Exit(code=1) from None


def today() -> dt.date:
    """Today in the desk's time zone (``WEGWIJS_TIMEZONE``)."""
    from zoneinfo import ZoneInfo

    from bot.cli._settings import settings_or_exit

    return dt.datetime.now(ZoneInfo(settings_or_exit().timezone)).date()


def day_or_today(value: str | None, option: str = "--today") -> dt.date:
    day = parse_day(value, option)
    return day if day is not None else today()
