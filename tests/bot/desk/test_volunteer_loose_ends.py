"""Loose ends of the volunteer side found in a walk-through in the terminal, each pinned
down before it was mended:

1. a message meant for an older open case, typed at a new handover offer, can be passed on
   to that case's servant (it used to get only a pointer to /status, and was lost);
2. "wie is dat" without a question mark (and "who is that", "who's that") at the offer;
3. at the initiative's name, only a question about that question gets the explanation: a
   name that ends in "?" ("Wie helpt wie?") is a name;
5. after a restart, the question the conversation waits for is asked again, once.

The questions are our own; none come from the eval set.
"""

from __future__ import annotations

import asyncio

import pytest

from bot import cases as lifecycle
from bot import conversation as conv
from bot.channel import Outbound
from bot.cli.desk_cmds import ask_pending_question
from bot.texts import t
from bot.volunteer_words import asks_who, is_question_not_name
from tests.bot.desk.harness import Harness, choice_values, texts
from tests.bot.desk.test_audit_volunteer import LOTTE, VAGUE, to_initiative, to_offer
from tests.bot.desk.test_flow import VERA, hand_over


def consent_values(messages: list[Outbound]) -> list[str]:
    return [v for v in choice_values(messages) if v.startswith("consent:")]


async def older_case_and_offer(desk: Harness) -> tuple[int, int]:
    """A case with Lotte (taken up), then a new question with its offer: both case ids."""
    first = await hand_over(desk)
    await desk.staff(LOTTE, f"/neem {first}")
    desk.to_volunteer(VERA)
    desk.to_servant(LOTTE)
    await desk.say(VERA, "/nieuw")
    second = await to_offer(desk)
    return first, second


# ------------------------------------------------------------------ 1. the older case
async def test_a_message_for_the_older_case_can_be_passed_on_at_the_offer(
        desk: Harness) -> None:
    first, second = await older_case_and_offer(desk)
    answer = await desk.say(VERA, "hallo is er al nieuws?")
    said = texts(answer)
    assert f"zaak {first}" in said and "Lotte Vermeulen" in said  # which case, whose
    assert f"passon:{first}" in choice_values(answer)
    assert consent_values(answer) == [f"consent:{second}:yes", f"consent:{second}:no"]
    assert desk.to_servant(LOTTE) == []  # nothing sent before they say so

    answer = await desk.press(VERA, f"passon:{first}")
    assert f"[zaak {first}] Vrijwilliger: hallo is er al nieuws?" in texts(
        desk.to_servant(LOTTE))
    assert f"Doorgestuurd naar Lotte Vermeulen (zaak {first})" in texts(answer)
    assert consent_values(answer) == [f"consent:{second}:yes", f"consent:{second}:no"]
    vol = desk.volunteer(VERA)
    assert vol is not None and vol.step == conv.OFFER and "pass_on" not in vol.data
    assert desk.case(second).state == lifecycle.NEW  # the offer still waits
    again = await desk.press(VERA, f"passon:{first}")  # the button pressed twice
    assert texts(again) == t("expired_choice", "nl")
    assert desk.to_servant(LOTTE) == []  # sent once


async def test_a_longer_message_at_the_offer_is_a_new_question_not_held(
        desk: Harness) -> None:
    # more than six words is a new question, even one that needs a question back: it is
    # not held for the older case's servant
    first, _second = await older_case_and_offer(desk)
    answer = await desk.say(VERA, "wij willen iets organiseren voor de buurt, wie kan ons "
                                  "daarbij helpen")
    assert f"passon:{first}" not in choice_values(answer)
    vol = desk.volunteer(VERA)
    assert vol is not None and "pass_on" not in vol.data


async def test_two_short_messages_then_a_typed_pass_on_send_both(desk: Harness) -> None:
    first, second = await older_case_and_offer(desk)
    await desk.say(VERA, "we hebben nu twintig buren")
    assert "begreep" in texts(await desk.say(VERA, "👍"))  # nothing to pass on; kept
    await desk.say(VERA, "en een plek gevonden")
    answer = await desk.say(VERA, "ja, stuur maar door")
    relayed = texts(desk.to_servant(LOTTE))
    assert f"[zaak {first}]" in relayed
    assert "we hebben nu twintig buren" in relayed and "en een plek gevonden" in relayed
    assert desk.case(second).state == lifecycle.NEW and desk.case(second).consent_at is None
    assert consent_values(answer) == [f"consent:{second}:yes", f"consent:{second}:no"]
    await desk.say(VERA, "ja")  # the "ja" now answers the offer
    assert desk.case(second).consent_at is not None


