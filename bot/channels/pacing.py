"""Spacing of outgoing messages per chat and overall (the Telegram adapter's flood limits),
and the retry policy both adapters follow between failed attempts.

Pure asyncio: the pacer's clock and sleep are injectable, so tests need no real waiting."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.channel import RateLimited, TransientError


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Exponential back-off: ``base`` after the first failure, doubling, at most ``cap``."""
    return float(min(cap, base * 2.0 ** (attempt - 1)))


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How an adapter retries: a request up to ``max_attempts`` times (back-off from
    ``backoff_base`` doubling to ``max_backoff``; a rate limit waited out as told unless it
    asks for more than ``max_retry_after`` seconds), the desk's handler ``handler_attempts``
    times per inbound message."""

    max_attempts: int = 5
    backoff_base: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 300.0
    handler_attempts: int = 3

    def backoff(self, attempt: int) -> float:
        """The wait after failure number ``attempt`` (1, 2, ...)."""
        return backoff_delay(attempt, self.backoff_base, self.max_backoff)

    def retry_in(self, error: BaseException, attempt: int) -> float | None:
        """After failed attempt number ``attempt`` ended in ``error``: the seconds to wait
        before trying again, or ``None`` to give up (the caller raises ``error``).
        A rate limit is waited out as told; other transient errors back off; anything
        else is final at once."""
        if isinstance(error, RateLimited):
            if error.retry_after > self.max_retry_after or attempt >= self.max_attempts:
                return None
            return error.retry_after
        if isinstance(error, TransientError) and attempt < self.max_attempts:
            return self.backoff(attempt)
        return None

    async def run_handler(self, handle: Callable[[], Awaitable[None]],
                          on_failure: Callable[[Exception, int, bool], None]) -> bool:
        """Hand one inbound message to the desk (``handle``), trying up to
        ``handler_attempts`` times with back-off; ``False`` when every try failed.
        ``on_failure(error, attempt, last)`` is called inside the ``except`` block (so it may
        log the traceback) after each failed try; cancellation is never caught."""
        for attempt in range(1, self.handler_attempts + 1):
            try:
                await handle()
                return True
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                last = attempt == self.handler_attempts
                on_failure(exc, attempt, last)
                if not last:
                    await asyncio.sleep(self.backoff(attempt))
        return False

    def pause(self, error: BaseException, attempt: int) -> float:
        """How long a loop that never gives up (the Matrix sync) waits after failure number
        ``attempt``: a rate limit as told (at most ``max_retry_after``), else back-off."""
        if isinstance(error, RateLimited):
            return min(error.retry_after, self.max_retry_after)
        return self.backoff(attempt)


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
