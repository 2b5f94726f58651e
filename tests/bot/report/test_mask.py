"""Personal data in gap questions is masked; the question's substance stays readable."""

from __future__ import annotations

import pytest

from bot.report.mask import mask


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


@pytest.mark.parametrize(
    "text",
    [
        "in 2026 en 2027 willen we een opruimactie in Zeist",
        "We zoeken € 5000 voor 300 mensen in Utrecht",
        "ik ben Vrijwilliger bij een repair café",
        "subsidie voor zonnepanelen op het buurthuis",
    ],
)
def test_plain_questions_are_left_alone(text: str) -> None:
    assert mask(text) == text


def test_the_host_of_an_ordinary_link_stays() -> None:
    assert mask("zie https://example.org/a/b") == "zie https://example.org/[link]"
