"""Place resolution from the map's regions, with general Dutch name rules."""

from routing.model import Region
from routing.normalize import cased_tokens
from routing.places import PlaceIndex, derived_municipality_names

REGIONS = (
    Region("noord-kustland", "Noord-Kustland", ("Zandhaven", "Goes", "'s-Hertogenbosch",
                                                "Ede", "Midden-Dorp")),
    Region("zuid-kustland", "Zuid-Kustland", ("Houten",)),
    Region("friesland", "Fryslân", ("Leeuwarden",), aliases=("Friesland",)),
    Region("heuvelland", "Heuvelland", ("Bergdorp",), municipality_aliases={"Bergje": "Bergdorp"}),
)


def find(text: str, common: tuple[str, ...] = ()) -> list[tuple[str, str | None]]:
    index = PlaceIndex(REGIONS, common_words=common)
    cased = cased_tokens(text)
    matches = index.find([t for t, _ in cased], [c for _, c in cased])
    return [(m.region, m.municipality) for m in matches]


def test_municipality_gives_its_province() -> None:
    assert find("wij wonen in zandhaven") == [("noord-kustland", "Zandhaven")]


def test_province_by_name_id_alias_and_diacritics() -> None:
    assert find("ergens in Fryslân") == [("friesland", None)]
    assert find("ergens in frysland") == [("friesland", None)]
    assert find("iets voor heel Friesland") == [("friesland", None)]


def test_compound_province_part_only_when_unique() -> None:
    index = PlaceIndex((Region("noord-brabant", "Noord-Brabant"),
                        Region("noord-holland", "Noord-Holland"),
                        Region("zuid-holland", "Zuid-Holland")))
    assert [m.region for m in index.find(["in", "brabant"])] == ["noord-brabant"]
    assert [m.region for m in index.find(["brabantse", "dorpen"])] == ["noord-brabant"]
    assert index.find(["in", "holland"]) == []


def test_s_hertogenbosch_variants() -> None:
    forms = derived_municipality_names("'s-Hertogenbosch")
    assert ("den", "bosch") in forms and ("hertogenbosch",) in forms
    assert find("Een buurt in Den Bosch") == [("noord-kustland", "'s-Hertogenbosch")]
    assert find("in s-hertogenbosch") == [("noord-kustland", "'s-Hertogenbosch")]


def test_hyphenated_names_with_spaces_or_joined() -> None:
    assert find("bij Midden-Dorp") == [("noord-kustland", "Midden-Dorp")]
    assert find("bij midden dorp") == [("noord-kustland", "Midden-Dorp")]


def test_municipality_alias_from_the_map() -> None:
    assert find("wij zitten in Bergje") == [("heuvelland", "Bergdorp")]


def test_ordinary_words_need_a_capital_or_preposition() -> None:
    assert find("het gaat goes", common=("goes",)) == []
    assert find("we wonen in goes") == [("noord-kustland", "Goes")]
    assert find("we wonen Goes") == [("noord-kustland", "Goes")]
    assert find("een houten bankje") == []
    assert find("de bank is van houten planken, in Houten") == [("zuid-kustland", "Houten")]
    assert find("ede") == []
    assert find("dorp bij Ede") == [("noord-kustland", "Ede")]


def test_small_typo_in_a_long_name() -> None:
    assert find("wij wonen in Leuwarden") == [("friesland", "Leeuwarden")]


def test_english_compass_names() -> None:
    assert find("a group in North Kustland") == [("noord-kustland", None)]


def test_a_name_in_two_provinces_is_not_guessed() -> None:
    index = PlaceIndex((Region("a", "Aland", ("Bergen", "Zandstad")),
                        Region("b", "Beland", ("Bergen",))))
    assert index.find(["in", "bergen"]) == []
    assert [m.municipality for m in index.find(["in", "zandstad"])] == ["Zandstad"]


def test_adjective_forms_of_names() -> None:
    assert find("de Zandhavense jeugd") == [("noord-kustland", "Zandhaven")]


def test_slip_in_a_short_name_but_not_an_everyday_word() -> None:
    assert find("wij wonen in Houtn") == [("zuid-kustland", "Houten")]
    assert find("wij wonen in Bergdrop") == [("heuvelland", "Bergdorp")]
    # "houden" is one letter from "Houten", but an everyday Dutch word
    assert find("dat houden we in houden") == []


def test_dutch_ij_typed_as_y_in_a_name() -> None:
    index = PlaceIndex((Region("gelre", "Gelre", ("Nijmegen", "Rijssen-Holten")),))
    for text in ("wij wonen in Nymegen", "buurtgroep uit Ryssen-Holten"):
        cased = cased_tokens(text)
        found = index.find([t for t, _ in cased], [c for _, c in cased])
        assert [m.region for m in found] == ["gelre"], text
