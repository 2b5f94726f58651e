"""Loose ends on the civil servant's side, as a usability walk-through found them: a past
absence, a mistyped command, command words without their slash, a handover without a
reason, an unknown ``--as`` id, and a case card in the servant's own language.

Each test drives the desk as a servant would (staff messages through the harness) and
asserts what the servant, their colleague and the volunteer receive.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import cases as lifecycle
from bot.models import ServantState
from routing.model import KnowledgeMap
from tests.bot.desk.harness import Harness, started_with_languages, texts
from tests.bot.desk.test_audit_staff import LOTTE, taken_case
from tests.bot.desk.test_cli_desk import wegwijs
from tests.bot.desk.test_flow import QUESTION, VERA, hand_over

INGRID = "ingrid-smit"


def absence(desk: Harness, servant_id: str) -> tuple[object, object]:
    with desk.session() as s:
        state = s.get(ServantState, servant_id)
        return (state.away_from, state.away_until) if state else (None, None)


# ------------------------------------------------------------------ 1. a past absence
async def test_an_absence_that_ended_before_today_is_refused(desk: Harness) -> None:
    # the desk's today is Monday 2026-11-23
    answer = texts(await desk.staff(LOTTE, "/afwezig 2026-11-02 2026-11-06"))
    assert "Genoteerd" not in answer
    assert "al voorbij" in answer and "2026-11-06" in answer
    assert "/afwezig 2026-11-23 2026-11-30" in answer  # what to type instead
    assert absence(desk, LOTTE) == (None, None)


async def test_a_past_absence_is_refused_in_english_too(tmp_path: Path,
                                                        eval_kmap: KnowledgeMap) -> None:
    desk = await started_with_languages(tmp_path / "desk.db", eval_kmap, LOTTE, ("en",))
    try:
        answer = texts(await desk.staff(LOTTE, "/away 2026-11-02 2026-11-06"))
        assert "already over" in answer and "/away 2026-11-23 2026-11-30" in answer
        assert absence(desk, LOTTE) == (None, None)
    finally:
        await desk.stop()


async def test_an_absence_that_began_before_today_and_runs_on_is_kept(desk: Harness) -> None:
    for start, until in (("2026-11-16", "2026-11-23"), ("2026-11-16", "2026-11-27")):
        answer = texts(await desk.staff(LOTTE, f"/afwezig {start} {until}"))
        assert "Genoteerd" in answer, answer
        assert tuple(str(d) for d in absence(desk, LOTTE)) == (start, until)


# ------------------------------------------------------------------ 2. a mistyped command
async def test_a_mistyped_command_suggests_the_nearest(desk: Harness) -> None:
    answer = texts(await desk.staff(LOTTE, "/zakn"))
    assert "Bedoel je /zaken?" in answer
    assert "/capaciteit N" not in answer  # not the whole help again
    answer = texts(await desk.staff(LOTTE, "/afwezg weg"))
    assert "Bedoel je /afwezig?" in answer


async def test_a_command_like_nothing_known_shows_the_help(desk: Harness) -> None:
    for command in ("/help", "/hulp", "/xyzzy"):
        answer = texts(await desk.staff(LOTTE, command))
        assert "Opdrachten voor medewerkers" in answer and "Bedoel je" not in answer, command


async def test_the_suggestion_is_in_the_servants_language(tmp_path: Path,
                                                          eval_kmap: KnowledgeMap) -> None:
    desk = await started_with_languages(tmp_path / "desk.db", eval_kmap, LOTTE, ("en",))
    try:
        assert "Did you mean /cases?" in texts(await desk.staff(LOTTE, "/casse"))
    finally:
        await desk.stop()


def test_the_volunteer_side_and_the_staff_side_share_one_suggester() -> None:
    import bot.volunteer_commands
    import bot.volunteer_words
    from bot import near_command, staff

    shared = near_command.nearest_command
    assert vars(bot.volunteer_commands)["nearest_command"] is shared
    assert vars(staff)["nearest_command"] is shared
    assert not hasattr(bot.volunteer_words, "nearest_command")  # moved, not copied


# ------------------------------------------------------------------ 3. words without a slash
async def test_command_words_without_a_slash_work(desk: Harness) -> None:
    case_id = await hand_over(desk)
    desk.to_servant(LOTTE)
    desk.to_volunteer(VERA)
    assert f"Zaak {case_id} ·" in texts(await desk.staff(LOTTE, "zaken"))
    assert f"Zaak {case_id} ·" in texts(await desk.staff(LOTTE, "Zaken?"))
    assert f"Zaak {case_id} is van jou" in texts(await desk.staff(LOTTE, f"neem {case_id}"))
    assert desk.case(case_id).state == lifecycle.ACCEPTED
    desk.to_volunteer(VERA)

    # a command that writes the volunteer or closes the case needs its slash: "klaar 1
    # dingen moet ik nog uitzoeken" is a sentence as often as a command
    for typed in (f"antwoord {case_id} Hoeveel buren doen er mee?", f"notitie {case_id} bellen",
                  f"Klaar {case_id} dingen moet ik nog uitzoeken"):
        answer = texts(await desk.staff(LOTTE, typed))
        assert "niets verstuurd en niets gedaan" in answer and f"{case_id} …?" in answer, typed
    assert desk.case(case_id).state == lifecycle.ACCEPTED and desk.to_volunteer(VERA) == []
    await desk.staff(LOTTE, f"/klaar {case_id} Het fonds past bij jullie")
    assert desk.case(case_id).state == lifecycle.RESOLVED
    assert "weer open" in texts(await desk.staff(LOTTE, f"heropen {case_id}"))
    assert "Je capaciteit is nu 3" in texts(await desk.staff(LOTTE, "capaciteit 3"))
    assert "Genoteerd" in texts(await desk.staff(LOTTE, "afwezig 2026-12-01 2026-12-04"))
    assert "gewist" in texts(await desk.staff(LOTTE, "afwezig weg"))
    assert "Opdrachten voor medewerkers" in texts(await desk.staff(LOTTE, "help"))


async def test_a_text_command_with_only_its_case_number_gets_its_usage(desk: Harness) -> None:
    case_id = await taken_case(desk)
    desk.to_volunteer(VERA)
    for typed, usage in ((f"klaar {case_id}", "/klaar"), (f"Antwoord {case_id}", "/antwoord")):
        answer = texts(await desk.staff(LOTTE, typed))
        assert answer.startswith("Gebruik: " + usage), (typed, answer)
    assert desk.case(case_id).state == lifecycle.ACCEPTED and desk.to_volunteer(VERA) == []
    # a case that is not theirs, or no number, is still plain text
    assert "Gebruik" not in texts(await desk.staff(LOTTE, "klaar 999"))
    assert "Gebruik" not in texts(await desk.staff(LOTTE, "klaar hoor"))


async def test_handing_on_without_a_slash_asks_for_the_slash(desk: Harness) -> None:
    case_id = await taken_case(desk)
    answer = texts(await desk.staff(LOTTE, f"geef {case_id} ingrid landelijke regeling"))
    assert f"Bedoel je /geef {case_id} …?" in answer
    assert desk.case(case_id).servant_id == LOTTE  # nothing moved


async def test_text_for_the_volunteer_is_never_taken_for_a_command(desk: Harness) -> None:
    """Plain text is not relayed: it gets the hint with the case to answer on. A sentence
    that opens with a command word but lacks the command's shape stays such a text, and
    nothing happens to the case or reaches the volunteer."""
    case_id = await taken_case(desk)
    await desk.staff(LOTTE, f"/antwoord {case_id} Hoeveel buren doen er mee?")
    desk.to_servant(LOTTE)
    desk.to_volunteer(VERA)
    before = desk.case(case_id).state
    for text in ("Klaar, ik heb het fonds gebeld", "Neem contact op met het fonds",
                 "neem 2 formulieren mee naar het loket", "Zaken regelen we morgen",
                 "Antwoord: ja, dat kan", f"geef {case_id} dagen de tijd",
                 "afwezig tot maandag", "capaciteit is krap", "Help jij ze verder?",
                 f"klaar {case_id + 5} dingen", "heropen het dossier"):
        answer = texts(await desk.staff(LOTTE, text))
        assert "niet verstuurd" in answer and f"/antwoord {case_id}" in answer, text
        assert desk.to_volunteer(VERA) == [], text
        case = desk.case(case_id)
        assert case.state == before and case.servant_id == LOTTE, text
    assert absence(desk, LOTTE) == (None, None)


async def test_a_bare_command_on_a_colleagues_case_is_plain_text(desk: Harness) -> None:
    case_id = await taken_case(desk)
    answer = texts(await desk.staff(INGRID, f"klaar {case_id} Opgelost"))
    assert "Gebruik /antwoord N tekst" in answer and "afgerond" not in answer  # the hint
    assert desk.case(case_id).state == lifecycle.ACCEPTED
    assert desk.to_volunteer(VERA) == []


# ------------------------------------------------------------------ 4. a reason to hand on
async def test_handing_on_without_a_reason_asks_for_one(desk: Harness) -> None:
    case_id = await taken_case(desk)
    answer = texts(await desk.staff(LOTTE, f"/geef {case_id} ingrid"))
    assert "doorgegeven aan" not in answer and "nog niet doorgegeven" in answer
    assert f"/geef {case_id} ingrid ik ben drie weken met verlof" in answer
    case = desk.case(case_id)
    assert case.servant_id == LOTTE and case.state == lifecycle.ACCEPTED
    assert desk.to_servant(INGRID) == [] and desk.to_volunteer(VERA) == []

    await desk.staff(LOTTE, f"/geef {case_id} ingrid ik ben drie weken met verlof")
    card = texts(desk.to_servant(INGRID))
    assert f"Nieuwe zaak {case_id}" in card and "ik ben drie weken met verlof" in card


async def test_a_reason_of_only_spaces_is_no_reason(desk: Harness) -> None:
    case_id = await taken_case(desk)
    answer = texts(await desk.staff(LOTTE, f"/geef {case_id} {INGRID}    "))
    assert "nog niet doorgegeven" in answer
    assert desk.case(case_id).servant_id == LOTTE


# ------------------------------------------------------------------ 5. --as an unknown id
def test_an_unknown_servant_id_is_answered_in_dutch(tmp_path: Path,
                                                    eval_knowledge_dir: Path) -> None:
    env = {**os.environ, "WEGWIJS_DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}",
           "WEGWIJS_KNOWLEDGE": str(eval_knowledge_dir)}
    stranger = wegwijs(["staff", "--as", "nobody"], "", env)
    assert stranger.returncode != 0
    assert "staat niet als medewerker in civil_servants.yaml" in stranger.stderr
    assert "is not in" not in stranger.stderr and "Known:" not in stranger.stderr
    assert LOTTE in stranger.stderr and "--as" in stranger.stderr  # what to type instead
    assert "Traceback" not in stranger.stderr


# ------------------------------------------------------------------ 6. the card's language
@pytest.fixture
async def english_volunteer_case(desk: Harness) -> AsyncIterator[tuple[Harness, int]]:
    await desk.say(VERA, "/taal en")
    case_id = await hand_over(desk, question=QUESTION)
    yield desk, case_id


async def test_a_dutch_servant_reads_an_english_volunteers_routes_in_dutch(
        english_volunteer_case: tuple[Harness, int]) -> None:
    desk, case_id = english_volunteer_case
    stored = desk.case(case_id)
    assert stored.lang == "en" and stored.routes
    english_whys = [r["why"] for r in stored.routes]
    assert all(w.endswith(".") and ("for " in w) for w in english_whys)  # as the volunteer read

    card = texts(desk.to_servant(LOTTE))
    routes = card.split("Routes die de desk al gaf:")[1].split("Geschiedenis")[0]
    lines = [line.strip() for line in routes.strip().splitlines()]
    assert len(lines) == len(stored.routes)
    for line, route in zip(lines, stored.routes, strict=True):
        assert route["name"] in line
        assert route["why"] not in line  # not the English sentence
        assert "voor " in line and ("Past bij" in line or "elpt met" in line
                                    or "Je noemde" in line or "Algemeen" in line), line
    assert "Matches" not in routes and "helps with" not in routes
    assert QUESTION in card  # the volunteer's own words stay as they wrote them
    assert "schrijft in het Engels" in card


async def test_the_dutch_card_says_what_the_english_one_said(
        english_volunteer_case: tuple[Harness, int]) -> None:
    """The Dutch *why* names the same theme, need and place as the volunteer's."""
    from routing.why import Explainer

    desk, case_id = english_volunteer_case
    stored = desk.case(case_id)
    card = texts(desk.to_servant(LOTTE))
    explainer = Explainer(desk.kmap)
    matched = 0
    for route in stored.routes:
        entry = desk.kmap.entry(route["id"])
        themes = (stored.theme,) if stored.theme else ()
        needs = (stored.need,) if stored.need else ()
        whys = {lang: explainer.explain(entry, lang=lang, themes=themes, needs=needs,
                                        region=stored.region,
                                        municipality=stored.municipality)
                for lang in ("en", "nl")}
        if whys["en"] == route["why"]:
            assert f"{entry.name} – {whys['nl']}" in card
            matched += 1
    assert matched  # the case's own theme and need wrote at least one of them


