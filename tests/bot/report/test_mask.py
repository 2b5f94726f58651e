"""Personal data in gap questions is masked; the question's substance stays readable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.report.mask import known_words, mask


@pytest.mark.parametrize(
    ("text", "gone", "label"),
    [
        ("Bel me op 06-12345678 als het kan", "12345678", "[telefoon]"),
        ("Bereikbaar op +31 6 1234 5678.", "1234 5678", "[telefoon]"),
        ("Ons nummer: 020 123 4567", "123 4567", "[telefoon]"),
        ("mail naar jan.jansen@gmail.com graag", "jansen", "[e-mail]"),
        ("We zitten in 3511 AB 12 Utrecht", "3511", "[postcode]"),
        ("postcode 3511ab", "3511ab", "[postcode]"),
        ("adres Kerkstraat 12a, Zeist", "Kerkstraat", "[adres]"),
        ("stuur een dm naar @groenebuurt", "groenebuurt", "[@handle]"),
        ("matrix: @piet:matrix.org", "piet", "[@handle]"),
        ("zie https://facebook.com/jan.jansen.123", "jan.jansen", "[link]"),
        ("zie https://example.org/users/marieke/plan.pdf", "marieke", "[link]"),
        ("IBAN NL91ABNA0417164300", "0417164300", "[IBAN]"),
        ("Hoi, ik ben Jan de Vries en we willen prikken", "Vries", "[naam]"),
        ("Met vriendelijke groet, Marieke Bakker", "Bakker", "[naam]"),
        ("Hello, my name is Sarah and we clean beaches", "Sarah", "[naam]"),
        ("mevrouw Jansen van de buurtvereniging", "Jansen", "[naam]"),
    ],
)
def test_personal_data_is_masked(text: str, gone: str, label: str) -> None:
    masked = mask(text)
    assert gone not in masked
    assert label in masked


PLACES = {"Zeist", "Utrecht", "Fonds", "Schone", "Buurt"}


@pytest.mark.parametrize(
    "text",
    [
        "in 2026 en 2027 willen we een opruimactie in Zeist",
        "We zoeken € 5000 voor 300 mensen in Utrecht",
        "ik ben vrijwilliger bij een repair café",
        "Subsidie voor zonnepanelen op het buurthuis? We vroegen Fonds Schone Buurt al.",
    ],
)
def test_plain_questions_are_left_alone(text: str) -> None:
    assert mask(text, PLACES) == text


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("Bel Jan even over de moestuin in Zeist", "Jan"),
        ("We doen het samen. Piet Puk regelt de grijpers", "Puk"),
        ("vraag het Marieke van der Berg maar", "Berg"),
    ],
)
def test_names_without_a_cue_are_masked_too(text: str, gone: str) -> None:
    masked = mask(text, PLACES)
    assert gone not in masked and "[naam]" in masked
    assert "Zeist" in mask(text, PLACES) or "Zeist" not in text


def test_known_words_come_from_the_map(eval_knowledge_dir: Path) -> None:
    from routing.load import load_knowledge

    words = known_words(load_knowledge(eval_knowledge_dir))
    assert {"Utrecht", "Zeist", "Greenwish", "Zwerfafval"} <= words
    assert "Anouk" not in words  # servants' names are people


def test_the_host_of_an_ordinary_link_stays() -> None:
    assert mask("zie https://example.org/a/b") == "zie https://example.org/[link]"
