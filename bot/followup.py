"""Follow-ups: due times in the database, dispatched exactly once.

A ``FollowUp`` row is claimed (``done_at`` set) in the same transaction as its effects
(outbox rows, case transitions), so a crash either leaves it pending or leaves it done
with its effects: never lost, never repeated. Rows that fell due while the desk was down
fire at the next dispatch, once. The scheduler only calls ``dispatch_due``.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot import cases as lifecycle
from bot import conversation as conv
from bot.channel import Choice, Outbound
from bot.clock import Clock
from bot.db import insert_or_ignore, transaction
from bot.models import Case, FollowUp, Volunteer
from bot.outbox import Work
from bot.texts import t
from bot.workdays import add_working_days, is_working_day, local_date, next_weekly_working
from routing.model import KnowledgeMap

log = logging.getLogger(__name__)

# Hot statements, built once (building one costs more than running it on SQLite).
_HAS_PENDING = select(FollowUp.id).where(FollowUp.case_id == bindparam("case_id"),
                                         FollowUp.kind == bindparam("kind"),
                                         col(FollowUp.done_at).is_(None)).limit(1)
_CANCEL = (update(FollowUp)
           .where(col(FollowUp.case_id) == bindparam("b_case_id"),
                  col(FollowUp.kind).in_(bindparam("b_kinds", expanding=True)),
                  col(FollowUp.done_at).is_(None))
           .values(done_at=bindparam("b_now"), outcome="cancelled"))


@dataclass(frozen=True, slots=True)
class FollowUpConfig:
    """All follow-up periods, in working days unless named otherwise."""

    reminder_after: int = 1
    escalate_after: int = 2
    checkin_after: int = 10  # after acceptance
    checkin_after_resolve: int = 2  # when a case is resolved and no check-in is pending
    digest_weekday: int = 0  # Monday
    digest_hour: int = 9
    timezone: str = "Europe/Amsterdam"
    retry_minutes: int = 5  # a follow-up whose effects failed is retried this much later
    max_attempts: int = 5
    retention_months: int = 12  # WEGWIJS_RETENTION_MONTHS, told to volunteers in /privacy


# ---------------------------------------------------------------------- scheduling
def add(work: Work, *, key: str, kind: str, due: dt.datetime, case_id: int | None = None,
        servant_id: str | None = None, offer_seq: int = 0) -> None:
    """Schedule once: a second call with the same key does nothing (also across processes:
    ``INSERT … ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL)."""
    values = {"key": key, "kind": kind, "due_at": due, "case_id": case_id,
              "servant_id": servant_id, "offer_seq": offer_seq, "attempts": 0}
    insert_once = _add_statement(work.session.get_bind().dialect.name)
    if insert_once is not None:
        work.session.connection().execute(insert_once, values)  # Core: no ORM bookkeeping
        return
    if work.session.exec(select(FollowUp.id).where(FollowUp.key == key)).first() is not None:
        return
    try:
        with work.session.begin_nested():
            work.session.add(FollowUp(key=key, kind=kind, due_at=due, case_id=case_id,
                                      servant_id=servant_id, offer_seq=offer_seq))
    except IntegrityError:  # another process scheduled it first
        pass


@functools.cache
def _add_statement(dialect: str) -> Any:
    make = insert_or_ignore(dialect)
    return None if make is None else make(FollowUp).on_conflict_do_nothing(
        index_elements=["key"])


def schedule_offer(work: Work, case: Case) -> None:
    cfg = work.config
    for kind, days in (("reminder", cfg.reminder_after), ("escalate", cfg.escalate_after)):
        add(work, key=f"{kind}:{case.id}:{case.offer_seq}", kind=kind,
            due=add_working_days(work.now, days, cfg.timezone), case_id=case.id,
            servant_id=case.servant_id, offer_seq=case.offer_seq)


def schedule_checkin(work: Work, case: Case, days: int, tag: str) -> None:
    add(work, key=f"checkin:{case.id}:{tag}", kind="checkin",
        due=add_working_days(work.now, days, work.config.timezone), case_id=case.id)


def has_pending(work: Work, case_id: int, kind: str) -> bool:
    found = work.session.connection().execute(_HAS_PENDING,
                                              {"case_id": case_id, "kind": kind}).first()
    return found is not None


def cancel(work: Work, case_id: int, kinds: Collection[str]) -> None:
    work.session.connection().execute(
        _CANCEL, {"b_case_id": case_id, "b_kinds": list(kinds), "b_now": work.now})


def ensure_digest(work: Work) -> None:
    query = select(FollowUp.id).where(FollowUp.kind == "digest", col(FollowUp.done_at).is_(None))
    if work.session.exec(query).first() is not None:
        return
    _schedule_digest(work, after=work.now)


def _schedule_digest(work: Work, *, after: dt.datetime) -> None:
    """The first digest slot strictly after ``after``: the configured weekday and hour,
    or the next working day when that weekday is a public holiday."""
    cfg = work.config
    due = next_weekly_working(after, cfg.digest_weekday, cfg.digest_hour, cfg.timezone)
    add(work, key=f"digest:{due:%Y-%m-%dT%H:%M}", kind="digest", due=due)


# ---------------------------------------------------------------------- dispatch
def dispatch_due(engine: Engine, kmap: KnowledgeMap, clock: Clock, config: FollowUpConfig,
                 channels: Collection[str], *, batch: int = 200,
                 limit: int | None = None) -> list[Outbound]:
    """Apply every due follow-up (up to ``limit``), ``batch`` per transaction."""
    out: list[Outbound] = []
    done = 0
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        with transaction(engine) as session:
            now = clock.now()
            query = (select(FollowUp)
                     .where(col(FollowUp.done_at).is_(None), col(FollowUp.due_at) <= now)
                     .order_by(col(FollowUp.due_at), col(FollowUp.id))
                     .limit(size).with_for_update(skip_locked=True))
            rows = list(session.exec(query).all())
            work = Work(session, kmap, now, config, channels)
            loaded = _prefetch(work, rows)
            if not _apply_batch(work, rows):  # one effect failed: isolate each row
                for row in rows:
                    _apply(work, row)
            session.flush()
            out += work.outbound()
            del loaded
        done += len(rows)
        if len(rows) < size:
            break
    return out


def _prefetch(work: Work, rows: list[FollowUp]) -> list[object]:
    """Load the batch's cases and volunteers in two queries. The caller keeps the returned
    list alive, so the session's (weak) identity map answers ``get`` without SQL."""
    case_ids = sorted({r.case_id for r in rows if r.case_id is not None})
    if not case_ids:
        return []
    cases = list(work.session.exec(select(Case).where(col(Case.id).in_(case_ids))).all())
    vol_ids = sorted({c.volunteer_id for c in cases if c.volunteer_id is not None})
    vols = list(work.session.exec(select(Volunteer).where(col(Volunteer.id).in_(vol_ids)))
                .all()) if vol_ids else []
    return [*cases, *vols]


