"""A real desk process for the crash test (run with ``python -m``).

It works through a scripted stream of inbound messages like a channel with redelivery
(Telegram's update offset, Matrix's sync token): its position is stored in the database
*after* a message was processed, so a crash replays at most the message in flight, which
the desk must recognise as seen. Before each message the fake clock moves to the
message's time and due follow-ups fire; after it the outbox is delivered to a log file
(one line per send: ``KEY CHANNEL CHAT``). At the end the clock moves past every lease
and the last follow-ups, and the process prints ``done``. It can be SIGKILLed anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
from pathlib import Path

from sqlmodel import Session

from bot.channel import Inbound, InboundHandler, Outbound
from bot.clock import FakeClock
from bot.db import make_engine, transaction
from bot.desk import Desk
from bot.models import KeyValue
from bot.runtime import Runtime
from tests.bot.ops.mini_map import mini_map

POSITION = "crash-test:position"


class LogChannel:
    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    async def start(self, on_inbound: InboundHandler) -> None:
        return None

    async def stop(self) -> None:
        os.close(self._fd)

    async def send(self, message: Outbound) -> None:
        os.write(self._fd, f"{message.key} {message.channel} {message.chat_id}\n".encode())


def position(desk: Desk) -> int:
    with Session(desk.engine) as session:
        row = session.get(KeyValue, POSITION)
        return int(row.value) if row is not None else 0


def save_position(desk: Desk, value: int) -> None:
    with transaction(desk.engine) as session:
        session.merge(KeyValue(key=POSITION, value=str(value), updated_at=desk.clock.now()))


async def run(desk: Desk, runtime: Runtime, script: list[tuple[dt.datetime, Inbound]],
              end: dt.datetime) -> None:
    clock = desk.clock
    assert isinstance(clock, FakeClock)
    start = position(desk)
    if start:
        clock.set(max(clock.now(), script[start - 1][0]))
    print("ready", start, flush=True)
    for index in range(start, len(script)):
        at, inbound = script[index]
        clock.set(max(clock.now(), at))
        await runtime.tick()  # follow-ups due by now, then delivery
        await runtime.on_inbound(inbound)  # receive once, then delivery
        await asyncio.to_thread(save_position, desk, index + 1)
    clock.set(max(clock.now(), end))
    await runtime.tick()
    clock.advance(seconds=desk.delivery_lease_seconds + 1)  # rows claimed before a crash
    await runtime.tick()
    await runtime.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--script", required=True)
    parser.add_argument("--deliveries", required=True)
    args = parser.parse_args()
    lines = Path(args.script).read_text().splitlines()
    script = []
    for line in lines:
        item = json.loads(line)
        script.append((dt.datetime.fromisoformat(item["at"]), Inbound(**item["inbound"])))
    end = script[-1][0] + dt.timedelta(days=30)
    engine = make_engine(args.url)
    desk = Desk(engine, mini_map(), clock=FakeClock(script[0][0]), channels=("memory",))
    log = Path(args.deliveries)
    runtime = Runtime(desk, [LogChannel("memory", log), LogChannel("terminal", log)])
    asyncio.run(run(desk, runtime, script, end))
    engine.dispose()
    print("done", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
