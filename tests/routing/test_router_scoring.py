"""Row-by-row scoring (small maps) and array scoring (large maps) give the same results.

The router scores the few entries a question touches in Python and a large map's entries
all at once with numpy; the Python path repeats numpy's float32 arithmetic, so both must
agree to the last bit on every field of the result.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.model import KnowledgeMap, Need, Text, Theme
from routing.result import Hints
from routing.router import Router
from tests.routing.test_router import make_map

DAY = dt.date(2030, 6, 1)


def widened(kmap: KnowledgeMap, size: int, seed: int = 3) -> KnowledgeMap:
    """The test map's entries repeated with shuffled themes, needs, places and stages, so
    that entries match several themes and needs at once."""
    rng = random.Random(seed)
    themes = [t.id for t in kmap.themes]
    needs = [n.id for n in kmap.needs]
    entries = []
    for i in range(size):
        base = kmap.entries[i % len(kmap.entries)]
        region = rng.choice(["nl", "kustland", "heuvelland"])
        munis: tuple[str, ...] = ()
        if region != "nl" and rng.random() < 0.3:
            munis = (rng.choice(kmap.region(region).municipalities),)
        entries.append(replace(
            base, id=f"{base.id}-{i}", name=f"{base.name} {i}",
            summary=Text(f"{base.summary.nl} {rng.choice(themes)} {rng.choice(needs)}"),
            themes=tuple(rng.sample(themes, k=rng.randint(0, 3))),
            needs=tuple(rng.sample(needs, k=rng.randint(1, 3))),
            regions=(region,), municipalities=munis,
            stages=tuple(rng.sample(["idea", "starting", "running", "scaling"],
                                    k=rng.randint(0, 2))),
        ))
    return replace(kmap, entries=tuple(entries))


MAPS = {"small": make_map(), "wide": widened(make_map(), 120),
        "large": widened(make_map(), 1500)}
# (row by row, all at once): on the large map row by row is forced, with common words'
# text evidence summed as arrays
ROUTERS = {name: (Router(k, sparse_max_rows=10**9 if name == "large" else 256),
                  Router(k, sparse_max_rows=-1)) for name, k in MAPS.items()}


def _words(kmap: KnowledgeMap) -> list[str]:
    out = ["in", "voor", "geld", "hoe", "wij", "onze", "tips", "we", "help", "bij", "de"]
    items: list[Theme | Need] = [*kmap.themes, *kmap.needs]
    for item in items:
        out += [*item.terms.all(), item.label.nl]
    out += [e.name for e in kmap.entries[:12]]
    out += [m for r in kmap.regions for m in (r.name, *r.municipalities)]
    return out


@pytest.mark.parametrize("name", sorted(MAPS))
def test_both_scorings_pick_the_same_routes(name: str) -> None:
    sparse, dense = ROUTERS[name]
    words = _words(MAPS[name])
    rng = random.Random(11)
    routed = 0
    for _ in range(300):
        text = " ".join(rng.choices(words, k=rng.randint(1, 9)))
        a, b = sparse.route(text, today=DAY), dense.route(text, today=DAY)
        assert a == b, text
        routed += bool(a.routes)
    assert routed > 100  # the comparison covered real rankings, not empty results


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(MAPS)), st.lists(st.sampled_from(_words(MAPS["wide"])),
                                               max_size=10),
       st.sampled_from([None, "kustland", "heuvelland"]),
       st.sampled_from([None, "idea", "scaling"]), st.integers(1, 10))
def test_both_scorings_agree_with_hints(name: str, words: list[str], region: str | None,
                                        stage: str | None, max_routes: int) -> None:
    sparse, dense = ROUTERS[name]
    hints = Hints(region=region, stage=stage)
    text = " ".join(words)
    assert sparse.route(text, today=DAY, hints=hints, max_routes=max_routes) == \
        dense.route(text, today=DAY, hints=hints, max_routes=max_routes)
