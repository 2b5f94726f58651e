"""GDPR for volunteers: export everything held about one (art. 15) and erase it (art. 17).

What belongs to a volunteer: their ``Volunteer`` row (handle, chat, conversation state),
their cases with the cases' messages, audit events and follow-ups, every outbox message
to them or about their cases, and adapter state keyed by their chat or by one of those
outbox messages (the adapters' delivery progress, ``bot.kv``). Erasing deletes all of
it (the progress rows also because SQLite may give a deleted outbox row's id to a new
message, which a stale progress row would then mark as already sent); anonymous
statistics (``CheckinStat``) and message-id dedupe rows (``InboundSeen``, ids only) stay.
``erase_in_session`` is what ``/vergeet`` should call inside the desk's own transaction;
the CLI uses ``erase_and_tell`` (which, like ``/vergeet``, tells the civil servant of each
open case that the case was erased, without details) or ``erase_volunteer``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Engine, delete, or_
from sqlmodel import Session, SQLModel, col, select

from bot import cases as lifecycle
from bot.db import transaction
from bot.kv import send_progress_keys
from bot.models import (
    Case,
    CaseEvent,
    FollowUp,
    KeyValue,
    Message,
    OutboxMessage,
    Volunteer,
)
from routing.model import KnowledgeMap

EXPORT_FORMAT = "wegwijs-export/1"
log = logging.getLogger(__name__)


def find_volunteers(engine: Engine, ref: str) -> list[int]:
    """Volunteer ids for ``ref``: a number (the desk's id), ``CHANNEL:SENDER_ID``, or a bare
    sender id (on any channel)."""
    ref = ref.strip()
    with Session(engine) as session:
        if ref.isdigit() and session.get(Volunteer, int(ref)) is not None:
            return [int(ref)]
        query = select(Volunteer.id).where(Volunteer.sender_id == ref)
        channel, sep, sender = ref.partition(":")
        if sep:
            query = select(Volunteer.id).where(
                or_(col(Volunteer.sender_id) == ref,
                    (col(Volunteer.channel) == channel) & (col(Volunteer.sender_id) == sender)))
        return sorted(i for i in session.exec(query).all() if i is not None)


@dataclass
class Holdings:
    """Every row that belongs to one volunteer."""

    volunteer: Volunteer | None
    cases: list[Case] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)
    followups: list[FollowUp] = field(default_factory=list)
    outbox: list[OutboxMessage] = field(default_factory=list)
    adapter_state: list[KeyValue] = field(default_factory=list)

    @property
    def case_ids(self) -> list[int]:
        return [c.id for c in self.cases if c.id is not None]


def _chat_keys(vol: Volunteer) -> set[str]:
    return {vol.chat_id, vol.sender_id} - {""}


def _names(key: str, ident: str) -> bool:
    """Does an adapter state key name this chat/sender (as a whole ``:``-separated part)?"""
    return key == ident or key.endswith(f":{ident}") or key.startswith(f"{ident}:") \
        or f":{ident}:" in key


def collect(session: Session, volunteer_id: int) -> Holdings:
    vol = session.get(Volunteer, volunteer_id)
    cases = list(session.exec(select(Case).where(Case.volunteer_id == volunteer_id)
                              .order_by(col(Case.id))).all())
    held = Holdings(volunteer=vol, cases=cases)
    ids = held.case_ids
    if ids:
        held.messages = list(session.exec(select(Message).where(col(Message.case_id).in_(ids))
                                          .order_by(col(Message.id))).all())
        held.events = list(session.exec(select(CaseEvent).where(col(CaseEvent.case_id).in_(ids))
                                        .order_by(col(CaseEvent.id))).all())
        held.followups = list(session.exec(select(FollowUp)
                                           .where(col(FollowUp.case_id).in_(ids))
                                           .order_by(col(FollowUp.id))).all())
    conditions: list[Any] = [col(OutboxMessage.volunteer_id) == volunteer_id]
    if ids:
        conditions.append(col(OutboxMessage.case_id).in_(ids))
    if vol is not None:
        conditions.append((col(OutboxMessage.channel) == vol.channel)
                          & (col(OutboxMessage.chat_id) == vol.chat_id))
    held.outbox = list(session.exec(select(OutboxMessage).where(or_(*conditions))
                                    .order_by(col(OutboxMessage.id))).all())
    if vol is not None:
        keys = _chat_keys(vol)
        held.adapter_state = [kv for kv in session.exec(select(KeyValue)).all()
                              if any(_names(kv.key, k) for k in keys)]
    progress = send_progress_keys(o.id for o in held.outbox if o.id is not None)
    if progress:
        known = {kv.key for kv in held.adapter_state}
        held.adapter_state += [
            kv for kv in session.exec(select(KeyValue).where(col(KeyValue.key).in_(progress))
                                      .order_by(col(KeyValue.key))).all()
            if kv.key not in known]
    return held


def _row(obj: SQLModel) -> dict[str, Any]:
    data = obj.model_dump()
    return {k: (v.isoformat() if isinstance(v, (dt.datetime, dt.date)) else v)
            for k, v in data.items()}


def export_in_session(session: Session, volunteer_id: int) -> dict[str, Any]:
    held = collect(session, volunteer_id)
    if held.volunteer is None and not held.cases:
        raise LookupError(f"no volunteer {volunteer_id}")
    by_case: dict[int, dict[str, Any]] = {}
    for case in held.cases:
        assert case.id is not None
        by_case[case.id] = {**_row(case), "messages": [], "events": [], "followups": []}
    children: list[tuple[str, int | None, SQLModel]] = [
        *(("messages", m.case_id, m) for m in held.messages),
        *(("events", e.case_id, e) for e in held.events),
        *(("followups", f.case_id, f) for f in held.followups)]
    for name, case_id, item in children:
        if case_id is not None:
            by_case[case_id][name].append(_row(item))
    return {
        "format": EXPORT_FORMAT,
        "volunteer": _row(held.volunteer) if held.volunteer is not None else None,
        "cases": list(by_case.values()),
        "messages_sent_to_or_about_you": [_row(m) for m in held.outbox],
        "channel_state": [_row(kv) for kv in held.adapter_state],
    }


def export_volunteer(engine: Engine, volunteer_id: int) -> dict[str, Any]:
    """Everything held about one volunteer, JSON-ready."""
    with Session(engine) as session:
        return export_in_session(session, volunteer_id)


@dataclass(frozen=True)
class EraseReport:
    volunteer: int
    cases: int
    messages: int
    events: int
    followups: int
    outbox: int
    adapter_state: int
    servants_told: int | None = None  # None: nobody was to be told (``erase_volunteer``)

    def summary(self) -> str:
        told = ("" if self.servants_told is None
                else f"; told {self.servants_told} civil servant(s) with an open case")
        return (f"erased 1 volunteer, {self.cases} case(s), {self.messages} message(s), "
                f"{self.events} event(s), {self.followups} follow-up(s), "
                f"{self.outbox} outbox message(s), {self.adapter_state} channel state row(s)"
                f"{told}")


def _delete_ids(session: Session, model: type[SQLModel], ids: Iterable[int | None]) -> int:
    wanted = [i for i in ids if i is not None]
    if wanted:
        session.execute(delete(model).where(col(getattr(model, "id")).in_(wanted)))  # noqa: B009
    return len(wanted)


def erase_in_session(session: Session, volunteer_id: int) -> EraseReport:
    """Delete everything personal about one volunteer, in the caller's transaction."""
    held = collect(session, volunteer_id)
    report = EraseReport(
        volunteer=volunteer_id,
        messages=_delete_ids(session, Message, (m.id for m in held.messages)),
        events=_delete_ids(session, CaseEvent, (e.id for e in held.events)),
        followups=_delete_ids(session, FollowUp, (f.id for f in held.followups)),
        outbox=_delete_ids(session, OutboxMessage, (o.id for o in held.outbox)),
        cases=_delete_ids(session, Case, held.case_ids),
        adapter_state=len(held.adapter_state),
    )
    for kv in held.adapter_state:
        session.delete(kv)
    if held.volunteer is not None:
        session.delete(held.volunteer)
    session.flush()
    return report


def erase_volunteer(engine: Engine, volunteer_id: int, *, now: dt.datetime) -> EraseReport:
    """Erase one volunteer in its own transaction. ``now`` is for the log line only."""
    with transaction(engine) as session:
        report = erase_in_session(session, volunteer_id)
    log.info("privacy.erased volunteer_id=%s cases=%s at=%s", volunteer_id, report.cases,
             now.isoformat())
    return report


def erase_and_tell(engine: Engine, volunteer_id: int, kmap: KnowledgeMap, *,
                   now: dt.datetime, channels: Collection[str],
                   timezone: str = "Europe/Amsterdam") -> EraseReport:
    """Erase one volunteer (as ``erase_volunteer``) and, in the same transaction, queue a
    short notice through the outbox to the civil servant of each of their open cases
    (the ``erased_in`` text of ``/vergeet``: the case number, nothing else). ``channels``
    are the chat channels of this deployment, for the servants' addresses
    (``bot.outbox.servant_address``); a desk process running that channel delivers it."""
    from bot.followup import FollowUpConfig
    from bot.outbox import Work
    from bot.texts import t

    with transaction(engine) as session:
        notify = sorted((c.servant_id, c.id) for c in session.exec(
            select(Case).where(Case.volunteer_id == volunteer_id)).all()
            if c.state in lifecycle.OPEN and c.servant_id and c.id is not None)
        report = erase_in_session(session, volunteer_id)
        work = Work(session, kmap, now, FollowUpConfig(timezone=timezone), channels)
        for servant_id, case_id in notify:
            assert servant_id is not None and case_id is not None
            work.to_servant(servant_id, t("erased_in", "nl", case=case_id))
    log.info("privacy.erased volunteer_id=%s cases=%s servants_told=%s at=%s", volunteer_id,
             report.cases, len(notify), now.isoformat())
    return replace(report, servants_told=len(notify))
