"""The terminal channel: a volunteer (``wegwijs chat``) or a servant (``wegwijs staff``).

Reads lines from stdin (a TTY or a pipe, so it can be scripted) and prints what the desk
sends to this chat. Choices are shown as numbered options; typing the number picks one.
The last options shown are kept in the ``StateStore`` (``terminal:choices:<chat id>``), so
a number still picks after ``wegwijs chat`` restarts (pass a ``DbStateStore``). A reply that
cannot be printed (a broken pipe) raises ``TransientError``: it stays in the outbox, and the
terminal's runtime (``bot.cli.desk_cmds.terminal_runtime``) tries it again at the next chance.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import sys
import threading
import uuid
from typing import TextIO

from bot.channel import (
    Choice,
    Inbound,
    InboundHandler,
    MemoryStateStore,
    Outbound,
    StateStore,
    TransientError,
)

NAME = "terminal"


class TerminalChannel:
    name = NAME

    def __init__(self, *, chat_id: str, sender_id: str | None = None,
                 display_name: str | None = None, stdin: TextIO | None = None,
                 stdout: TextIO | None = None, label: str = "wegwijs",
                 state: StateStore | None = None) -> None:
        self.chat_id = chat_id
        self.sender_id = sender_id or chat_id
        self.display_name = display_name
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.label = label
        self.closed = asyncio.Event()  # set at end of input, after the last line ran
        self._choices: tuple[Choice, ...] = ()
        self._task: asyncio.Task[None] | None = None
        self._counter = itertools.count(1)
        self._session = uuid.uuid4().hex[:12]
        self._state: StateStore = state or MemoryStateStore()

    @property
    def _choices_key(self) -> str:
        return f"{NAME}:choices:{self.chat_id}"

    async def _load_choices(self) -> None:
        stored = await self._state.get(self._choices_key)
        try:
            pairs = json.loads(stored) if stored else []
            self._choices = tuple(Choice(str(label), str(value)) for label, value in pairs)
        except (ValueError, TypeError):  # a damaged row: no options, never a crash
            self._choices = ()

    # ------------------------------------------------------------------ Channel
    async def start(self, on_inbound: InboundHandler) -> None:
        await self._load_choices()  # the options shown before a restart still count
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def read() -> None:  # a daemon thread: a blocked readline never holds up exit
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                for line in self.stdin:
                    loop.call_soon_threadsafe(queue.put_nowait, line)
            with contextlib.suppress(RuntimeError):  # the loop may be closed already
                loop.call_soon_threadsafe(queue.put_nowait, None)

        threading.Thread(target=read, name="terminal-stdin", daemon=True).start()
        self._task = asyncio.create_task(self._run(queue, on_inbound), name="terminal-input")

    async def _run(self, queue: asyncio.Queue[str | None], on_inbound: InboundHandler) -> None:
        try:
            while (line := await queue.get()) is not None:
                inbound = self.to_inbound(line)
                if inbound is not None:
                    await on_inbound(inbound)
        finally:
            self.closed.set()

    async def send(self, message: Outbound) -> None:
        """Print ``message``; a failed write (a broken pipe, a closed stdout) raises
        ``TransientError``: the message stays in the outbox and is shown on a later try.
        Its options count only once they were shown."""
        lines = [f"{self.label}> {message.text}"]
        lines += [f"  {i}) {c.label}" for i, c in enumerate(message.choices, 1)]
        try:
            self.stdout.write("\n".join(lines) + "\n")
            self.stdout.flush()
        except (OSError, ValueError) as exc:  # ValueError: "I/O operation on closed file"
            raise TransientError(f"the terminal could not show a message: {exc}") from exc
        if message.choices:
            self._choices = message.choices
            await self._state.set(self._choices_key, json.dumps(
                [[c.label, c.value] for c in message.choices]))

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    # ------------------------------------------------------------------ parsing
    def to_inbound(self, line: str) -> Inbound | None:
        text = line.rstrip("\r\n").strip()
        if not text:
            return None
        message_id = f"{self._session}-{next(self._counter)}"
        if text.isdigit() and self._choices and 1 <= int(text) <= len(self._choices):
            picked = self._choices[int(text) - 1]
            return Inbound(NAME, self.chat_id, self.sender_id, message_id, "choice",
                           text=picked.label, choice=picked.value,
                           display_name=self.display_name)
        return Inbound(NAME, self.chat_id, self.sender_id, message_id,
                       "command" if text.startswith("/") else "text", text=text,
                       display_name=self.display_name)
