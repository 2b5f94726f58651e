"""The retry policy both chat adapters follow (pure: no waiting, no server)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict

import pytest

from bot.channel import ChannelError, RateLimited, RecipientGone, TransientError
from bot.channels import matrix, telegram
from bot.channels.pacing import RetryPolicy

POLICY = RetryPolicy(max_attempts=3, backoff_base=0.5, max_backoff=1.5, max_retry_after=60.0)


def test_transient_errors_back_off_and_give_up_after_the_last_attempt() -> None:
    error = TransientError("502")
    assert [POLICY.retry_in(error, attempt) for attempt in (1, 2, 3, 4)] == [
        0.5, 1.0, None, None]
    assert RetryPolicy(max_backoff=30.0).retry_in(error, 4) == 4.0  # doubling ...
    assert RetryPolicy(max_backoff=30.0).retry_in(error, 4 + 10) is None  # ... not for ever


def test_a_rate_limit_is_waited_out_as_told_up_to_the_ceiling() -> None:
    assert POLICY.retry_in(RateLimited(42.0), 1) == 42.0  # not the back-off
    assert POLICY.retry_in(RateLimited(60.0), 2) == 60.0
    assert POLICY.retry_in(RateLimited(61.0), 1) is None  # longer: the runtime waits instead
    assert POLICY.retry_in(RateLimited(1.0), 3) is None  # and not more often than the rest


@pytest.mark.parametrize("error", [RecipientGone("blocked"), ChannelError("bad request"),
                                   ValueError("a bug")])
def test_anything_but_a_transient_error_is_final_at_once(error: Exception) -> None:
    assert POLICY.retry_in(error, 1) is None


def test_loops_that_never_give_up_pause_as_told_but_not_longer_than_the_ceiling() -> None:
    assert POLICY.pause(RateLimited(5.0), 9) == 5.0
    assert POLICY.pause(RateLimited(600.0), 1) == 60.0
    assert [POLICY.pause(TransientError("down"), n) for n in (1, 2, 3, 9)] == [
        0.5, 1.0, 1.5, 1.5]


async def test_the_desk_is_tried_again_and_given_up_on_after_its_attempts() -> None:
    policy = RetryPolicy(handler_attempts=3, backoff_base=0.001, max_backoff=0.001)
    failures: list[tuple[str, int, bool]] = []
    tries: list[str] = []

    def record(exc: Exception, attempt: int, last: bool) -> None:
        failures.append((str(exc), attempt, last))

    async def flaky() -> None:
        tries.append("flaky")
        if len(tries) < 3:
            raise RuntimeError(f"hiccup {len(tries)}")

    assert await policy.run_handler(flaky, record)
    assert failures == [("hiccup 1", 1, False), ("hiccup 2", 2, False)]

    failures.clear()

    async def broken() -> None:
        raise RuntimeError("always")

    assert not await policy.run_handler(broken, record)
    assert failures == [("always", 1, False), ("always", 2, False), ("always", 3, True)]


async def test_a_cancelled_handler_is_not_retried() -> None:
    calls: list[int] = []

    async def cancelled() -> None:
        calls.append(1)
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await RetryPolicy().run_handler(cancelled, lambda *_: None)
    assert calls == [1]


def test_the_adapters_keep_their_defaults() -> None:
    shared = {"backoff_base": 0.5, "max_backoff": 30.0, "max_retry_after": 300.0,
              "handler_attempts": 3}
    assert asdict(telegram.DEFAULT_RETRY) == {"max_attempts": 5, **shared}
    assert asdict(matrix.DEFAULT_RETRY) == {"max_attempts": 4, **shared}
