"""What a newcomer meets on the desk's own starter map (``knowledge/``): the frictions found
by playing a volunteer and a civil servant in two terminals, each pinned down here.

The questions are our own, written as different people would; none come from the eval set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import cases as lifecycle
from bot import conversation as conv
from bot.channel import Outbound
from bot.texts import t
from routing.model import KnowledgeMap
from tests.bot.desk.harness import Harness, choice_values, local, texts

SAM = "sam"  # a volunteer
JOOST = "joost-van-der-meer"  # starter-map servant for green / climate adaptation


@pytest.fixture(scope="session")
def starter_kmap(repo_knowledge_dir: Path) -> KnowledgeMap:
    from routing.load import load_knowledge

    return load_knowledge(repo_knowledge_dir)


@pytest.fixture
async def desk(tmp_path: Path, starter_kmap: KnowledgeMap) -> AsyncIterator[Harness]:
    harness = await Harness(tmp_path / "desk.db", starter_kmap,
                            local(2026, 11, 23, 10, 0)).start()
    yield harness
    await harness.stop()


def consent_values(messages: list[Outbound]) -> list[str]:
    return [v for v in choice_values(messages) if v.startswith("consent:")]


def clarify_kinds(messages: list[Outbound]) -> set[str]:
    return {v.split(":")[1] for v in choice_values(messages) if v.startswith("clarify:")}


GARDENS = "hoi! we willen met de straat geveltuintjes aanleggen in deventer, is daar subsidie voor?"


async def test_the_servant_terminal_gets_the_handover_by_servant_id(desk: Harness) -> None:
    """README: ``wegwijs staff --as <id>`` with any id from civil_servants.yaml. The handover
    card must reach that terminal, not a shorter ``terminal:`` nickname nobody listens on."""
    answer = await desk.say(SAM, GARDENS, display_name="Sam")
    case_id = int(consent_values(answer)[0].split(":")[1])
    assert desk.case(case_id).servant_id == JOOST
    await desk.say(SAM, "ja", display_name="Sam")
    await desk.say(SAM, "Groene Gevels")
    card = texts(desk.to_servant(JOOST))
    assert f"Nieuwe zaak {case_id}" in card and "Groene Gevels" in card and "Sam" in card


async def test_full_handover_then_thanks_is_not_a_new_question(desk: Harness) -> None:
    answer = await desk.say(SAM, GARDENS, display_name="Sam")
    case_id = int(consent_values(answer)[0].split(":")[1])
    await desk.say(SAM, "ja graag")
    handed = await desk.say(SAM, "Groene Gevels")
    assert f"zaak {case_id}" in texts(handed)
    assert "niet binnen 2 werkdagen opgepakt" in texts(handed)  # what to expect, and when
    await desk.staff(JOOST, f"/neem {case_id}")
    await desk.staff(JOOST, f"/antwoord {case_id} Hoeveel gevels zijn het?")
    assert "Hoeveel gevels" in texts(desk.to_volunteer(SAM))
    await desk.say(SAM, "een stuk of twaalf")
    assert "een stuk of twaalf" in texts(desk.to_servant(JOOST))
    await desk.staff(JOOST, f"/klaar {case_id} Regeling van de gemeente gestuurd.")
    assert "Regeling van de gemeente" in texts(desk.to_volunteer(SAM))
    assert desk.case(case_id).state == lifecycle.RESOLVED

    thanks = await desk.say(SAM, "super, dank je wel!")
    assert "Graag gedaan" in texts(thanks)
    assert not choice_values(thanks)  # no "what is your initiative about?" with 14 options
    assert desk.volunteer(SAM).step == conv.IDLE  # type: ignore[union-attr]
    bye = await desk.say(SAM, "doei!")
    assert "Tot ziens" in texts(bye) and not choice_values(bye)


async def test_an_english_speaker_is_not_switched_to_dutch_by_a_neutral_word(desk: Harness) -> None:
    answer = await desk.say(SAM, "we want to plant a mini forest near our school in utrecht, "
                                 "who can help with money?")
    assert "These are the best routes" in texts(answer)
    await desk.say(SAM, "no")
    for neutral in ("ok", "utrecht", "/"):
        reply = texts(await desk.say(SAM, neutral))
        assert desk.volunteer(SAM).lang == "en", (neutral, reply)  # type: ignore[union-attr]
    assert "Hallo" not in reply and "Waar gaat" not in reply


async def test_help_typed_as_a_word_shows_the_help(desk: Harness) -> None:
    for word in ("help", "Hulp?", "?"):
        answer = await desk.say(SAM, word)
        assert "/status" in texts(answer) and "/vergeet" in texts(answer), word
        assert not choice_values(answer)
    await desk.say(SAM, "hello there, can you help us?")
    assert "/new" in texts(await desk.say(SAM, "help"))  # in their language


async def test_a_lone_slash_is_an_unknown_command_not_a_question(desk: Harness) -> None:
    answer = await desk.say(SAM, "/")
    assert "/help" in texts(answer) and not choice_values(answer)


async def test_a_question_about_my_data_is_answered_not_routed(desk: Harness) -> None:
    answer = await desk.say(SAM, "wat gebeurt er eigenlijk met mijn gegevens?")
    said = texts(answer)
    assert "/vergeet" in said and "ja" in said and not choice_values(answer)
    assert "/privacy" in texts(await desk.say(SAM, "/help"))
    assert "/vergeet" in texts(await desk.say(SAM, "/privacy"))

    # at the offer, the moment it matters most: answer it, and keep the yes/no open
    answer = await desk.say(SAM, GARDENS)
    case_id = int(consent_values(answer)[0].split(":")[1])
    answer = await desk.say(SAM, "wat doen jullie met mijn persoonsgegevens?")
    assert "/vergeet" in texts(answer)
    assert "Zal ik je in contact brengen met Joost van der Meer?" in texts(answer)
    assert consent_values(answer) == [f"consent:{case_id}:yes", f"consent:{case_id}:no"]
    assert desk.case(case_id).state == lifecycle.NEW
    assert "initiatief" in texts(await desk.say(SAM, "ja"))

    # an initiative that talks about (its) data is still a routing question
    for question in ("we willen data verzamelen over fijnstof in onze straat",
                     "we want to share our data on air quality with the council",
                     "wat weet jij van subsidies voor bomen?"):
        answer = await desk.say("mo", question)
        assert "Wat ik bewaar" not in texts(answer) and "What I keep" not in texts(answer)
        await desk.say("mo", "/nieuw")


async def test_a_data_question_while_confirming_forget_keeps_the_choice(desk: Harness) -> None:
    await desk.say(SAM, "/vergeet")
    answer = await desk.say(SAM, "what do you store about me?")
    assert "/forget" in texts(answer) and "Shall I erase everything" in texts(answer)
    assert choice_values(answer) == ["forget:yes", "forget:no"]
    assert desk.volunteer(SAM).step == conv.CONFIRM_FORGET  # type: ignore[union-attr]


async def test_a_vague_question_gets_a_second_question_not_a_dead_end(desk: Harness) -> None:
    answer = await desk.say(SAM, "wij willen iets organiseren")
    assert clarify_kinds(answer) == {"theme"}
    answer = await desk.press(SAM, "clarify:theme:algemeen")  # "Algemeen": still no route
    assert t("no_routes", "nl") not in texts(answer)
    assert clarify_kinds(answer) == {"need"}  # what kind of help, then
    answer = await desk.press(SAM, "clarify:need:funding")
    assert "Dit zijn de beste wegen" in texts(answer)
    assert consent_values(answer)


async def test_in_the_neighbourhood_finds_a_neighbourhood_network(desk: Harness) -> None:
    answer = await desk.say(SAM, "we willen iets doen in de buurt")
    assert clarify_kinds(answer) <= {"theme", "need"} and len(clarify_kinds(answer)) == 1
    answer = await desk.press(SAM, "clarify:need:network") if clarify_kinds(answer) == {
        "need"} else await desk.press(SAM, "clarify:theme:buurt-en-samenleven")
    assert "Netwerk Buurtinitiatieven" in texts(answer)


async def test_changing_your_mind_after_saying_no_to_the_handover(desk: Harness) -> None:
    await desk.say(SAM, GARDENS)
    assert "ik deel niets" in texts(await desk.say(SAM, "nee"))
    answer = await desk.say(SAM, "hmm, toch wel graag eigenlijk")
    assert consent_values(answer), texts(answer)

    await desk.say("ann", "we want to set up a repair cafe in zwolle and need money")
    await desk.say("ann", "no thanks")
    assert "Another question?" in texts(await desk.say("ann", "ok"))
    answer = await desk.say("ann", "actually yes, please connect me")
    assert consent_values(answer) and "Would you like me" in texts(answer)


async def test_one_word_of_a_choice_typed_counts_as_that_choice(desk: Harness) -> None:
    await desk.say(SAM, "wij willen iets organiseren")
    await desk.say(SAM, "groen")  # "Groen en biodiversiteit"
    vol = desk.volunteer(SAM)
    assert vol is not None and vol.data["answers"] == {"theme": "groen-en-biodiversiteit"}

    answer = await desk.say("kim", "we hebben een idee voor ons dorp")
    assert clarify_kinds(answer) == {"need"}
    await desk.say("kim", "netwerk!")  # "Netwerk en contacten"
    vol = desk.volunteer("kim")
    assert vol is not None and vol.data["answers"] == {"need": "network"}


async def test_the_place_the_offer_promised_is_asked_when_the_question_had_none(
        desk: Harness) -> None:
    answer = await desk.say(SAM, "we willen graag geld voor een buurtfeest met de hele straat")
    case_id = int(consent_values(answer)[0].split(":")[1])
    assert "plaats van je initiatief" in texts(answer)  # the offer promises the place
    asked = texts(await desk.say(SAM, "ja"))
    assert "in welke plaats" in asked
    await desk.say(SAM, "Buurtkamer De Linde, Zutphen")
    case = desk.case(case_id)
    assert case.municipality == "Zutphen" and case.region == "gelderland"
    card = texts(desk.to_servant(case.servant_id or ""))
    assert "Plaats: Zutphen (Gelderland)" in card

    # a question that named its town: only the name is asked
    await desk.say("ivo", GARDENS)
    asked = texts(await desk.say("ivo", "ja"))
    assert "Hoe heet je initiatief?" in asked and "plaats" not in asked


async def test_asking_anew_instead_of_answering_the_question_back(desk: Harness) -> None:
    await desk.say(SAM, "wij willen iets organiseren")
    again = await desk.say(SAM, "15")  # there are 14 themes: the choices again
    assert "begreep je antwoord niet" in texts(again) and clarify_kinds(again) == {"theme"}
    new = "we zoeken subsidie voor zonnepanelen op het dak van ons buurthuis"
    answer = await desk.say(SAM, new)
    assert "Dit zijn de beste wegen" in texts(answer)
    vol = desk.volunteer(SAM)
    assert vol is not None and vol.question == new  # not glued to the vague one (or "14")

    # an answer that only adds something is added to the question
    await desk.say("kim", "wij willen iets organiseren")
    await desk.say("kim", "iets met bomen planten")
    vol = desk.volunteer("kim")
    assert vol is not None and vol.question == "wij willen iets organiseren\niets met bomen planten"


async def test_the_servant_card_says_which_language_the_volunteer_writes(desk: Harness) -> None:
    answer = await desk.say("ann", "we are parents who want to measure air pollution near "
                                   "the primary school in haarlem, is there money for sensors?")
    case_id = int(consent_values(answer)[0].split(":")[1])
    await desk.say("ann", "yes", display_name="Ann")
    await desk.say("ann", "Clean Air Kids")
    servant = desk.case(case_id).servant_id or ""
    assert "Chat: Ann (memory), schrijft in het Engels" in texts(desk.to_servant(servant))


async def test_handing_on_by_first_name_and_a_list_when_unknown(desk: Harness) -> None:
    answer = await desk.say(SAM, GARDENS)
    case_id = int(consent_values(answer)[0].split(":")[1])
    await desk.say(SAM, "ja")
    await desk.say(SAM, "Groene Gevels")
    refused = texts(await desk.staff(JOOST, f"/geef {case_id} karel regionaal"))
    assert "karel ken ik niet" in refused and "ruben-de-wit" in refused  # who is known
    moved = texts(await desk.staff(JOOST, f"/geef {case_id} ruben dichterbij"))
    assert "Ruben de Wit" in moved and desk.case(case_id).servant_id == "ruben-de-wit"


async def test_maybe_later_at_the_offer_is_not_a_new_question(desk: Harness) -> None:
    answer = await desk.say(SAM, GARDENS)
    first = int(consent_values(answer)[0].split(":")[1])
    unclear = await desk.say(SAM, "hmm")  # neither yes nor no: the same yes/no again
    assert "begreep je antwoord niet" in texts(unclear)
    assert consent_values(unclear) == [f"consent:{first}:yes", f"consent:{first}:no"]
    later = await desk.say(SAM, "misschien later")
    assert "/contact" in texts(later) and not choice_values(later)
    assert desk.case(first).state == lifecycle.EXPIRED  # nothing shared, nothing kept open
    vol = desk.volunteer(SAM)
    assert vol is not None and vol.step == conv.IDLE and not vol.handover_declined

    answer = await desk.say(SAM, GARDENS)  # not a "no": the next answer offers again
    second = int(consent_values(answer)[0].split(":")[1])
    answer = await desk.say(SAM, "misschien kunnen we ook subsidie krijgen voor zonnepanelen "
                                 "op het dak van het buurthuis?")
    assert "Dit zijn de beste wegen" in texts(answer)  # a new question, routed
    assert desk.case(second).state == lifecycle.EXPIRED


async def test_an_english_speaker_hears_before_saying_yes_that_the_servant_writes_dutch(
        desk: Harness) -> None:
    answer = await desk.say(SAM, "we want to measure noise from the motorway near our "
                                 "street, who can help?")
    offer = next(m for m in answer if m.choices)
    servant = desk.kmap.find_servant(desk.case(int(consent_values(answer)[0].split(":")[1]))
                                     .servant_id or "")
    assert servant is not None and "en" not in servant.languages  # the starter map's Thijs
    assert f"Please note: {servant.name} writes in Dutch." in offer.text
    answer = await desk.say("lia", "we willen geluid meten bij de snelweg, wie helpt ons?")
    assert "Let op" not in texts(answer)


def test_readme_two_terminals_on_the_starter_map(tmp_path: Path) -> None:
    """The README's demo, as real processes on the starter map: the handover card reaches
    ``wegwijs staff --as <id>`` (it used to wait for a ``terminal:`` nickname)."""
    import os

    from tests.bot.desk.test_cli_desk import wegwijs

    env = {**os.environ, "WEGWIJS_DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}"}
    env.pop("WEGWIJS_KNOWLEDGE", None)  # the default: the repo's knowledge/
    chat = wegwijs(["chat", "--as-volunteer", "sam"], f"{GARDENS}\n1\nGroene Gevels\n", env)
    assert chat.returncode == 0 and "Traceback" not in chat.stderr, chat.stderr
    assert "Joost van der Meer" in chat.stdout and "zaak 1" in chat.stdout
    staff = wegwijs(["staff", "--as", JOOST], "", env)
    assert staff.returncode == 0, staff.stderr
    assert "Nieuwe zaak 1 voor Joost van der Meer" in staff.stdout
    assert "Initiatief: Groene Gevels" in staff.stdout
