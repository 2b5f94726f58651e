"""The volunteer side of the UX audit, each finding pinned down before it was mended.

Every test drives the desk as a volunteer would (the memory channel, a fake clock) and
checks what the volunteer and the servant receive. The questions are our own.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot import cases as lifecycle
from bot import conversation as conv
from bot.channel import Outbound
from bot.followup import FollowUpConfig
from routing.model import KnowledgeMap
from tests.bot.desk.harness import Harness, choice_values, local, texts
from tests.bot.desk.test_flow import QUESTION, VERA, hand_over

LOTTE = "lotte-vermeulen"  # the eval map's servant for a neighbourhood initiative in Utrecht
VAGUE = "wij willen iets organiseren"  # the desk asks what it is about


def consent_values(messages: list[Outbound]) -> list[str]:
    return [v for v in choice_values(messages) if v.startswith("consent:")]


def clarify_kinds(messages: list[Outbound]) -> set[str]:
    return {v.split(":")[1] for v in choice_values(messages) if v.startswith("clarify:")}


async def to_offer(desk: Harness, chat: str = VERA) -> int:
    """The question, "funding" for the need: routes and the offer; the offered case id."""
    await desk.say(chat, QUESTION, display_name="Vera V.")
    answer = await desk.press(chat, "clarify:need:funding")
    consent = consent_values(answer)
    assert consent, texts(answer)
    return int(consent[0].split(":")[1])


async def to_initiative(desk: Harness, chat: str = VERA) -> int:
    case_id = await to_offer(desk, chat)
    answer = await desk.say(chat, "ja", display_name="Vera V.")
    assert choice_values(answer) == ["initiative:skip"], texts(answer)
    return case_id


async def checkin_sent(desk: Harness, *, resolve: bool) -> int:
    """A handed-over case, taken (and resolved when asked), with its check-in sent."""
    case_id = await hand_over(desk)
    await desk.staff(LOTTE, f"/neem {case_id}")
    if resolve:
        await desk.staff(LOTTE, f"/klaar {case_id} Regeling gestuurd.")
    desk.to_volunteer(VERA)
    await desk.advance_to(local(2026, 12, 7, 10, 0))  # ten working days after /neem
    assert choice_values(desk.to_volunteer(VERA))
    desk.to_servant(LOTTE)
    return case_id


# ------------------------------------------------------------------ 1. check-in text
async def test_a_written_checkin_answer_reaches_the_servant(desk: Harness) -> None:
    case_id = await checkin_sent(desk, resolve=True)
    words = "een beetje, we wachten nog op antwoord van het fonds"
    answer = await desk.say(VERA, words)
    assert "Lotte Vermeulen" in texts(answer)  # they learn it was passed on
    to_lotte = texts(desk.to_servant(LOTTE))
    assert "Deels" in to_lotte  # the check-in statistic as before
    assert f"[zaak {case_id}] Vrijwilliger: {words}" in to_lotte  # and the words themselves


async def test_a_bare_checkin_answer_is_not_relayed_twice(desk: Harness) -> None:
    await checkin_sent(desk, resolve=True)
    await desk.say(VERA, "ja")
    assert "Vrijwilliger:" not in texts(desk.to_servant(LOTTE))


async def test_a_no_on_a_case_never_closed_does_not_say_open_again(desk: Harness) -> None:
    case_id = await checkin_sent(desk, resolve=False)
    words = "nee helaas, het fonds zegt dat we te laat zijn, kan fatima nog iets anders bedenken?"
    answer = texts(await desk.say(VERA, words))
    assert "weer open" not in answer and "loopt nog" in answer
    to_lotte = texts(desk.to_servant(LOTTE))
    assert "Nee" in to_lotte and f"Vrijwilliger: {words}" in to_lotte
    assert desk.case(case_id).state in lifecycle.OPEN


# ------------------------------------------------------------------ 2. initiative name
async def test_skip_words_at_the_initiative_name_are_not_a_name(desk: Harness) -> None:
    for i, typed in enumerate(("overslaan", "Skip", "1", "weet ik nog niet",
                               "nog geen naam", "no name yet")):
        chat = f"vol{i}"
        case_id = await to_initiative(desk, chat)
        answer = await desk.say(chat, typed)
        assert f"zaak {case_id}" in texts(answer), typed
        case = desk.case(case_id)
        assert case.state == lifecycle.OFFERED and case.initiative is None, typed
    assert "Initiatief: overslaan" not in texts(desk.to_servant(LOTTE))


async def test_a_question_at_the_initiative_name_is_explained(desk: Harness) -> None:
    case_id = await to_initiative(desk)
    answer = await desk.say(VERA, "waarom wil je dat weten?")
    assert "Hoe heet je initiatief" in texts(answer)
    assert "medewerker" in texts(answer)  # why the name is asked
    assert choice_values(answer) == ["initiative:skip"]
    assert desk.case(case_id).state == lifecycle.NEW and desk.to_servant(LOTTE) == []
    await desk.say(VERA, "Buurtkracht Zeist")
    assert desk.case(case_id).initiative == "Buurtkracht Zeist"


async def test_a_place_alone_at_the_initiative_name_is_no_name(desk: Harness) -> None:
    case_id = await to_initiative(desk)  # the question named Zeist: only the name is asked
    await desk.say(VERA, "we zitten in Zeist")
    case = desk.case(case_id)
    assert case.state == lifecycle.OFFERED and case.initiative is None

    await desk.say("wim", VAGUE)  # no place in the question: name and place are asked
    answer = await desk.press("wim", "clarify:theme:algemeen")
    if clarify_kinds(answer):
        answer = await desk.press("wim", "clarify:need:funding")
    case_id = int(consent_values(answer)[0].split(":")[1])
    assert "in welke plaats" in texts(await desk.say("wim", "ja"))
    await desk.say("wim", "we zitten in Deventer")
    case = desk.case(case_id)
    assert case.initiative is None and case.municipality == "Deventer"
    assert case.state == lifecycle.OFFERED


# ------------------------------------------------------------------ 3. "don't know"
async def test_dont_know_to_the_need_is_no_answer(desk: Harness) -> None:
    answer = await desk.say(VERA, QUESTION)
    assert clarify_kinds(answer) == {"need"}
    answer = await desk.say(VERA, "geen idee")
    vol = desk.volunteer(VERA)
    assert vol is not None and vol.question == QUESTION  # the words were not added
    assert "need" not in (vol.data.get("answers") or {})
    assert not clarify_kinds(answer)  # it went on: routes, or a servant offered
    assert "Dit zijn de beste wegen" in texts(answer) or consent_values(answer)


async def test_dont_know_to_the_theme_goes_on_without_it(desk: Harness) -> None:
    answer = await desk.say(VERA, VAGUE)
    assert clarify_kinds(answer) == {"theme"}
    answer = await desk.say(VERA, "weet ik niet")
    vol = desk.volunteer(VERA)
    assert vol is not None and vol.question == VAGUE
    assert clarify_kinds(answer) in (set(), {"need"})  # never the theme again
    if clarify_kinds(answer):
        answer = await desk.say(VERA, "don't know")
        vol = desk.volunteer(VERA)
        assert vol is not None and vol.question == VAGUE
        assert not clarify_kinds(answer)
    assert vol.step in (conv.IDLE, conv.OFFER)


# ------------------------------------------------------------------ 4. emoji only
async def test_an_emoji_answer_gets_the_question_once_more(desk: Harness) -> None:
    answer = await desk.say(VERA, QUESTION)
    asked = choice_values(answer)
    answer = await desk.say(VERA, "👍")
    assert choice_values(answer) == asked  # the same question, with its choices
    assert "Wat voor hulp" in texts(answer)
    vol = desk.volunteer(VERA)
    assert vol is not None and vol.step == conv.CLARIFY and vol.question == QUESTION
    answer = await desk.say(VERA, "🙂🙂")
    vol = desk.volunteer(VERA)
    assert vol is not None and vol.question == QUESTION
    assert not clarify_kinds(answer) and vol.step != conv.CLARIFY


# ------------------------------------------------------------------ 5. spam as an answer
async def test_spam_as_an_answer_is_redirected_and_the_question_waits(desk: Harness) -> None:
    answer = await desk.say(VERA, QUESTION)
    assert clarify_kinds(answer) == {"need"}
    answer = await desk.say(VERA, "KOOP NU GOEDKOPE VIAGRA www.spam.ru")
    assert not consent_values(answer) and "Dit zijn de beste wegen" not in texts(answer)
    assert clarify_kinds(answer) == {"need"}  # the question, asked again
    assert "VIAGRA" not in texts(desk.to_servant(LOTTE))
    vol = desk.volunteer(VERA)
    assert vol is not None and vol.step == conv.CLARIFY and vol.question == QUESTION
    answer = await desk.press(VERA, "clarify:need:funding")
    assert consent_values(answer)


# ------------------------------------------------------------------ 7. commands
async def test_command_words_work_without_the_slash(desk: Harness) -> None:
    assert "Stel eerst je vraag" in texts(await desk.say(VERA, "contact"))
    assert "geen zaken" in texts(await desk.say(VERA, "status"))
    assert choice_values(await desk.say(VERA, "vergeet mij")) == ["forget:yes", "forget:no"]
    await desk.say(VERA, "nee")
    assert "nieuwe vraag" in texts(await desk.say(VERA, "nieuwe vraag"))
    for word in ("stop", "Stoppen"):
        answer = await desk.say(VERA, word)
        assert "ik stop hier" in texts(answer), word
        assert desk.volunteer(VERA).step == conv.STOPPED  # type: ignore[union-attr]
    # a longer message with such a word is still a question
    answer = await desk.say(VERA, "we willen stoppen met plastic in onze straat in Zeist")
    assert "ik stop hier" not in texts(answer)


async def test_an_unknown_command_suggests_the_nearest(desk: Harness) -> None:
    assert "Bedoel je /help?" in texts(await desk.say(VERA, "/hepl"))
    assert "Bedoel je /nieuw?" in texts(await desk.say(VERA, "/nieuwe"))
    assert "Bedoel je" not in texts(await desk.say(VERA, "/xyzzyq"))


# ------------------------------------------------------------------ 8. the offer
async def test_who_is_that_and_maybe_then_yes_at_the_offer(desk: Harness) -> None:
    case_id = await to_offer(desk)
    answer = await desk.say(VERA, "wie is dat?")
    assert "Lotte Vermeulen" in texts(answer) and "Provincie Utrecht" in texts(answer)
    assert consent_values(answer) == [f"consent:{case_id}:yes", f"consent:{case_id}:no"]
    assert "begreep" not in texts(answer)
    assert "/contact" in texts(await desk.say(VERA, "misschien"))
    answer = await desk.say(VERA, "ja")
    assert consent_values(answer) or "initiatief" in texts(answer), texts(answer)
    assert "Wegwijs" not in texts(answer)  # not the welcome text


# ------------------------------------------------------------------ 9. news on another case
async def test_asking_for_news_at_an_offer_points_to_status(desk: Harness) -> None:
    first = await hand_over(desk)
    await desk.staff(LOTTE, f"/neem {first}")
    desk.to_volunteer(VERA)
    await desk.say(VERA, "/nieuw")
    second = await to_offer(desk)
    answer = await desk.say(VERA, "hallo is er al nieuws?")
    assert "/status" in texts(answer)
    assert consent_values(answer) == [f"consent:{second}:yes", f"consent:{second}:no"]
    assert not clarify_kinds(answer)
    assert desk.volunteer(VERA).step == conv.OFFER  # type: ignore[union-attr]
    assert desk.case(second).state == lifecycle.NEW


# ------------------------------------------------------------------ 10. /stop, case open
async def test_stop_with_an_open_case_says_it_stays_open(desk: Harness) -> None:
    case_id = await hand_over(desk)
    desk.to_volunteer(VERA)
    answer = texts(await desk.say(VERA, "/stop"))
    assert f"zaak {case_id}" in answer and "Lotte Vermeulen" in answer and "open" in answer
    desk.to_servant(LOTTE)
    await desk.say(VERA, "We hebben inmiddels twintig buren die meedoen")
    assert "twintig buren" in texts(desk.to_servant(LOTTE))  # as the stop text promised


# ------------------------------------------------------------------ wording
async def test_volunteer_wording(desk: Harness) -> None:
    assert "Dit kan niet ongedaan worden gemaakt." in texts(await desk.say(VERA, "/vergeet"))
    again = texts(await desk.say(VERA, "hmm"))
    assert "Kies een van de opties of typ je antwoord" in again and "knoppen" not in again
    await desk.say(VERA, "nee")
    privacy = texts(await desk.say(VERA, "/privacy"))
    assert "12 maanden" in privacy
    french = texts(await desk.say(VERA, "/taal fr"))
    assert "Die taal spreek ik niet" in french and "Engels" in french
    assert choice_values(await desk.say(VERA, "/taal fr")) == ["lang:nl", "lang:en"]

    await desk.say("ann", "/taal en")
    english = texts(await desk.say("ann", "/help"))
    assert "/forget" in english and "/vergeet" not in english
    assert "/vergeet" not in texts(await desk.say("ann", "/stop"))
    assert "/vergeet" not in texts(await desk.say("ann", "/privacy"))
    assert choice_values(await desk.say("ann", "/forget")) == ["forget:yes", "forget:no"]
    assert "Pick one of the options" in texts(await desk.say("ann", "hmm"))
    await desk.say("ann", "no")
    await desk.say("ann", "We want to plant trees in our street in Amersfoort and need "
                          "funding")
    await desk.say("ann", "yes")
    answer = texts(await desk.say("ann", "Green Street"))
    assert "You'll hear from them here as soon as they respond" in answer


async def test_no_route_wording_does_not_speak_of_a_map(tmp_path: Path,
                                                       eval_kmap: KnowledgeMap) -> None:
    empty = dataclasses.replace(eval_kmap, entries=())  # no fund, desk or network at all
    desk = await Harness(tmp_path / "empty.db", empty, local(2026, 11, 23, 10, 0)).start()
    try:
        answer = await desk.say(VERA, "We zoeken subsidie voor een moestuin in Zeist")
        seen = texts(answer)
        assert "Ik heb geen fonds, loket of netwerk gevonden dat goed past." in seen
        assert "kaart" not in seen
    finally:
        await desk.stop()


async def test_privacy_names_the_configured_retention(tmp_path: Path,
                                                      eval_kmap: KnowledgeMap) -> None:
    desk = await Harness(tmp_path / "ret.db", eval_kmap, local(2026, 11, 23, 10, 0),
                         config=FollowUpConfig(retention_months=24)).start()
    try:
        assert "na 24 maanden" in texts(await desk.say(VERA, "/privacy"))
    finally:
        await desk.stop()


# ------------------------------------------------------------------ the second walk-through
async def test_no_at_the_initiative_name_takes_the_consent_back(desk: Harness) -> None:
    for i, typed in enumerate(("nee, toch niet", "laat maar", "toch maar niet")):
        chat = f"back{i}"
        case_id = await to_initiative(desk, chat)
        answer = await desk.say(chat, typed)
        case = desk.case(case_id)
        assert case.state != lifecycle.OFFERED and case.initiative is None, typed
        assert case.consent_at is None and case.handle is None, typed
        assert f"zaak {case_id}" not in texts(answer), typed
    assert desk.to_servant(LOTTE) == []  # nothing was shared with anyone


async def test_no_name_words_and_spam_at_the_initiative_name(desk: Harness) -> None:
    case_id = await to_initiative(desk, "nvt")
    await desk.say("nvt", "n.v.t.")
    assert desk.case(case_id).initiative is None
    assert desk.case(case_id).state == lifecycle.OFFERED
    case_id = await to_initiative(desk, "spam")
    answer = await desk.say("spam", "koop nu goedkope viagra www.spam.example")
    assert desk.case(case_id).state == lifecycle.NEW  # not handed over
    assert "Hoe heet je initiatief" in texts(answer)


async def test_a_bare_place_at_the_initiative_name_is_the_place(desk: Harness) -> None:
    case_id = await to_initiative(desk)  # the question said Zeist
    await desk.say(VERA, "Amersfoort")
    case = desk.case(case_id)
    assert case.initiative is None and case.municipality == "Amersfoort"


async def test_dont_know_with_an_answer_in_it_keeps_the_answer(desk: Harness) -> None:
    await desk.say(VERA, VAGUE)
    await desk.say(VERA, "geen idee, iets met zonnepanelen?")
    vol = desk.volunteer(VERA)
    assert vol is not None and "zonnepanelen" in (vol.question or "")
    assert "geen idee" not in (vol.question or "")


async def test_an_out_of_scope_answer_is_redirected_and_the_question_waits(
        desk: Harness) -> None:
    answer = await desk.say(VERA, QUESTION)
    assert clarify_kinds(answer) == {"need"}
    answer = await desk.say(VERA, "ruzie met de buren over de heg")
    assert "buren" in texts(answer) and clarify_kinds(answer) == {"need"}
    vol = desk.volunteer(VERA)
    assert vol is not None and vol.question == QUESTION


async def test_contact_answers_the_question_asked_back_and_makes_no_second_case(
        desk: Harness) -> None:
    answer = await desk.say(VERA, QUESTION)
    assert clarify_kinds(answer) == {"need"}
    answer = await desk.say(VERA, "contact")  # "Netwerk en contacten", not the command
    assert "Stel eerst je vraag" not in texts(answer)
    case_id = await hand_over(desk, "wim")
    answer = await desk.say("wim", "/contact")
    assert f"zaak {case_id}" in texts(answer) and not consent_values(answer)


async def test_a_reopened_case_is_told_to_the_volunteer(desk: Harness) -> None:
    case_id = await hand_over(desk)
    await desk.staff(LOTTE, f"/neem {case_id}")
    await desk.staff(LOTTE, f"/klaar {case_id} Regeling gestuurd.")
    desk.to_volunteer(VERA)
    await desk.staff(LOTTE, f"/heropen {case_id}")
    assert f"zaak {case_id} weer geopend" in texts(desk.to_volunteer(VERA))
    await desk.say(VERA, "Dank je, nog één vraag over de aanvraag")
    assert "nog één vraag" in texts(desk.to_servant(LOTTE))
