"""A database-backed ``StateStore`` for channel adapters (update offsets, sync tokens).

Besides offsets and room maps, the adapters keep their *delivery progress* here: under
``telegram:sent:<key>`` / ``matrix:sent:<key>`` the number of parts of the message with
``Outbound.key`` ``<key>`` already sent, so a retried send resumes at the first part not
yet sent and never repeats one. For stored messages the key is the outbox row id; other
keys (``volatile:…`` goodbyes after ``/vergeet``, the Matrix adapter's own notes such as
``sorry:<event id>``) belong to a single send and are never retried later. The value is
a count, the key only ids. Retention (``bot.retention``) and erasure (``bot.privacy``)
remove progress rows once nothing can resend their message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from sqlalchemy import Engine

from bot.clock import Clock, SystemClock
from bot.db import transaction
from bot.models import KeyValue

#: Key prefixes of the adapters' delivery progress rows (see the module docstring).
SEND_PROGRESS_PREFIXES = ("telegram:sent:", "matrix:sent:")


def send_progress_keys(outbox_ids: Iterable[int]) -> list[str]:
    """Every adapter's progress key for the given outbox row ids."""
    return [f"{prefix}{i}" for i in outbox_ids for prefix in SEND_PROGRESS_PREFIXES]


def send_progress_target(key: str) -> str | None:
    """The ``Outbound.key`` a progress key is about, or None for any other key."""
    for prefix in SEND_PROGRESS_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return None


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
