"""Hypothesis drives the desk core with random sequences of volunteer messages, commands,
button presses, servant commands and clock jumps (several volunteers, three servants).

Invariants after every step:
* no exception escapes (the desk's "sorry, something went wrong" path counts as one);
* every case is in a legal state, and open cases have a servant;
* no follow-up is lost (nothing due is left pending after a dispatch) or doubled (a
  follow-up, once done, is never done again; at most one reminder/escalation message per
  offer);
* no volunteer ever receives another volunteer's data (each volunteer's texts carry a
  unique marker), and a servant only sees markers of volunteers whose case they were
  offered.

``WEGWIJS_FUZZ_EXAMPLES`` sets the number of examples (default 10,000; CI keeps the
default). Steps per example are short so that 10,000 runs in a few minutes. A failure is
not shrunk unless ``WEGWIJS_FUZZ_SHRINK=1`` (shrinking stateful runs takes minutes).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import string
from collections.abc import Sequence

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlmodel import Session, SQLModel, col, select

from bot import cases as lifecycle
from bot.channel import Inbound, Outbound
from bot.clock import FakeClock
from bot.db import create_schema, make_engine
from bot.desk import Desk
from bot.models import Case, FollowUp
from bot.outbox import TERMINAL
from routing.router import Router
from tests.bot.ops.mini_map import mini_map

KMAP = mini_map()
SERVANTS = tuple(s.id for s in KMAP.servants)
VOLUNTEERS = ("v0", "v1", "v2")
MARKERS = {v: f"QX{v.upper()}Z" for v in VOLUNTEERS}  # e.g. QXV0Z, unique per volunteer
START = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)  # a Friday: weekends come quickly
EXAMPLES = int(os.environ.get("WEGWIJS_FUZZ_EXAMPLES", "10000"))
STEPS = int(os.environ.get("WEGWIJS_FUZZ_STEPS", "3"))  # at most, per example

PHRASES = (
    "Wij willen zwerfvuil opruimen in Utrecht en zoeken subsidie",
    "We need money for an air quality sensor in Amersfoort",
    "hoe meten we fijnstof", "geld", "kennis", "Utrecht", "Zeist", "ja", "nee", "yes", "no",
    "help", "", "   ", "🙂", "Stichting {m} wil peuken opruimen in Zeist",
    "Ons initiatief {m} zoekt advies", "{m}",
)
COMMANDS = ("/start", "/start utrecht", "/help", "/status", "/stop", "/taal en", "/taal nl",
            "/vergeet", "/nieuw", "/onbekend", "/", "/taal xx")
STAFF = ("/zaken", "/cases", "/neem {n}", "/geef {n} {s} te druk", "/antwoord {n} Hallo",
         "/notitie {n} belangrijk", "/klaar {n} Opgelost met een subsidie", "/capaciteit 1",
         "/capaciteit 50", "/afwezig 2026-11-23 2026-11-24", "/neem", "/geef {n}", "/wat",
         "gewoon tekst")
random_text = st.text(alphabet=string.ascii_letters + string.digits + " /#?!éü", max_size=40)


# One in-memory database and router for all examples (tables emptied between examples):
# a new engine per example would also throw away SQLAlchemy's statement cache.
ENGINE = make_engine("sqlite://")
create_schema(ENGINE)
ROUTER = Router(KMAP)


def empty_database() -> None:
    with ENGINE.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())


class DeskMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        empty_database()
        self.engine = ENGINE
        self.clock = FakeClock(START)
        self.desk = Desk(self.engine, KMAP, clock=self.clock, channels=("memory",),
                         router=ROUTER)
        self.ids = itertools.count(1)
        self.choices: dict[str, list[str]] = {v: [] for v in VOLUNTEERS}
        self.done: dict[int, dt.datetime] = {}  # follow-up id -> when it was done
        self.errors: list[Outbound] = []
        self.leaks: list[str] = []

    def teardown(self) -> None:
        self.cases_are_legal()
        self.followups_exactly_once()

    # ------------------------------------------------------------------ plumbing
    def _receive(self, channel: str, who: str, kind: str, text: str = "",
                 choice: str | None = None) -> None:
        inbound = Inbound(channel=channel, chat_id=who, sender_id=who,
                          message_id=f"m{next(self.ids)}", kind=kind,  # type: ignore[arg-type]
                          text=text, choice=choice)
        self._check(self.desk.receive(inbound))

    def _check(self, out: list[Outbound]) -> None:
        for message in out:
            if message.key.startswith("volatile:error"):
                self.errors.append(message)
            if message.channel == "memory":
                if message.choices:
                    self.choices[message.chat_id] = [c.value for c in message.choices]
                for other, marker in MARKERS.items():
                    if other != message.chat_id and marker in message.text:
                        self.leaks.append(f"{other}'s marker sent to {message.chat_id}")
            elif message.channel == TERMINAL and any(m in message.text
                                                     for m in MARKERS.values()):
                allowed = self._offered_to(message.chat_id)
                for vol, marker in MARKERS.items():
                    if marker in message.text and vol not in allowed:
                        self.leaks.append(f"{vol}'s marker sent to servant {message.chat_id}")

    def _offered_to(self, servant: str) -> set[str]:
        from bot.models import Volunteer

        with Session(self.engine) as session:
            rows = session.exec(select(Case, Volunteer).where(
                Case.volunteer_id == Volunteer.id)).all()
            return {vol.sender_id for case, vol in rows
                    if servant == case.servant_id or servant in case.tried}

    def _case_numbers(self) -> list[int]:
        with Session(self.engine) as session:
            return [i for i in session.exec(select(Case.id)).all() if i is not None]

    # ------------------------------------------------------------------ rules
    @rule(vol=st.sampled_from(VOLUNTEERS), phrase=st.sampled_from(PHRASES))
    def volunteer_says(self, vol: str, phrase: str) -> None:
        self._receive("memory", vol, "text", phrase.format(m=MARKERS[vol]))

    @rule(vol=st.sampled_from(VOLUNTEERS), text=random_text)
    def volunteer_types_anything(self, vol: str, text: str) -> None:
        self._receive("memory", vol, "command" if text.startswith("/") else "text", text)

    @rule(vol=st.sampled_from(VOLUNTEERS), command=st.sampled_from(COMMANDS))
    def volunteer_command(self, vol: str, command: str) -> None:
        self._receive("memory", vol, "command", command)

    @rule(vol=st.sampled_from(VOLUNTEERS), pick=st.integers(0, 7), stale=st.booleans())
    def volunteer_presses(self, vol: str, pick: int, stale: bool) -> None:
        offered = self.choices[vol]
        if offered and not stale:
            value = offered[pick % len(offered)]
        else:  # an old or forged button
            value = ["consent:yes", "checkin:1:no", "forget:yes", "x:y:z", ""][pick % 5]
        self._receive("memory", vol, "choice", choice=value)

    @rule(vol=st.sampled_from(VOLUNTEERS), phrase=st.sampled_from(PHRASES[:2]),
          name=st.booleans())
    def volunteer_accepts_a_handover(self, vol: str, phrase: str, name: bool) -> None:
        """A shortcut to deep states: ask, say yes to the handover, name the initiative."""
        self._receive("memory", vol, "text", f"{phrase} ({MARKERS[vol]})")
        consent = [c for c in self.choices[vol] if c.startswith("consent:") and
                   c.endswith(":yes")]
        if consent:
            self._receive("memory", vol, "choice", choice=consent[0])
            if name:
                self._receive("memory", vol, "text", f"Buurtgroep {MARKERS[vol]}")
            else:
                self._receive("memory", vol, "choice", choice="initiative:skip")

    @rule(servant=st.sampled_from(SERVANTS), reply=st.booleans())
    def servant_takes_newest_case(self, servant: str, reply: bool) -> None:
        numbers = self._case_numbers()
        if numbers:
            self._receive(TERMINAL, servant, "command", f"/neem {numbers[-1]}")
            if reply:
                self._receive(TERMINAL, servant, "command", f"/antwoord {numbers[-1]} Hoi!")

    @rule(vol=st.sampled_from(VOLUNTEERS), what=st.sampled_from(["photo", "voice", "sticker"]))
    def volunteer_sends_media(self, vol: str, what: str) -> None:
        inbound = Inbound(channel="memory", chat_id=vol, sender_id=vol,
                          message_id=f"m{next(self.ids)}", kind="unsupported", unsupported=what)
        self._check(self.desk.receive(inbound))

    @rule(vol=st.sampled_from(VOLUNTEERS))
    def volunteer_sends_a_huge_message(self, vol: str) -> None:
        self._receive("memory", vol, "text", f"{MARKERS[vol]} zwerfvuil " * 300)  # > 4000

    @rule(vol=st.sampled_from(VOLUNTEERS))
    def duplicate_delivery(self, vol: str) -> None:
        inbound = Inbound(channel="memory", chat_id=vol, sender_id=vol, message_id="dup",
                          kind="text", text="geld")
        self._check(self.desk.receive(inbound))

    @rule(servant=st.sampled_from(SERVANTS), template=st.sampled_from(STAFF),
          pick=st.integers(0, 20), other=st.sampled_from((*SERVANTS, "niemand")))
    def servant_command(self, servant: str, template: str, pick: int, other: str) -> None:
        numbers = self._case_numbers()
        n = numbers[pick % len(numbers)] if numbers and pick < 18 else pick * 7 + 1
        text = template.format(n=n, s=other)
        self._receive(TERMINAL, servant, "command" if text.startswith("/") else "text", text)

    @rule(hours=st.sampled_from([1, 5, 20, 26, 49, 75, 24 * 6, 24 * 15]))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(hours=hours)
        self._check(self.desk.dispatch_due())
        self.cases_are_legal()
        self.followups_exactly_once()

    @rule()
    def deliver(self) -> None:
        """The runtime's delivery pass: claim, then mark sent."""
        for message in self.desk.pending():
            if message.key.isdigit():
                self.desk.mark_sent(message.key)

    # ------------------------------------------------------------------ invariants
    @invariant()
    def nothing_escaped(self) -> None:
        assert self.errors == [], f"the desk failed: {self.errors[0].key}"

    @invariant()
    def no_data_leaks(self) -> None:
        assert self.leaks == [], self.leaks[0]

    # (checked after every clock jump and at the end of each example: the database
    # queries are the expensive part of a step)
    def cases_are_legal(self) -> None:
        with Session(self.engine) as session:
            for case in session.exec(select(Case)).all():
                assert case.state in lifecycle.STATES, case.state
                if case.state in lifecycle.OPEN:
                    assert case.servant_id is not None, case

    def followups_exactly_once(self) -> None:
        now = self.clock.now()
        with Session(self.engine) as session:
            rows = session.exec(select(FollowUp)).all()
            for row in rows:
                if row.id in self.done:  # done once: never redone or undone
                    assert row.done_at is not None and _same(row.done_at, self.done[row.id])
                elif row.done_at is not None:
                    assert row.id is not None
                    self.done[row.id] = row.done_at
            overdue = session.exec(select(FollowUp).where(
                col(FollowUp.done_at).is_(None), col(FollowUp.due_at) < now,
                col(FollowUp.attempts) == 0)).all()
            # due ones fire at the next dispatch; only a dispatch may be pending
            assert not overdue or self._undispatched_since(overdue), overdue
            keys = [(r.kind, r.case_id, r.offer_seq) for r in rows
                    if r.kind in ("reminder", "escalate")]
            assert len(keys) == len(set(keys)), "a reminder/escalation scheduled twice"

    def _undispatched_since(self, overdue: Sequence[FollowUp]) -> bool:
        """Follow-ups that fell due since the last dispatch are not lost yet: fire them now
        and check they are all done afterwards."""
        self._check(self.desk.dispatch_due())
        with Session(self.engine) as session:
            ids = [r.id for r in overdue]
            left = session.exec(select(FollowUp).where(
                col(FollowUp.id).in_(ids), col(FollowUp.done_at).is_(None),
                col(FollowUp.attempts) == 0)).all()
            return not left


def _same(a: dt.datetime, b: dt.datetime) -> bool:
    return a.replace(tzinfo=None) == b.replace(tzinfo=None)


SHRINK = os.environ.get("WEGWIJS_FUZZ_SHRINK") == "1"  # shrinking a failure can take minutes
DeskMachine.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=True,
    phases=[p for p in Phase if SHRINK or p is not Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None)


pytestmark = pytest.mark.slow
TestDeskFuzz = DeskMachine.TestCase
