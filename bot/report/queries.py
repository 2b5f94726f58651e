"""Read the report's facts from the desk's database, for one period.

Questions come from the anonymous ``question_stat`` rows; a database without them (a
desk that does not record them yet) falls back to the cases, which cover only the
questions that reached a handover offer and say nothing about out-of-scope messages.
Handovers come from ``Case``, "were you helped?" from ``CheckinStat``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Table, inspect, select
from sqlmodel import Session

from bot.models import Case, CheckinStat
from bot.report.data import CaseFact, QuestionFact
from bot.report.question_stats import GAP_CONFIDENCE, is_general_desk, question_stat
from routing.model import KnowledgeMap


def period_bounds(start: dt.date, end: dt.date,
                  tz: str = "Europe/Amsterdam") -> tuple[dt.datetime, dt.datetime]:
    """UTC instants for local ``start`` 00:00 up to (not including) ``end + 1`` 00:00."""
    zone = ZoneInfo(tz)
    lo = dt.datetime.combine(start, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return lo, hi.astimezone(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; the desk stores UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def has_question_stats(engine: Engine) -> bool:
    return inspect(engine).has_table("question_stat")


def question_facts(session: Session, lo: dt.datetime, hi: dt.datetime) -> list[QuestionFact]:
    t = question_stat.c
    rows = session.execute(
        select(t.at, t.theme, t.needs, t.region, t.municipality, t.out_of_scope, t.gap,
               t.gap_text).where(t.at >= lo, t.at < hi).order_by(t.at, t.id))
    out = []
    for r in rows:
        at = _aware(r.at)
        assert at is not None
        out.append(QuestionFact(at, r.theme, tuple(r.needs or ()), r.region, r.municipality,
                                bool(r.out_of_scope), bool(r.gap), r.gap_text))
    return out


def _cases() -> Table:
    table = Case.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def question_facts_from_cases(session: Session, lo: dt.datetime, hi: dt.datetime,
                              kmap: KnowledgeMap | None) -> list[QuestionFact]:
    """Fallback: one fact per case (questions that reached a handover offer)."""
    c = _cases().c
    rows = session.execute(
        select(c.created_at, c.theme, c.need, c.region, c.municipality, c.routes,
               c.servant_id, c.question)
        .where(c.created_at >= lo, c.created_at < hi).order_by(c.created_at, c.id))
    out = []
    for r in rows:
        routes = [x for x in (r.routes or []) if isinstance(x, dict)]
        scores = [float(x["score"]) for x in routes if "score" in x]
        gap = (is_general_desk(kmap, r.servant_id) or not routes
               or (bool(scores) and max(scores) < GAP_CONFIDENCE))
        created = _aware(r.created_at)
        assert created is not None
        out.append(QuestionFact(created, r.theme, (r.need,) if r.need else (), r.region,
                                r.municipality, False, gap, r.question if gap else None))
    return out


def case_facts(session: Session, lo: dt.datetime, hi: dt.datetime) -> list[CaseFact]:
    """Every case created in the period (each one was a handover offered to a volunteer)."""
    c = _cases().c
    rows = session.execute(
        select(c.created_at, c.consent_at, c.offered_at, c.accepted_at, c.resolved_at)
        .where(c.created_at >= lo, c.created_at < hi).order_by(c.created_at, c.id))
    out = []
    for r in rows:
        created = _aware(r.created_at)
        assert created is not None
        out.append(CaseFact(created, _aware(r.consent_at), _aware(r.offered_at),
                            _aware(r.accepted_at), _aware(r.resolved_at)))
    return out


def checkin_answers(session: Session, lo: dt.datetime, hi: dt.datetime) -> list[str]:
    table = CheckinStat.__table__  # type: ignore[attr-defined]
    c = table.c
    rows = session.execute(select(c.answer).where(c.at >= lo, c.at < hi))
    return [str(r[0]) for r in rows]
