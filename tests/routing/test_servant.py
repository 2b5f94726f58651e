"""The handover rule: province > national > general desk; absence; capacity; ties."""

import datetime as dt

from routing.model import Absence, Servant, Text
from routing.servant import rank_servants
from tests.routing.test_router import make_map

DAY = dt.date(2030, 6, 1)


def order(theme: str | None, region: str | None, open_cases: dict[str, int] | None = None,
          exclude: tuple[str, ...] = (), day: dt.date = DAY) -> list[str]:
    return [s.id for s in rank_servants(make_map(), theme=theme, region=region, today=day,
                                        open_cases=open_cases or {}, exclude=exclude)]


def test_province_beats_national_beats_general_desk() -> None:
    assert order("bijen", "kustland") == ["bea-bij", "nina-nationaal", "gerda-desk"]


def test_other_province_gets_national_owner() -> None:
    assert order("bijen", "heuvelland") == ["nina-nationaal", "gerda-desk"]
    assert order("bijen", None) == ["nina-nationaal", "gerda-desk"]


def test_absent_servant_is_skipped() -> None:
    assert order("fietsen", None) == ["gerda-desk"]
    assert order("fietsen", None, day=dt.date(2030, 7, 1)) == ["fred-fiets", "gerda-desk"]


def test_full_servant_is_skipped() -> None:
    assert order("bijen", "kustland", {"bea-bij": 10}) == ["nina-nationaal", "gerda-desk"]
    assert order("bijen", "kustland", {"bea-bij": 9})[0] == "bea-bij"


def test_unknown_or_general_theme_goes_to_general_desk() -> None:
    assert order(None, None) == ["gerda-desk"]
    assert order("algemeen", "kustland") == ["gerda-desk"]


def test_exclude_gives_escalation_order() -> None:
    assert order("bijen", "kustland", exclude=("bea-bij",)) == ["nina-nationaal", "gerda-desk"]


def test_ties_go_to_fewest_open_cases_then_id() -> None:
    kmap = make_map()
    extra = Servant("anna-ander", "Anna Ander", Text("Adviseur"), "Rijk", ("bijen",), ("nl",))
    kmap = type(kmap)(kmap.themes, kmap.needs, kmap.regions, kmap.entries,
                      (*kmap.servants, extra))

    def ids(cases: dict[str, int]) -> list[str]:
        return [s.id for s in rank_servants(kmap, theme="bijen", region=None, today=DAY,
                                            open_cases=cases)]

    assert ids({})[:2] == ["anna-ander", "nina-nationaal"]
    assert ids({"anna-ander": 3, "nina-nationaal": 1})[:2] == ["nina-nationaal", "anna-ander"]


def test_a_tie_on_open_cases_goes_to_one_who_writes_the_volunteers_language() -> None:
    kmap = make_map()
    extra = Servant("anna-ander", "Anna Ander", Text("Adviseur"), "Rijk", ("bijen",), ("nl",))
    english = Servant("zoe-zee", "Zoe Zee", Text("Adviser"), "Rijk", ("bijen",), ("nl",),
                      languages=("nl", "en"))
    kmap = type(kmap)(kmap.themes, kmap.needs, kmap.regions, kmap.entries,
                      (*kmap.servants, extra, english))

    def ids(cases: dict[str, int], lang: str | None) -> list[str]:
        return [s.id for s in rank_servants(kmap, theme="bijen", region=None, today=DAY,
                                            open_cases=cases, lang=lang)]

    assert ids({}, "en")[0] == "zoe-zee"  # before the ids that sort earlier
    assert ids({}, "nl")[0] == "anna-ander" and ids({}, None)[0] == "anna-ander"
    # the rule comes first: fewer open cases still win, whatever the language
    assert ids({"zoe-zee": 1}, "en")[0] == "anna-ander"
    # and the province tier still beats a national servant who writes English
    assert rank_servants(kmap, theme="bijen", region="kustland", today=DAY,
                         open_cases={}, lang="en")[0].id == "bea-bij"


def test_absence_boundaries_are_inclusive() -> None:
    a = Absence(dt.date(2030, 1, 1), dt.date(2030, 1, 3))
    assert a.covers(dt.date(2030, 1, 1)) and a.covers(dt.date(2030, 1, 3))
    assert not a.covers(dt.date(2030, 1, 4))
