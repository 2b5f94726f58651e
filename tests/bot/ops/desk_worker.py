"""A real desk process for the multi-process tests (run with ``python -m``).

It waits for a start signal (a file), then (1) feeds every inbound message of a JSON-lines
file to ``Desk.receive`` (as two processes that both see the same Matrix sync would), and
(2) dispatches due follow-ups in small batches and delivers the outbox through the real
``Runtime`` until nothing is left. Every delivery is appended to a log file as
``PID KEY CHANNEL CHAT``; a JSON summary goes to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import time
from pathlib import Path

from bot.channel import Inbound, InboundHandler, Outbound
from bot.clock import FakeClock
from bot.db import make_engine
from bot.desk import Desk
from bot.runtime import Runtime
from tests.bot.ops.mini_map import mini_map


class RecordingChannel:
    """Delivers by appending one line per message to a shared log file."""

    def __init__(self, name: str, log: Path) -> None:
        self.name = name
        self._log = log.open("a", buffering=1, encoding="utf-8")

    async def start(self, on_inbound: InboundHandler) -> None:
        return None

    async def stop(self) -> None:
        self._log.flush()

    async def send(self, message: Outbound) -> None:
        self._log.write(f"{os.getpid()} {message.key} {message.channel} {message.chat_id}\n")


def barrier(folder: Path, name: str, parties: int = 2) -> None:
    """Wait until ``parties`` processes reached this point (a file per process)."""
    (folder / f"{name}-{os.getpid()}").touch()
    while len(list(folder.glob(f"{name}-*"))) < parties:
        time.sleep(0.005)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--now", required=True)
    parser.add_argument("--inbound", required=True)
    parser.add_argument("--deliveries", required=True)
    parser.add_argument("--go", required=True, help="a file in the barrier folder")
    args = parser.parse_args()

    engine = make_engine(args.url)
    clock = FakeClock(dt.datetime.fromisoformat(args.now))
    desk = Desk(engine, mini_map(), clock=clock,
                channels=("memory",))
    channels = [RecordingChannel("memory", Path(args.deliveries)),
                RecordingChannel("terminal", Path(args.deliveries))]
    inbound = [Inbound(**json.loads(line))
               for line in Path(args.inbound).read_text().splitlines() if line]
    random.Random(os.getpid()).shuffle(inbound)  # the two processes meet in random places
    go = Path(args.go)
    barrier(go.parent, "start")  # both processes loaded: start together
    summary = asyncio.run(work(desk, Runtime(desk, channels), inbound, go))
    engine.dispose()
    print(json.dumps({"pid": os.getpid(), **summary}))


async def work(desk: Desk, runtime: Runtime, inbound: list[Inbound],
               go: Path) -> dict[str, int]:
    errors = handled = 0
    for message in inbound:
        out = await asyncio.to_thread(desk.receive, message)
        handled += bool(out)
        errors += sum(o.key.startswith("volatile:error") for o in out)

    # second barrier: both processes start on the follow-ups together
    await asyncio.to_thread(barrier, go.parent, "ready")

    followups = 0
    while True:
        batch = await asyncio.to_thread(desk.dispatch_due, batch=3, limit=3)
        followups += len(batch)
        await runtime.deliver_pending()
        if not batch:
            break
        await asyncio.sleep(0.002)  # let the other process in
    while await runtime.deliver_pending():
        pass
    await runtime.stop()
    return {"handled": handled, "errors": errors, "followup_messages": followups}


if __name__ == "__main__":
    main()
