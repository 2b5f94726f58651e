"""The desk core: one inbound message in, the messages to send out, in ONE transaction.

``Desk.receive`` is idempotent per (channel, message id): a message seen before returns
nothing. Every outbound message is first written to the outbox table; the returned
``Outbound`` values carry the outbox row id as ``key``. Nothing here does I/O beyond the
database; the runtime delivers.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import Engine, bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot import cases as lifecycle
from bot import conversation as conv
from bot import followup, outbox
from bot.channel import Inbound, Outbound
from bot.clock import Clock, SystemClock
from bot.db import insert_or_ignore, transaction
from bot.followup import FollowUpConfig
from bot.handover import servant_id_lang
from bot.models import Case, InboundSeen, ServantState, Volunteer
from bot.outbox import Work
from bot.staff import handle as handle_staff
from bot.staff import handle_text as handle_staff_text
from bot.texts import t
from bot.volunteer import Conversation, ask_pending
from bot.wording import text_lang
from routing.model import KnowledgeMap, Servant
from routing.router import Router

log = logging.getLogger(__name__)
MAX_TEXT = 4000  # characters of one message read as a question (a relayed one goes whole)

# Hot statements, built once: building a statement costs more than running it on SQLite.
_VOLUNTEER = select(Volunteer).where(Volunteer.channel == bindparam("channel"),
                                     Volunteer.sender_id == bindparam("sender_id"))


@functools.cache
def _claim_statement(dialect: str) -> Any:
    make = insert_or_ignore(dialect)
    if make is None:
        return None
    return make(InboundSeen).on_conflict_do_nothing().returning(col(InboundSeen.message_id))


def parse_command(text: str) -> tuple[str, str] | None:
    """``("neem", "12")`` for ``/neem@WegwijsBot 12``; None when not a command."""
    stripped = text.strip()
    if not stripped.startswith("/") or len(stripped) < 2:
        return None
    head, _, args = stripped[1:].partition(" ")
    return head.split("@", 1)[0].casefold(), args.strip()


class Desk:
    """The transport-free heart of Wegwijs."""

    #: How long rows handed out by ``pending`` stay claimed by this process.
    delivery_lease_seconds: float = 300.0

    def __init__(self, engine: Engine, kmap: KnowledgeMap, *, clock: Clock | None = None,
                 config: FollowUpConfig | None = None, router: Router | None = None,
                 channels: Iterable[str] = (outbox.TERMINAL,),
                 max_text: int = MAX_TEXT) -> None:
        self.engine = engine
        self.clock: Clock = clock or SystemClock()
        self.config = config or FollowUpConfig()
        self.channels: frozenset[str] = frozenset(channels) | {outbox.TERMINAL}
        self.max_text = max_text
        self.kmap: KnowledgeMap
        self.router: Router
        self._staff: dict[tuple[str, str], Servant]
        #: Outbox rows this desk claimed and has not yet marked: row id -> lease expiry.
        self._leased: dict[int, dt.datetime] = {}
        self.use_knowledge(kmap, router)

    def _work(self, session: Session) -> Work:
        return Work(session, self.kmap, self.clock.now(), self.config, self.channels)

    def ask_pending(self, channel: str, sender_id: str) -> bool:
        """Queue once more the question a volunteer's conversation waits for (a chat opened
        again after a restart); see ``bot.volunteer.ask_pending``."""
        with transaction(self.engine) as session:
            return ask_pending(self._work(session), self.router, channel, sender_id)

    def servant_for(self, channel: str, sender_id: str) -> Servant | None:
        """The civil servant behind a sender, or None (terminal: the servant id)."""
        return self._staff.get((channel, sender_id))

    # ------------------------------------------------------------------ inbound
    def receive(self, inbound: Inbound) -> list[Outbound]:
        """Process one message exactly once; the answer messages are in the outbox."""
        try:
            with transaction(self.engine, autoflush=False) as session:
                work = self._work(session)
                work.deferred = True  # outbox rows and events: a few multi-row inserts
                if not _claim_inbound(session, inbound, work.now):
                    return []  # another desk process took this message first
                self._dispatch(work, inbound)
                session.flush()
                return work.outbound()
        except Exception:
            log.exception("desk failed on message %s/%s", inbound.channel, inbound.message_id)
            return [Outbound(channel=inbound.channel, chat_id=inbound.chat_id,
                             text=_SORRY,
                             key=f"{outbox.VOLATILE_PREFIX}error:{inbound.channel}:"
                             f"{inbound.message_id}")]

    def _dispatch(self, work: Work, inbound: Inbound) -> None:
        text = inbound.text or ""
        command = parse_command(text) if inbound.kind in ("text", "command") else None
        servant = self.servant_for(inbound.channel, inbound.sender_id)
        if servant is not None:
            self._seen(work, servant, inbound)
            if command is None:
                handle_staff_text(work, servant, text if inbound.kind == "text" else "")
            else:
                handle_staff(work, servant, *command)
            return
        vol = self._volunteer(work, inbound)
        talk = Conversation(work, self.router, vol, inbound)
        # a text relayed to a servant goes whole: the channel adapters split it into parts
        if (inbound.kind in ("text", "command") and command is None
                and len(text) > self.max_text and talk.relay_target() is None):
            text = text[: self.max_text]
            # sent before the question sets their language: say it in the message's own
            lang = vol.lang if vol.lang_fixed else text_lang(text) or vol.lang
            work.to_volunteer(vol, t("too_long", lang, limit=self.max_text))
        talk.handle(text, command=command)
        if vol in work.session:
            vol.updated_at = work.now
            work.session.add(vol)

    def _seen(self, work: Work, servant: Servant, inbound: Inbound) -> None:
        state = work.session.get(ServantState, servant.id)
        new = state is None
        if state is None:
            state = ServantState(servant_id=servant.id)
        state.last_channel, state.last_chat_id = inbound.channel, inbound.chat_id
        state.last_seen_at = work.now
        work.session.add(state)
        if new:
            work.session.flush()  # staff commands and servant_address get() it back
        # (a loaded row is in the identity map: get() returns it, changes included)

    def _volunteer(self, work: Work, inbound: Inbound) -> Volunteer:
        vol = work.session.exec(_VOLUNTEER, params={
            "channel": inbound.channel, "sender_id": inbound.sender_id}).first()
        if vol is None:
            vol = Volunteer(channel=inbound.channel, sender_id=inbound.sender_id,
                            chat_id=inbound.chat_id, step=conv.IDLE, created_at=work.now,
                            updated_at=work.now)
            work.session.add(vol)
            work.session.flush()
        if vol.chat_id != inbound.chat_id:
            vol.chat_id = inbound.chat_id
        if vol.unreachable:
            vol.unreachable = False  # they wrote again
        return vol

    # ------------------------------------------------------------------ follow-ups
    def dispatch_due(self, *, batch: int = 200, limit: int | None = None) -> list[Outbound]:
        """Apply due follow-ups exactly once; returns the messages they produced."""
        return followup.dispatch_due(self.engine, self.kmap, self.clock, self.config,
                                     self.channels, batch=batch, limit=limit)

    def ensure_schedule(self) -> None:
        """Make sure the weekly digest is scheduled (idempotent; call at start-up)."""
        with transaction(self.engine) as session:
            followup.ensure_digest(self._work(session))

    # ------------------------------------------------------------------ knowledge
    def use_knowledge(self, kmap: KnowledgeMap, router: Router | None = None) -> None:
        """Swap in a reloaded map between two messages (``Runtime.use_knowledge`` runs it
        under the desk lock). Conversations keep their state in the database, so the
        ones in progress continue on the new map."""
        staff: dict[tuple[str, str], Servant] = {}
        for servant in kmap.servants:
            staff[(outbox.TERMINAL, servant.id)] = servant
            for channel, address in servant.channels.items():
                staff[(channel, str(address))] = servant
        self.kmap, self.router, self._staff = kmap, router or Router(kmap), staff

    def tell_servant(self, servant_id: str, text: str) -> list[Outbound]:
        """Queue a notice from the desk to one servant (e.g. a refused knowledge map)."""
        with transaction(self.engine) as session:
            work = self._work(session)
            work.to_servant(servant_id, text)
            session.flush()
            return work.outbound()

    # ------------------------------------------------------------------ delivery
    def pending(self, *, channels: Collection[str] | None = None, channel: str | None = None,
                chat_id: str | None = None, limit: int = 200) -> list[Outbound]:
        """Undelivered outbox messages due now, oldest first, skipping chats that must
        wait for an earlier message (so each chat keeps its order). The rows are claimed
        for ``delivery_lease_seconds`` (``outbox.claim``): another desk process on the
        same database does not send them meanwhile."""
        with transaction(self.engine) as session:
            now = self.clock.now()
            lease = dt.timedelta(seconds=self.delivery_lease_seconds)
            rows = outbox.claim(session, now, lease, channels=channels, channel=channel,
                                chat_id=chat_id, limit=limit)
            result = [outbox.to_outbound(r) for r in rows]
        self._leased = {i: until for i, until in self._leased.items() if until > now}
        self._leased.update((r.id, now + lease) for r in rows if r.id is not None)
        return result

    def release_leases(self) -> int:
        """Hand back the rows this desk claimed but did not mark (a clean stop): another
        process may deliver them at once instead of waiting for the lease to run out.
        A row is only touched while it still carries this desk's own lease, so a row
        another process has claimed since is left alone. Returns how many were released."""
        held, self._leased = self._leased, {}
        if not held:
            return 0
        released = 0
        with transaction(self.engine) as session:
            now = self.clock.now()
            for row in outbox.claimed_rows(session, held):
                if row.id is not None and row.next_attempt_at == held[row.id]:
                    row.next_attempt_at = now
                    session.add(row)
                    released += 1
        if released:
            log.info("released %d outbox lease(s)", released)
        return released

    def _unlease(self, key: str) -> None:
        if key.isdigit():
            self._leased.pop(int(key), None)

    def mark_sent(self, key: str) -> None:
        self._unlease(key)
        with transaction(self.engine) as session:
            row = outbox.row_for_key(session, key)
            if row is not None and row.sent_at is None:
                row.sent_at = self.clock.now()
                row.attempts += 1
                session.add(row)

    def mark_retry(self, key: str, delay_seconds: float) -> None:
        """Keep the message; try again no earlier than ``delay_seconds`` from now."""
        self._unlease(key)
        with transaction(self.engine) as session:
            row = outbox.row_for_key(session, key)
            if row is not None and row.sent_at is None:
                row.attempts += 1
                row.next_attempt_at = self.clock.now() + dt.timedelta(seconds=delay_seconds)
                session.add(row)

    def attempts(self, key: str) -> int:
        with transaction(self.engine) as session:
            row = outbox.row_for_key(session, key)
            return row.attempts if row is not None else 0

    def mark_gone(self, key: str) -> list[Outbound]:
        """The recipient cannot be reached: mark the row failed, the volunteer unreachable,
        and tell the servant of each of their open cases."""
        self._unlease(key)
        with transaction(self.engine) as session:
            work = self._work(session)
            row = outbox.row_for_key(session, key)
            if row is None or row.sent_at is not None:
                return []
            row.failed = "gone"
            session.add(row)
            vol = session.get(Volunteer, row.volunteer_id) if row.volunteer_id else None
            if vol is not None and not vol.unreachable:
                vol.unreachable = True
                session.add(vol)
                open_cases = session.exec(select(Case).where(
                    Case.volunteer_id == vol.id, col(Case.state).in_(list(lifecycle.OPEN)))).all()
                for case in open_cases:
                    if case.servant_id:
                        lang = servant_id_lang(self.kmap, case.servant_id)
                        work.to_servant(case.servant_id, t("unreachable_in", lang, case=case.id,
                                                           channel=vol.channel),
                                        case_id=case.id)
                        work.audit(case, "desk", "volunteer_unreachable", vol.channel)
            session.flush()
            return work.outbound()


def _claim_inbound(session: Session, inbound: Inbound, now: dt.datetime) -> bool:
    """Record the message as seen. False when it was seen before, or another desk process
    recorded it first (on PostgreSQL the insert waits for that process's transaction).
    One ``INSERT … ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL; a savepoint elsewhere."""
    values = {"channel": inbound.channel, "message_id": inbound.message_id, "at": now}
    claim = _claim_statement(session.get_bind().dialect.name)
    if claim is not None:
        result = session.connection().execute(claim, values)  # Core: no ORM bookkeeping
        # RETURNING, not rowcount: psycopg reports no usable rowcount here
        return result.first() is not None
    if session.get(InboundSeen, (inbound.channel, inbound.message_id)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(InboundSeen(channel=inbound.channel, message_id=inbound.message_id,
                                    at=now))
    except IntegrityError:
        return False
    return True


_SORRY = ("Sorry, daar ging bij mij iets mis. Probeer het zo nog eens. / Sorry, something went "
          "wrong on my side. Please try again in a moment.")
