"""Which desk process serves which chat channel: one ``served_channel`` row per process and
channel, refreshed by the runtime's heartbeat and removed on a clean stop, so that any
process can address a civil servant on a channel another live process delivers."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from bot.models import ServedChannel

#: A desk process whose ``served_channel`` heartbeat is older than this is taken for gone
#: (the runtime beats every ``Runtime.heartbeat_interval``, a minute: five beats missed).
SERVED_TTL = dt.timedelta(minutes=5)
#: Rows of processes that died without a clean stop are deleted after this long.
SERVED_FORGET = dt.timedelta(days=1)


def live_channels(session: Session, now: dt.datetime) -> set[str]:
    """The channels some desk process served within ``SERVED_TTL`` before ``now``."""
    query = select(ServedChannel.channel).where(
        col(ServedChannel.last_seen) >= now - SERVED_TTL).distinct()
    return set(session.exec(query).all())


def served_channels(session: Session, now: dt.datetime) -> dict[str, int]:
    """Live processes per served channel (for ``wegwijs doctor``)."""
    query = select(ServedChannel.channel).where(col(ServedChannel.last_seen) >= now - SERVED_TTL)
    return dict(Counter(session.exec(query).all()))


def beat(session: Session, process_id: str, channels: Collection[str],
         now: dt.datetime) -> None:
    """Record that ``process_id`` serves ``channels`` as of ``now`` (replacing its earlier
    rows), and forget processes silent for ``SERVED_FORGET`` (they died uncleanly)."""
    session.execute(delete(ServedChannel).where(
        (col(ServedChannel.process_id) == process_id)
        | (col(ServedChannel.last_seen) < now - SERVED_FORGET)))
    if channels:
        session.execute(insert(ServedChannel), [
            {"channel": name, "process_id": process_id, "last_seen": now}
            for name in sorted(set(channels))])


def unserve(session: Session, process_id: str) -> int:
    """Remove ``process_id``'s rows (a clean stop). Returns how many were removed."""
    result = session.execute(delete(ServedChannel)
                             .where(col(ServedChannel.process_id) == process_id))
    return int(getattr(result, "rowcount", 0) or 0)
