"""The case lifecycle, as data. Everything that moves a case between states lives here.

new → offered → accepted → (waiting_for_volunteer ↔ in_progress) → resolved → closed,
plus declined (the volunteer said no), reassigned (handed to another servant),
escalated (not taken in time), expired (a proposed handover nobody answered).
``reassigned`` and ``escalated`` are passed through on the way back to ``offered``; the
audit trail keeps them. An event that the table does not allow raises ``IllegalTransition``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

NEW: Final = "new"
OFFERED: Final = "offered"
ACCEPTED: Final = "accepted"
WAITING: Final = "waiting_for_volunteer"
IN_PROGRESS: Final = "in_progress"
RESOLVED: Final = "resolved"
CLOSED: Final = "closed"
DECLINED: Final = "declined"
REASSIGNED: Final = "reassigned"
ESCALATED: Final = "escalated"
EXPIRED: Final = "expired"

STATES: Final = (NEW, OFFERED, ACCEPTED, WAITING, IN_PROGRESS, RESOLVED, CLOSED, DECLINED,
                 REASSIGNED, ESCALATED, EXPIRED)
# With a servant and not finished: counts against capacity, gets relayed messages.
OPEN: Final = frozenset({OFFERED, ACCEPTED, WAITING, IN_PROGRESS})
WORKING: Final = frozenset({ACCEPTED, WAITING, IN_PROGRESS})
FINAL: Final = frozenset({CLOSED, DECLINED, EXPIRED})

TRANSITIONS: Final[Mapping[tuple[str, str], str]] = {
    (NEW, "consent"): OFFERED,
    (NEW, "decline"): DECLINED,
    (NEW, "expire"): EXPIRED,
    (OFFERED, "take"): ACCEPTED,
    (OFFERED, "escalate"): ESCALATED,
    (OFFERED, "assign"): REASSIGNED,
    (ESCALATED, "offer"): OFFERED,
    (REASSIGNED, "offer"): OFFERED,
    (ACCEPTED, "reply"): WAITING,
    (IN_PROGRESS, "reply"): WAITING,
    (WAITING, "reply"): WAITING,
    (ACCEPTED, "volunteer_wrote"): IN_PROGRESS,
    (WAITING, "volunteer_wrote"): IN_PROGRESS,
    (IN_PROGRESS, "volunteer_wrote"): IN_PROGRESS,
    (ACCEPTED, "assign"): REASSIGNED,
    (WAITING, "assign"): REASSIGNED,
    (IN_PROGRESS, "assign"): REASSIGNED,
    (ACCEPTED, "resolve"): RESOLVED,
    (WAITING, "resolve"): RESOLVED,
    (IN_PROGRESS, "resolve"): RESOLVED,
    (RESOLVED, "close"): CLOSED,
    (RESOLVED, "reopen"): IN_PROGRESS,
}
EVENTS: Final = frozenset(event for _, event in TRANSITIONS)


class IllegalTransition(Exception):
    """A case event that its current state does not allow."""

    def __init__(self, state: str, event: str) -> None:
        super().__init__(f"a case in state {state!r} cannot {event!r}")
        self.state = state
        self.event = event


def next_state(state: str, event: str) -> str:
    """The state after ``event``; raises ``IllegalTransition`` when not allowed."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(state, event) from None


def allowed(state: str, event: str) -> bool:
    return (state, event) in TRANSITIONS
