"""An in-memory channel for tests (errbot-style ``push`` / ``pop``).

``push`` hands a message to the desk as if a person had typed it and returns once the
runtime has processed it (and delivered what it could); ``pop`` takes the oldest message
the desk sent. ``fail_next`` makes the next sends raise, to test delivery faults.
"""

from __future__ import annotations

import itertools
import uuid
from collections import deque

from bot.channel import ChannelError, Inbound, InboundHandler, InboundKind, Outbound


class MemoryChannel:
    def __init__(self, name: str = "memory") -> None:
        self.name = name
        self.sent: list[Outbound] = []
        self.attempts = 0
        self._failures: deque[ChannelError] = deque()
        self._on_inbound: InboundHandler | None = None
        self._ids = itertools.count(1)
        self._prefix = uuid.uuid4().hex[:8]  # ids stay unique across restarts

    async def start(self, on_inbound: InboundHandler) -> None:
        self._on_inbound = on_inbound

    async def stop(self) -> None:
        self._on_inbound = None

    async def send(self, message: Outbound) -> None:
        self.attempts += 1
        if self._failures:
            raise self._failures.popleft()
        self.sent.append(message)

    # ------------------------------------------------------------------ test side
    def fail_next(self, *errors: ChannelError) -> None:
        self._failures.extend(errors)

    def inbound(self, chat_id: str, text: str = "", *, kind: InboundKind | None = None,
                choice: str | None = None, sender_id: str | None = None,
                message_id: str | None = None, unsupported: str | None = None,
                display_name: str | None = None) -> Inbound:
        if kind is None:
            kind = "choice" if choice is not None else (
                "command" if text.startswith("/") else "text")
        return Inbound(channel=self.name, chat_id=chat_id, sender_id=sender_id or chat_id,
                       message_id=message_id or f"{self._prefix}-{next(self._ids)}",
                       kind=kind, text=text, choice=choice, unsupported=unsupported,
                       display_name=display_name)

    async def push(self, message: Inbound | str, chat_id: str = "", **kwargs: object) -> Inbound:
        """Deliver one inbound message (an ``Inbound`` or text for ``chat_id``)."""
        if self._on_inbound is None:
            raise RuntimeError("channel not started")
        inbound = message if isinstance(message, Inbound) else self.inbound(
            chat_id, message, **kwargs)  # type: ignore[arg-type]
        await self._on_inbound(inbound)
        return inbound

    def pop(self, chat_id: str | None = None) -> Outbound:
        """The oldest sent message (to ``chat_id``); raises ``LookupError`` if none."""
        for i, message in enumerate(self.sent):
            if chat_id is None or message.chat_id == chat_id:
                return self.sent.pop(i)
        raise LookupError(f"no message for {chat_id!r}")

    def pop_all(self, chat_id: str | None = None) -> list[Outbound]:
        taken = [m for m in self.sent if chat_id is None or m.chat_id == chat_id]
        self.sent = [m for m in self.sent if m not in taken]
        return taken
