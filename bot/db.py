"""The engine and sessions, from a database URL.

SQLite (the default) runs in WAL mode with a busy timeout, and every transaction starts
with ``BEGIN IMMEDIATE`` so concurrent writers (two terminal processes) queue instead of
failing. Queries elsewhere stay portable, so PostgreSQL works with the same code.
WAL checkpoints of a SQLite file run in a background thread (``Checkpointer``), so no
message waits for one (they were the whole p99 of the desk benchmark); SQLite's own
automatic checkpoint stays on as a safety net, at a larger WAL size.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
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
CHECKPOINT_EVERY = 200  # commits between two background WAL checkpoints
AUTOCHECKPOINT_PAGES = 20_000  # SQLite's own checkpoint, only if the thread falls behind
log = logging.getLogger(__name__)
#: The background checkpointer of each SQLite-file engine (for tests and diagnostics).
CHECKPOINTERS: weakref.WeakKeyDictionary[Engine, Checkpointer] = weakref.WeakKeyDictionary()


class Checkpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` on its own connection in a daemon thread,
    every ``CHECKPOINT_EVERY`` commits. A passive checkpoint never blocks readers or
    writers; the thread ends (and closes its connection) after a minute without work."""

    idle_seconds = 60.0

    def __init__(self, path: str) -> None:
        self.path = path
        self.commits = 0
        self.checkpoints = 0  # passive checkpoints run so far
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        self.commits += 1
        if self.commits % CHECKPOINT_EVERY == 0:
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, daemon=True,
                                                    name="wegwijs-wal-checkpoint")
                    self._thread.start()
            self._wake.set()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            log.warning("WAL checkpoint thread could not open %s", self.path, exc_info=True)
            return
        try:
            while self._wake.wait(self.idle_seconds):
                self._wake.clear()
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpoints += 1
                except sqlite3.Error:
                    log.warning("WAL checkpoint failed", exc_info=True)
        finally:
            conn.close()


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; creates the SQLite file's folder when needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo,
                           connect_args={"check_same_thread": False, "timeout": 10})
    on_file = bool(parsed.database) and parsed.database != ":memory:"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        if on_file:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
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

    if on_file:
        checkpointer = Checkpointer(str(Path(parsed.database or "").expanduser()))
        CHECKPOINTERS[engine] = checkpointer

        @event.listens_for(engine, "commit")
        def _on_commit(_conn: Any) -> None:
            checkpointer.committed()

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
