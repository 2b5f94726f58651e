"""``/vergeet`` through the real desk, then every table and column is scanned: nothing of
the volunteer is left, on SQLite and PostgreSQL. And ``privacy export`` of a volunteer
mid-case holds their conversation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bot import migrations, privacy
from bot.channel import Inbound, Outbound
from bot.clock import FakeClock
from bot.db import make_engine
from bot.desk import Desk
from bot.outbox import TERMINAL
from tests.bot.ops.mini_map import mini_map
from tests.bot.ops.privacy_data import scan

HANDLE = "anna-q7-handle"
QUESTION = "Wij zoeken subsidie voor zwerfvuil opruimen in Utrecht, buurt Q7ZWERF"
INITIATIVE = "Opruimclub Q7LOMBOK"
VOL_REPLY = "Ons telefoonnummer volgt, groet Q7ANNA"
SERVANT_REPLY = "Bel me gerust, Q7SERVANT"


class Chat:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.n = 0

    def send(self, text: str = "", *, who: str = HANDLE, channel: str = "memory",
             choice: str | None = None) -> list[Outbound]:
        self.n += 1
        kind = "choice" if choice else ("command" if text.startswith("/") else "text")
        return self.desk.receive(Inbound(channel=channel, chat_id=who, sender_id=who,
                                         message_id=f"m{self.n}", kind=kind,  # type: ignore[arg-type]
                                         text=text, choice=choice))


@pytest.fixture
def desk(db_url: str) -> Iterator[Desk]:
    migrations.upgrade(db_url)
    engine = make_engine(db_url)
    yield Desk(engine, mini_map(), clock=FakeClock(dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)),
               channels=("memory",))
    engine.dispose()


def handed_over(chat: Chat) -> int:
    out = chat.send(QUESTION)
    consent = [c.value for m in out for c in m.choices if c.value.endswith(":yes")]
    assert consent, [m.text for m in out]
    chat.send(choice=consent[0])
    chat.send(INITIATIVE)
    case_id = int(consent[0].split(":")[1])
    servant = "anouk-de-vries"
    chat.send(f"/neem {case_id}", who=servant, channel=TERMINAL)
    chat.send(f"/antwoord {case_id} {SERVANT_REPLY}", who=servant, channel=TERMINAL)
    chat.send(VOL_REPLY)
    chat.send(f"/notitie {case_id} sprak {HANDLE} over {INITIATIVE}", who=servant,
              channel=TERMINAL)
    return case_id


def test_vergeet_leaves_nothing_in_any_table(desk: Desk) -> None:
    chat = Chat(desk)
    handed_over(chat)
    needles = (HANDLE, "Q7ZWERF", "Q7LOMBOK", "Q7ANNA", "Q7SERVANT")
    assert {hit.split(".")[0] for hit in scan(desk.engine, needles)} >= {
        "volunteer", "case", "message", "outbox"}
    out = chat.send("/vergeet")
    confirm = [c.value for m in out for c in m.choices if c.value.endswith(":yes")]
    assert confirm
    final = chat.send(choice=confirm[0])
    goodbye = [m for m in final if m.chat_id == HANDLE]
    assert goodbye and goodbye[0].key.startswith("volatile:")  # never stored
    assert scan(desk.engine, needles) == []
    with desk.engine.connect() as conn:  # the servant still hears the case is gone
        texts = conn.execute(sa.text("SELECT text FROM outbox WHERE chat_id = :s"),
                             {"s": "anouk-de-vries"}).scalars().all()
    assert texts


def test_export_mid_case_holds_the_conversation(desk: Desk) -> None:
    chat = Chat(desk)
    case_id = handed_over(chat)
    [vid] = privacy.find_volunteers(desk.engine, f"memory:{HANDLE}")
    data = privacy.export_volunteer(desk.engine, vid)
    [case] = data["cases"]
    assert case["id"] == case_id and case["initiative"] == INITIATIVE
    assert case["consent_at"] and case["consent_wording"]
    said = [m["text"] for m in case["messages"]]
    assert any(VOL_REPLY in t for t in said) and any(SERVANT_REPLY in t for t in said)
    assert data["volunteer"]["sender_id"] == HANDLE
