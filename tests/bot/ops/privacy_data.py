"""Test data for privacy tests: two volunteers with cases, messages, follow-ups, outbox
rows and adapter state, written straight into the desk's tables; and a scanner that
looks through EVERY table and column of a database for given strings."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from bot.models import (
    Case,
    CaseEvent,
    CheckinStat,
    FollowUp,
    InboundSeen,
    KeyValue,
    Message,
    OutboxMessage,
    ServantState,
    Volunteer,
)

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Person:
    channel: str
    sender_id: str
    chat_id: str
    question: str
    initiative: str
    reply: str

    @property
    def identifiers(self) -> tuple[str, ...]:
        return (self.sender_id, self.chat_id, self.question, self.initiative, self.reply)


ANNA = Person("matrix", "@anna.zwerfvuil:example.org", "!annaroom:example.org",
              "Hoe krijgen we subsidie voor grijpers in de Vogelbuurt?",
              "Stichting Schone Vogelbuurt", "Dank, we bellen maandag met Kerkrade")
BOB = Person("telegram", "918273645", "918273645",
             "Need money for an air sensor on our school roof",
             "Luchtmeters Zuidas", "Great, thanks a lot for the sensor tip")


def add_person(session: Session, p: Person, *, servant: str, state: str,
               at: dt.datetime = T0) -> tuple[int, int]:
    vol = Volunteer(channel=p.channel, sender_id=p.sender_id, chat_id=p.chat_id,
                    question=p.question, data={"place": "Utrecht", "initiative": p.initiative},
                    step="relay", created_at=at, updated_at=at)
    session.add(vol)
    session.flush()
    assert vol.id is not None
    case = Case(volunteer_id=vol.id, servant_id=servant, state=state, question=p.question,
                initiative=p.initiative, handle=p.sender_id, channel=p.channel,
                theme="zwerfafval", need="funding", region="utrecht", municipality="Utrecht",
                routes=[{"id": "fonds-schone-buurt", "why": f"voor {p.initiative}"}],
                tried=[servant], consent_at=at, consent_wording="Mag ik je vraag delen?",
                summary=f"Geholpen: {p.reply}", created_at=at, updated_at=at,
                offered_at=at, accepted_at=at)
    session.add(case)
    session.flush()
    assert case.id is not None
    session.add_all([
        Message(case_id=case.id, at=at, author="volunteer", kind="volunteer", text=p.question),
        Message(case_id=case.id, at=at, author=servant, kind="servant", text=p.reply),
        CaseEvent(case_id=case.id, at=at, actor="desk", event="consent",
                  from_state="new", to_state="offered", detail=p.sender_id),
        FollowUp(key=f"checkin:{case.id}:accept", kind="checkin", case_id=case.id,
                 due_at=at + dt.timedelta(days=14)),
        OutboxMessage(channel=p.channel, chat_id=p.chat_id, text=f"Beste, over {p.question}",
                      volunteer_id=vol.id, case_id=case.id, created_at=at, next_attempt_at=at,
                      sent_at=at),
        # to the servant, about the case: carries the handle and the question
        OutboxMessage(channel="terminal", chat_id=servant, servant_id=servant,
                      text=f"Zaak {case.id}: {p.question} ({p.sender_id}, {p.initiative})",
                      case_id=case.id, created_at=at, next_attempt_at=at),
        KeyValue(key=f"{p.channel}:chat:{p.chat_id}", value="{}", updated_at=at),
    ])
    session.flush()
    return vol.id, case.id


def add_shared_rows(session: Session) -> None:
    """Rows that belong to nobody in particular (must survive an erase)."""
    session.add_all([
        ServantState(servant_id="anouk-de-vries", last_channel="terminal",
                     last_chat_id="anouk-de-vries", capacity=5),
        CheckinStat(at=T0, theme="zwerfafval", servant_id="anouk-de-vries", answer="yes"),
        InboundSeen(channel="telegram", message_id="77", at=T0),
        KeyValue(key="telegram:offset", value="1234", updated_at=T0),
        FollowUp(key="digest:2026-03-09T09:00", kind="digest", due_at=T0),
    ])


def scan(engine: sa.Engine, needles: tuple[str, ...]) -> list[str]:
    """Every (table.column = value) in the database that contains one of ``needles``.
    Reads the live schema, not the models, so a table nobody told us about is scanned too."""
    hits: list[str] = []
    inspector = sa.inspect(engine)
    with engine.connect() as conn:
        for table in inspector.get_table_names():
            reflected = sa.Table(table, sa.MetaData(), autoload_with=conn)
            for row in conn.execute(sa.select(reflected)).mappings():
                for column, value in row.items():
                    text = value if isinstance(value, str) else json.dumps(value, default=str)
                    hits += [f"{table}.{column} = {text[:80]!r}" for needle in needles
                             if needle.lower() in text.lower()]
    return hits


def count_rows(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one()
                for t in sa.inspect(engine).get_table_names()}
