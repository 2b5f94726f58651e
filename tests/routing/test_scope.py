"""Out-of-scope kinds and their redirect texts (own wording)."""

import pytest

from routing.normalize import tokens
from routing.scope import REDIRECTS, classify, redirect


@pytest.mark.parametrize(("text", "kind"), [
    ("hallo", "greeting"),
    ("test 1 2 3", "greeting"),
    ("hoi, hoe gaat het?", "greeting"),
    ("how are you doing", "greeting"),
    ("ja hoor", "greeting"),
    ("Kan ik zorgtoeslag aanvragen voor mijn moeder?", "personal"),
    ("where do I pay my parking ticket", "personal"),
    ("mijn scooter is gestolen, wat nu", "personal"),
    ("Ik zoek een baan als tuinman, hebben jullie een vacature?", "job"),
    ("WIN a free iPhone!!! click here and claim your prize", "spam"),
    ("mijn buurvrouw laat haar kat altijd in mijn tuin, ik word er gek van", "neighbour"),
    # a slip in a lexicon word
    ("Mijn paspoord verloopt, waar maak ik een afspraak?", "personal"),
    ("how do I renew my pasport", "personal"),
    ("mijn buuurman zet zijn auto altijd voor mijn deur", "neighbour"),
    # "ij" typed as "y"
    ("myn buurman zet zyn auto altyd voor myn deur", "neighbour"),
    # everyday information the desk has no part in
    ("Hoe wordt het weer dit weekend?", "general"),
    ("what is the weather like tomorrow", "general"),
    ("wat zegt het weerbericht", "general"),
    ("hoe laat is het nu eigenlijk", "general"),
    ("gaat het morgen regenen in Utrecht?", "general"),
    ("will it rain on saturday? we have something outdoors", "general"),
    ("KOOP NU GOEDKOPE VIAGRA www.spam.example", "spam"),
    ("ruzie met de buren over de heg", "neighbour"),
    ("Wij hebben al jaren ruzie met de buren over de schutting", "neighbour"),
    # a household's own dealings with a company
    ("mijn energieleverancier heeft het maandbedrag verdubbeld, waar kan ik klagen?", "consumer"),
    ("the customer service of my phone company never answers, who can I complain to",
     "consumer"),
])
def test_out_of_scope_kinds(text: str, kind: str) -> None:
    assert classify(tokens(text), 0.0) == kind


@pytest.mark.parametrize("text", [
    "Wij zijn een groep buren en willen samen een moestuin beginnen",
    "Onze stichting wil weten of we belasting betalen over een subsidie",
    "We zoeken vrijwilligers voor onze opruimactie, hoe krijgen we meer volgers?",
    "Ik wil met de buren iets doen tegen de houtrook in de straat",
    "Do I need a license for a street party?",
    "De geluidsbelasting van de snelweg bij mijn huis is te hoog, wat kan ik doen?",
    "Ik wil de politie betrekken bij mijn plan voor veilige fietsroutes",
    "Hoe gaat het met onze aanvraag voor de moestuin?",
    # everyday words one letter from a lexicon word ("stolen", "hiring")
    "Ik zoek stoelen voor het buurthuis, wie helpt?",
    "Als het hard gaat regenen loopt onze straat onder, wat kunnen we doen?",
    "Wij zoeken een leverancier van prikstokken voor onze opruimactie",
    "Onze website is www.schonebuurt.example, hoe krijgen we meer bekendheid?",
    "I'm hiking with the kids along the river to pick up litter, any grant?",
    "",
])
def test_initiative_questions_stay_in_scope(text: str) -> None:
    evidence = 1.0 if "houtrook" in text else 0.0
    assert classify(tokens(text), evidence) is None


def test_weather_for_an_initiative_stays_in_scope() -> None:
    """With the map's themes recognised, the weather is part of an initiative's plan."""
    assert classify(tokens("Hoe wordt het weer zaterdag voor onze opruimactie?"), 1.0) is None
    assert classify(tokens("we willen het weer beter maken in de buurt"), 0.0) is None


def test_a_quarrel_about_a_theme_of_the_map_stays_in_scope() -> None:
    # the neighbours' wood stove is the map's wood smoke, quarrel or not
    assert classify(tokens("Ik heb een conflict met de buren over hun houtkachel"), 1.0) is None
    assert classify(tokens("Wij organiseren een buurtfeest om de ruzie tussen buren bij te "
                           "leggen"), 1.0) is None


def test_redirects_exist_in_both_languages() -> None:
    for kind, texts in REDIRECTS.items():
        assert texts["nl"] and texts["en"]
        assert redirect(kind, "en") == texts["en"]
        assert redirect(kind, "xx") == texts["nl"]
