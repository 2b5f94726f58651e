"""Spacing of outgoing messages per chat and overall (the Telegram adapter's flood limits),
and the retry delay both adapters wait between failed attempts.

Pure asyncio: the clock and the sleep are injectable, so tests need no real waiting."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Exponential back-off: ``base`` after the first failure, doubling, at most ``cap``."""
    return float(min(cap, base * 2.0 ** (attempt - 1)))


class SendPacer:
    """Spaces sends: at least ``per_chat_interval`` s between messages to one chat and
    ``1 / overall_rate`` s between any two. Slots are reserved under a lock and waited for
    outside it, so one busy chat does not hold up the others more than the overall rate says."""

    def __init__(self, per_chat_interval: float = 1.0, overall_rate: float = 30.0, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.per_chat_interval = per_chat_interval
        self.overall_interval = 1.0 / overall_rate if overall_rate > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._lock = asyncio.Lock()
        self._next_overall = 0.0
        self._next_chat: dict[str, float] = {}

    async def wait(self, chat_id: str) -> None:
        async with self._lock:
            now = self._clock()
            slot = max(now, self._next_overall, self._next_chat.get(chat_id, 0.0))
            self._next_overall = slot + self.overall_interval
            self._next_chat[chat_id] = slot + self.per_chat_interval
            if len(self._next_chat) > 1000:  # forget chats whose slot has passed
                self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
        if slot > now:
            await self._sleep(slot - now)

    def hold(self, chat_id: str, seconds: float) -> None:
        """The server told us to wait for this chat (429): no send to it before then."""
        until = self._clock() + seconds
        self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0), until)
