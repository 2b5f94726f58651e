"""Working days in the Netherlands: Monday to Friday minus Dutch public holidays.

Counting happens on the calendar of Europe/Amsterdam; the results are UTC instants.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

DEFAULT_TZ = "Europe/Amsterdam"


@lru_cache(maxsize=1)
def _nl_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays("NL")


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _nl_holidays()


def add_working_days(start: dt.datetime, days: int, tz: str = DEFAULT_TZ) -> dt.datetime:
    """The instant ``days`` working days after ``start``, at the same local time of day.

    A start outside working days counts from the start of the next working day
    (a Saturday handover is due ``days`` working days after Monday 00:00 local time).
    """
    zone = ZoneInfo(tz)
    local = start.astimezone(zone)
    day = local.date()
    clock = local.timetz().replace(tzinfo=None)
    if not is_working_day(day):
        clock = dt.time(0, 0)
        while not is_working_day(day):
            day += dt.timedelta(days=1)
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return dt.datetime.combine(day, clock, tzinfo=zone).astimezone(dt.UTC)


def next_weekly(after: dt.datetime, weekday: int = 0, hour: int = 9,
                tz: str = DEFAULT_TZ) -> dt.datetime:
    """The first ``weekday`` at ``hour``:00 local time strictly after ``after`` (UTC)."""
    zone = ZoneInfo(tz)
    local = after.astimezone(zone)
    day = local.date() + dt.timedelta(days=(weekday - local.weekday()) % 7)
    candidate = dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
    if candidate <= local:
        candidate = dt.datetime.combine(day + dt.timedelta(days=7), dt.time(hour), tzinfo=zone)
    return candidate.astimezone(dt.UTC)


def local_date(instant: dt.datetime, tz: str = DEFAULT_TZ) -> dt.date:
    return instant.astimezone(ZoneInfo(tz)).date()
