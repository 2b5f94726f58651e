from __future__ import annotations

import pytest

from bot import cases, conversation


def test_the_happy_path_of_a_case() -> None:
    state = cases.NEW
    for event in ("consent", "take", "reply", "volunteer_wrote", "resolve", "close"):
        state = cases.next_state(state, event)
    assert state == cases.CLOSED


def test_escalation_and_reassignment_pass_through_their_states() -> None:
    assert cases.next_state(cases.OFFERED, "escalate") == cases.ESCALATED
    assert cases.next_state(cases.ESCALATED, "offer") == cases.OFFERED
    assert cases.next_state(cases.IN_PROGRESS, "assign") == cases.REASSIGNED
    assert cases.next_state(cases.RESOLVED, "reopen") == cases.IN_PROGRESS


@pytest.mark.parametrize("state,event", [
    (cases.NEW, "take"), (cases.CLOSED, "reopen"), (cases.DECLINED, "consent"),
    (cases.OFFERED, "resolve"), (cases.EXPIRED, "take"), (cases.RESOLVED, "reply"),
])
def test_illegal_case_transitions_raise(state: str, event: str) -> None:
    with pytest.raises(cases.IllegalTransition):
        cases.next_state(state, event)


def test_every_state_is_reachable_and_final_states_are_final() -> None:
    targets = set(cases.TRANSITIONS.values()) | {cases.NEW}
    assert targets == set(cases.STATES)
    assert not [k for k in cases.TRANSITIONS if k[0] in cases.FINAL]


def test_conversation_table() -> None:
    step = conversation.IDLE
    for event in ("ask_clarify", "routed", "consent", "handed_over", "checkin_sent",
                  "checkin_answered"):
        step = conversation.advance(step, event)
    assert step == conversation.IDLE
    with pytest.raises(conversation.IllegalStep):
        conversation.advance(conversation.IDLE, "consent")
    with pytest.raises(conversation.IllegalStep):
        conversation.advance(conversation.CONFIRM_FORGET, "routed")
    assert {s for s, _ in conversation.TRANSITIONS} == set(conversation.STEPS)
