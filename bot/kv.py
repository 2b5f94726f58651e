"""A database-backed ``StateStore`` for channel adapters (update offsets, sync tokens)."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine

from bot.clock import Clock, SystemClock
from bot.db import transaction
from bot.models import KeyValue


class DbStateStore:
    """``StateStore`` on the ``kv`` table. ``prefix`` namespaces one adapter's keys
    (e.g. ``"telegram:"``); the value is committed before ``set`` returns."""

    def __init__(self, engine: Engine, prefix: str = "", clock: Clock | None = None) -> None:
        self.engine = engine
        self.prefix = prefix
        self.clock: Clock = clock or SystemClock()

    def get_sync(self, key: str) -> str | None:
        with transaction(self.engine) as session:
            row = session.get(KeyValue, self.prefix + key)
            return row.value if row is not None else None

    def set_sync(self, key: str, value: str) -> None:
        with transaction(self.engine) as session:
            row = session.get(KeyValue, self.prefix + key)
            if row is None:
                row = KeyValue(key=self.prefix + key, value=value, updated_at=self.clock.now())
            else:
                row.value, row.updated_at = value, self.clock.now()
            session.add(row)

    async def get(self, key: str) -> str | None:
        return await asyncio.to_thread(self.get_sync, key)

    async def set(self, key: str, value: str) -> None:
        await asyncio.to_thread(self.set_sync, key, value)
