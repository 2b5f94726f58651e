"""The desk's own starter map (knowledge/): what a newcomer gets must route sensibly.
Own wording, not evaluation questions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from routing.load import load_knowledge
from routing.router import Router

DAY = dt.date(2026, 11, 23)
STARTER = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(load_knowledge(STARTER, today=DAY))


def ids(router: Router, text: str) -> list[str]:
    return [r.id for r in router.route(text, today=DAY).routes]


def test_a_wadden_fund_is_for_the_wadden_not_the_whole_province(router: Router) -> None:
    assert "waddenfonds-voor-bewoners" in ids(router, "We willen het strand op Texel "
                                                      "schoonmaken, is daar geld voor?")
    assert "waddenfonds-voor-bewoners" not in ids(router, "We zoeken subsidie voor een "
                                                          "buurtmoestuin in Amsterdam")


def test_everyday_litter_words_find_the_litter_theme(router: Router) -> None:
    for text in ("Elke week doen we een rondje prikken in Amersfoort, wie helpt ons?",
                 "Er ligt zoveel troep op straat in Zwolle, wij willen iets doen",
                 "We willen het strand bij Zandvoort schoonmaken, is daar geld voor?"):
        assert router.route(text, today=DAY).themes[:1] == ("zwerfafval",), text


def test_an_everyday_english_word_is_not_taken_for_a_map_word(router: Router) -> None:
    # "seniors" is one letter from "sensors" (measuring air quality)
    r = router.route("A chess club for seniors in Zwolle, any funding?", today=DAY)
    assert "measurement" not in r.needs and "luchtkwaliteit" not in r.themes


def test_asking_what_to_do_is_a_question_for_advice_not_money(router: Router) -> None:
    for text in ("Het is zo lawaaiig in onze straat in Utrecht, wat kunnen we doen?",
                 "Our street in Utrecht is so noisy at night, what can we do?"):
        r = router.route(text, today=DAY)
        assert r.needs[:1] == ("knowledge",) and r.extra["need_assumed"] is False, text


@pytest.mark.parametrize(("text", "need"), [
    ("Our repair cafe in Zwolle wants to get noticed, any ideas?", "visibility"),
    ("How do we get into the local paper with our clean-up in Utrecht?", "visibility"),
    ("Who do we talk to about a bench in the park in Utrecht?", "network"),
    ("Moeten we het melden bij de gemeente als we de straat versieren in Zwolle?", "permit"),
    ("Do we need to notify the council before a street party in Deventer?", "permit"),
    # a pronoun stands for another one, also at the end of the map's phrase ("hoe begin ik")
    ("We willen een repair café beginnen in Zeist, hoe begin je dat?", "knowledge"),
    ("Wij willen de vijver in Utrecht schoner krijgen, hoe pak je dat aan", "knowledge"),
])
def test_everyday_phrasings_of_a_need(router: Router, text: str, need: str) -> None:
    assert need in router.route(text, today=DAY).needs, text


def test_a_hum_is_noise(router: Router) -> None:
    for text in ("Er is al weken een zoemtoon in onze wijk in Utrecht, wie kan dat meten?",
                 "There is a constant hum in our street in Zwolle at night, who can help?"):
        assert router.route(text, today=DAY).themes[:1] == ("geluid",), text


@pytest.mark.parametrize(("text", "region"), [
    ("We run a repair cafe somewhere in North Holland, any funding?", "noord-holland"),
    ("Our village in South Holland wants solar panels, who helps?", "zuid-holland"),
    ("Litter picking in North Brabant, is there a grant?", "noord-brabant"),
])
def test_english_names_of_provinces(router: Router, text: str, region: str) -> None:
    assert router.route(text, today=DAY).region == region


def test_why_names_the_theme_and_the_kind_of_help_apart(router: Router) -> None:
    r = router.route("We zoeken geld voor een opruimactie in Zwolle", today=DAY)
    assert r.routes[0].why.startswith("Past bij zwerfafval; helpt met geld en subsidie; voor ")


def test_an_assumed_kind_of_help_is_not_given_as_the_reason(router: Router) -> None:
    r = router.route("Wie kan ons helpen met zwerfafval?", today=DAY)
    assert r.extra["need_assumed"] is True and r.routes
    assert not any("geld" in route.why or "helpt met" in route.why for route in r.routes)
