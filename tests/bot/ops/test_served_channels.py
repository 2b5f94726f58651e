"""Servant addresses across desk processes: a process records the chat channels it runs
(``served_channel``, with a heartbeat), so a follow-up fired by a process *without* e.g.
the Telegram token still goes to a servant's Telegram address while another live process
delivers Telegram. Only when no live process serves any of the servant's channels does
the message fall back to the terminal (with a warning, and in ``wegwijs doctor``); a row
whose channel lost all its processes waits in the outbox. On SQLite and PostgreSQL, each
simulated process with its own engine (connection pool), desk and runtime."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
from collections.abc import AsyncIterator, Iterable

import pytest
from sqlmodel import Session, col, select
from structlog.testing import capture_logs

from bot import doctor, migrations, outbox, presence
from bot.channels.memory import MemoryChannel
from bot.clock import FakeClock
from bot.db import make_engine, transaction
from bot.desk import Desk
from bot.models import Case, FollowUp, OutboxMessage, ServantState, ServedChannel
from bot.runtime import Runtime
from bot.settings import Settings
from routing.model import KnowledgeMap
from tests.bot.ops.mini_map import mini_map

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)  # a Wednesday
SERVANT = "anouk-de-vries"  # takes zwerfafval; addressed on Telegram only (below)
TELEGRAM_ID = "4242"


@pytest.fixture(scope="module")
def kmap() -> KnowledgeMap:
    """The mini map with one servant reachable on Telegram only, one on Matrix first and
    Telegram second, and the general desk without any chat address."""
    base = mini_map()
    anouk, bram, general = base.servants
    return dataclasses.replace(base, servants=(
        dataclasses.replace(anouk, channels={"telegram": TELEGRAM_ID}),
        dataclasses.replace(bram, channels={"matrix": "@bram:example.nl",
                                            "telegram": "5151"}),
        general))


class Process:
    """One simulated desk process: its own engine, desk and runtime on the shared
    database; ``names`` are the chat channels whose credentials it has."""

    def __init__(self, url: str, kmap: KnowledgeMap, clock: FakeClock,
                 names: Iterable[str]) -> None:
        self.engine = make_engine(url)
        self.channels = {name: MemoryChannel(name) for name in names}
        self.desk = Desk(self.engine, kmap, clock=clock, channels=list(self.channels))
        self.runtime = Runtime(self.desk, list(self.channels.values()))

    async def start(self) -> Process:
        await self.runtime.start(poll=False)
        return self

    async def stop(self) -> None:
        await self.runtime.stop()


@pytest.fixture
async def world(db_url: str, kmap: KnowledgeMap) -> AsyncIterator[World]:
    migrations.upgrade(db_url)
    made = World(db_url, kmap)
    yield made
    for process in made.processes:
        await process.stop()
    for engine in made.engines:
        engine.dispose()


class World:
    """The shared database, the shared clock and the processes started on them."""

    def __init__(self, url: str, kmap: KnowledgeMap) -> None:
        self.url, self.kmap = url, kmap
        self.clock = FakeClock(NOW)
        self.engine = make_engine(url)
        self.engines = [self.engine]
        self.processes: list[Process] = []  # running ones

    async def process(self, *names: str) -> Process:
        process = Process(self.url, self.kmap, self.clock, names)
        self.engines.append(process.engine)
        self.processes.append(await process.start())
        return process

    async def stop(self, process: Process) -> None:
        """A clean stop (SIGTERM)."""
        self.processes.remove(process)
        await process.stop()

    def crash(self, process: Process) -> None:
        """Gone without a clean stop: its rows stay (and go stale)."""
        self.processes.remove(process)
        process.engine.dispose()

    def offer(self, servant_id: str = SERVANT) -> int:
        """An offered case whose reminder to ``servant_id`` is due now; its id."""
        earlier = self.clock.now() - dt.timedelta(days=2)
        with transaction(self.engine) as session:
            case = Case(state="offered", servant_id=servant_id, theme="zwerfafval",
                        created_at=earlier, updated_at=earlier, offered_at=earlier,
                        tried=[servant_id])
            session.add(case)
            session.flush()
            assert case.id is not None
            session.add(FollowUp(key=f"reminder:{case.id}:0", kind="reminder",
                                 case_id=case.id, servant_id=servant_id,
                                 due_at=self.clock.now() - dt.timedelta(minutes=1)))
            return case.id

    def rows(self, case_id: int) -> list[OutboxMessage]:
        with Session(self.engine) as session:
            return list(session.exec(select(OutboxMessage).where(
                OutboxMessage.case_id == case_id).order_by(col(OutboxMessage.id))).all())

    def served(self) -> list[tuple[str, str]]:
        with Session(self.engine) as session:
            return sorted((r.channel, r.process_id)
                          for r in session.exec(select(ServedChannel)).all())


def addressed(rows: list[OutboxMessage]) -> set[tuple[str, str]]:
    return {(r.channel, r.chat_id) for r in rows}


# ---------------------------------------------------------------------- addresses
async def test_follow_up_fired_without_the_token_goes_to_telegram_and_is_delivered(
        world: World) -> None:
    polling = await world.process("telegram")
    other = await world.process("memory")  # no Telegram token
    case_id = world.offer()

    await other.runtime.tick()  # this process fires the reminder

    rows = world.rows(case_id)
    assert addressed(rows) == {("telegram", TELEGRAM_ID)}
    assert other.channels["memory"].sent == []  # not its channel: it leaves the row alone
    assert await polling.runtime.deliver_pending() == 1
    sent = polling.channels["telegram"].pop_all(TELEGRAM_ID)
    assert [m.key for m in sent] == [str(rows[0].id)]
    assert all(r.sent_at is not None for r in world.rows(case_id))


async def test_own_channel_first_then_a_live_process_s_in_map_order(world: World) -> None:
    await world.process("telegram")
    matrix = await world.process("matrix")
    plain = await world.process("memory")
    with Session(world.engine) as session:
        now = world.clock.now()
        # bram's map order is matrix, telegram: a live process serves matrix
        assert outbox.servant_address(session, world.kmap, "bram-bakker", ["memory"],
                                      now=now) == ("matrix", "@bram:example.nl")
        # the general desk has no chat address: the terminal, as designed (no warning)
        with capture_logs() as logs:
            assert outbox.servant_address(session, world.kmap, "loket-algemeen",
                                          ["memory"], now=now) == ("terminal",
                                                                   "loket-algemeen")
        assert logs == []
    await world.stop(matrix)
    with Session(world.engine) as session:
        assert outbox.servant_address(session, world.kmap, "bram-bakker", ["memory"],
                                      now=world.clock.now()) == ("telegram", "5151")
    assert plain.runtime.served() == ["memory"]


async def test_where_the_servant_last_wrote_from_still_wins(world: World) -> None:
    await world.process("telegram")
    with transaction(world.engine) as session:
        session.add(ServantState(servant_id=SERVANT, last_channel="matrix",
                                 last_chat_id="@anouk:example.nl", last_seen_at=NOW))
    with Session(world.engine) as session:
        assert outbox.servant_address(session, world.kmap, SERVANT, ["memory"],
                                      now=NOW) == ("matrix", "@anouk:example.nl")


async def test_no_live_process_for_the_channel_falls_back_to_the_terminal_with_a_warning(
        world: World) -> None:
    polling = await world.process("telegram")
    other = await world.process("memory")
    await world.stop(polling)  # a clean stop removes its rows at once
    assert [channel for channel, _ in world.served()] == ["memory"]
    case_id = world.offer()

    with capture_logs() as logs:
        await other.runtime.tick()

    assert addressed(world.rows(case_id)) == {("terminal", SERVANT)}
    warnings = [e for e in logs if e["event"] == "outbox.servant_unreachable"]
    assert len(warnings) == 1 and warnings[0]["log_level"] == "warning"
    assert warnings[0]["servant_id"] == SERVANT
    assert warnings[0]["configured"] == ["telegram"] and warnings[0]["fallback"] == "terminal"
    assert TELEGRAM_ID not in repr(warnings)  # the chat address itself is never logged


async def test_a_crashed_process_counts_until_its_heartbeat_is_stale(world: World) -> None:
    polling = await world.process("telegram")
    other = await world.process("memory")
    world.crash(polling)

    world.clock.advance(presence.SERVED_TTL - dt.timedelta(seconds=1))
    first = world.offer()
    await other.runtime.tick()
    assert addressed(world.rows(first)) == {("telegram", TELEGRAM_ID)}  # may be restarting

    world.clock.advance(dt.timedelta(seconds=2))  # five heartbeats missed: gone
    second = world.offer()
    await other.runtime.tick()
    assert addressed(world.rows(second)) == {("terminal", SERVANT)}


async def test_heartbeats_keep_a_process_live(world: World) -> None:
    polling = await world.process("telegram")
    other = await world.process("memory")
    for _ in range(3):  # well past the TTL in total, one heartbeat each minute
        world.clock.advance(presence.SERVED_TTL / 2)
        await polling.runtime.heartbeat()
    case_id = world.offer()
    await other.runtime.tick()
    assert addressed(world.rows(case_id)) == {("telegram", TELEGRAM_ID)}


async def test_the_heartbeat_loop_refreshes_the_row(db_url: str, kmap: KnowledgeMap) -> None:
    migrations.upgrade(db_url)
    clock = FakeClock(NOW)
    engine = make_engine(db_url)
    desk = Desk(engine, kmap, clock=clock, channels=["telegram"])
    runtime = Runtime(desk, [MemoryChannel("telegram")], poll_interval=0.01,
                      heartbeat_interval=0.01)
    try:
        await runtime.start(poll=True)
        later = clock.advance(hours=1)

        def last_seen() -> list[dt.datetime]:
            with Session(engine) as session:
                return list(session.exec(select(ServedChannel.last_seen)).all())

        async def refreshed() -> None:
            while last_seen() != [later]:  # noqa: ASYNC110 - the database has no event
                await asyncio.sleep(0.01)

        await asyncio.wait_for(refreshed(), timeout=30)
        await runtime.stop()
        assert last_seen() == []  # a clean stop removes the row, even after beats
    finally:
        await runtime.stop()
        engine.dispose()


async def test_only_whole_channels_are_recorded_never_the_terminal(world: World) -> None:
    terminal = await world.process("terminal", "telegram")
    assert [channel for channel, _ in world.served()] == ["telegram"]
    one_chat = Runtime(terminal.desk, [MemoryChannel("matrix")], chat=("matrix", "@x:y"))
    await one_chat.start(poll=False)  # `wegwijs chat`-like: one chat, serves nobody else
    try:
        assert [channel for channel, _ in world.served()] == ["telegram"]
    finally:
        await one_chat.stop()
    assert terminal.runtime.process_id != one_chat.process_id


async def test_rows_of_long_dead_processes_are_forgotten(world: World) -> None:
    polling = await world.process("telegram")
    world.crash(polling)
    world.clock.advance(presence.SERVED_FORGET + dt.timedelta(minutes=1))
    fresh = await world.process("matrix")
    assert world.served() == [("matrix", fresh.runtime.process_id)]


# ---------------------------------------------------------------------- nothing lost
async def test_a_row_whose_channel_lost_every_process_waits_for_the_next_one(
        world: World) -> None:
    polling = await world.process("telegram")
    other = await world.process("memory")
    case_id = world.offer()
    await other.runtime.tick()
    [row] = world.rows(case_id)
    assert (row.channel, row.chat_id) == ("telegram", TELEGRAM_ID)
    await world.stop(polling)  # before delivering: now no process runs Telegram

    for _ in range(3):  # days pass; the other process keeps ticking and polling
        world.clock.advance(days=1)
        await other.runtime.tick()
        await other.runtime.deliver_pending()
    [waiting] = [r for r in world.rows(case_id) if r.id == row.id]
    assert waiting.sent_at is None and waiting.failed is None and waiting.attempts == 0

    restarted = await world.process("telegram")  # start() delivers what waits
    sent = restarted.channels["telegram"].pop_all(TELEGRAM_ID)
    assert str(row.id) in {m.key for m in sent}
    [done] = [r for r in world.rows(case_id) if r.id == row.id]
    assert done.sent_at is not None


# ---------------------------------------------------------------------- doctor
def _served_findings(world: World) -> dict[str, doctor.Finding]:
    settings = Settings(database_url=world.url)
    return {f.check: f for f in doctor.check_served(settings, world.kmap,
                                                    now=world.clock.now())}


async def test_doctor_shows_served_channels_stranded_servants_and_waiting_rows(
        world: World) -> None:
    checks = _served_findings(world)
    assert checks["served channels"].status == "warn"
    assert "no desk process" in checks["served channels"].detail

    polling = await world.process("telegram")
    await world.process("memory")
    checks = _served_findings(world)
    assert checks["served channels"].status == "ok"
    assert "telegram by 1 process" in checks["served channels"].detail
    assert checks["servant addresses"].status == "ok"
    assert "outbox" not in checks

    world.offer()
    await world.processes[1].runtime.tick()  # a Telegram row, not yet delivered
    await world.stop(polling)
    checks = _served_findings(world)
    assert checks["servant addresses"].status == "warn"
    assert SERVANT in checks["servant addresses"].detail
    assert "bram-bakker" in checks["servant addresses"].detail
    assert TELEGRAM_ID not in checks["servant addresses"].detail
    assert checks["outbox"].status == "warn"
    assert "1 message(s) wait for a process serving telegram" in checks["outbox"].detail


def test_doctor_run_includes_the_served_check(monkeypatch: pytest.MonkeyPatch,
                                             db_url: str) -> None:
    for key in list(os.environ):
        if key.startswith("WEGWIJS_"):
            monkeypatch.delenv(key)
    migrations.upgrade(db_url)
    monkeypatch.setenv("WEGWIJS_DATABASE_URL", db_url)
    findings = doctor.run()
    checks = {f.check: f for f in findings}
    assert checks["served channels"].status == "warn"
    assert doctor.exit_code(findings) == 0  # a warning, not a failure