async def test_answering_the_offer_instead_drops_the_held_message(desk: Harness) -> None:
    first, second = await older_case_and_offer(desk)
    await desk.say(VERA, "hallo is er al nieuws?")
    await desk.say(VERA, "nee")
    assert desk.case(second).state == lifecycle.DECLINED
    vol = desk.volunteer(VERA)
    assert vol is not None and "pass_on" not in vol.data
    answer = await desk.press(VERA, f"passon:{first}")  # an old button
    assert texts(answer) == t("expired_choice", "nl")
    assert desk.to_servant(LOTTE) == []


async def test_without_an_older_case_a_short_answer_is_not_understood(
        desk: Harness) -> None:
    case_id = await to_offer(desk)
    answer = await desk.say(VERA, "hallo is er al nieuws?")
    assert "begreep" in texts(answer) and not any(
        v.startswith("passon:") for v in choice_values(answer))
    assert consent_values(answer) == [f"consent:{case_id}:yes", f"consent:{case_id}:no"]


# ------------------------------------------------------------------ 2. who is that
@pytest.mark.parametrize("typed", ["wie is dat", "Wie is dat?", "who is that", "who's that",
                                   "en wie is dat"])
async def test_who_is_that_without_a_question_mark_at_the_offer(desk: Harness,
                                                                typed: str) -> None:
    case_id = await to_offer(desk)
    answer = await desk.say(VERA, typed)
    said = texts(answer)
    assert "Lotte Vermeulen" in said and "Provincie Utrecht" in said, typed
    assert "begreep" not in said and "wacht nog" not in said, typed
    assert consent_values(answer) == [f"consent:{case_id}:yes", f"consent:{case_id}:no"]


def test_asks_who_reads_short_forms_only() -> None:
    for typed in ("wie is dat", "wie is dat?", "Who is that", "who's that", "Who’s that?",
                  "wie is dat dan"):
        assert asks_who(typed), typed
    for typed in ("wie", "wie kan ons helpen met subsidie", "ja graag", "we zoeken iemand",
                  "wie weet", "who cares", "wie helpt ons"):
        assert not asks_who(typed), typed


# ------------------------------------------------------------------ 3. the name question
@pytest.mark.parametrize("name", ["Wie helpt wie?", "Waarom niet?", "Wat nu?"])
async def test_a_name_ending_in_a_question_mark_is_a_name(desk: Harness, name: str) -> None:
    case_id = await to_initiative(desk)
    answer = await desk.say(VERA, name)
    assert f"zaak {case_id}" in texts(answer), texts(answer)
    case = desk.case(case_id)
    assert case.state == lifecycle.OFFERED and case.initiative == name
    assert f"Initiatief: {name}" in texts(desk.to_servant(LOTTE))


@pytest.mark.parametrize("typed", ["waarom?", "Hoezo?", "wat bedoel je?", "Is dat nodig?",
                                   "Waarom wil je dat weten?", "why do you need that?",
                                   "waarom wil je dat weten", "wie helpt er eigenlijk mee?"])
async def test_a_question_about_the_name_question_is_explained(desk: Harness,
                                                               typed: str) -> None:
    case_id = await to_initiative(desk)
    answer = await desk.say(VERA, typed)
    assert t("initiative_why", "nl") in texts(answer), typed
    assert choice_values(answer) == ["initiative:skip"]
    assert desk.case(case_id).state == lifecycle.NEW and desk.to_servant(LOTTE) == []


async def test_a_privacy_question_at_the_name_question_is_answered_not_stored(
        desk: Harness) -> None:
    case_id = await to_initiative(desk)
    answer = await desk.say(VERA, "Wat gebeurt er met mijn gegevens?")
    assert choice_values(answer) == ["initiative:skip"]  # the name question again
    case = desk.case(case_id)
    assert case.state == lifecycle.NEW and case.initiative is None
    assert desk.to_servant(LOTTE) == []


@pytest.mark.parametrize("typed", ["Wie is dat?", "who's that", "Wie is Lotte?",
                                   "Wat is Lotte Vermeulen voor iemand?"])
