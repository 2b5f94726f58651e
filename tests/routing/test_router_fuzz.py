"""Any text gives a valid result: property test over random Unicode."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from routing.result import CLARIFY_ORDER
from routing.router import Router
from tests.routing.test_router import make_map

ROUTER = Router(make_map())
DAY = dt.date(2030, 6, 1)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400) | st.text(alphabet="bijen subsidie Zandhaven 🐝\n\t-'", max_size=200))
def test_any_text_gives_a_valid_result(text: str) -> None:
    r = ROUTER.route(text, today=DAY)
    assert r.lang in ("nl", "en")
    assert 0.0 <= r.confidence <= 1.0
    assert list(r.clarify) == [c for c in CLARIFY_ORDER if c in r.clarify]
    if r.out_of_scope:
        assert r.redirect and not r.routes and r.servant is None
    elif not r.routes:  # nothing fits: a knowledge gap, reported with zero confidence
        assert r.confidence == 0.0
    ids = [x.id for x in r.routes]
    assert len(ids) == len(set(ids)) <= 10
    for route in r.routes:
        assert route.why and 0.0 <= route.score <= 1.0
    line = r.to_json("q")
    assert set(line) == {"id", "themes", "needs", "region", "municipality", "out_of_scope",
                         "clarify", "routes", "servant"}
