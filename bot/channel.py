"""The transport-neutral seam between the desk and chat networks.

The desk core only ever sees ``Inbound`` values and produces ``Outbound`` values;
adapters (terminal, Telegram, Matrix, the in-memory test channel) implement ``Channel``.
Nothing here imports a transport library.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

InboundKind = Literal["text", "command", "choice", "unsupported"]


@dataclass(frozen=True, slots=True)
class Choice:
    """A ready-made answer shown as a button (or a numbered option in plain text)."""

    label: str
    value: str  # opaque to the adapter; comes back as Inbound.choice


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a person, as the desk sees it.

    ``message_id`` is the channel's own id of the message (or callback); together with
    ``channel`` it makes the message idempotent: the desk processes it once.
    ``sender_id`` identifies the person on that channel (Telegram user id, Matrix user
    id, terminal user name); ``chat_id`` is where replies go.
    """

    channel: str
    chat_id: str
    sender_id: str
    message_id: str
    kind: InboundKind
    text: str = ""
    choice: str | None = None  # the Choice.value pressed, for kind == "choice"
    unsupported: str | None = None  # "photo", "voice", "sticker", ... for kind == "unsupported"
    display_name: str | None = None
    received_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message to deliver. ``key`` is unique per message; adapters use it to never
    send the same message twice (the desk's outbox row id)."""

    channel: str
    chat_id: str
    text: str
    key: str
    choices: tuple[Choice, ...] = ()
    thread: str | None = None  # e.g. a case label; adapters may show it as a thread
    meta: dict[str, str] = field(default_factory=dict)


InboundHandler = Callable[[Inbound], Awaitable[None]]


class Channel(Protocol):
    """What an adapter offers the desk."""

    name: str

    async def start(self, on_inbound: InboundHandler) -> None:
        """Connect and begin delivering inbound messages to ``on_inbound``. Returns once
        listening has started; listening continues in the background until ``stop``."""
        ...

    async def send(self, message: Outbound) -> None:
        """Deliver one message. Raises a ``ChannelError`` subclass on failure."""
        ...

    async def stop(self) -> None: ...


class ChannelError(Exception):
    """Base of the small family every adapter maps its transport failures to."""


class RateLimited(ChannelError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited; retry after {retry_after:.1f}s")
        self.retry_after = retry_after


class RecipientGone(ChannelError):
    """The person blocked the bot, left, or cannot be reached on this channel any more."""


class TransientError(ChannelError):
    """A network fault or server error worth retrying with backoff."""


class StateStore(Protocol):
    """Small durable key/value state an adapter keeps across restarts (update offset,
    sync token). The desk backs it with a database table; tests may use a dict."""

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...


class MemoryStateStore:
    """A ``StateStore`` in memory, for tests and the terminal."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    async def get(self, key: str) -> str | None:
        return self.values.get(key)

    async def set(self, key: str, value: str) -> None:
        self.values[key] = value
