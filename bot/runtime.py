"""Wiring: channels in, the desk in the middle, outbox delivery out.

On an inbound message the runtime calls ``Desk.receive`` (in a worker thread, one desk
call at a time) and then delivers. Delivery reads undelivered outbox rows and marks a row
sent only after ``Channel.send`` returned. Faults: ``RateLimited`` waits as told and tries
again; ``TransientError`` keeps the row and backs off exponentially (the row waits in the
database; later rows to the same chat wait behind it); ``RecipientGone`` marks the
volunteer unreachable and tells their servant.

Presence: a runtime that serves whole channels (no ``chat``) records them in the
database's ``served_channel`` table with a heartbeat, at start and every
``heartbeat_interval`` seconds, and removes them on a clean stop; other desk processes
address civil servants on those channels (``bot.outbox.servant_address``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import threading
from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import TypeVar

from bot import outbox, presence
from bot.channel import Channel, ChannelError, Inbound, Outbound, RateLimited, RecipientGone
from bot.db import transaction
from bot.desk import Desk
from bot.knowledge_source import Snapshot
from routing.model import Servant

log = logging.getLogger(__name__)
T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


class Runtime:
    """Runs ``channels`` around ``desk``.

    ``chat`` limits delivery to one (channel, chat_id): a terminal process only prints
    what is addressed to it and leaves other people's messages to their own process (and
    so records no served channel).
    """

    def __init__(self, desk: Desk, channels: Sequence[Channel], *,
                 chat: tuple[str, str] | None = None, poll_interval: float = 1.0,
                 max_backoff: float = 300.0, max_rate_waits: int = 3,
                 heartbeat_interval: float = 60.0,
                 sleep: Sleep = asyncio.sleep) -> None:
        if heartbeat_interval * 2 >= presence.SERVED_TTL.total_seconds():
            raise ValueError("heartbeat_interval must be well below presence.SERVED_TTL")
        self.desk = desk
        self.channels: dict[str, Channel] = {c.name: c for c in channels}
        self.chat = chat
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self.max_rate_waits = max_rate_waits
        self.heartbeat_interval = heartbeat_interval
        #: This run's name in ``served_channel``: host, pid and a random part (two
        #: runtimes in one process, or a restarted container with the same pid, differ).
        self.process_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._sleep = sleep
        self._desk_lock = asyncio.Lock()
        self._deliver_lock = asyncio.Lock()
        self._poller: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._presence_lock = threading.Lock()  # a beat's thread and the stop's removal
        self._serving = False

    async def _call(self, fn: Callable[..., T], *args: object) -> T:
        async with self._desk_lock:
            return await asyncio.to_thread(fn, *args)

    # ------------------------------------------------------------------ lifecycle
    async def start(self, *, poll: bool = True) -> None:
        """Schedule the digest, start the channels, record them as served, fire
        follow-ups missed while down. ``poll``: also the outbox poller and the heartbeat
        loop (tests drive ``tick`` and ``heartbeat`` by hand instead)."""
        await self._call(self.desk.ensure_schedule)
        for channel in self.channels.values():
            await channel.start(self.on_inbound)
        self._serving = bool(self.served())
        await self.heartbeat()
        await self.tick()
        if poll:
            self._poller = asyncio.create_task(self._poll_loop(), name="outbox-poll")
            if self._serving:
                self._heartbeat = asyncio.create_task(self._heartbeat_loop(),
                                                      name="served-heartbeat")

    async def stop(self, *, release_timeout: float = 10.0) -> None:
        """Stop polling, the heartbeat and the channels; remove this process's
        ``served_channel`` rows; then release the outbox leases this process still holds
        (rows it claimed but did not deliver), so another desk process can deliver them
        at once rather than after ``Desk.delivery_lease_seconds``."""
        for task in (self._poller, self._heartbeat):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._poller = self._heartbeat = None
        try:
            await asyncio.to_thread(self._unserve)
        except Exception:  # stopping must not fail on it: the heartbeat also goes stale
            log.exception("removing this process's served channels failed")
        for channel in self.channels.values():
            await channel.stop()
        try:  # a delivery still running (e.g. one started by a channel) finishes first
            async with asyncio.timeout(release_timeout):
                await self._deliver_lock.acquire()
        except TimeoutError:
            log.warning("a delivery did not finish; its outbox leases run out by themselves")
            return
        try:
            await self._call(self.desk.release_leases)
        except Exception:  # stopping must not fail on it: the leases also expire
            log.exception("releasing outbox leases failed")
        finally:
            self._deliver_lock.release()

    async def _poll_loop(self) -> None:
        while True:
            await self._sleep(self.poll_interval)
            try:
                await self.deliver_pending()
            except Exception:  # keep polling whatever one pass did
                log.exception("outbox delivery pass failed")

    # ------------------------------------------------------------------ presence
    def served(self) -> list[str]:
        """The channels this runtime delivers for everyone: none for a one-chat runtime;
        never the terminal (every servant can read it with ``wegwijs staff``)."""
        if self.chat is not None:
            return []
        return sorted(name for name in self.channels if name != outbox.TERMINAL)

    async def heartbeat(self) -> None:
        """Record (again) that this process serves its channels. Its own loop calls it,
        not the follow-up tick: a long delivery pass must not make a live process look
        gone. A failure is logged; the next beat tries again."""
        if not self._serving:
            return
        try:
            await asyncio.to_thread(self._beat)
        except Exception:
            log.exception("recording the served channels failed")

    async def _heartbeat_loop(self) -> None:
        while True:
            await self._sleep(self.heartbeat_interval)
            await self.heartbeat()

    def _beat(self) -> None:
        with self._presence_lock:
            if not self._serving:  # stopped meanwhile
                return
            with transaction(self.desk.engine) as session:
                presence.beat(session, self.process_id, self.served(), self.desk.clock.now())

    def _unserve(self) -> None:
        with self._presence_lock:  # waits for a beat still running in its thread
            if not self._serving:
                return
            self._serving = False
            with transaction(self.desk.engine) as session:
                presence.unserve(session, self.process_id)

    # ------------------------------------------------------------------ knowledge
    async def use_knowledge(self, snapshot: Snapshot) -> None:
        """``KnowledgeSource.on_swap``: the next message is handled on the new map."""
        await self._call(self.desk.use_knowledge, snapshot.kmap, snapshot.router)

    async def tell_servant(self, servant: Servant, text: str) -> None:
        """``KnowledgeSource.notify``: a desk notice to one servant, delivered now."""
        await self.deliver(await self._call(self.desk.tell_servant, servant.id, text))

    # ------------------------------------------------------------------ work
    async def on_inbound(self, inbound: Inbound) -> None:
        """The handler channels call: process once, then deliver."""
        outbound = await self._call(self.desk.receive, inbound)
        await self.deliver(outbound)

    async def tick(self) -> None:
        """Dispatch due follow-ups, then deliver (the scheduler calls this)."""
        outbound = await self._call(self.desk.dispatch_due)
        await self.deliver(outbound)

    async def deliver(self, outbound: Collection[Outbound] = ()) -> int:
        """Send messages that were never stored (after ``/vergeet``), then everything
        pending in the outbox for this runtime's channels. Returns how many were sent."""
        sent = 0
        async with self._deliver_lock:
            for message in outbound:
                if message.key.isdigit() or not self._mine(message):
                    continue
                try:
                    await self.channels[message.channel].send(message)
                    sent += 1
                except ChannelError as exc:
                    log.warning("unstored message to %s lost: %s", message.channel, exc)
            sent += await self._deliver_stored()
        return sent

    async def deliver_pending(self) -> int:
        async with self._deliver_lock:
            return await self._deliver_stored()

    def _mine(self, message: Outbound) -> bool:
        if message.channel not in self.channels:
            return False
        return self.chat is None or (message.channel, message.chat_id) == self.chat

    async def _deliver_stored(self) -> int:
        sent = 0
        while True:
            if self.chat is not None:
                rows = await self._call(self._pending_chat)
            else:
                rows = await self._call(self._pending_all)
            if not rows:
                return sent
            stuck: set[tuple[str, str]] = set()
            for message in rows:
                where = (message.channel, message.chat_id)
                if where in stuck:
                    continue
                outcome = await self._send(message)
                if outcome == "sent":
                    sent += 1
                elif outcome == "wait":
                    stuck.add(where)
            if stuck:
                return sent

    def _pending_chat(self) -> list[Outbound]:
        assert self.chat is not None
        return self.desk.pending(channel=self.chat[0], chat_id=self.chat[1])

    def _pending_all(self) -> list[Outbound]:
        return self.desk.pending(channels=list(self.channels))

    async def _send(self, message: Outbound) -> str:
        """"sent" (and marked), "wait" (the row stays for later) or "gone"."""
        channel = self.channels[message.channel]
        waits = 0
        while True:
            try:
                await channel.send(message)
            except RateLimited as exc:
                waits += 1
                if waits > self.max_rate_waits:
                    await self._call(self.desk.mark_retry, message.key, exc.retry_after)
                    return "wait"
                await self._sleep(exc.retry_after)
                continue
            except RecipientGone:
                log.info("recipient gone on %s (outbox %s)", message.channel, message.key)
                await self._call(self.desk.mark_gone, message.key)  # notices go via the outbox
                return "gone"
            except ChannelError as exc:  # TransientError and anything unexpected
                attempts = await self._call(self.desk.attempts, message.key)
                delay = min(self.max_backoff, 2.0 ** attempts)
                log.info("delivery of %s failed (%s); retry in %.0fs", message.key, exc, delay)
                await self._call(self.desk.mark_retry, message.key, delay)
                return "wait"
            await self._call(self.desk.mark_sent, message.key)
            return "sent"
