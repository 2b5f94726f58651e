"""State in the database: /vergeet leaves nothing, restarts continue at the step,
delivery faults lose nothing and send nothing twice."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select

from bot import cases as lifecycle
from bot import conversation as conv
from bot.channel import RateLimited, RecipientGone, TransientError
from bot.models import OutboxMessage, Volunteer
from tests.bot.desk.harness import Harness, choice_values, local, texts
from tests.bot.desk.test_flow import QUESTION, VERA, hand_over


def dump(desk: Harness) -> str:
    """Every row of every table, as one string."""
    rows = []
    with desk.session() as s:
        for table in SQLModel.metadata.sorted_tables:
            rows += [repr(tuple(r)) for r in s.execute(text(f'SELECT * FROM "{table.name}"'))]
    return "\n".join(rows)


async def test_forget_leaves_nothing_behind(desk: Harness) -> None:
    chat = "vera-4711"
    case_id = await hand_over(desk, chat=chat, initiative="Geheime Moestuin Zeist")
    await desk.staff("lotte-vermeulen", f"/antwoord {case_id} Hoi! Waar precies?")
    await desk.say(chat, "Achter de bibliotheek", display_name="Vera V.")
    await desk.say("otto", "We zoeken subsidie voor een moestuin in Zeist")  # someone else
    before = dump(desk)
    for needle in (chat, "Vera V.", "Geheime Moestuin", "Achter de bibliotheek", QUESTION):
        assert needle in before
    answer = await desk.say(chat, "/vergeet")
    assert choice_values(answer) == ["forget:yes", "forget:no"]
    answer = await desk.press(chat, "forget:yes")
    assert "gewist" in texts(answer)
    after = dump(desk)
    for needle in (chat, "Vera V.", "Geheime Moestuin", "Achter de bibliotheek", QUESTION,
                   "Hoi! Waar precies?"):
        assert needle not in after, needle
    assert "otto" in after  # others keep their data
    assert f"Zaak {case_id} is gewist" in texts(desk.to_servant("lotte-vermeulen"))
    # the volunteer may simply start again
    assert "Wegwijs" in texts(await desk.say(chat, "/start"))


async def test_forget_can_be_cancelled(desk: Harness) -> None:
    case_id = await hand_over(desk)
    await desk.say(VERA, "/vergeet")
    assert "niets gewist" in texts(await desk.say(VERA, "nee"))
    assert desk.volunteer(VERA).step == conv.RELAY  # type: ignore[union-attr]
    assert desk.case(case_id).state == lifecycle.OFFERED


STEPS = ["idle", "clarify", "offer", "initiative", "relay", "checkin", "confirm_forget",
         "stopped"]


async def walk_to(desk: Harness, step: str) -> None:
    await desk.say(VERA, "/start")
    if step == "idle":
        return
    await desk.say(VERA, QUESTION, display_name="Vera V.")
    if step == "clarify":
        return
    await desk.press(VERA, "clarify:need:funding")
    if step == "offer":
        return
    await desk.say(VERA, "ja", display_name="Vera V.")
    if step == "initiative":
        return
    await desk.say(VERA, "Buurtkracht Zeist")
    if step == "relay":
        return
    if step == "checkin":
        await desk.staff("lotte-vermeulen", "/neem 1")
        await desk.advance_to(local(2026, 12, 7, 10, 0))
        return
    await desk.say(VERA, "/vergeet" if step == "confirm_forget" else "/stop")


@pytest.mark.parametrize("step", STEPS)
async def test_restart_continues_at_the_step(desk: Harness, step: str) -> None:
    await walk_to(desk, step)
    vol = desk.volunteer(VERA)
    assert vol is not None and vol.step == step
    desk.to_volunteer(VERA)
    desk.to_servant("lotte-vermeulen")
    await desk.restart()
    assert desk.volunteer(VERA).step == step  # type: ignore[union-attr]
    if step == "idle":
        answer = await desk.say(VERA, QUESTION)
        assert "clarify:need:funding" in choice_values(answer)
    elif step == "clarify":
        answer = await desk.press(VERA, "clarify:need:funding")
        assert [v for v in choice_values(answer) if v.startswith("consent:")]
    elif step == "offer":
        assert "initiatief" in texts(await desk.say(VERA, "ja", display_name="V"))
    elif step == "initiative":
        assert "zaak 1" in texts(await desk.say(VERA, "Buurtkracht Zeist"))
        assert "Nieuwe zaak 1" in texts(desk.to_servant("lotte-vermeulen"))
    elif step == "relay":
        await desk.say(VERA, "Nog een vraag")
        assert "[zaak 1] Vrijwilliger: Nog een vraag" in texts(
            desk.to_servant("lotte-vermeulen"))
    elif step == "checkin":
        assert "Dank je" in texts(await desk.say(VERA, "ja"))
        assert "Check-in" in texts(desk.to_servant("lotte-vermeulen"))
    elif step == "confirm_forget":
        await desk.say(VERA, "ja")
        assert desk.volunteer(VERA) is None
    else:  # stopped with case 1 open: what they write goes to its servant (the stop said so)
        await desk.say(VERA, "Nog een vraag")
        assert "[zaak 1] Vrijwilliger: Nog een vraag" in texts(
            desk.to_servant("lotte-vermeulen"))
        await desk.say(VERA, "/nieuw")
        answer = await desk.say(VERA, QUESTION)
        assert "clarify:need:funding" in choice_values(answer)


async def test_transient_error_keeps_the_message_and_retries_in_order(desk: Harness) -> None:
    desk.vols.fail_next(TransientError("502"))
    await desk.vols.push("/help", VERA)
    await desk.vols.push("/status", VERA)
    assert desk.to_volunteer(VERA) == []  # the first failed; the second waits behind it
    with desk.session() as s:
        assert len(s.exec(select(OutboxMessage).where(
            OutboxMessage.sent_at.is_(None))).all()) == 2  # type: ignore[union-attr]
    desk.clock.advance(seconds=5)
    await desk.runtime.deliver_pending()
    sent = desk.to_volunteer(VERA)
    assert ["/status" in m.text for m in sent] == [True, False]  # help (mentions /status) first
    await desk.runtime.deliver_pending()
    assert desk.to_volunteer(VERA) == []  # nothing twice


async def test_rate_limit_waits_as_told(desk: Harness) -> None:
    desk.vols.fail_next(RateLimited(3.5))
    answer = await desk.say(VERA, "/help")
    assert len(answer) == 1 and desk.sleeps == [3.5]


async def test_recipient_gone_marks_unreachable_and_tells_the_servant(desk: Harness) -> None:
    case_id = await hand_over(desk)
    desk.to_servant("lotte-vermeulen")
    desk.vols.fail_next(RecipientGone("blocked"))
    told = texts(await desk.staff("lotte-vermeulen", f"/antwoord {case_id} Hallo?"))
    await desk.runtime.deliver_pending()
    told += texts(desk.to_servant("lotte-vermeulen"))
    assert f"zaak {case_id} is niet meer bereikbaar" in told
    with desk.session() as s:
        vol = s.exec(select(Volunteer).where(Volunteer.sender_id == VERA)).one()
        failed = s.exec(select(OutboxMessage).where(OutboxMessage.failed == "gone")).all()
    assert vol.unreachable and len(failed) == 1
    # writing again makes them reachable again
    await desk.say(VERA, "Sorry, ik was even weg")
    assert desk.volunteer(VERA).unreachable is False  # type: ignore[union-attr]


async def test_commands_while_confirming_forget(desk: Harness) -> None:
    await desk.say(VERA, QUESTION)
    await desk.say(VERA, "/vergeet")
    again = await desk.say(VERA, "/vergeet")
    assert choice_values(again) == ["forget:yes", "forget:no"]
    assert "stop" in texts(await desk.say(VERA, "/stop"))
    assert desk.volunteer(VERA).step == conv.STOPPED  # type: ignore[union-attr]
    assert "geldt niet meer" in texts(await desk.press(VERA, "forget:yes"))
    assert desk.volunteer(VERA) is not None  # a stale button erases nothing
