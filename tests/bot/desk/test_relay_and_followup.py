"""Relaying long messages whole, and the follow-ups and hints speaking the reader's language
and saying what they are about (found in a walk-through of the terminal desk).

The texts are our own; none come from the eval set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from bot.desk import MAX_TEXT
from bot.models import Message
from routing.model import KnowledgeMap
from tests.bot.desk.harness import (
    Harness,
    choice_values,
    local,
    started_with_languages,
    texts,
)
from tests.bot.desk.test_flow import QUESTION, VERA, hand_over

LOTTE = "lotte-vermeulen"  # the eval map's owner for a neighbourhood initiative in Utrecht


def long_text(words: str, minimum: int) -> str:
    """A text over ``minimum`` characters of numbered sentences, so a cut anywhere shows."""
    parts: list[str] = []
    n = 0
    while sum(len(p) + 1 for p in parts) <= minimum:
        n += 1
        parts.append(f"{words} ({n}).")
    return " ".join(parts) + " EINDE."


@pytest.fixture
async def english_lotte(tmp_path: Path, eval_kmap: KnowledgeMap) -> AsyncIterator[Harness]:
    """The eval map, but Lotte Vermeulen reads English only."""
    harness = await started_with_languages(tmp_path / "desk.db", eval_kmap, LOTTE, ("en",))
    yield harness
    await harness.stop()


# ------------------------------------------------------------------ 1. relayed whole
async def test_a_long_relayed_message_reaches_the_servant_whole(desk: Harness) -> None:
    case_id = await hand_over(desk)
    desk.to_servant(LOTTE)
    desk.to_volunteer(VERA)
    story = long_text("We hebben de buurt gesproken en willen vooral de tuin opknappen",
                      3 * MAX_TEXT)
    answer = texts(await desk.say(VERA, story))
    relayed = texts(desk.to_servant(LOTTE))
    assert story in relayed  # everything, up to the last word
    assert "EINDE." in relayed
    assert "erg lang" not in answer and f"zaak {case_id}" in answer  # no "I read the first"
    with desk.session() as s:
        kept = [m.text for m in s.exec(select(Message).where(Message.case_id == case_id))]
    assert story in kept


async def test_a_long_servant_reply_reaches_the_volunteer_whole(desk: Harness) -> None:
    case_id = await hand_over(desk)
    desk.to_volunteer(VERA)
    reply = long_text("Kijk ook eens naar de regeling voor groen in de wijk", 2 * MAX_TEXT)
    await desk.staff(LOTTE, f"/antwoord {case_id} {reply}")
    assert reply in texts(desk.to_volunteer(VERA))


async def test_a_long_new_question_is_still_cut_for_routing(desk: Harness) -> None:
    question = long_text("Wij willen in Zeist een buurtmoestuin beginnen", 2 * MAX_TEXT)
    answer = texts(await desk.say("kees", question))
    assert f"de eerste {MAX_TEXT} tekens" in answer
    stored = desk.volunteer("kees")
    assert stored is not None and len(stored.question or "") <= MAX_TEXT


# ------------------------------------------------------------------ 2. notice language
async def test_the_too_long_notice_speaks_the_language_of_a_new_english_volunteer(
        desk: Harness) -> None:
    question = long_text("We are a few neighbours who would like to start a shared "
                         "vegetable garden next to our school and we need some money", MAX_TEXT)
    answer = texts(await desk.say("alex", question))
    assert f"I read the first {MAX_TEXT} characters" in answer
    assert "erg lang" not in answer
    dutch = long_text("Wij zijn een paar buren die samen een moestuin willen beginnen naast "
                      "de school en we zoeken wat geld", MAX_TEXT)
    assert f"de eerste {MAX_TEXT} tekens" in texts(await desk.say("bram", dutch))


# ------------------------------------------------------------------ 3. servant language
async def test_reminder_and_escalation_are_written_in_the_servants_language(
        english_lotte: Harness) -> None:
    desk = english_lotte
    case_id = await hand_over(desk)
    assert f"New case {case_id}" in texts(desk.to_servant(LOTTE))  # as the handover was
    await desk.advance_to(local(2026, 11, 24, 10, 0))
    reminder = texts(desk.to_servant(LOTTE))
    assert f"Reminder: case {case_id}" in reminder and "Herinnering" not in reminder
    await desk.advance_to(local(2026, 11, 25, 10, 0))
    away = texts(desk.to_servant(LOTTE))
    assert f"Case {case_id} went to" in away and "doorgezet" not in away
    nxt = desk.case(case_id).servant_id
    assert nxt is not None and nxt != LOTTE
    card = texts(desk.to_servant(nxt))  # a Dutch reader: the reason in Dutch
    assert f"Nieuwe zaak {case_id}" in card and "doorgezet naar" in card


async def test_a_plain_text_hint_is_in_the_servants_language(english_lotte: Harness) -> None:
    hint = texts(await english_lotte.staff(LOTTE, "hello?"))
    assert "/reply" in hint and "/antwoord" not in hint


# ------------------------------------------------------------------ 4. escalation reason
async def test_escalation_tells_the_volunteer_why(desk: Harness) -> None:
    await desk.say(VERA, "/taal en")
    case_id = await hand_over(desk)
    desk.to_volunteer(VERA)
    await desk.advance_to(local(2026, 11, 25, 10, 0))
    moved = texts(desk.to_volunteer(VERA))
    assert f"Your case {case_id} is now with" in moved
    assert "Lotte Vermeulen" in moved and "within 2 working days" in moved

    await desk.say("wim", "/taal nl")
    other = await hand_over(desk, chat="wim")
    desk.to_volunteer("wim")
    await desk.advance_to(local(2026, 11, 27, 10, 0))
    moved = texts(desk.to_volunteer("wim"))
    assert f"Je zaak {other} ligt nu bij" in moved and "binnen 2 werkdagen" in moved


# ------------------------------------------------------------------ 5. check-in subject
async def test_the_checkin_names_the_initiative(desk: Harness) -> None:
    case_id = await hand_over(desk, initiative="Buurtkracht Zeist")
    await desk.staff(LOTTE, f"/neem {case_id}")
    desk.to_volunteer(VERA)
    await desk.advance_to(local(2026, 12, 7, 10, 0))  # ten working days after /neem
    checkin = texts(desk.to_volunteer(VERA))
    assert f"zaak {case_id} (Buurtkracht Zeist)" in checkin


async def test_the_checkin_names_the_theme_when_there_is_no_initiative(desk: Harness) -> None:
    answer = await desk.say(VERA, QUESTION, display_name="Vera V.")
    answer = await desk.press(VERA, "clarify:need:funding")
    consent = [v for v in choice_values(answer) if v.startswith("consent:")]
    assert consent, texts(answer)
    case_id = int(consent[0].split(":")[1])
    await desk.say(VERA, "ja")
    await desk.press(VERA, "initiative:skip")
    case = desk.case(case_id)
    assert case.initiative is None and case.theme and case.servant_id == LOTTE
    label = desk.kmap.theme(case.theme).label.get("nl")
    await desk.staff(LOTTE, f"/neem {case_id}")
    await desk.staff(LOTTE, f"/klaar {case_id} Regeling gestuurd.")
    desk.to_volunteer(VERA)
    await desk.advance_to(local(2026, 12, 7, 10, 0))
    checkin = texts(desk.to_volunteer(VERA))
    assert f"zaak {case_id} ({label})" in checkin
    assert "Vera" not in checkin  # nothing personal added


# ------------------------------------------------------------------ 6. plain-text hint
async def test_a_servants_plain_text_lists_their_open_cases(desk: Harness) -> None:
    assert "/antwoord N" in texts(await desk.staff(LOTTE, "hallo"))  # no cases: the usage
    first = await hand_over(desk)
    second = await hand_over(desk, chat="wim")
    assert desk.case(second).servant_id == LOTTE
    desk.to_servant(LOTTE)
    hint = texts(await desk.staff(LOTTE, "Goedemorgen, ik kijk er vandaag naar"))
    assert f"/antwoord {first} " in hint and f"/antwoord {second} " in hint
    assert "niet verstuurd" in hint  # they learn their words went nowhere

    await desk.staff(LOTTE, f"/antwoord {second} Welke straat is het?")
    desk.to_volunteer("wim")
    hint = texts(await desk.staff(LOTTE, "Het is de Dorpsstraat toch?"))
    assert f"zaak {second}" in hint and f"/antwoord {second} " in hint
    assert f"/antwoord {first} " not in hint
    assert desk.to_volunteer("wim") == []  # still nothing relayed on a guess


async def test_a_relayed_message_is_headed_in_the_servants_language(
        english_lotte: Harness) -> None:
    case_id = await hand_over(english_lotte)
    await english_lotte.staff(LOTTE, f"/take {case_id}")
    english_lotte.to_servant(LOTTE)
    await english_lotte.say(VERA, "We hebben nu twintig buren die meedoen.")
    relayed = texts(english_lotte.to_servant(LOTTE))
    assert f"[case {case_id}] Volunteer: We hebben nu twintig buren" in relayed


# ------------------------------------------------------------------ report counts
async def test_a_question_asked_back_counts_once_answered_or_not(desk: Harness) -> None:
    from bot.report.question_stats import question_stat

    def rows() -> list[tuple[str | None, list[str], list[str]]]:
        with desk.session() as s:
            return [(r.theme, r.needs, r.clarify)
                    for r in s.execute(question_stat.select().order_by(question_stat.c.id))]

    answer = await desk.say(VERA, QUESTION, display_name="Vera V.")  # asks back: which help?
    assert "clarify:need:funding" in choice_values(answer)
    assert len(rows()) == 1 and rows()[0][2] == ["need"]  # counted although not answered yet
    await desk.press(VERA, "clarify:need:funding")
    assert len(rows()) == 1  # the answer completes the same question, not a second one
    assert rows()[0][1][:1] == ["funding"] and rows()[0][2] == []
    # a volunteer who never answers the question back still counts as a question
    await desk.say("wim", QUESTION, display_name="Wim")
    assert len(rows()) == 2
