"""Every database table of the desk, in one module (so migrations can own the schema).

Instants are timezone-aware UTC (SQLModel stores and returns them as UTC); JSON columns hold
small structured values. Personal data is kept minimal: the chat handle is stored only
on a case, and only after the volunteer consented to a handover.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _json_dict() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Volunteer(SQLModel, table=True):
    """A person asking the desk, and where their conversation stands."""

    __table_args__ = (UniqueConstraint("channel", "sender_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    sender_id: str
    chat_id: str
    lang: str = "nl"
    lang_fixed: bool = False
    step: str = "idle"
    question: str | None = Field(default=None, sa_type=Text)
    data: dict[str, Any] = _json_dict()  # presets, pending case, clarify kind, ...
    handover_declined: bool = False
    unreachable: bool = False
    created_at: dt.datetime
    updated_at: dt.datetime


class Case(SQLModel, table=True):
    """A warm handover: one volunteer's question in the hands of a civil servant."""

    id: int | None = Field(default=None, primary_key=True)
    volunteer_id: int | None = Field(default=None, index=True)
    servant_id: str | None = Field(default=None, index=True)
    state: str = Field(default="new", index=True)
    lang: str = "nl"
    question: str | None = Field(default=None, sa_type=Text)
    initiative: str | None = None
    handle: str | None = None  # the volunteer's chat handle; set only after consent
    channel: str | None = None  # the volunteer's channel; set only after consent
    theme: str | None = None
    need: str | None = None
    region: str | None = None
    municipality: str | None = None
    stage: str | None = None
    routes: list[dict[str, Any]] = _json_list()
    tried: list[str] = _json_list()  # servants it was offered to, in order
    offer_seq: int = 0
    consent_at: dt.datetime | None = None
    consent_wording: str | None = Field(default=None, sa_type=Text)
    summary: str | None = Field(default=None, sa_type=Text)
    created_at: dt.datetime
    updated_at: dt.datetime
    offered_at: dt.datetime | None = None
    accepted_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None


class CaseEvent(SQLModel, table=True):
    """The audit trail: every transition and act on a case."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(index=True)
    at: dt.datetime
    actor: str  # "desk", "volunteer" or a servant id
    event: str
    from_state: str | None = None
    to_state: str | None = None
    detail: str | None = Field(default=None, sa_type=Text)


class Message(SQLModel, table=True):
    """What was said on a case: relayed texts, notes, summaries, check-in answers."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(index=True)
    at: dt.datetime
    author: str  # "volunteer", "desk" or a servant id
    kind: str  # volunteer | servant | note | summary | checkin
    text: str = Field(sa_type=Text)


class FollowUp(SQLModel, table=True):
    """A due time. The dispatcher claims a row and applies its effects in one transaction."""

    __table_args__ = (Index("ix_followup_pending", "done_at", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # e.g. "reminder:12:1"; makes scheduling idempotent
    kind: str  # reminder | escalate | checkin | digest
    case_id: int | None = Field(default=None, index=True)
    servant_id: str | None = None
    offer_seq: int = 0
    due_at: dt.datetime
    done_at: dt.datetime | None = None
    outcome: str | None = None
    attempts: int = 0


class OutboxMessage(SQLModel, table=True):
    """A message waiting for (or past) delivery. Marked sent only after ``send`` returned."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "failed", "channel", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    chat_id: str
    text: str = Field(sa_type=Text)
    choices: list[list[str]] = _json_list()  # [[label, value], ...]
    thread: str | None = None
    meta: dict[str, str] = _json_dict()
    volunteer_id: int | None = Field(default=None, index=True)
    servant_id: str | None = None
    case_id: int | None = Field(default=None, index=True)
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    attempts: int = 0
    sent_at: dt.datetime | None = None
    failed: str | None = None  # "gone" when the recipient cannot be reached any more


class InboundSeen(SQLModel, table=True):
    """Channel message ids already processed (no personal data: ids only)."""

    channel: str = Field(primary_key=True)
    message_id: str = Field(primary_key=True)
    at: dt.datetime


class ServantState(SQLModel, table=True):
    """What the desk learned about a servant at runtime (the map holds the rest)."""

    servant_id: str = Field(primary_key=True)
    last_channel: str | None = None
    last_chat_id: str | None = None
    last_seen_at: dt.datetime | None = None
    capacity: int | None = None  # /capaciteit overrides max_open_cases
    away_from: dt.date | None = None
    away_until: dt.date | None = None


class CheckinStat(SQLModel, table=True):
    """Anonymous statistics of check-in answers (survive erasure: nothing personal)."""

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime
    theme: str | None = None
    servant_id: str | None = None
    answer: str  # yes | partly | no


class KeyValue(SQLModel, table=True):
    """Small durable state for channel adapters (update offsets, sync tokens)."""

    __tablename__ = "kv"

    key: str = Field(primary_key=True)
    value: str = Field(sa_type=Text)
    updated_at: dt.datetime


class QuestionStat(SQLModel, table=True):
    """How one question was routed, for the programme report (``bot.report``). Nothing
    here identifies who asked; the text is kept only for a knowledge gap, and masked."""

    __tablename__ = "question_stat"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(index=True)
    lang: str = "nl"
    theme: str | None = None  # primary theme
    needs: list[str] = _json_list()
    region: str | None = None
    municipality: str | None = None
    out_of_scope: bool = False
    clarify: list[str] = _json_list()
    confidence: float = 0.0
    top_route: str | None = None
    servant_id: str | None = None
    general_desk: bool = False  # ended at the general desk (theme algemeen)
    gap: bool = False
    gap_text: str | None = Field(default=None, sa_type=Text)  # masked, gaps only


class ServedChannel(SQLModel, table=True):
    """A chat channel a running desk process serves, with that process's heartbeat.

    Each ``wegwijs serve`` process writes a row per channel it runs at start and on every
    heartbeat, and removes its rows on a clean stop; a row whose ``last_seen`` is older
    than ``bot.presence.SERVED_TTL`` belongs to a process that is gone. Servant addresses
    (``bot.outbox.servant_address``) use it, so a process without e.g. the Telegram token
    still addresses a servant on Telegram when another process delivers there."""

    __tablename__ = "served_channel"

    channel: str = Field(primary_key=True)
    process_id: str = Field(primary_key=True)  # host:pid:random, unique per run
    last_seen: dt.datetime = Field(index=True)