def _apply_batch(work: Work, rows: list[FollowUp]) -> bool:
    """The fast path: every row's effects under one savepoint. False (and nothing
    applied) when any effect raised."""
    mark = len(work.rows)
    work.deferred = True  # the batch's outbox rows and events: a few multi-row inserts
    try:
        with work.session.begin_nested():
            for row in rows:
                outcome = HANDLERS[row.kind](work, row)
                row.done_at, row.outcome = work.now, outcome
                work.session.add(row)
            work.write()
    except Exception:
        log.warning("a follow-up batch failed; retrying row by row", exc_info=True)
        work.drop()
        del work.rows[mark:]
        return False
    finally:
        work.deferred = False
    return True


def _apply(work: Work, row: FollowUp) -> None:
    mark = len(work.rows)
    try:
        with work.session.begin_nested():
            outcome = HANDLERS[row.kind](work, row)
    except Exception:
        log.exception("follow-up %s (%s) failed", row.id, row.kind)
        del work.rows[mark:]
        row.attempts += 1
        if row.attempts >= work.config.max_attempts:
            row.done_at, row.outcome = work.now, "failed"
        else:
            row.due_at = work.now + dt.timedelta(minutes=work.config.retry_minutes * row.attempts)
        work.session.add(row)
        return
    row.done_at, row.outcome = work.now, outcome
    work.session.add(row)


def _current_offer(work: Work, row: FollowUp) -> Case | None:
    case = work.session.get(Case, row.case_id) if row.case_id is not None else None
    if (case is None or case.state != lifecycle.OFFERED or case.servant_id != row.servant_id
            or case.offer_seq != row.offer_seq):
        return None
    return case


