"""Follow-ups on working days: reminder, escalation, check-in, digest; exactly once."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from bot import cases as lifecycle
from bot.db import transaction
from bot.models import FollowUp
from routing.model import KnowledgeMap
from tests.bot.desk.harness import Harness, local, texts
from tests.bot.desk.test_flow import VERA, hand_over

ZEELAND_LITTER = "Wij willen in Middelburg zwerfafval opruimen en zoeken daarvoor geld"


async def test_escalation_after_two_working_days_over_weekend_and_easter(
        tmp_path: Path, eval_kmap: KnowledgeMap) -> None:
    # Thursday 25 March 2027, 10:00. Good Friday (a holiday for `holidays` NL), the
    # weekend and Easter Monday do not count: the reminder is due Tuesday 30 March 10:00,
    # the escalation Wednesday 31 March 10:00.
    desk = await Harness(tmp_path / "d.db", eval_kmap, local(2027, 3, 25, 10, 0)).start()
    try:
        answer = await desk.say(VERA, ZEELAND_LITTER)
        assert "Marieke de Wit" in texts(answer)  # Zeeland's own litter owner first
        await desk.say(VERA, "ja", display_name="Vera")
        await desk.say(VERA, "Schoon Middelburg")
        assert "Nieuwe zaak" in texts(desk.to_servant("marieke-de-wit"))
        desk.to_volunteer(VERA)

        for instant in (local(2027, 3, 26, 12, 0), local(2027, 3, 27, 12, 0),
                        local(2027, 3, 29, 23, 0), local(2027, 3, 30, 9, 59)):
            await desk.advance_to(instant)
            assert "Herinnering" not in texts(desk.to_servant("marieke-de-wit"))
        await desk.advance_to(local(2027, 3, 30, 10, 0))
        assert "Herinnering" in texts(desk.to_servant("marieke-de-wit"))

        await desk.advance_to(local(2027, 3, 31, 9, 59))
        assert desk.to_servant("marieke-de-wit") == [] and desk.case(1).tried == [
            "marieke-de-wit"]
        await desk.advance_to(local(2027, 3, 31, 10, 0))
        assert "doorgezet naar Anouk de Vries" in texts(desk.to_servant("marieke-de-wit"))
        assert "Nieuwe zaak 1" in texts(desk.to_servant("anouk-de-vries"))
        assert "Anouk de Vries" in texts(desk.to_volunteer(VERA))
        case = desk.case(1)
        assert case.state == lifecycle.OFFERED and case.servant_id == "anouk-de-vries"

        # the old servant can no longer take it; nothing fires twice
        assert "niet bij jou" in texts(await desk.staff("marieke-de-wit", "/neem 1"))
        await desk.advance_to(local(2027, 3, 31, 10, 5))
        assert desk.to_servant("marieke-de-wit") == [] and desk.to_servant("anouk-de-vries") == []

        # and on, two working days later, to the general desk last
        await desk.advance_to(local(2027, 4, 2, 10, 0))
        assert desk.case(1).tried[:2] == ["marieke-de-wit", "anouk-de-vries"]
        general = {s.id for s in eval_kmap.servants if "algemeen" in s.themes}
        assert len(desk.case(1).tried) == 3 and desk.case(1).tried[2] in general
    finally:
        await desk.stop()


async def test_taken_case_is_not_reminded_or_escalated(desk: Harness) -> None:
    case_id = await hand_over(desk)
    await desk.staff("lotte-vermeulen", f"/neem {case_id}")
    desk.to_servant("lotte-vermeulen")
    await desk.advance_to(local(2026, 11, 26, 12, 0))
    assert desk.to_servant("lotte-vermeulen") == []
    assert desk.case(case_id).servant_id == "lotte-vermeulen"
    with desk.session() as s:
        outcomes = {f.kind: f.outcome for f in s.exec(select(FollowUp)).all()
                    if f.kind in ("reminder", "escalate")}
    assert outcomes == {"reminder": "cancelled", "escalate": "cancelled"}


async def test_follow_ups_missed_while_down_fire_once_after_start(desk: Harness) -> None:
    case_id = await hand_over(desk)
    desk.to_servant("lotte-vermeulen")
    await desk.stop()
    desk.clock.set(local(2026, 11, 30, 8, 0))  # a week later: reminder AND escalation due
    await desk.start()  # start-up dispatches what is due
    reminded = texts(desk.to_servant("lotte-vermeulen"))
    assert reminded.count("Herinnering") == 1 and reminded.count("doorgezet") == 1
    assert desk.case(case_id).servant_id != "lotte-vermeulen"
    await desk.restart()
    await desk.runtime.tick()
    assert desk.to_servant("lotte-vermeulen") == []


async def test_absence_and_capacity_steer_the_handover(desk: Harness) -> None:
    # Lotte (provincial owner) is away: the national owner gets it.
    await desk.staff("lotte-vermeulen", "/afwezig 2026-11-20 2026-11-27")
    await hand_over(desk)
    assert "Nieuwe zaak" in texts(desk.to_servant("ingrid-smit"))
    # Ingrid at capacity 1 with one open case: the next question goes past her.
    assert "capaciteit is nu 1" in texts(await desk.staff("ingrid-smit", "/capaciteit 1"))
    await hand_over(desk, chat="wim")
    assert desk.case(2).servant_id not in ("ingrid-smit", "lotte-vermeulen")
    # Lotte back (absence over): she is first again.
    desk.clock.set(local(2026, 11, 30, 10, 0))
    await hand_over(desk, chat="kim")
    assert desk.case(3).servant_id == "lotte-vermeulen"


async def test_absence_in_the_map_is_respected(desk: Harness) -> None:
    # Sander de Groot (water, national) is absent in the map on 2026-11-23.
    answer = await desk.say(VERA, "We willen wadi's aanleggen tegen wateroverlast in onze "
                                  "straat in Rotterdam en zoeken subsidie")
    assert "Sander de Groot" not in texts(answer)


async def test_monday_digest(desk: Harness) -> None:
    case_id = await hand_over(desk)
    await desk.staff("lotte-vermeulen", f"/neem {case_id}")
    await hand_over(desk, chat="wim")  # a second one, not taken: overdue by Monday
    await desk.staff("lotte-vermeulen", "/afwezig 2026-11-24 2026-11-24")  # no escalation
    desk.to_servant("lotte-vermeulen")
    await desk.advance_to(local(2026, 11, 30, 8, 59))
    assert "Weekoverzicht" not in texts(desk.to_servant("lotte-vermeulen"))
    await desk.advance_to(local(2026, 11, 30, 9, 0))
    digest = texts(desk.to_servant("lotte-vermeulen"))
    assert "Weekoverzicht voor Lotte Vermeulen" in digest and f"Zaak {case_id}" in digest
    assert desk.to_servant("anouk-de-vries") == []  # no open cases: no digest
    with desk.session() as s:
        digests = s.exec(select(FollowUp).where(FollowUp.kind == "digest")).all()
    assert [d.done_at is not None for d in digests].count(True) == 1
    assert any(d.done_at is None and d.due_at == local(2026, 12, 7, 9, 0) for d in digests)


async def _open_case_for_lotte(desk: Harness) -> int:
    case_id = await hand_over(desk)
    await desk.staff("lotte-vermeulen", f"/neem {case_id}")
    desk.to_servant("lotte-vermeulen")
    return case_id


def _digests(desk: Harness) -> list[FollowUp]:
    with desk.session() as s:
        return list(s.exec(select(FollowUp).where(FollowUp.kind == "digest")
                           .order_by(col(FollowUp.due_at))).all())


async def test_digest_on_easter_monday_goes_out_on_tuesday(tmp_path: Path,
                                                           eval_kmap: KnowledgeMap) -> None:
    desk = await Harness(tmp_path / "d.db", eval_kmap, local(2027, 3, 22, 10, 0)).start()
    try:
        case_id = await _open_case_for_lotte(desk)
        await desk.advance_to(local(2027, 3, 29, 9, 0))  # Easter Monday
        await desk.advance_to(local(2027, 3, 29, 18, 0))
        assert "Weekoverzicht" not in texts(desk.to_servant("lotte-vermeulen"))
        await desk.advance_to(local(2027, 3, 30, 8, 59))
        assert "Weekoverzicht" not in texts(desk.to_servant("lotte-vermeulen"))
        await desk.advance_to(local(2027, 3, 30, 9, 0))  # the next working day
        digest = texts(desk.to_servant("lotte-vermeulen"))
        assert digest.count("Weekoverzicht voor Lotte Vermeulen") == 1
        assert f"Zaak {case_id}" in digest
        await desk.advance_to(local(2027, 4, 2, 12, 0))
        assert "Weekoverzicht" not in texts(desk.to_servant("lotte-vermeulen"))
        pending = [d.due_at for d in _digests(desk) if d.done_at is None]
        assert pending == [local(2027, 4, 5, 9, 0)]  # back on Monday the week after
    finally:
        await desk.stop()


async def test_digest_row_already_due_on_a_holiday_moves_to_the_next_working_day(
        tmp_path: Path, eval_kmap: KnowledgeMap) -> None:
    # A database written before holidays were skipped holds a digest due on Whit Monday.
    desk = await Harness(tmp_path / "d.db", eval_kmap, local(2027, 5, 13, 10, 0)).start()
    try:
        await _open_case_for_lotte(desk)
        with transaction(desk.desk.engine) as s:
            for row in s.exec(select(FollowUp).where(FollowUp.kind == "digest")).all():
                s.delete(row)
            s.add(FollowUp(key="digest:2027-05-17T09:00", kind="digest",
                           due_at=local(2027, 5, 17, 9, 0)))
        await desk.advance_to(local(2027, 5, 17, 9, 0))  # Whit Monday
        assert "Weekoverzicht" not in texts(desk.to_servant("lotte-vermeulen"))
        await desk.advance_to(local(2027, 5, 18, 9, 0))
        assert "Weekoverzicht voor Lotte Vermeulen" in texts(desk.to_servant("lotte-vermeulen"))
        outcomes = [(d.due_at, d.outcome) for d in _digests(desk)]
        assert outcomes[:2] == [(local(2027, 5, 17, 9, 0), "moved"),
                                (local(2027, 5, 18, 9, 0), "sent:1")]
        assert outcomes[2:] == [(local(2027, 5, 24, 9, 0), None)]
    finally:
        await desk.stop()
