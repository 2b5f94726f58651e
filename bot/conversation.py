"""The volunteer's conversation, as data: which step follows which event.

Steps: ``idle`` (waiting for a question), ``clarify`` (one question asked back, with
choices), ``offer`` (routes given, warm handover offered: yes/no), ``initiative`` (consent
given, asking the initiative's name), ``relay`` (a case is open; what they type goes to the
servant), ``checkin`` ("were you helped?"), ``confirm_forget`` (``/vergeet`` asked, waiting
for yes/no), ``stopped`` (``/stop``; nothing is sent unasked until they write again).
An event a step does not allow raises ``IllegalStep``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

IDLE: Final = "idle"
CLARIFY: Final = "clarify"
OFFER: Final = "offer"
INITIATIVE: Final = "initiative"
RELAY: Final = "relay"
CHECKIN: Final = "checkin"
CONFIRM_FORGET: Final = "confirm_forget"
STOPPED: Final = "stopped"
STEPS: Final = (IDLE, CLARIFY, OFFER, INITIATIVE, RELAY, CHECKIN, CONFIRM_FORGET, STOPPED)

_ANY = (IDLE, CLARIFY, OFFER, INITIATIVE, RELAY, CHECKIN, STOPPED)

_TABLE: dict[tuple[str, str], str] = {}
for _step in _ANY:
    _TABLE[(_step, "start")] = IDLE  # /start, /nieuw: a fresh question
    _TABLE[(_step, "stop")] = STOPPED
    _TABLE[(_step, "forget")] = CONFIRM_FORGET
    _TABLE[(_step, "case_open")] = RELAY  # a servant replied on a case
    _TABLE[(_step, "checkin_sent")] = CHECKIN
for _step in (IDLE, RELAY, STOPPED, CHECKIN):
    _TABLE[(_step, "routed")] = OFFER  # a new question answered with an offer
    _TABLE[(_step, "answered")] = IDLE  # answered without an offer (or out of scope)
    _TABLE[(_step, "ask_clarify")] = CLARIFY
for _step in (CLARIFY, OFFER):
    _TABLE[(_step, "routed")] = OFFER
    _TABLE[(_step, "answered")] = IDLE
_TABLE[(CLARIFY, "ask_clarify")] = CLARIFY  # a second question, when the first left no route
_TABLE.update({
    (IDLE, "case_closed"): IDLE,
    (RELAY, "case_closed"): IDLE,
    (CHECKIN, "case_closed"): IDLE,
    (STOPPED, "case_closed"): STOPPED,
    (OFFER, "consent"): INITIATIVE,
    (OFFER, "decline"): IDLE,
    (INITIATIVE, "decline"): IDLE,  # consent taken back before the handover
    (INITIATIVE, "handed_over"): RELAY,
    (CHECKIN, "checkin_answered"): IDLE,
    (CHECKIN, "checkin_answered_open"): RELAY,
    (CONFIRM_FORGET, "forget_cancel"): IDLE,
    (CONFIRM_FORGET, "resume_relay"): RELAY,  # cancelled while a case is open
    (CONFIRM_FORGET, "start"): IDLE,
    (CONFIRM_FORGET, "forget"): CONFIRM_FORGET,  # asked again
    (CONFIRM_FORGET, "stop"): STOPPED,
})
TRANSITIONS: Final[Mapping[tuple[str, str], str]] = dict(_TABLE)


class IllegalStep(Exception):
    def __init__(self, step: str, event: str) -> None:
        super().__init__(f"conversation step {step!r} does not allow {event!r}")
        self.step = step
        self.event = event


def advance(step: str, event: str) -> str:
    """The step after ``event``; raises ``IllegalStep`` when the table has no such move."""
    try:
        return TRANSITIONS[(step, event)]
    except KeyError:
        raise IllegalStep(step, event) from None
