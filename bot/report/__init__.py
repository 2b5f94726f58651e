"""The programme report: what comes in, as one self-contained HTML file.

``build_report(engine, start=, end=, kmap=)`` reads the desk's database
(``bot.report.queries``), aggregates (``bot.report.data``) and renders
(``bot.report.page`` with ``bot.report.charts``). Gap questions are masked
(``bot.report.mask``); everything else is a count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import Engine
from sqlmodel import Session

from bot.report import queries
from bot.report.data import NATIONAL_LABEL, ReportData, aggregate
from bot.report.mask import known_words
from bot.report.page import render
from bot.workdays import add_working_days
from routing.model import KnowledgeMap, Text

__all__ = ["bilingual", "build_report", "collect", "labels_from_map"]


def bilingual(label: Text) -> str:
    """A map label as the report shows it: "Zwerfafval / Litter", like the report's own
    labels; only the Dutch when the map gives no English or the same word ("Water")."""
    nl, en = label.nl.strip(), (label.en or "").strip()
    if not en or en.casefold() == nl.casefold():
        return nl
    return f"{nl} / {en}"


def labels_from_map(kmap: KnowledgeMap | None) -> dict[str, str]:
    """Readable names for theme, need and region ids: themes and needs in Dutch and
    English (``bilingual``), provinces by their one name."""
    if kmap is None:
        return {}
    out: dict[str, str] = {"nl": NATIONAL_LABEL}
    out.update({t.id: bilingual(t.label) for t in kmap.themes})
    out.update({n.id: bilingual(n.label) for n in kmap.needs})
    out.update({r.id: r.name for r in kmap.regions})
    return out


def collect(engine: Engine, *, start: dt.date, end: dt.date,
            kmap: KnowledgeMap | None = None, now: dt.datetime | None = None,
            tz: str = "Europe/Amsterdam", sla_days: int = 1,
            labels: Mapping[str, str] | None = None) -> ReportData:
    """Every figure of the report for local dates ``start``..``end`` (inclusive)."""
    lo, hi = queries.period_bounds(start, end, tz)
    now = now or dt.datetime.now(dt.UTC)
    with Session(engine) as session:
        if queries.has_question_stats(engine):
            facts = queries.question_facts(session, lo, hi)
            source = "question_stat"
        else:
            facts = queries.question_facts_from_cases(session, lo, hi, kmap)
            source = "cases"
        cases = queries.case_facts(session, lo, hi)
        answers = queries.checkin_answers(session, lo, hi)
    return aggregate(start=start, end=end, questions=facts, cases=cases, checkins=answers,
                     labels=labels if labels is not None else labels_from_map(kmap),
                     add_working_days=lambda t, d: add_working_days(t, d, tz), now=now,
                     questions_source=source, sla_days=sla_days, tz=tz,
                     keep_words=known_words(kmap))


def build_report(engine: Engine, *, start: dt.date, end: dt.date,
                 kmap: KnowledgeMap | None = None, now: dt.datetime | None = None,
                 tz: str = "Europe/Amsterdam", sla_days: int = 1) -> str:
    """The report as an HTML string."""
    now = now or dt.datetime.now(dt.UTC)
    data = collect(engine, start=start, end=end, kmap=kmap, now=now, tz=tz,
                   sla_days=sla_days)
    return render(data, generated_at=now)
