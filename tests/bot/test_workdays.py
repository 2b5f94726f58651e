from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.workdays import add_working_days, is_working_day, next_weekly, next_weekly_working

AMS = ZoneInfo("Europe/Amsterdam")


def at(year: int, month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=AMS)


def test_weekends_and_dutch_holidays_are_not_working_days() -> None:
    assert is_working_day(dt.date(2026, 11, 23))  # a Monday
    assert not is_working_day(dt.date(2026, 11, 28))  # Saturday
    assert not is_working_day(dt.date(2026, 12, 25))  # Christmas
    assert not is_working_day(dt.date(2027, 4, 27))  # King's Day
    assert not is_working_day(dt.date(2027, 3, 29))  # Easter Monday


def test_adding_working_days_keeps_the_local_time() -> None:
    assert add_working_days(at(2026, 11, 23, 10), 1) == at(2026, 11, 24, 10)
    assert add_working_days(at(2026, 11, 27, 16), 1) == at(2026, 11, 30, 16)  # Fri -> Mon
    # Thursday 24 Dec 2026 -> Christmas (Fri), weekend (Boxing Day on Sat) -> Mon, Tue
    assert add_working_days(at(2026, 12, 24, 10), 2) == at(2026, 12, 29, 10)


def test_a_start_on_a_free_day_counts_from_the_next_working_morning() -> None:
    assert add_working_days(at(2026, 11, 28, 15), 1) == at(2026, 12, 1, 0)


def test_daylight_saving_change_is_respected() -> None:
    before = at(2026, 3, 27, 9)  # Friday, CET; Monday is CEST (clocks change on Sunday)
    due = add_working_days(before, 1)
    assert due.astimezone(AMS).hour == 9 and due.astimezone(AMS).date() == dt.date(2026, 3, 30)


def test_next_weekly_is_strictly_after() -> None:
    monday_nine = at(2026, 11, 30, 9)
    assert next_weekly(at(2026, 11, 27, 12)) == monday_nine
    assert next_weekly(monday_nine) == at(2026, 12, 7, 9)


def test_weekly_slot_on_a_public_holiday_moves_to_the_next_working_day() -> None:
    # Easter Monday 29 March 2027 and Whit Monday 17 May 2027 are Dutch public holidays
    assert next_weekly_working(at(2027, 3, 26, 12)) == at(2027, 3, 30, 9)
    assert next_weekly_working(at(2027, 3, 29, 10)) == at(2027, 3, 30, 9)  # on the day itself
    assert next_weekly_working(at(2027, 3, 30, 9)) == at(2027, 4, 5, 9)  # strictly after
    assert next_weekly_working(at(2027, 5, 14, 12)) == at(2027, 5, 18, 9)
    # an ordinary Monday stays where it was
    assert next_weekly_working(at(2026, 11, 27, 12)) == next_weekly(at(2026, 11, 27, 12))
    assert next_weekly_working(at(2026, 11, 30, 9)) == at(2026, 12, 7, 9)
