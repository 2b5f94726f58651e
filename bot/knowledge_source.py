"""The live knowledge map: loaded once, swapped whole when a valid new version appears.

The desk asks ``source.current`` (the map) or ``source.router`` (a router built for it)
for every message; nothing else holds on to a map. A reload happens when the files
change (polled by modification time, after they have been stable for one poll, so a
half-written edit is never read) or on SIGHUP. The new folder is validated with
``check_knowledge`` and a router is built for it *before* the swap; a broken map is
refused: its problems go to the log and, through the ``notify`` callback the runtime
gives, to every civil servant marked ``admin`` in the live map; the old map stays live.

Conversations in progress are not disturbed: their state lives in the database, a swap
is one reference assignment, and a snapshot taken for a message stays whole even if a
swap happens while that message is being handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import structlog

from routing.load import KnowledgeError, Problem, check_knowledge
from routing.model import KnowledgeMap, Servant
from routing.router import Router

log = structlog.get_logger(__name__)

Notify = Callable[[Servant, str], Awaitable[None]]
OnSwap = Callable[["Snapshot"], Awaitable[None]]
Fingerprint = tuple[tuple[str, int, int], ...]
Outcome = Literal["loaded", "unchanged", "refused", "missing"]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One loaded version of the map with its router; never changes after it is made."""

    kmap: KnowledgeMap
    router: Router
    version: int
    fingerprint: Fingerprint
    loaded_at: dt.datetime
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class ReloadResult:
    outcome: Outcome
    reason: str
    problems: tuple[Problem, ...] = ()
    version: int = 0


def amsterdam_today() -> dt.date:
    """Today on the desk's calendar (closing dates are Dutch dates)."""
    return dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()


def fingerprint(path: Path) -> Fingerprint | None:
    """Name, modification time and size of every YAML file; ``None`` if the folder is gone."""
    try:
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        stats = [(p.name, p.stat()) for p in files]
        return tuple((name, st.st_mtime_ns, st.st_size) for name, st in stats)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _problem_line(p: Problem) -> str:
    where = f"{Path(str(p.file)).name}:{p.line}" if p.line else Path(str(p.file)).name
    return f"{where}: {p.message}"


def refusal_text(problems: Sequence[Problem], lang: str, limit: int = 10) -> str:
    """The message admins get when a changed map is refused."""
    errors = [p for p in problems if p.severity != "warning"] or list(problems)
    shown = [f"- {_problem_line(p)}" for p in errors[:limit]]
    if len(errors) > limit:
        more = len(errors) - limit
        shown.append(f"- … and {more} more" if lang == "en" else f"- … en nog {more}")
    if lang == "en":
        head = ("The changed knowledge map was NOT loaded: it has problems. The desk keeps "
                "using the previous map. Fix these and save again:")
    else:
        head = ("De gewijzigde kenniskaart is NIET geladen: er zitten fouten in. De desk "
                "werkt door met de vorige kaart. Herstel dit en sla opnieuw op:")
    return "\n".join([head, *shown])