async def test_who_is_that_at_the_name_question_is_no_name(desk: Harness, typed: str) -> None:
    case_id = await to_initiative(desk)
    answer = await desk.say(VERA, typed)
    assert "Provincie Utrecht" in texts(answer) and choice_values(answer) == ["initiative:skip"]
    assert desk.case(case_id).state == lifecycle.NEW and desk.case(case_id).initiative is None


def test_question_or_name_at_the_name_question() -> None:
    for typed in ("waarom", "why?", "What do you mean?", "moet dat?", "is het verplicht?",
                  "Waar is dat voor?", "do you need the name?", "Wat?", "huh?",
                  "Wordt mijn naam gedeeld?", "Can you see my number?"):
        assert is_question_not_name(typed), typed
    for typed in ("Buurtkracht Zeist", "Wie helpt wie?", "Waarom niet?", "Hulp nodig?",
                  "Stichting Verplicht Groen", "What If?", "🌳 Groen Zeist?"):
        assert not is_question_not_name(typed), typed


# ------------------------------------------------------------------ 5. after a restart
async def resumed(desk: Harness, chat: str = VERA) -> list[Outbound]:
    """A new process on the same file, the chat opened again: what the volunteer sees."""
    await desk.restart()
    await asyncio.to_thread(ask_pending_question, desk.desk, "memory", chat)
    await desk.runtime.deliver_pending()
    return desk.to_volunteer(chat)


async def test_the_offer_waiting_is_shown_again_after_a_restart(desk: Harness) -> None:
    case_id = await to_offer(desk)
    shown = await resumed(desk)
    assert len(shown) == 1 and "Lotte Vermeulen" in texts(shown)
    assert "Zolang je geen ja zegt" in texts(shown)  # the whole offer: what would be shared
    assert consent_values(shown) == [f"consent:{case_id}:yes", f"consent:{case_id}:no"]
    await desk.say(VERA, "ja")
    assert desk.case(case_id).consent_at is not None


async def test_the_question_asked_back_is_shown_again_in_english(desk: Harness) -> None:
    await desk.say("ann", "/taal en")
    asked = await desk.say("ann", VAGUE)
    kinds = [v for v in choice_values(asked) if v.startswith("clarify:")]
    assert kinds, texts(asked)
    shown = await resumed(desk, "ann")
    kind = kinds[0].split(":")[1]
    assert texts(shown) == t(f"ask_{kind}", "en") and choice_values(shown) == kinds


async def test_the_name_question_and_forget_are_shown_again(desk: Harness) -> None:
    case_id = await to_initiative(desk)
    shown = await resumed(desk)
    assert texts(shown) == t("initiative_again", "nl")
    assert choice_values(shown) == ["initiative:skip"]
    assert desk.case(case_id).state == lifecycle.NEW
    await desk.say(VERA, "/vergeet")
    shown = await resumed(desk)
    assert texts(shown) == t("forget_again", "nl")
    assert choice_values(shown) == ["forget:yes", "forget:no"]


async def test_nothing_is_asked_again_when_nothing_waits_or_it_waits_unshown(
        desk: Harness) -> None:
    assert await resumed(desk) == []  # a new volunteer: nothing to ask
    await desk.say(VERA, "/start")
    assert await resumed(desk) == []  # idle: waiting for a question, not for an answer
    await to_offer(desk)
    await desk.restart()
    assert await asyncio.to_thread(ask_pending_question, desk.desk, "memory", VERA)
    # not shown yet (still in the outbox): a second start does not queue it twice
    assert not await asyncio.to_thread(ask_pending_question, desk.desk, "memory", VERA)
    await desk.runtime.deliver_pending()
    assert len(desk.to_volunteer(VERA)) == 1


async def test_a_held_message_keeps_its_choice_when_the_offer_is_shown_after_a_restart(
        desk: Harness) -> None:
    first, second = await older_case_and_offer(desk)
    await desk.say(VERA, "hallo is er al nieuws?")
    desk.to_volunteer(VERA)
    shown = await resumed(desk)
    assert choice_values(shown) == [f"passon:{first}", f"consent:{second}:yes",
                                    f"consent:{second}:no"]
    assert "Lotte Vermeulen" in " ".join(c.label for m in shown for c in m.choices)
