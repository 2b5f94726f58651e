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


def next_weekly_working(after: dt.datetime, weekday: int = 0, hour: int = 9,
                        tz: str = DEFAULT_TZ) -> dt.datetime:
    """Like ``next_weekly``, but a ``weekday`` that is not a working day (Easter Monday,
    Whit Monday, ...) gives way to the next working day of that week, at the same hour.

    The week's slot counts even when ``after`` falls on the free day itself: on Easter
    Monday at 10:00 the answer is Tuesday 09:00, not the Monday after.
    """
    zone = ZoneInfo(tz)
    local = after.astimezone(zone)
    day = local.date() - dt.timedelta(days=(local.weekday() - weekday) % 7)
    while True:
        slot = day
        while not is_working_day(slot):
            slot += dt.timedelta(days=1)
        candidate = dt.datetime.combine(slot, dt.time(hour), tzinfo=zone)
        if candidate > local:
            return candidate.astimezone(dt.UTC)
        day += dt.timedelta(days=7)


def local_date(instant: dt.datetime, tz: str = DEFAULT_TZ) -> dt.date:
    return instant.astimezone(ZoneInfo(tz)).date()