@dataclass
class KnowledgeSource:
    """Holds the live map. Build with ``KnowledgeSource.open(path)``."""

    path: Path
    notify: Notify | None = None  # tell one admin servant (the runtime delivers)
    on_swap: OnSwap | None = None  # hand the new snapshot to whoever caches a map
    poll_seconds: float = 2.0
    today: Callable[[], dt.date] = field(default=lambda: amsterdam_today())
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    _snapshot: Snapshot | None = field(default=None, init=False, repr=False)
    _refused: Fingerprint | None = field(default=None, init=False, repr=False)
    _pending: Fingerprint | None = field(default=None, init=False, repr=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)
    _task: asyncio.Task[None] | None = field(default=None, init=False, repr=False)
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False, repr=False)

    # ------------------------------------------------------------------ reading
    @classmethod
    def open(cls, path: Path, *, notify: Notify | None = None, on_swap: OnSwap | None = None,
             poll_seconds: float = 2.0,
             today: Callable[[], dt.date] | None = None) -> KnowledgeSource:
        """Load the map at start-up. Raises ``KnowledgeError`` when it is broken: the desk
        cannot start without a valid map (there is no older one to fall back on)."""
        source = cls(Path(path), notify=notify, on_swap=on_swap, poll_seconds=poll_seconds,
                     today=today or amsterdam_today)
        result = source._load_sync("start")
        if result.outcome != "loaded":
            raise KnowledgeError(list(result.problems))
        return source

    @property
    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            raise RuntimeError("KnowledgeSource has no map yet; use KnowledgeSource.open")
        return self._snapshot

    @property
    def current(self) -> KnowledgeMap:
        """The live map. Take it once per message and use that value throughout."""
        return self.snapshot.kmap

    @property
    def router(self) -> Router:
        return self.snapshot.router

    @property
    def version(self) -> int:
        return self._snapshot.version if self._snapshot else 0

    # ------------------------------------------------------------------ reloading
    def _load_sync(self, reason: str) -> ReloadResult:
        """Validate, index and swap; the blocking part of a reload."""
        before = fingerprint(self.path)
        if before is None:
            missing = Problem(str(self.path), None, "the knowledge folder is missing")
            return ReloadResult("missing", reason, (missing,), self.version)
        kmap, found = check_knowledge(self.path, today=self.today())
        problems = tuple(found)
        if kmap is None:
            self._refused = before
            return ReloadResult("refused", reason, problems, self.version)
        router = Router(kmap)
        warnings = tuple(p for p in problems if p.severity == "warning")
        self._snapshot = Snapshot(kmap, router, self.version + 1, before, self.clock(),
                                  warnings)
        self._refused = None
        return ReloadResult("loaded", reason, warnings, self.version)

    async def reload(self, reason: str = "requested") -> ReloadResult:
        """Load the folder now if it differs from the live map (or ``reason == 'SIGHUP'``:
        always). Never raises for a broken map; returns what happened."""
        async with self._lock:
            current = fingerprint(self.path)
            if reason != "SIGHUP" and self._snapshot and current == self._snapshot.fingerprint:
                return ReloadResult("unchanged", reason, (), self.version)
            old = self._snapshot
            result = await asyncio.to_thread(self._load_sync, reason)
        await self._report(result, old)
        return result

    async def _report(self, result: ReloadResult, old: Snapshot | None) -> None:
        if result.outcome == "loaded":
            log.info("knowledge.reloaded", reason=result.reason, version=result.version,
                     warnings=len(result.problems))
            if self.on_swap is not None:
                try:
                    await self.on_swap(self.snapshot)
                except Exception as exc:  # the map is live here; a consumer failing is logged
                    log.error("knowledge.on_swap_failed", error=type(exc).__name__)
            for p in result.problems:
                log.warning("knowledge.warning", problem=_problem_line(p))
            return
        if result.outcome == "missing":
            log.warning("knowledge.folder_missing", reason=result.reason)
            return
        log.error("knowledge.refused", reason=result.reason, version=self.version,
                  problems=[_problem_line(p) for p in result.problems])
        admins = [s for s in (old.kmap.servants if old else ()) if s.admin]
        if not admins:
            log.warning("knowledge.no_admins_to_tell")
        for servant in admins:
            if self.notify is None:
                break
            lang = "en" if servant.languages[:1] == ("en",) else "nl"
            try:
                await self.notify(servant, refusal_text(result.problems, lang))
            except Exception as exc:  # an alert that fails must not stop the desk
                log.error("knowledge.notify_failed", servant_id=servant.id,
                          error=type(exc).__name__)

    async def poll_once(self) -> ReloadResult | None:
        """One look at the folder: reload when a change has been stable for one poll."""
        now = fingerprint(self.path)
        live = self._snapshot.fingerprint if self._snapshot else None
        if now is None or now == live or now == self._refused:
            self._pending = None
            return None
        if now != self._pending:  # changed since the last look: wait until it settles
            self._pending = now
            return None
        self._pending = None
        return await self.reload("file change")

    # ------------------------------------------------------------------ running
    async def _watch(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            if self._wake.is_set():
                self._wake.clear()
                await self.reload("SIGHUP")
                continue
            try:
                await self.poll_once()
            except Exception as exc:  # keep watching whatever happens
                log.error("knowledge.watch_failed", error=type(exc).__name__)

    def request_reload(self) -> None:
        """Ask the watcher to reload now (what SIGHUP does). Safe from a signal handler."""
        self._wake.set()

    def start(self, *, sighup: bool = True) -> None:
        """Start watching in the running event loop; on Unix also reload on SIGHUP."""
        if self._task is not None:
            return
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._watch(), name="knowledge-watch")
        if sighup and hasattr(signal, "SIGHUP"):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signal.SIGHUP, self.request_reload)

    async def stop(self) -> None:
        if self._task is None:
            return
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
