"""Retention with a fake clock: finished cases older than the period lose everything
personal (or are deleted), open cases and recent ones are kept; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from bot import retention
from bot.clock import FakeClock
from bot.db import transaction
from bot.models import Case, CaseEvent, CheckinStat, Message, Volunteer
from tests.bot.ops.privacy_data import ANNA, BOB, T0, Person, add_person, add_shared_rows, scan

CAROL = Person("terminal", "carol", "carol", "Waar vind ik een vergunning voor een repair café?",
               "Repaircafé De Schroef", "Top, ik vraag de vergunning aan")


@pytest.fixture
def seeded(engine: sa.Engine) -> dict[str, tuple[int, int]]:
    """Anna: closed case. Bob: case still in progress (as old as Anna's).
    Carol: an old closed case and a recent declined one."""
    with transaction(engine) as session:
        ids = {"anna": add_person(session, ANNA, servant="anouk-de-vries", state="closed"),
               "bob": add_person(session, BOB, servant="anouk-de-vries", state="in_progress"),
               "carol": add_person(session, CAROL, servant="jan-jansen", state="closed")}
        recent = T0 + dt.timedelta(days=300)
        case = Case(volunteer_id=ids["carol"][0], state="declined", question=CAROL.question,
                    created_at=recent, updated_at=recent)
        session.add(case)
        vol = session.get(Volunteer, ids["carol"][0])
        assert vol is not None
        vol.updated_at = recent
        session.add(vol)
        add_shared_rows(session)
    return ids


def test_months_before_clamps_the_day() -> None:
    at = dt.datetime(2027, 3, 31, 12, tzinfo=dt.UTC)
    assert retention.months_before(at, 1) == dt.datetime(2027, 2, 28, 12, tzinfo=dt.UTC)
    assert retention.months_before(at, 12) == dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC)
    assert retention.months_before(at, 15) == dt.datetime(2025, 12, 31, 12, tzinfo=dt.UTC)


def test_nothing_happens_before_the_period(engine: sa.Engine,
                                           seeded: dict[str, tuple[int, int]]) -> None:
    clock = FakeClock(T0)
    clock.advance(days=364)
    report = retention.run_daily(engine, clock)
    assert report.cases == report.volunteers == report.messages == 0
    assert scan(engine, ANNA.identifiers)


def test_after_twelve_months_closed_cases_are_anonymised(
        engine: sa.Engine, seeded: dict[str, tuple[int, int]]) -> None:
    clock = FakeClock(T0 + dt.timedelta(days=366))
    report = retention.run_daily(engine, clock)
    assert report.cases == 2  # Anna's and Carol's old closed cases; Bob's is open
    assert report.volunteers == 1  # Anna: nothing attached any more, idle
    assert scan(engine, ANNA.identifiers) == []
    # Carol is active (recent declined case): kept, but her old case lost its texts
    assert scan(engine, (CAROL.reply, CAROL.initiative)) == []
    assert scan(engine, (CAROL.sender_id,))
    # Bob's open case is untouched, however old
    assert len(scan(engine, BOB.identifiers)) > 5
    with Session(engine) as session:
        anna_case = session.get(Case, seeded["anna"][1])
        assert anna_case is not None
        assert (anna_case.state, anna_case.theme, anna_case.region) == \
            ("closed", "zwerfafval", "utrecht")
        assert anna_case.volunteer_id is None and anna_case.question is None
        assert anna_case.routes == [{"id": "fonds-schone-buurt"}]
        events = session.exec(select(CaseEvent).where(CaseEvent.case_id == anna_case.id)).all()
        assert events and all(e.detail is None for e in events)
        assert session.exec(select(Message).where(Message.case_id == anna_case.id)).all() == []
        assert len(session.exec(select(CheckinStat)).all()) == 1  # statistics survive


def test_old_gap_texts_are_cleared(engine: sa.Engine) -> None:
    from bot.models import QuestionStat

    with transaction(engine) as session:
        for days in (0, 200):
            session.add(QuestionStat(at=T0 + dt.timedelta(days=days), theme="zwerfafval",
                                     gap=True, gap_text=f"vraag over QXGAP{days}"))
    retention.run_daily(engine, FakeClock(T0 + dt.timedelta(days=370)))
    assert scan(engine, ("QXGAP0",)) == [] and scan(engine, ("QXGAP200",))
    with Session(engine) as session:
        assert len(session.exec(select(QuestionStat)).all()) == 2  # the statistics stay


def test_delete_mode_removes_the_cases(engine: sa.Engine,
                                       seeded: dict[str, tuple[int, int]]) -> None:
    clock = FakeClock(T0 + dt.timedelta(days=400))
    report = retention.run_daily(engine, clock, months=12, action="delete")
    assert report.cases == 2
    with Session(engine) as session:
        assert session.get(Case, seeded["anna"][1]) is None
        assert session.get(Case, seeded["bob"][1]) is not None
        assert session.exec(select(CaseEvent).where(
            CaseEvent.case_id == seeded["anna"][1])).all() == []


def test_daily_runs_are_idempotent(engine: sa.Engine,
                                   seeded: dict[str, tuple[int, int]]) -> None:
    clock = FakeClock(T0 + dt.timedelta(days=366))
    first = retention.run_daily(engine, clock)
    clock.advance(days=1)
    second = retention.run_daily(engine, clock)
    assert first.cases == 2
    assert (second.cases, second.volunteers, second.messages) == (0, 0, 0)


def test_shorter_period_from_settings(engine: sa.Engine,
                                      seeded: dict[str, tuple[int, int]],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import Settings

    monkeypatch.setenv("WEGWIJS_RETENTION_MONTHS", "3")
    monkeypatch.setenv("WEGWIJS_RETENTION_ACTION", "delete")
    settings = Settings()
    clock = FakeClock(T0 + dt.timedelta(days=100))
    report = retention.run_daily(engine, clock, settings.retention_months,
                                 settings.retention_action)
    assert report.cases == 2 and scan(engine, ANNA.identifiers) == []


def test_rejects_nonsense_period(engine: sa.Engine) -> None:
    with pytest.raises(ValueError):
        retention.purge(engine, now=T0, months=0)


def test_cli_retention_command(engine: sa.Engine, seeded: dict[str, tuple[int, int]],
                               db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import bot.cli  # noqa: F401
    from bot.cli._apps import app

    monkeypatch.setenv("WEGWIJS_DATABASE_URL", db_url)
    monkeypatch.setenv("WEGWIJS_RETENTION_MONTHS", "1")  # T0 is long ago for the system clock
    result = CliRunner().invoke(app, ["privacy", "retention"])
    assert result.exit_code == 0, result.output
    assert "anonymise: before" in result.stdout and "2 case(s)" in result.stdout
    assert scan(engine, ANNA.identifiers) == []
