"""Retention (GDPR storage limitation): a daily job that removes what is no longer needed.

After ``months`` (``WEGWIJS_RETENTION_MONTHS``, default 12) since their last change:

* finished cases (closed, declined, expired, and resolved ones nobody reopened) lose their
  messages, follow-ups and outbox rows; the case itself is *anonymised* (kept with theme,
  need, province, state, dates and route ids for statistics; question, initiative,
  handle, place, summary, audit details and the link to the volunteer are cleared) or,
  with ``WEGWIJS_RETENTION_ACTION=delete``, deleted with its audit trail;
* volunteers with no case left attached and no activity are erased entirely;
* delivered or failed outbox rows, finished follow-ups and message-id dedupe rows are
  deleted, and question statistics lose the masked question text kept for knowledge gaps.

Independent of the period, the channel adapters' delivery progress rows
(``telegram:sent:<key>`` / ``matrix:sent:<key>``, see ``bot.kv``) go as soon as nothing
can resend their message: for an outbox row once it is delivered, failed or deleted (a
row still waiting keeps its progress, however old); for any other key (a one-off send:
the goodbye after ``/vergeet``, an adapter's own note) ``SEND_PROGRESS_DAYS`` after it
was written, well past any retry or replayed sync batch.

Open cases are never touched, however old. The job is idempotent: running it twice, or
in two processes at once, does the same as once. Time comes from the caller's clock.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import CursorResult, Engine, Executable, and_, delete, exists, or_, update
from sqlmodel import Session, col, select

from bot import cases as lifecycle
from bot import privacy
from bot.clock import Clock
from bot.db import transaction
from bot.kv import SEND_PROGRESS_PREFIXES, send_progress_target
from bot.models import (
    Case,
    CaseEvent,
    FollowUp,
    InboundSeen,
    KeyValue,
    Message,
    OutboxMessage,
    QuestionStat,
    Volunteer,
)

log = logging.getLogger(__name__)

Action = Literal["anonymise", "delete"]
#: Cases in these states are finished for retention purposes.
RETAINABLE = frozenset(lifecycle.FINAL | {lifecycle.RESOLVED})
#: Age after which progress rows of one-off sends (keys that are no outbox row) go.
SEND_PROGRESS_DAYS = 30
_CHUNK = 500  # ids per IN (...) list


def months_before(instant: dt.datetime, months: int) -> dt.datetime:
    """The same wall-clock moment ``months`` calendar months earlier (day clamped)."""
    total = instant.year * 12 + (instant.month - 1) - months
    year, month = divmod(total, 12)
    day = min(instant.day, calendar.monthrange(year, month + 1)[1])
    return instant.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class RetentionReport:
    cutoff: dt.datetime
    cases: int = 0  # anonymised or deleted
    messages: int = 0
    volunteers: int = 0
    outbox: int = 0
    followups: int = 0
    inbound_seen: int = 0
    send_progress: int = 0  # adapters' delivery progress rows

    def summary(self) -> str:
        return (f"before {self.cutoff:%Y-%m-%d}: {self.cases} case(s), {self.messages} "
                f"message(s), {self.volunteers} volunteer(s), {self.outbox} outbox row(s), "
                f"{self.followups} follow-up(s), {self.inbound_seen} dedupe row(s); "
                f"{self.send_progress} delivery progress row(s)")


def _anonymous_routes(routes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": r["id"]} for r in routes if isinstance(r, dict) and "id" in r]


def _rows(session: Session, statement: Executable) -> int:
    result = session.execute(statement)
    return int(result.rowcount) if isinstance(result, CursorResult) else 0


def purge(engine: Engine, *, now: dt.datetime, months: int = 12,
          action: Action = "anonymise") -> RetentionReport:
    """Apply the retention rules as of ``now``, in one transaction."""
    if months < 1:
        raise ValueError("retention must be at least one month")
    cutoff = months_before(now, months)
    counts: dict[str, int] = {}
    with transaction(engine) as session:
        old = (select(Case)
               .where(col(Case.state).in_(sorted(RETAINABLE)), col(Case.updated_at) < cutoff)
               .with_for_update(skip_locked=True))
        if action == "anonymise":  # already anonymised cases need nothing more
            old = old.where(or_(col(Case.volunteer_id).is_not(None),
                                col(Case.question).is_not(None),
                                col(Case.handle).is_not(None)))
        cases = list(session.exec(old).all())
        ids = [c.id for c in cases if c.id is not None]
        counts["messages"] = counts["outbox"] = counts["followups"] = 0
        if ids:
            counts["messages"] = _rows(
                session, delete(Message).where(col(Message.case_id).in_(ids)))
            counts["followups"] = _rows(
                session, delete(FollowUp).where(col(FollowUp.case_id).in_(ids)))
            counts["outbox"] = _rows(
                session, delete(OutboxMessage).where(col(OutboxMessage.case_id).in_(ids)))
            if action == "delete":
                session.execute(delete(CaseEvent).where(col(CaseEvent.case_id).in_(ids)))
                session.execute(delete(Case).where(col(Case.id).in_(ids)))
            else:
                session.execute(update(CaseEvent).where(col(CaseEvent.case_id).in_(ids))
                                .values(detail=None))
                for case in cases:
                    case.volunteer_id = None
                    case.question = case.initiative = case.handle = case.channel = None
                    case.municipality = case.summary = None
                    case.routes = _anonymous_routes(case.routes)
                    session.add(case)
        counts["cases"] = len(ids)
        session.flush()

        # volunteers: inactive since the cutoff and nothing attached any more
        attached = exists().where(col(Case.volunteer_id) == col(Volunteer.id))
        idle = session.exec(select(Volunteer.id).where(
            col(Volunteer.updated_at) < cutoff, ~attached)).all()
        for vid in idle:
            if vid is not None:
                erased = privacy.erase_in_session(session, vid)
                counts["outbox"] += erased.outbox
        counts["volunteers"] = len(idle)

        # leftovers that carry texts or only serve short-term bookkeeping
        counts["outbox"] += _rows(session, delete(OutboxMessage).where(
            col(OutboxMessage.created_at) < cutoff,
            or_(col(OutboxMessage.sent_at).is_not(None),
                col(OutboxMessage.failed).is_not(None))))
        counts["followups"] += _rows(session, delete(FollowUp).where(
            and_(col(FollowUp.done_at).is_not(None), col(FollowUp.done_at) < cutoff)))
        counts["inbound_seen"] = _rows(
            session, delete(InboundSeen).where(col(InboundSeen.at) < cutoff))
        # question statistics stay; the (masked) text kept for knowledge gaps goes
        _rows(session, update(QuestionStat).where(
            col(QuestionStat.at) < cutoff, col(QuestionStat.gap_text).is_not(None))
            .values(gap_text=None))
        session.flush()
        counts["send_progress"] = prune_send_progress(session, now)
    report = RetentionReport(cutoff=cutoff, **counts)
    log.info("retention.done action=%s %s", action, report.summary())
    return report


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[i:i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def prune_send_progress(session: Session, now: dt.datetime) -> int:
    """Delete the adapters' delivery progress rows nothing can need any more (see the
    module docstring); returns how many went."""
    is_progress = or_(*(col(KeyValue.key).startswith(p) for p in SEND_PROGRESS_PREFIXES))
    one_off_before = now - dt.timedelta(days=SEND_PROGRESS_DAYS)
    by_row: dict[str, int] = {}
    doomed: list[str] = []
    for key, written in session.exec(select(KeyValue.key, KeyValue.updated_at)
                                     .where(is_progress)).all():
        target = send_progress_target(key) or ""
        if target.isdigit():
            by_row[key] = int(target)
        elif written < one_off_before:
            doomed.append(key)
    waiting: set[int] = set()
    for ids in _chunks(sorted(set(by_row.values()))):
        waiting.update(i for i in session.exec(select(OutboxMessage.id).where(
            col(OutboxMessage.id).in_(ids), col(OutboxMessage.sent_at).is_(None),
            col(OutboxMessage.failed).is_(None))).all() if i is not None)
    doomed += [key for key, row_id in by_row.items() if row_id not in waiting]
    deleted = 0
    for keys in _chunks(sorted(doomed)):
        deleted += _rows(session, delete(KeyValue).where(col(KeyValue.key).in_(keys)))
    return deleted


def run_daily(engine: Engine, clock: Clock, months: int = 12,
              action: Action = "anonymise") -> RetentionReport:
    """The scheduler's daily job (sync: APScheduler runs it in a worker thread)."""
    return purge(engine, now=clock.now(), months=months, action=action)
