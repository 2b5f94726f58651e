"""Whole cases through the real desk over Matrix (real Synapse, real matrix-nio on both sides).

A volunteer talks to the desk in an encrypted DM she opened; after her yes, the handover
reaches the civil servant (Lotte Vermeulen in the example map, here a real account) in a DM
the bot creates; Synapse is killed while a reminder is due; the servant takes the case,
answers in the case's thread, the desk process restarts, the volunteer's answer is relayed,
the servant resolves. A stranger on the same homeserver is refused and sees nothing.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.channels.matrix import DEFAULT_RETRY, MatrixChannel
from bot.desk import Desk
from bot.kv import DbStateStore
from bot.models import OutboxMessage
from bot.runtime import Runtime
from routing.load import load_knowledge
from routing.model import KnowledgeMap
from tests.bot.desk.harness import DeskProcess, local
from tests.fixtures.serve_process import terminate, wegwijs_serve
from tests.fixtures.synapse import Accounts, MatrixPerson, Received, Synapse

pytestmark = pytest.mark.synapse

LOTTE = "@lotte:desk.test"


@pytest.fixture
def matrix_knowledge(eval_knowledge_dir: Path, tmp_path: Path,
                     matrix_accounts: Accounts) -> Path:
    """The example map, with Lotte Vermeulen's Matrix id this test's servant account."""
    target = tmp_path / "knowledge"
    shutil.copytree(eval_knowledge_dir, target)
    servants = target / "civil_servants.yaml"
    text = servants.read_text(encoding="utf-8")
    assert f'matrix: "{LOTTE}"' in text
    servants.write_text(text.replace(LOTTE, matrix_accounts.servant.user_id), encoding="utf-8")
    return target


class MatrixDesk(DeskProcess):
    """Desk + runtime + Matrix adapter on one SQLite file; ``restart`` is a new process."""

    def __init__(self, synapse: Synapse, accounts: Accounts, tmp_path: Path,
                 kmap: KnowledgeMap) -> None:
        super().__init__(tmp_path / "desk.db", kmap, local(2026, 11, 23, 10, 0))
        self.synapse, self.accounts = synapse, accounts
        self.store_path = tmp_path / "bot-store"

    async def _open(self, engine: Engine) -> None:
        servants = {s.channels["matrix"] for s in self.kmap.servants if "matrix" in s.channels}
        self.channel = MatrixChannel(
            self.synapse.url, self.accounts.bot.user_id, state=DbStateStore(engine),
            store_path=self.store_path, password=self.accounts.bot.password,
            servants=servants, sync_timeout=2.0,
            retry=replace(DEFAULT_RETRY, backoff_base=0.1, max_backoff=1.0))
        self.desk = Desk(engine, self.kmap, clock=self.clock, channels=("matrix",))
        self.runtime = Runtime(self.desk, [self.channel], poll_interval=0.2)
        await self.runtime.start()

    def outbox(self, chat_id: str) -> list[OutboxMessage]:
        with Session(self.engine) as session:
            return list(session.exec(select(OutboxMessage).where(
                OutboxMessage.chat_id == chat_id).order_by(col(OutboxMessage.id))).all())


@pytest.fixture
async def desk(synapse: Synapse, matrix_accounts: Accounts, tmp_path: Path,
               matrix_knowledge: Path) -> AsyncIterator[MatrixDesk]:
    harness = await MatrixDesk(synapse, matrix_accounts, tmp_path,
                               load_knowledge(matrix_knowledge)).start()
    yield harness
    await harness.stop()


async def said(person: MatrixPerson, room: str, text: str, expect: str) -> Received:
    """``person`` writes; returns the first new message that contains ``expect``."""
    seen = {m.event_id for m in person.received}
    await person.say(room, text)
    return await person.wait_for(lambda m: m.event_id not in seen and expect in m.body,
                                 what=repr(expect))


async def test_a_case_from_question_to_resolution_over_matrix(
        desk: MatrixDesk, synapse: Synapse, matrix_people: dict[str, MatrixPerson]) -> None:
    vera, lotte = matrix_people["volunteer"], matrix_people["servant"]
    sjaak = matrix_people["stranger"]
    room = await vera.create_dm(desk.accounts.bot.user_id, encrypted=True)

    greeting = await said(vera, room, "/start gemeente-zeist", "Zeist")
    assert greeting.encrypted
    clarify = await said(vera, room, "Wij zijn met de buren een buurtinitiatief gestart",
                         "\n1. ")
    funding = desk.kmap.need("funding").label.get("nl")
    number = next(line.split(".", 1)[0] for line in clarify.body.splitlines()
                  if line.endswith(f". {funding}"))
    offer = await said(vera, room, number, "Lotte Vermeulen")  # the number of the choice
    assert "\n1. Ja\n2. Nee" in offer.body
    assert lotte.received == []  # nothing shared before the yes
    await said(vera, room, "Ja", "initiatief")
    await vera.say(room, "Buurtkracht Zeist")

    handover = await lotte.wait_for(lambda m: "Buurtkracht Zeist" in m.body)
    assert handover.encrypted and handover.room_id != room
    case = int(re.search(r"/neem (\d+)", handover.body).group(1))  # type: ignore[union-attr]

    # The homeserver dies while the reminder falls due; it is delivered after the restart.
    synapse.kill()
    try:
        desk.clock.set(local(2026, 11, 24, 10, 5))  # one working day, not taken
        await desk.runtime.tick()
    finally:
        synapse.start()
    desk.clock.set(local(2026, 11, 24, 10, 10))
    reminder = await lotte.wait_for(lambda m: m.body.startswith("Herinnering"), within=60)
    assert f"zaak {case}" in reminder.body

    taken = await said(lotte, handover.room_id, f"!neem {case}", f"Zaak {case} is van jou")
    assert taken.room_id == handover.room_id
    await vera.wait_for(lambda m: "opgepakt" in m.body)

    # A reply in the case's thread goes to the volunteer.
    seen = {m.event_id for m in vera.received}
    await lotte.say(handover.room_id, "Ik bel je morgen over de subsidie",
                    thread_root=handover.event_id)
    relayed = await vera.wait_for(lambda m: m.event_id not in seen and "Ik bel je" in m.body)
    assert relayed.body.startswith("Lotte Vermeulen (zaak")

    await desk.restart()  # a new desk process mid-case, a minute later
    desk.clock.set(local(2026, 11, 24, 10, 11))

    await vera.say(room, "Prima, tot morgen!")
    await lotte.wait_for(lambda m: f"[zaak {case}] Vrijwilliger: Prima, tot morgen!" in m.body)

    resolved = await said(lotte, handover.room_id, f"!klaar {case} Subsidie aangevraagd",
                          "afgerond")
    assert resolved.room_id == handover.room_id
    await vera.wait_for(lambda m: "Subsidie aangevraagd" in m.body)

    # A stranger on the same homeserver: refused, and nothing about the case reaches them.
    stranger_room = await sjaak.create_dm(desk.accounts.bot.user_id, encrypted=False)
    refusal = await said(sjaak, stranger_room, f"!neem {case}", "alleen voor medewerkers")
    await said(sjaak, stranger_room, "/zaken", "alleen voor medewerkers")
    assert refusal.room_id == stranger_room
    assert not any("Buurtkracht" in body or "Vera" in body for body in sjaak.bodies())

    # Nothing lost, nothing doubled: every outbox row was sent, each exactly once.
    for person in (vera, lotte, sjaak):
        await _delivered_exactly_once(desk, person)


async def _delivered_exactly_once(desk: MatrixDesk, person: MatrixPerson) -> None:
    rows = desk.outbox(person.user_id)
    assert rows and all(row.sent_at is not None for row in rows)
    expected = [row.text for row in rows]
    await person.wait_for(lambda m: m.body.startswith(expected[-1][:40]))
    got = person.bodies()
    assert [body.split("\n\n1. ")[0] for body in got] == [text.rstrip() for text in expected]


async def test_wegwijs_serve_hands_over_and_relays_a_thread_reply_over_matrix(
        synapse: Synapse, matrix_accounts: Accounts, matrix_knowledge: Path,
        matrix_people: dict[str, MatrixPerson], tmp_path: Path) -> None:
    """The real entry point in its own process with the Matrix channel: the servant's reply
    in the case's thread reaches the volunteer, so the channel knows who the servants are
    from the desk's live map; SIGTERM stops it with exit code 0."""
    vera, lotte = matrix_people["volunteer"], matrix_people["servant"]
    bot = matrix_accounts.bot
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEGWIJS_")}
    env.update({
        "WEGWIJS_MATRIX_HOMESERVER": synapse.url,
        "WEGWIJS_MATRIX_USER_ID": bot.user_id,
        "WEGWIJS_MATRIX_PASSWORD": bot.password,
        "WEGWIJS_MATRIX_STORE_PATH": str(tmp_path / "serve-store"),
        "WEGWIJS_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "WEGWIJS_KNOWLEDGE": str(matrix_knowledge),
    })
    log_path = tmp_path / "serve.log"
    funding = load_knowledge(matrix_knowledge).need("funding").label.get("nl")
    async with wegwijs_serve(env, log_path) as proc:
        for _ in range(1200):  # the first sync skips the backlog: wait until it is done
            if "matrix.started" in log_path.read_text() or proc.returncode is not None:
                break
            await asyncio.sleep(0.1)
        assert "matrix.started" in log_path.read_text(), log_path.read_text()[-2000:]
        room = await vera.create_dm(bot.user_id, encrypted=True)
        await said(vera, room, "/start gemeente-zeist", "Zeist")
        clarify = await said(vera, room, "Wij zijn met de buren een buurtinitiatief gestart",
                             "\n1. ")
        number = next(line.split(".", 1)[0] for line in clarify.body.splitlines()
                      if line.endswith(f". {funding}"))
        await said(vera, room, number, "Lotte Vermeulen")
        await said(vera, room, "Ja", "initiatief")
        await vera.say(room, "Buurtkracht Zeist")
        handover = await lotte.wait_for(lambda m: "Buurtkracht Zeist" in m.body, within=60)
        seen = {m.event_id for m in vera.received}
        await lotte.say(handover.room_id, "Ik bel je morgen", thread_root=handover.event_id)
        relayed = await vera.wait_for(
            lambda m: m.event_id not in seen and "Ik bel je morgen" in m.body, within=60)
        assert relayed.body.startswith("Lotte Vermeulen (zaak")
        returncode = await terminate(proc)
    assert returncode == 0
    log_text = log_path.read_text()
    assert "matrix.stopped" in log_text
    assert bot.password not in log_text
    assert "Traceback" not in log_text
