"""A desk database with a few weeks of made-up traffic, for the report tests."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import Engine
from sqlmodel import Session

from bot.db import create_schema
from bot.models import Case, CheckinStat
from bot.report.question_stats import ensure_table, question_stat

START = dt.date(2026, 10, 5)  # a Monday
END = dt.date(2026, 11, 15)  # a Sunday: six ISO weeks
THEMES = ("zwerfafval", "energie", "luchtkwaliteit", "voedsel", None)
REGIONS = ("utrecht", "noord-holland", "gelderland", "limburg", None)
NEEDS = ("funding", "knowledge", "network", "permit")
PERSONAL = ("bel 06-12345678", "mail piet.puk@example.com", "3511 AB 12",
            "ik ben Jan Jansen", "@buurtheld")
CASE_TEXT = "CASE-QUESTION-TEXT-MUST-NOT-SHOW"
HANDLE = "@volunteer-handle-must-not-show"


def _instant(rng: random.Random, start: dt.date, end: dt.date) -> dt.datetime:
    days = (end - start).days + 1
    day = start + dt.timedelta(days=rng.randrange(days))
    return dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)),
                               tzinfo=dt.UTC)


def seed(engine: Engine, *, seed_value: int = 7, questions: int = 240, cases: int = 60) -> None:
    """Fill the database; some rows fall outside START..END on purpose."""
    create_schema(engine)
    ensure_table(engine)
    rng = random.Random(seed_value)
    lo, hi = START - dt.timedelta(days=10), END + dt.timedelta(days=10)
    with Session(engine) as session:
        rows = []
        for i in range(questions):
            oos = rng.random() < 0.12
            gap = not oos and rng.random() < 0.2
            text = None
            if gap:
                text = f"vraag {i} over {rng.choice(THEMES) or 'iets'}, {rng.choice(PERSONAL)}"
            rows.append(dict(
                at=_instant(rng, lo, hi), lang=rng.choice(("nl", "en")),
                theme=None if oos else rng.choice(THEMES),
                needs=[] if oos else rng.sample(NEEDS, rng.randrange(0, 3)),
                region=rng.choice(REGIONS), municipality=None, out_of_scope=oos,
                clarify=[], confidence=rng.random(), top_route=None,
                servant_id=None, general_desk=gap and rng.random() < 0.5, gap=gap,
                gap_text=text))
        session.execute(question_stat.insert(), rows)
        for _ in range(cases):
            created = _instant(rng, lo, hi)
            consent = created + dt.timedelta(minutes=5) if rng.random() < 0.8 else None
            offered = consent
            accepted = resolved = None
            if offered is not None and rng.random() < 0.85:
                accepted = offered + dt.timedelta(hours=rng.choice((0.5, 2, 6, 20, 30, 60, 100)))
                if rng.random() < 0.6:
                    resolved = accepted + dt.timedelta(days=rng.randrange(1, 9))
            state = ("resolved" if resolved else "accepted" if accepted else
                     "offered" if offered else "declined")
            session.add(Case(volunteer_id=None, servant_id="anouk-de-vries", state=state,
                             question=CASE_TEXT, handle=HANDLE, theme=rng.choice(THEMES),
                             region=rng.choice(REGIONS), created_at=created,
                             updated_at=created, consent_at=consent, offered_at=offered,
                             accepted_at=accepted, resolved_at=resolved))
        for _ in range(50):
            session.add(CheckinStat(at=_instant(rng, lo, hi), theme=rng.choice(THEMES),
                                    servant_id="anouk-de-vries",
                                    answer=rng.choice(("yes", "yes", "partly", "no"))))
        session.commit()
