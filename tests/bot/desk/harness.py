"""A whole desk on a SQLite file, driven through in-memory channels.

Volunteers talk on the ``memory`` channel; servants on a memory channel named
``terminal`` (the terminal identifies a servant by their id, so no map change is needed).
The clock is fake; restarting builds a new engine, Desk and Runtime on the same file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Self
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.channel import Outbound
from bot.channels.memory import MemoryChannel
from bot.clock import FakeClock
from bot.db import create_schema, make_engine
from bot.desk import Desk
from bot.followup import FollowUpConfig
from bot.models import Case, Volunteer
from bot.runtime import Runtime
from routing.model import KnowledgeMap
from routing.router import Router

AMS = ZoneInfo("Europe/Amsterdam")


_ROUTERS: dict[int, Router] = {}


def _router(kmap: KnowledgeMap) -> Router:
    """One router per map for the whole test session (building one takes a while)."""
    if id(kmap) not in _ROUTERS:
        _ROUTERS[id(kmap)] = Router(kmap)
    return _ROUTERS[id(kmap)]


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An Amsterdam wall-clock instant as aware UTC."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=AMS).astimezone(dt.UTC)


class DeskProcess:
    """A desk process on one SQLite file: engine, schema, then what :meth:`_open` builds (the
    desk, its channels, a started runtime). ``restart`` is a new process on the same file:
    nothing survives but the database. Subclasses differ only in their channels."""

    desk: Desk
    runtime: Runtime

    def __init__(self, path: Path, kmap: KnowledgeMap, start: dt.datetime) -> None:
        self.url = f"sqlite:///{path}"
        self.kmap = kmap
        self.clock = FakeClock(start)
        self.engine: Engine | None = None

    async def start(self) -> Self:
        self.engine = make_engine(self.url)
        create_schema(self.engine)
        await self._open(self.engine)
        return self

    async def _open(self, engine: Engine) -> None:
        """Build ``self.desk`` and the channels, and start ``self.runtime``."""
        raise NotImplementedError

    async def stop(self) -> None:
        await self.runtime.stop()
        assert self.engine is not None
        self.engine.dispose()

    async def restart(self) -> None:
        """A new process on the same file: nothing survives but the database."""
        await self.stop()
        await self.start()


class Harness(DeskProcess):
    def __init__(self, path: Path, kmap: KnowledgeMap, start: dt.datetime,
                 config: FollowUpConfig | None = None, router: Router | None = None) -> None:
        super().__init__(path, kmap, start)
        self.router = router or _router(kmap)
        self.config = config or FollowUpConfig()
        self.sleeps: list[float] = []

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    async def _open(self, engine: Engine) -> None:
        self.desk = Desk(engine, self.kmap, clock=self.clock, config=self.config,
                         router=self.router, channels=("memory", "terminal"))
        self.vols = MemoryChannel("memory")
        self.staff_channel = MemoryChannel("terminal")
        self.runtime = Runtime(self.desk, [self.vols, self.staff_channel], sleep=self._sleep)
        await self.runtime.start(poll=False)

    # ------------------------------------------------------------------ talking
    async def say(self, chat: str, text: str, **kwargs: object) -> list[Outbound]:
        """A volunteer writes; returns what the desk sent them (other messages stay)."""
        await self.vols.push(text, chat, **kwargs)
        return self.vols.pop_all(chat)

    async def press(self, chat: str, value: str) -> list[Outbound]:
        await self.vols.push("", chat, choice=value)
        return self.vols.pop_all(chat)

    async def staff(self, servant_id: str, text: str) -> list[Outbound]:
        await self.staff_channel.push(text, servant_id)
        return self.staff_channel.pop_all(servant_id)

    def to_servant(self, servant_id: str) -> list[Outbound]:
        return self.staff_channel.pop_all(servant_id)

    def to_volunteer(self, chat: str) -> list[Outbound]:
        return self.vols.pop_all(chat)

    async def advance_to(self, instant: dt.datetime) -> None:
        self.clock.set(instant)
        await self.runtime.tick()

    # ------------------------------------------------------------------ looking
    def session(self) -> Session:
        assert self.engine is not None
        return Session(self.engine)

    def case(self, case_id: int) -> Case:
        with self.session() as s:
            case = s.get(Case, case_id)
            assert case is not None
            return case

    def volunteer(self, chat: str) -> Volunteer | None:
        with self.session() as s:
            return s.exec(select(Volunteer).where(Volunteer.sender_id == chat)).first()


def texts(messages: list[Outbound]) -> str:
    return "\n".join(m.text for m in messages)


def choice_values(messages: list[Outbound]) -> list[str]:
    return [c.value for m in messages for c in m.choices]


async def started_with_languages(path: Path, kmap: KnowledgeMap, servant_id: str,
                                 languages: tuple[str, ...]) -> Harness:
    """A desk on ``kmap`` with one servant's languages changed, on 23 Nov 2026 at 10:00;
    routing stays on the unchanged map."""
    servants = tuple(dataclasses.replace(s, languages=languages) if s.id == servant_id else s
                     for s in kmap.servants)
    return await Harness(path, dataclasses.replace(kmap, servants=servants),
                         local(2026, 11, 23, 10, 0), router=_router(kmap)).start()
