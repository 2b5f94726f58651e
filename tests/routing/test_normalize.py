"""Text normalisation: folding, tokens, stems, truncation."""

from routing.lang import detect
from routing.normalize import MAX_CHARS, cased_tokens, fold, keys, tokens, truncate


def test_fold_removes_case_diacritics_emoji_and_control_characters() -> None:
    assert fold("Fryslân Coöperatie").split() == ["fryslan", "cooperatie"]
    assert tokens("café 🎉\x00\x1b[0m ok") == ["cafe", "0m", "ok"]
    assert tokens("🐝🌸") == []


def test_hyphens_and_apostrophes_split_tokens() -> None:
    assert tokens("Amsterdam-Noord") == ["amsterdam", "noord"]
    assert tokens("'s-Hertogenbosch") == ["s", "hertogenbosch"]


def test_cased_tokens_align_with_tokens() -> None:
    text = "Wij wonen in Goes, niet in goes-west; Sittard-Geleen!"
    assert [t for t, _ in cased_tokens(text)] == tokens(text)
    assert ("goes", True) in cased_tokens(text) and ("goes", False) in cased_tokens(text)


def test_stems_join_inflections_in_both_languages() -> None:
    assert keys("subsidies") & keys("subsidie")
    assert keys("funds") & keys("funding")
    assert keys("fietsen") & keys("fiets")


def test_truncate_cuts_long_input() -> None:
    assert len(truncate("x" * (MAX_CHARS * 3))) == MAX_CHARS
    assert truncate("kort") == "kort"


def test_language_detection() -> None:
    assert detect(tokens("Wij willen graag een potje voor de buurt")) == "nl"
    assert detect(tokens("We would like a grant for the street")) == "en"
    assert detect([]) == "nl"
    assert detect([], default="en") == "en"


def test_dutch_ij_typed_as_y_meets_the_ij_form() -> None:
    assert "wyk" in keys("wijk") and "fynstof" in keys("fijnstof")
    assert keys("wyk") & keys("wijk")
    assert detect(tokens("wy zoeken een plek voor myn buurtgroep")) == "nl"
    assert detect(tokens("we walk by the river with our kids")) == "en"
