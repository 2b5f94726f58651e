"""The engine and sessions, from a database URL.

SQLite (the default) runs in WAL mode with a busy timeout, and every transaction starts
with ``BEGIN IMMEDIATE`` so concurrent writers (two terminal processes) queue instead of
failing. Queries elsewhere stay portable, so PostgreSQL works with the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, create_engine

from bot import models  # noqa: F401  (registers the tables)

BUSY_TIMEOUT_MS = 10_000
CACHE_KIB = 32_768  # page cache per connection
MMAP_BYTES = 128 * 1024 * 1024


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; creates the SQLite file's folder when needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo,
                           connect_args={"check_same_thread": False, "timeout": 10})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        if parsed.database and parsed.database != ":memory:":
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")  # negative: KiB, not pages
        cur.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_schema(engine: Engine) -> None:
    """Create missing tables (until migrations own the schema)."""
    SQLModel.metadata.create_all(engine)


def insert_or_ignore(dialect: str) -> Callable[[Any], Any] | None:
    """The ``insert`` of a dialect that has ``ON CONFLICT DO NOTHING`` (SQLite,
    PostgreSQL), imported on first use (start-up does not pay for PostgreSQL's); else None."""
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    return None


@contextmanager
def transaction(engine: Engine, *, autoflush: bool = True) -> Iterator[Session]:
    """One session, one transaction: commit on success, roll back on any error.
    ``autoflush=False`` batches all writes into the final flush; the caller then flushes
    before any query that must see its own pending rows."""
    with Session(engine, expire_on_commit=False, autoflush=autoflush) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