async def test_an_english_servant_reads_a_dutch_volunteers_routes_in_english(
        tmp_path: Path, eval_kmap: KnowledgeMap) -> None:
    desk = await started_with_languages(tmp_path / "desk.db", eval_kmap, LOTTE, ("en",))
    try:
        case_id = await hand_over(desk)
        stored = desk.case(case_id)
        assert stored.lang == "nl" and stored.routes
        card = texts(desk.to_servant(LOTTE))
        assert "Routes the desk already gave" in card
        routes = card.split("Routes the desk already gave:")[1].split("History")[0]
        assert "Past bij" not in routes and "voor " not in routes
        assert all(r["name"] in routes for r in stored.routes)
        assert QUESTION in card
    finally:
        await desk.stop()


async def test_a_dutch_volunteers_routes_stay_verbatim_for_a_dutch_servant(
        desk: Harness) -> None:
    case_id = await hand_over(desk)
    card = texts(desk.to_servant(LOTTE))
    for route in desk.case(case_id).routes:
        assert f"{route['name']} – {route['why']}" in card


async def test_a_case_that_cannot_be_handed_on_says_so_before_asking_a_reason(
        desk: Harness) -> None:
    case_id = await taken_case(desk)
    await desk.staff(LOTTE, f"/klaar {case_id} Het fonds past bij jullie")
    answer = texts(await desk.staff(LOTTE, f"/geef {case_id} ingrid"))
    assert f"Zaak {case_id} is al afgerond" in answer and "reden" not in answer
    assert desk.case(case_id).state == lifecycle.RESOLVED


async def test_a_second_absence_says_it_replaces_the_first(desk: Harness) -> None:
    await desk.staff(LOTTE, "/afwezig 2027-03-01 2027-03-05")
    answer = texts(await desk.staff(LOTTE, "/afwezig 2027-04-01 2027-04-05"))
    assert "Dit vervangt je afwezigheid van 2027-03-01 tot en met 2027-03-05" in answer
    again = texts(await desk.staff(LOTTE, "/afwezig 2027-04-01 2027-04-05"))
    assert "vervangt" not in again  # the same dates: nothing replaced


async def test_the_case_list_tells_cases_apart(desk: Harness) -> None:
    case_id = await hand_over(desk)
    line = next(x for x in texts(await desk.staff(LOTTE, "/zaken")).splitlines()
                if x.startswith(f"Zaak {case_id} ·"))
    case = desk.case(case_id)
    label = case.initiative or " ".join((case.question or "").split())[:20]
    assert label and label in line
