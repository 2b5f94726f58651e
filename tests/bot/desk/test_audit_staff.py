"""The civil servant's side of the desk, as a UX audit of ``wegwijs staff`` found it:
passing a case to yourself, error replies in words, times in the desk's zone, a readable
case history, absence with cases still open, wording, and the doctor's options.

Each test drives the desk as a servant would (staff commands through the harness) and
asserts what the servant and the volunteer receive. The texts are our own.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import cases as lifecycle
from routing.model import KnowledgeMap
from tests.bot.desk.harness import Harness, local, started_with_languages, texts
from tests.bot.desk.test_flow import QUESTION, VERA, hand_over

LOTTE = "lotte-vermeulen"  # the eval map's owner for a neighbourhood initiative in Utrecht
INGRID = "ingrid-smit"  # a national owner, Dutch
INTERNAL_STATES = ("offered", "accepted", "waiting_for_volunteer", "in_progress", "resolved",
                   "closed", "status:", "state:")


def no_internal_codes(text: str) -> bool:
    return not any(code in text for code in INTERNAL_STATES)


@pytest.fixture
async def english_lotte(tmp_path: Path, eval_kmap: KnowledgeMap) -> AsyncIterator[Harness]:
    harness = await started_with_languages(tmp_path / "desk.db", eval_kmap, LOTTE, ("en",))
    yield harness
    await harness.stop()


async def taken_case(desk: Harness, chat: str = VERA) -> int:
    case_id = await hand_over(desk, chat=chat)
    await desk.staff(LOTTE, f"/neem {case_id}")
    desk.to_servant(LOTTE)
    desk.to_volunteer(chat)
    return case_id


# ------------------------------------------------------------------ 1. /geef to yourself
async def test_passing_a_case_to_yourself_is_refused_and_the_clock_keeps_running(
        desk: Harness) -> None:
    case_id = await hand_over(desk)
    desk.to_servant(LOTTE)
    desk.to_volunteer(VERA)
    desk.clock.set(local(2026, 11, 24, 9, 0))  # a day later: a new offer would restart
    answer = texts(await desk.staff(LOTTE, f"/geef {case_id} {LOTTE} zelf"))
    assert "doorgegeven" not in answer
    assert f"Zaak {case_id} ligt al bij jou" in answer and f"/neem {case_id}" in answer
    assert desk.to_volunteer(VERA) == []  # nobody told the case moved
    case = desk.case(case_id)
    assert case.state == lifecycle.OFFERED and case.offer_seq == 1
    # the escalation of the first offer still comes, two working days after it
    await desk.advance_to(local(2026, 11, 25, 10, 0))
    assert desk.case(case_id).servant_id != LOTTE


async def test_passing_a_taken_case_to_yourself_by_a_name_prefix_is_refused(
        desk: Harness) -> None:
    case_id = await taken_case(desk)
    answer = texts(await desk.staff(LOTTE, f"/geef {case_id} lotte"))
    assert f"Zaak {case_id} is al van jou" in answer and f"/antwoord {case_id}" in answer
    assert desk.case(case_id).state == lifecycle.ACCEPTED
    assert desk.to_volunteer(VERA) == []


# ------------------------------------------------------------------ 2. errors in words
async def test_taking_a_case_you_already_answered_says_it_is_yours(desk: Harness) -> None:
    case_id = await hand_over(desk)
    desk.to_servant(LOTTE)
    answer = texts(await desk.staff(LOTTE, f"/antwoord {case_id} Welke straat is het?"))
    assert f"Zaak {case_id} is nu van jou" in answer  # answering took it: said so
    answer = texts(await desk.staff(LOTTE, f"/neem {case_id}"))
    assert answer == f"Zaak {case_id} is al van jou; schrijf met /antwoord {case_id} <tekst>."


async def test_resolving_before_taking_says_take_it_first(desk: Harness) -> None:
    case_id = await hand_over(desk)
    desk.to_servant(LOTTE)
    desk.to_volunteer(VERA)
    answer = texts(await desk.staff(LOTTE, f"/klaar {case_id} Succes ermee"))
    assert f"Neem zaak {case_id} eerst met /neem {case_id}" in answer
    assert no_internal_codes(answer)
    assert desk.to_volunteer(VERA) == []
    assert desk.case(case_id).state == lifecycle.OFFERED


async def test_resolving_before_taking_in_english(english_lotte: Harness) -> None:
    desk = english_lotte
    case_id = await hand_over(desk)
    desk.to_servant(LOTTE)
    answer = texts(await desk.staff(LOTTE, f"/resolve {case_id} Good luck"))
    assert f"Take case {case_id} first with /take {case_id}" in answer
    assert no_internal_codes(answer)


async def test_writing_after_resolving_is_refused_and_reopening_lets_you_write(
        desk: Harness) -> None:
    case_id = await taken_case(desk)
    await desk.staff(LOTTE, f"/klaar {case_id} Het fonds past bij jullie")
    desk.to_volunteer(VERA)
    answer = texts(await desk.staff(LOTTE, f"/antwoord {case_id} Nog een tip: de wijkraad"))
    assert f"Zaak {case_id} is afgerond" in answer and "niet verstuurd" in answer
    assert f"/heropen {case_id}" in answer and no_internal_codes(answer)
    assert desk.to_volunteer(VERA) == []

    answer = texts(await desk.staff(LOTTE, f"/heropen {case_id}"))
    assert f"Zaak {case_id} is weer open" in answer
    assert desk.case(case_id).state == lifecycle.IN_PROGRESS
    await desk.staff(LOTTE, f"/antwoord {case_id} Nog een tip: de wijkraad")
    assert "Nog een tip: de wijkraad" in texts(desk.to_volunteer(VERA))
    # reopening an open case says so
    assert "staat al open" in texts(await desk.staff(LOTTE, f"/heropen {case_id}"))


async def test_a_closed_case_is_named_in_words(desk: Harness) -> None:
    case_id = await taken_case(desk)
    await desk.staff(LOTTE, f"/klaar {case_id} Het fonds past bij jullie")
    await desk.advance_to(local(2026, 12, 7, 10, 0))  # the check-in, ten working days on
    await desk.press(VERA, f"checkin:{case_id}:yes")
    assert desk.case(case_id).state == lifecycle.CLOSED
    desk.to_servant(LOTTE)
    for command in (f"/antwoord {case_id} nog iets", f"/heropen {case_id}",
                    f"/neem {case_id}"):
        answer = texts(await desk.staff(LOTTE, command))
        assert f"Zaak {case_id} is gesloten" in answer, answer
        assert no_internal_codes(answer)


# ------------------------------------------------------------------ 3. times
async def test_history_and_reminder_show_times_in_the_desks_zone(desk: Harness) -> None:
    case_id = await hand_over(desk)  # Monday 23 Nov 2026, 10:00 in Amsterdam (09:00 UTC)
    card = texts(desk.to_servant(LOTTE))
    history = card.split("Geschiedenis")[1]
    assert "Europe/Amsterdam" in history.splitlines()[0]
    assert "2026-11-23 10:00" in history and "09:00" not in history
    await desk.advance_to(local(2026, 11, 24, 10, 0))
    reminder = texts(desk.to_servant(LOTTE))
    assert f"zaak {case_id} wacht sinds 2026-11-23 10:00 (Europe/Amsterdam)" in reminder


# ------------------------------------------------------------------ 4. readable history
EVENT_CODES = re.compile(r"\b(proposed|consent_given|consent|offered_to|take|reply|"
                         r"volunteer_wrote|assign|offer|servant|volunteer)\b")


async def test_the_case_card_history_is_in_dutch_and_shows_consent_once(
        desk: Harness) -> None:
    case_id = await taken_case(desk)
    await desk.staff(LOTTE, f"/antwoord {case_id} Hoeveel buren doen mee?")
    await desk.say(VERA, "Een stuk of tien")
    desk.to_servant(LOTTE)
    await desk.staff(LOTTE, f"/geef {case_id} {INGRID} landelijke regeling")
    card = texts(desk.to_servant(INGRID))
    history = card.split("Geschiedenis")[1]
    assert not EVENT_CODES.search(history), history
    assert history.count("toestemming") == 1
    for words in ("Lotte Vermeulen", "Hoeveel buren doen mee?", "Een stuk of tien",
                  "Ingrid Smit", "nam de zaak"):
        assert words in history, words


# ------------------------------------------------------------------ 5. absence
async def test_absence_lists_the_cases_still_with_you(desk: Harness) -> None:
    waiting = await hand_over(desk)
    working = await taken_case(desk, chat="wim")
    desk.to_servant(LOTTE)
    answer = texts(await desk.staff(LOTTE, "/afwezig 2026-11-24 2026-12-04"))
    assert "Genoteerd" in answer
    for case_id in (waiting, working):
        assert f"/geef {case_id} " in answer, answer
    assert no_internal_codes(answer)
    assert QUESTION not in answer  # case lines, not the volunteers' words


async def test_absence_ending_before_it_starts_says_so(desk: Harness) -> None:
    answer = texts(await desk.staff(LOTTE, "/afwezig 2026-12-01 2026-11-01"))
    assert "2026-11-01" in answer and "vóór" in answer and "2026-12-01" in answer


async def test_an_absence_can_be_cancelled(desk: Harness) -> None:
    await desk.staff(LOTTE, "/afwezig 2026-11-20 2026-11-27")
    await hand_over(desk)
    assert desk.case(1).servant_id != LOTTE
    answer = texts(await desk.staff(LOTTE, "/afwezig weg"))
    assert "afwezigheid" in answer and "gewist" in answer
    await hand_over(desk, chat="wim")
    assert desk.case(2).servant_id == LOTTE
    assert "/afwezig weg" in texts(await desk.staff(LOTTE, "/help"))
    assert "geen afwezigheid" in texts(await desk.staff(LOTTE, "/afwezig weg"))


# ------------------------------------------------------------------ 6. wording
async def test_digest_with_one_case_is_singular(desk: Harness) -> None:
    await taken_case(desk)
    await desk.advance_to(local(2026, 11, 30, 9, 0))
    digest = texts(desk.to_servant(LOTTE))
    assert "Weekoverzicht voor Lotte Vermeulen: 1 open zaak." in digest


async def test_a_handed_on_case_quotes_the_reason(desk: Harness) -> None:
    case_id = await taken_case(desk)
    await desk.staff(LOTTE, f"/geef {case_id} {INGRID} gaat eigenlijk over verkeer")
    card = texts(desk.to_servant(INGRID))
    assert f"Lotte Vermeulen gaf zaak {case_id} aan jou: “gaat eigenlijk over verkeer”" in card
    assert "Reden:" not in card


async def test_capacity_zero_says_no_new_cases(desk: Harness) -> None:
    answer = texts(await desk.staff(LOTTE, "/capaciteit 0"))
    assert "geen nieuwe zaken" in answer and "0 open zaken" not in answer
    assert "1 open zaak" in texts(await desk.staff(LOTTE, "/capaciteit 1"))


async def test_staff_help_says_the_resolve_text_goes_to_the_volunteer(desk: Harness) -> None:
    help_text = texts(await desk.staff(LOTTE, "/help"))
    line = next(ln for ln in help_text.splitlines() if "/klaar" in ln)
    assert "vrijwilliger" in line
    assert "/heropen" in help_text