def _reminder(work: Work, row: FollowUp) -> str:
    from bot.handover import local_time, servant_id_lang

    case = _current_offer(work, row)
    if case is None or case.servant_id is None:
        return "obsolete"
    since = case.offered_at or case.created_at
    lang = servant_id_lang(work.kmap, case.servant_id)
    work.to_servant(case.servant_id, t("reminder", lang, case=case.id,
                                       since=local_time(since, work.config.timezone),
                                       zone=work.config.timezone), case_id=case.id)
    work.audit(case, "desk", "reminder", case.servant_id)
    return "sent"


def _escalate(work: Work, row: FollowUp) -> str:
    from bot.handover import candidates, offer_to, servant_card, servant_id_lang, servant_lang

    case = _current_offer(work, row)
    if case is None or case.servant_id is None:
        return "obsolete"
    today = local_date(work.now, work.config.timezone)
    vol = work.session.get(Volunteer, case.volunteer_id) if case.volunteer_id else None
    ranked = candidates(work.session, work.kmap, theme=case.theme, region=case.region,
                        today=today, exclude=case.tried, lang=vol.lang if vol else None)
    if not ranked:
        work.audit(case, "desk", "no_escalation_target")
        return "no_target"
    previous, nxt = case.servant_id, ranked[0]
    work.move(case, "escalate", "desk", f"{previous} -> {nxt.id}")
    work.move(case, "offer", "desk")
    days = work.config.escalate_after
    work.to_servant(previous, t("escalated_away", servant_id_lang(work.kmap, previous),
                                case=case.id, name=nxt.name, days=days), case_id=case.id)
    before = work.kmap.find_servant(previous)
    offer_to(work, case, nxt, actor="desk", reason=t(
        "escalated_in", servant_lang(nxt), case=case.id, days=days,
        previous=before.name if before else previous))
    if vol is not None and not vol.unreachable:
        work.to_volunteer(vol, t("moved_escalated", vol.lang, case=case.id, days=days,
                                 previous=before.name if before else previous,
                                 **servant_card(nxt, vol.lang)), case_id=case.id)
    return "escalated"


def _checkin(work: Work, row: FollowUp) -> str:
    from bot.handover import theme_text

    case = work.session.get(Case, row.case_id) if row.case_id is not None else None
    if case is None or case.state not in lifecycle.WORKING | {lifecycle.RESOLVED}:
        return "obsolete"
    vol = work.session.get(Volunteer, case.volunteer_id) if case.volunteer_id else None
    if vol is None or vol.unreachable or vol.step == conv.STOPPED:
        return "skipped"
    lang = vol.lang
    choices = [Choice(t(k, lang), f"checkin:{case.id}:{v}")
               for k, v in (("yes", "yes"), ("partly", "partly"), ("no", "no"))]
    # what the case was about: the initiative's own name, else its theme (nothing personal)
    about = case.initiative or (theme_text(work.kmap, case, lang) if case.theme else None)
    text = (t("checkin_about", lang, case=case.id, about=about) if about
            else t("checkin", lang, case=case.id))
    work.to_volunteer(vol, text, choices=choices, case_id=case.id)
    if vol.step in (conv.IDLE, conv.RELAY, conv.CHECKIN):
        vol.step = conv.advance(vol.step, "checkin_sent")
        vol.data = {**vol.data, "checkin_case": case.id}
        vol.updated_at = work.now
        work.session.add(vol)
    work.audit(case, "desk", "checkin_sent")
    return "sent"


def _digest(work: Work, row: FollowUp) -> str:
    from bot.staff import digest_text

    if not is_working_day(local_date(row.due_at, work.config.timezone)):
        # scheduled for a public holiday (a row from before holidays were skipped):
        # the week's digest moves to the next working day instead
        _schedule_digest(work, after=row.due_at - dt.timedelta(seconds=1))
        return "moved"
    sent = 0
    for servant in work.kmap.servants:
        text = digest_text(work, servant)
        if text is not None:
            work.to_servant(servant.id, text)
            sent += 1
    _next_digest(work, row)
    return f"sent:{sent}"


def _next_digest(work: Work, row: FollowUp) -> None:
    _schedule_digest(work, after=max(work.now, row.due_at))


HANDLERS: dict[str, Callable[[Work, FollowUp], str]] = {
    "reminder": _reminder,
    "escalate": _escalate,
    "checkin": _checkin,
    "digest": _digest,
}
