"""A clean stop hands back the outbox rows this process claimed but did not deliver, so
the next process (or another one on the same database) delivers them at once instead of
waiting for the delivery lease to run out; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot import migrations
from bot.channel import Outbound
from bot.channels.memory import MemoryChannel
from bot.clock import FakeClock
from bot.db import make_engine
from bot.desk import Desk
from bot.models import OutboxMessage
from bot.runtime import Runtime
from routing.model import KnowledgeMap
from tests.bot.ops.mini_map import mini_map

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)  # a Wednesday


class HangingChannel(MemoryChannel):
    """A memory channel whose sends hang (a slow network) once ``hang`` is set."""

    def __init__(self) -> None:
        super().__init__("memory")
        self.hang = False
        self.entered = asyncio.Event()

    async def send(self, message: Outbound) -> None:
        if self.hang:
            self.entered.set()
            await asyncio.Event().wait()  # until cancelled
        await super().send(message)


@pytest.fixture(scope="module")
def kmap() -> KnowledgeMap:
    return mini_map()


@pytest.fixture
def url(db_url: str) -> str:
    migrations.upgrade(db_url)
    return db_url


@pytest.fixture
def engines(url: str) -> Iterator[list[sa.Engine]]:
    """One engine per simulated process (each desk its own connection pool)."""
    made: list[sa.Engine] = []
    yield made
    for engine in made:
        engine.dispose()


def new_desk(url: str, engines: list[sa.Engine], kmap: KnowledgeMap, clock: FakeClock) -> Desk:
    engine = make_engine(url)
    engines.append(engine)
    return Desk(engine, kmap, clock=clock, channels=("memory",))


def queue_help(desk: Desk, chats: tuple[str, ...]) -> set[str]:
    """``/help`` from each chat; the keys of the outbox rows that answer them."""
    channel = MemoryChannel("memory")
    keys: set[str] = set()
    for chat in chats:
        keys |= {m.key for m in desk.receive(channel.inbound(chat, "/help"))}
    assert keys and all(k.isdigit() for k in keys)
    return keys


def leased_until(engine: sa.Engine) -> list[dt.datetime]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage.next_attempt_at)
                                 .where(col(OutboxMessage.sent_at).is_(None))).all())


async def test_clean_stop_releases_what_was_claimed_but_not_delivered(
        url: str, engines: list[sa.Engine], kmap: KnowledgeMap) -> None:
    clock = FakeClock(NOW)
    first = new_desk(url, engines, kmap, clock)
    channel = HangingChannel()
    runtime = Runtime(first, [channel], poll_interval=0.01)
    await runtime.start(poll=True)
    channel.hang = True
    keys = queue_help(first, ("anna", "bob"))
    await asyncio.wait_for(channel.entered.wait(), timeout=10)  # mid-send: rows claimed
    assert all(until > NOW for until in leased_until(first.engine))  # leased meanwhile
    await runtime.stop()

    assert channel.sent == []
    assert leased_until(first.engine) == [NOW] * len(keys)  # due again, right now
    # the next process, at the very same instant, delivers everything
    second = new_desk(url, engines, kmap, clock)
    assert {m.key for m in second.pending(channels=["memory"])} == keys


async def test_release_leaves_delivered_retried_and_re_claimed_rows_alone(
        url: str, engines: list[sa.Engine], kmap: KnowledgeMap) -> None:
    clock = FakeClock(NOW)
    first = new_desk(url, engines, kmap, clock)
    queue_help(first, ("anna", "bob", "carl"))
    claimed = first.pending(channels=["memory"])
    by_chat = {m.chat_id: m for m in claimed}
    assert len(by_chat) == len(claimed) == 3  # /help: one message per chat
    first.mark_sent(by_chat["anna"].key)
    first.mark_retry(by_chat["bob"].key, 3600)
    clock.advance(seconds=first.delivery_lease_seconds + 1)  # carl's lease ran out ...
    second = new_desk(url, engines, kmap, clock)
    assert [m.chat_id for m in second.pending(channels=["memory"])] == ["carl"]  # ... taken

    assert first.release_leases() == 0  # not anna's (sent), bob's (retry), carl's (other's)
    with Session(first.engine) as session:
        rows = {r.chat_id: r for r in session.exec(select(OutboxMessage)).all()}
    assert rows["anna"].sent_at is not None
    assert rows["bob"].next_attempt_at == NOW + dt.timedelta(seconds=3600)
    assert rows["carl"].next_attempt_at > clock.now()  # still under the second lease
    third = new_desk(url, engines, kmap, clock)
    assert third.pending(channels=["memory"]) == []  # nobody may send carl's row twice
    # the second process stops cleanly: now carl's row is free at once
    assert second.release_leases() == 1
    assert [m.chat_id for m in third.pending(channels=["memory"])] == ["carl"]
