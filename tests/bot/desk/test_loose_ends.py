"""Three loose ends of the volunteer desk, each pinned down before it was mended:

1. after a "no" to the handover, the ``/contact`` hint comes once, not with every answer;
2. "help" (or "?", or /help) while a choice is pending shows the help and asks again;
3. a servant is written to in the first language they list (the map's order of preference).

The questions are our own; none come from the eval set.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import cases as lifecycle
from bot import conversation as conv
from bot.channel import Outbound
from bot.handover import servant_id_lang, servant_lang
from bot.texts import t
from routing.model import KnowledgeMap
from tests.bot.desk.harness import (
    Harness,
    choice_values,
    local,
    started_with_languages,
    texts,
)
from tests.bot.desk.test_flow import VERA, hand_over

MOESTUIN = "Wij zoeken geld voor een buurtmoestuin in Zeist"
REPAIR = "Wie helpt ons met een repair café in Utrecht, we zoeken een fonds"
SPEELTUIN = "Is er een fonds voor een speeltuin in de wijk in Houten?"
LOTTE = "lotte-vermeulen"  # the eval map's servant for a neighbourhood initiative in Utrecht
HINT_NL = t("declined_before", "nl")


def consent_values(messages: list[Outbound]) -> list[str]:
    return [v for v in choice_values(messages) if v.startswith("consent:")]


# ------------------------------------------------------------------ 1. the /contact hint
async def test_the_contact_hint_after_a_no_comes_once_and_survives_a_restart(
        desk: Harness) -> None:
    answer = await desk.say(VERA, MOESTUIN)
    assert consent_values(answer), texts(answer)
    assert "/contact" in texts(await desk.say(VERA, "nee"))  # the "no" itself names it

    first = await desk.say(VERA, REPAIR)
    assert "Dit zijn de beste wegen" in texts(first)
    assert HINT_NL in texts(first) and not consent_values(first)  # once, the first time

    await desk.restart()  # the "said it already" lives in the database, not in memory
    second = await desk.say(VERA, SPEELTUIN)
    assert "Dit zijn de beste wegen" in texts(second)
    assert "/contact" not in texts(second) and not consent_values(second)
    third = await desk.say(VERA, MOESTUIN)
    assert "/contact" not in texts(third) and not consent_values(third)
    vol = desk.volunteer(VERA)
    assert vol is not None and vol.handover_declined  # still no offers: only the hint is gone


async def test_a_second_no_brings_the_hint_once_more(desk: Harness) -> None:
    await desk.say(VERA, MOESTUIN)
    await desk.say(VERA, "nee")
    assert HINT_NL in texts(await desk.say(VERA, REPAIR))
    offer = await desk.say(VERA, "/contact")  # changed their mind: an offer for that question
    assert consent_values(offer)
    await desk.say(VERA, "nee")  # ...and a "no" again, on this new case
    again = await desk.say(VERA, SPEELTUIN)
    assert HINT_NL in texts(again) and not consent_values(again)
    assert "/contact" not in texts(await desk.say(VERA, MOESTUIN))


# ------------------------------------------------------------------ 2. help while pending
@pytest.mark.parametrize("word", ["help", "?", "/help"])
async def test_help_while_confirming_forget_asks_the_yes_no_again(desk: Harness,
                                                                  word: str) -> None:
    await desk.say(VERA, MOESTUIN)
    await desk.say(VERA, "/vergeet")
    answer = await desk.say(VERA, word)
    said = texts(answer)
    assert "/status" in said  # the help itself
    assert said.rstrip().endswith(t("forget_again", "nl"))  # then the question still open
    assert choice_values(answer) == ["forget:yes", "forget:no"]
    vol = desk.volunteer(VERA)
    assert vol is not None and vol.step == conv.CONFIRM_FORGET
    await desk.say(VERA, "ja")
    assert desk.volunteer(VERA) is None  # the yes after the help still erases


async def test_help_while_confirming_forget_asks_again_in_english(desk: Harness) -> None:
    await desk.say(VERA, "/taal en")
    await desk.say(VERA, "/forget")
    answer = await desk.say(VERA, "help")
    assert "/new" in texts(answer)
    assert "Shall I erase everything about you?" in texts(answer)
    assert choice_values(answer) == ["forget:yes", "forget:no"]
    assert "I erased nothing" in texts(await desk.say(VERA, "no"))
    vol = desk.volunteer(VERA)
    assert vol is not None and vol.step == conv.IDLE  # "no" after the help cancels


async def test_help_at_the_offer_asks_the_yes_no_again(desk: Harness) -> None:
    answer = await desk.say(VERA, SPEELTUIN)
    case_id = int(consent_values(answer)[0].split(":")[1])
    again = await desk.say(VERA, "help")
    assert "/status" in texts(again)
    assert "Zal ik je in contact brengen met Lotte Vermeulen?" in texts(again)
    assert consent_values(again) == [f"consent:{case_id}:yes", f"consent:{case_id}:no"]
    assert desk.case(case_id).state == lifecycle.NEW


async def test_help_while_asked_back_repeats_the_question_asked(desk: Harness) -> None:
    answer = await desk.say(VERA, "Hallo, wij willen iets doen met de buren in Zeist")
    asked = choice_values(answer)
    assert asked and all(v.startswith("clarify:") for v in asked), texts(answer)
    again = await desk.say(VERA, "?")
    assert "/status" in texts(again) and choice_values(again) == asked
    vol = desk.volunteer(VERA)
    assert vol is not None and vol.step == conv.CLARIFY
    assert vol.data.get("asked") == [asked[0].split(":")[1]]  # not counted as a second ask


async def test_help_at_the_initiative_name_is_not_taken_for_the_name(desk: Harness) -> None:
    answer = await desk.say(VERA, SPEELTUIN, display_name="Vera V.")
    case_id = int(consent_values(answer)[0].split(":")[1])
    await desk.say(VERA, "ja", display_name="Vera V.")
    again = await desk.say(VERA, "help")
    assert "/status" in texts(again)
    assert "Hoe heet je initiatief" in texts(again)
    assert choice_values(again) == ["initiative:skip"]
    assert desk.case(case_id).state == lifecycle.NEW and desk.to_servant(LOTTE) == []
    await desk.say(VERA, "Speeltuin De Wilg")
    assert "Initiatief: Speeltuin De Wilg" in texts(desk.to_servant(LOTTE))


async def test_help_at_the_checkin_asks_it_again(desk: Harness) -> None:
    case_id = await hand_over(desk)
    await desk.staff(LOTTE, f"/neem {case_id}")
    desk.to_volunteer(VERA)
    await desk.advance_to(local(2026, 12, 7, 10, 0))  # 10 working days after acceptance
    assert choice_values(desk.to_volunteer(VERA))
    again = await desk.say(VERA, "help")
    assert "/status" in texts(again)
    assert f"zaak {case_id}" in texts(again)
    assert choice_values(again) == [f"checkin:{case_id}:yes", f"checkin:{case_id}:partly",
                                    f"checkin:{case_id}:no"]
    desk.to_servant(LOTTE)
    assert "Check-in" not in texts(desk.to_servant(LOTTE))  # the help went nowhere


# ------------------------------------------------------------------ 3. servant language
def test_servant_lang_is_the_first_listed_language_the_desk_writes(
        eval_kmap: KnowledgeMap) -> None:
    lotte = eval_kmap.find_servant(LOTTE)
    assert lotte is not None
    for languages, expected in ((("en", "nl"), "en"), (("nl", "en"), "nl"), (("en",), "en"),
                                (("nl",), "nl"), ((), "nl"), (("de", "en", "nl"), "en"),
                                (("de",), "nl")):
        servant = dataclasses.replace(lotte, languages=languages)
        assert servant_lang(servant) == expected, languages


@pytest.fixture
async def lotte_en_nl(tmp_path: Path, eval_kmap: KnowledgeMap) -> AsyncIterator[Harness]:
    """The eval map, but Lotte Vermeulen lists English first, then Dutch."""
    harness = await started_with_languages(tmp_path / "desk.db", eval_kmap, LOTTE,
                                           ("en", "nl"))
    yield harness
    await harness.stop()


async def test_a_servant_listing_english_first_is_written_to_in_english(
        lotte_en_nl: Harness) -> None:
    desk = lotte_en_nl
    assert servant_id_lang(desk.kmap, LOTTE) == "en"
    answer = await desk.say(VERA, SPEELTUIN)
    assert "Let op" not in texts(answer)  # Lotte reads Dutch too: nothing to warn about
    await desk.say(VERA, "ja")
    await desk.say(VERA, "Speeltuin De Wilg")
    card = texts(desk.to_servant(LOTTE))
    assert "New case" in card and "Nieuwe zaak" not in card
    assert "writes in Dutch" in card  # so Lotte answers the volunteer in Dutch
