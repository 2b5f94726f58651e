"""The outbox: every message the desk wants delivered is a row first.

``Work`` is the unit of work of one desk transaction: it carries the session, the map, the
current instant, and collects the outbox rows written during the transaction. Delivery
(``bot.runtime``) reads rows back, sends them, and marks them sent only after ``send``
returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import structlog
from sqlalchemy import CursorResult, exists, insert, tuple_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot import cases as lifecycle
from bot.channel import Choice, Outbound
from bot.models import (
    Case,
    CaseEvent,
    Message,
    OutboxMessage,
    ServantState,
    Volunteer,
)
from bot.presence import live_channels
from routing.model import KnowledgeMap

if TYPE_CHECKING:
    from bot.followup import FollowUpConfig

TERMINAL = "terminal"
VOLATILE_PREFIX = "volatile:"  # keys of messages that were never stored (after /vergeet)
log = structlog.get_logger(__name__)

# Core statements for the hottest inserts (built once; no ORM unit of work, no SQLModel
# validation per row). Portable: the new id comes from ``inserted_primary_key``.
_INSERT_OUTBOX = insert(OutboxMessage)
_INSERT_OUTBOX_IDS = insert(OutboxMessage).returning(col(OutboxMessage.id),
                                                      sort_by_parameter_order=True)
_INSERT_EVENT = insert(CaseEvent)
_INSERT_MESSAGE = insert(Message)


@dataclass(frozen=True, slots=True)
class Queued:
    """An outbox row written in this transaction: what ``Work.outbound`` returns of it."""

    id: int
    channel: str
    chat_id: str
    text: str
    choices: tuple[Choice, ...]
    thread: str | None
    meta: dict[str, str]

    def outbound(self) -> Outbound:
        return Outbound(channel=self.channel, chat_id=self.chat_id, text=self.text,
                        key=str(self.id), choices=self.choices, thread=self.thread,
                        meta=dict(self.meta))


@dataclass
class Work:
    session: Session
    kmap: KnowledgeMap
    now: dt.datetime
    config: FollowUpConfig
    channels: Collection[str]  # channels active in this deployment (for servant addresses)
    rows: list[Queued] = field(default_factory=list)  # outbox rows written so far
    volatile: list[Outbound] = field(default_factory=list)
    addresses: dict[str, tuple[str, str]] = field(default_factory=dict)  # per transaction
    #: Batch the outbox rows and case events into a few multi-row inserts, written by
    #: ``write`` (``outbound`` and every in-transaction reader of events call it).
    deferred: bool = False
    _outbox: list[dict[str, Any]] = field(default_factory=list)
    _events: list[dict[str, Any]] = field(default_factory=list)
    _messages: list[dict[str, Any]] = field(default_factory=list)

    # ------------------------------------------------------------------ writing
    def write(self) -> None:
        """Insert the deferred outbox rows, case events and messages (a no-op when none)."""
        if not (self._outbox or self._events or self._messages):
            return
        connection = self.session.connection()
        for statement, pending in ((_INSERT_EVENT, self._events),
                                   (_INSERT_MESSAGE, self._messages)):
            if pending:
                connection.execute(statement, list(pending))
                pending.clear()
        if self._outbox:
            values, self._outbox = self._outbox, []
            if connection.dialect.insert_executemany_returning_sort_by_parameter_order:
                ids = cast(list[int], connection.execute(_INSERT_OUTBOX_IDS, values)
                           .scalars().all())
            else:
                ids = [_new_id(connection.execute(_INSERT_OUTBOX, v)) for v in values]
            self.rows += [_queued(i, v) for i, v in zip(ids, values, strict=True)]

    def drop(self) -> None:
        """Forget deferred writes (their savepoint was rolled back)."""
        self._outbox.clear()
        self._events.clear()
        self._messages.clear()

    # ------------------------------------------------------------------ sending
    def send(self, channel: str, chat_id: str, text: str, *, choices: Sequence[Choice] = (),
             thread: str | None = None, volunteer_id: int | None = None,
             servant_id: str | None = None, case_id: int | None = None) -> None:
        values = {
            "channel": channel, "chat_id": chat_id, "text": text,
            "choices": [[c.label, c.value] for c in choices], "thread": thread,
            "meta": {"case": str(case_id)} if case_id is not None else {},
            "volunteer_id": volunteer_id, "servant_id": servant_id, "case_id": case_id,
            "created_at": self.now, "next_attempt_at": self.now, "attempts": 0,
            "sent_at": None, "failed": None}
        if self.deferred:
            self._outbox.append(values)
            return
        self.rows.append(_queued(_new_id(self.session.connection().execute(_INSERT_OUTBOX,
                                                                           values)), values))

    def to_volunteer(self, vol: Volunteer, text: str, *, choices: Sequence[Choice] = (),
                     case_id: int | None = None) -> None:
        self.send(vol.channel, vol.chat_id, text, choices=choices, volunteer_id=vol.id,
                  case_id=case_id, thread=f"case-{case_id}" if case_id else None)

    def to_servant(self, servant_id: str, text: str, *, case_id: int | None = None) -> None:
        address = self.addresses.get(servant_id)
        if address is None:
            address = servant_address(self.session, self.kmap, servant_id, self.channels,
                                      now=self.now)
            self.addresses[servant_id] = address
        channel, chat_id = address
        self.send(channel, chat_id, text, servant_id=servant_id, case_id=case_id,
                  thread=f"case-{case_id}" if case_id else None)

    # ------------------------------------------------------------------ cases
    def move(self, case: Case, event: str, actor: str, detail: str | None = None) -> None:
        """Apply a lifecycle event (raises ``IllegalTransition``) and audit it."""
        before = case.state
        case.state = lifecycle.next_state(before, event)
        case.updated_at = self.now
        self.session.add(case)
        self.audit(case, actor, event, detail, before, case.state)

    def audit(self, case: Case, actor: str, event: str, detail: str | None = None,
              before: str | None = None, after: str | None = None) -> None:
        assert case.id is not None
        values = {"case_id": case.id, "at": self.now, "actor": actor, "event": event,
                  "from_state": before, "to_state": after, "detail": detail}
        if self.deferred:
            self._events.append(values)
        else:
            self.session.connection().execute(_INSERT_EVENT, values)

    def record(self, case_id: int, author: str, kind: str, text: str) -> None:
        """Keep what was said on a case (a ``Message`` row)."""
        values = {"case_id": case_id, "at": self.now, "author": author, "kind": kind,
                  "text": text}
        if self.deferred:
            self._messages.append(values)
        else:
            self.session.connection().execute(_INSERT_MESSAGE, values)

    def outbound(self) -> list[Outbound]:
        """The collected messages, their rows written (deferred ones now)."""
        self.write()
        return [r.outbound() for r in self.rows] + self.volatile


def _new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _queued(row_id: int, values: dict[str, Any]) -> Queued:
    return Queued(row_id, values["channel"], values["chat_id"], values["text"],
                  tuple(Choice(label, value) for label, value in values["choices"]),
                  values["thread"], values["meta"])


def servant_address(session: Session, kmap: KnowledgeMap, servant_id: str,
                    channels: Collection[str], *, now: dt.datetime) -> tuple[str, str]:
    """Where the servant was last seen; else their first configured channel that a desk
    process serves (``channels``, this process's own, or one a live process recorded in
    ``served_channel``); else the terminal, addressed by servant id (with a warning when
    the servant does have chat addresses, none of them served)."""
    state = session.get(ServantState, servant_id)
    if state is not None and state.last_channel and state.last_chat_id:
        return state.last_channel, state.last_chat_id
    servant = kmap.find_servant(servant_id)
    if servant is None or not servant.channels:
        return TERMINAL, servant_id
    for name, address in servant.channels.items():
        if name in channels:
            return name, address
    live = live_channels(session, now)
    for name, address in servant.channels.items():
        if name in live:
            return name, address
    log.warning("outbox.servant_unreachable", servant_id=servant_id,
                configured=sorted(servant.channels), served=sorted(set(channels) | live),
                fallback=TERMINAL)
    return TERMINAL, servant_id


def to_outbound(row: OutboxMessage) -> Outbound:
    return Outbound(channel=row.channel, chat_id=row.chat_id, text=row.text, key=str(row.id),
                    choices=tuple(Choice(label, value) for label, value in row.choices),
                    thread=row.thread, meta=dict(row.meta))


def pending(session: Session, now: dt.datetime, *, channels: Collection[str] | None = None,
            channel: str | None = None, chat_id: str | None = None,
            limit: int = 200) -> list[OutboxMessage]:
    """Undelivered rows that may be tried now, oldest first."""
    query = select(OutboxMessage).where(
        col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.failed).is_(None),
        col(OutboxMessage.next_attempt_at) <= now)
    if channels is not None:
        query = query.where(col(OutboxMessage.channel).in_(list(channels)))
    if channel is not None:
        query = query.where(OutboxMessage.channel == channel)
    if chat_id is not None:
        query = query.where(OutboxMessage.chat_id == chat_id)
    return list(session.exec(query.order_by(col(OutboxMessage.id)).limit(limit)).all())


def claim(session: Session, now: dt.datetime, lease: dt.timedelta, *,
          channels: Collection[str] | None = None, channel: str | None = None,
          chat_id: str | None = None, limit: int = 200) -> list[OutboxMessage]:
    """Claim whole chats for delivery, so two desk processes never send the same row.

    A chat is claimable when its oldest undelivered row is due; its rows are locked
    (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and leased: ``next_attempt_at`` moves to
    ``now + lease``, so other processes leave the chat alone until the rows are marked
    sent or the lease runs out (a process that died mid-send). Oldest first; each chat
    keeps its order. (Added for multi-process PostgreSQL; see docs/operations.md.)
    """
    older = aliased(OutboxMessage)
    unsent = (col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.failed).is_(None))
    heads = select(OutboxMessage).where(
        *unsent, col(OutboxMessage.next_attempt_at) <= now,
        ~exists().where(col(older.channel) == col(OutboxMessage.channel),
                        col(older.chat_id) == col(OutboxMessage.chat_id),
                        col(older.sent_at).is_(None), col(older.failed).is_(None),
                        col(older.id) < col(OutboxMessage.id)))
    if channels is not None:
        heads = heads.where(col(OutboxMessage.channel).in_(list(channels)))
    if channel is not None:
        heads = heads.where(OutboxMessage.channel == channel)
    if chat_id is not None:
        heads = heads.where(OutboxMessage.chat_id == chat_id)
    heads = heads.order_by(col(OutboxMessage.id)).limit(limit).with_for_update(skip_locked=True)
    chats = {(r.channel, r.chat_id) for r in session.exec(heads).all()}
    if not chats:
        return []
    rows = list(session.exec(
        select(OutboxMessage)
        .where(*unsent, tuple_(col(OutboxMessage.channel), col(OutboxMessage.chat_id))
               .in_(sorted(chats)))
        .order_by(col(OutboxMessage.id)).limit(limit)
        .with_for_update(skip_locked=True)).all())
    for row in rows:
        row.next_attempt_at = now + lease
        session.add(row)
    return rows


def claimed_rows(session: Session, ids: Collection[int]) -> list[OutboxMessage]:
    """The still undelivered rows among ``ids``, locked (``FOR UPDATE``) for a lease
    release: a delivery that marks one meanwhile waits, and then sees the release."""
    if not ids:
        return []
    return list(session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.id).in_(sorted(ids)), col(OutboxMessage.sent_at).is_(None),
               col(OutboxMessage.failed).is_(None))
        .order_by(col(OutboxMessage.id)).with_for_update()).all())


def blocked_chats(session: Session, now: dt.datetime) -> set[tuple[str, str]]:
    """Chats with an undelivered row that must wait (keeps each chat's order)."""
    query = select(OutboxMessage.channel, OutboxMessage.chat_id).where(
        col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.failed).is_(None),
        col(OutboxMessage.next_attempt_at) > now)
    return {(c, chat) for c, chat in session.exec(query).all()}


def row_for_key(session: Session, key: str) -> OutboxMessage | None:
    if not key.isdigit():
        return None
    return session.get(OutboxMessage, int(key))


def undelivered_count(session: Session, *, channel: str | None = None,
                      chat_id: str | None = None) -> int:
    query = select(OutboxMessage.id).where(
        col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.failed).is_(None))
    if channel is not None:
        query = query.where(OutboxMessage.channel == channel)
    if chat_id is not None:
        query = query.where(OutboxMessage.chat_id == chat_id)
    return len(session.exec(query).all())
