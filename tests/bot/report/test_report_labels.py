"""Theme and need names in the report in Dutch and English ("Zwerfafval / Litter"), like the
report's own labels; the figures keep their shape, and long names are not cut off."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
from pathlib import Path

import pytest

from bot.db import make_engine
from bot.report import bilingual, build_report, charts, labels_from_map
from bot.report.data import ACCEPT_BUCKETS, QuestionFact, aggregate
from bot.report.page import render
from routing.load import load_knowledge
from routing.model import KnowledgeMap, Need, Region, Text, Theme
from tests.bot.report.seed import END, START, seed
from tests.bot.report.test_report import parse
from tests.fixtures.chromium import Chromium

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
AT = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("label", "shown"), [
    (Text("Zwerfafval", "Litter"), "Zwerfafval / Litter"),
    (Text("Geld en financiering", "Funding"), "Geld en financiering / Funding"),
    (Text("Water", "Water"), "Water"),  # the same word: once
    (Text("Citizen science", "citizen science"), "Citizen science"),  # only the case differs
    (Text("Bodem"), "Bodem"),  # no English in the map
    (Text("Bodem", ""), "Bodem"),
    (Text("Bodem", "  "), "Bodem"),
])
def test_a_map_label_is_shown_in_both_languages_only_when_they_differ(label: Text,
                                                                      shown: str) -> None:
    assert bilingual(label) == shown


def test_labels_from_the_map_name_themes_and_needs_in_both_languages() -> None:
    kmap = KnowledgeMap(
        themes=(Theme("zwerfafval", Text("Zwerfafval", "Litter")), Theme("water",
                                                                         Text("Water", "Water"))),
        needs=(Need("funding", Text("Geld", "Funding")), Need("advies", Text("Advies"))),
        regions=(Region("friesland", "Fryslân"),), entries=(), servants=())
    assert labels_from_map(kmap) == {
        "nl": "landelijk / national", "zwerfafval": "Zwerfafval / Litter", "water": "Water",
        "funding": "Geld / Funding", "advies": "Advies", "friesland": "Fryslân"}
    assert labels_from_map(None) == {}


def test_the_report_with_the_example_map_shows_both_languages(
        tmp_path: Path, eval_knowledge_dir: Path) -> None:
    kmap = load_knowledge(eval_knowledge_dir)
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    try:
        seed(engine)
        html = build_report(engine, start=START, end=END, kmap=kmap, now=NOW)
    finally:
        engine.dispose()
    figures = parse(html)
    needs = {label for label, _ in figures.tables["needs"]}
    assert "Geld en financiering / Funding" in needs
    assert needs == {label for label, _ in figures.marks["chart-needs"]}
    assert all(" / " in label for label in needs)
    # the weekly figure keeps its shape: "week|theme", the theme as the reader sees it
    weekly = [label.split("|") for label, _ in figures.marks["chart-weekly"]]
    assert all(len(parts) == 2 and re.fullmatch(r"\d{4}-W\d\d", parts[0])
               for parts in weekly)
    themes = {theme for _, theme in weekly}
    assert {"Zwerfafval / Litter", "Energie / Energy", "Voedsel / Food"} <= themes
    assert "Zwerfafval" not in themes  # no Dutch-only name left beside the bilingual one
    # the knowledge-gap table names themes the same way
    gap_themes = re.findall(r'<tr data-label="([^"|]*)\|', html)
    assert gap_themes and all(t in themes | {"(onbekend / unknown)"} for t in gap_themes)
    # provinces have one name; they are not doubled
    assert "Utrecht" in {label for label, _ in figures.tables["province"]}


def _every_label_report(kmap: KnowledgeMap) -> str:
    """A report in which every theme and need of ``kmap`` has a bar, a legend entry or a
    row (each theme in its own week, so the legend lists them all)."""
    facts = [QuestionFact(at=AT, theme=t.id, needs=tuple(n.id for n in kmap.needs),
                          region="utrecht", municipality=None, out_of_scope=False, gap=False)
             for t in kmap.themes]
    data = aggregate(start=dt.date(2026, 11, 9), end=dt.date(2026, 11, 15), questions=facts,
                     cases=[], checkins=[], labels=labels_from_map(kmap),
                     add_working_days=lambda t, d: t + dt.timedelta(days=d), now=NOW,
                     top_themes=len(kmap.themes))
    return render(data, generated_at=NOW)


# Measures every SVG text after layout: what sticks out of its picture's viewBox, and
# texts that overlap one another; writes both into the page, for --dump-dom to show.
_MEASURE = """<script>
const out = [];
const over = (a, b) => a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 &&
                       a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;
for (const svg of document.querySelectorAll('svg')) {
  const box = svg.viewBox.baseVal;
  const seen = [];
  for (const text of svg.querySelectorAll('text')) {
    const b = text.getBBox();
    if (b.x < box.x - 0.5 || b.x + b.width > box.x + box.width + 0.5) {
      out.push([svg.id, text.textContent, 'outside']);
    }
    for (const [other, ob] of seen) {
      if (b.width && ob.width && over(b, ob)) {
        out.push([svg.id, text.textContent, 'overlaps', other]);
      }
    }
    seen.push([text.textContent, b]);
  }
}
const pre = document.createElement('pre');
pre.id = 'clipped';
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>"""


def _clipped(chromium: Chromium, html: str, folder: Path) -> list[list[str]]:
    page = folder / "report.html"
    page.write_text(html.replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
    done = chromium.dump_dom(page)
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'<pre id="clipped">(.*?)</pre>', done.stdout, re.S)
    assert found, "the measuring script did not run"
    result: list[list[str]] = json.loads(unescape(found[1]))
    return result


@pytest.mark.browser
def test_no_bilingual_name_is_cut_off_in_the_charts(chromium: Chromium, tmp_path: Path,
                                                    eval_knowledge_dir: Path) -> None:
    kmap = load_knowledge(eval_knowledge_dir)
    html = _every_label_report(kmap)
    longest = max([bilingual(t.label) for t in kmap.themes] + [bilingual(n.label) for n in kmap.needs],
                  key=len)
    assert longest in html and len(longest) > 40  # the case this test is about
    assert _clipped(chromium, html, tmp_path) == []


@pytest.mark.browser
def test_the_seeded_report_with_the_map_has_no_text_cut_off_or_overlapping(
        chromium: Chromium, tmp_path: Path, eval_knowledge_dir: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    try:
        seed(engine)
        html = build_report(engine, start=START, end=END,
                            kmap=load_knowledge(eval_knowledge_dir), now=NOW)
    finally:
        engine.dispose()
    assert _clipped(chromium, html, tmp_path) == []


@pytest.mark.browser
@pytest.mark.parametrize("tallest", range(5))
def test_the_norm_label_covers_no_count_and_no_bucket_name(chromium: Chromium,
                                                           tmp_path: Path,
                                                           tallest: int) -> None:
    """Time to accept, with each bucket in turn the tallest: its count is drawn at the top,
    where the norm line's label is."""
    items = [(label, 40 if i == tallest else 3 + i) for i, label in enumerate(ACCEPT_BUCKETS)]
    svg = charts.columns_with_marker(items, title="Tijd tot aannemen", marker_after=2,
                                     marker_label="norm: 1 werkdag / SLA",
                                     chart_id="chart-accept")
    assert _clipped(chromium, f"<html><body>{svg}</body></html>", tmp_path) == []


@pytest.mark.browser
def test_the_clipping_check_does_catch_a_label_that_sticks_out(chromium: Chromium,
                                                               tmp_path: Path) -> None:
    """The control for the tests above: a label drawn left of the picture, and two labels
    drawn over each other, are reported; labels side by side are not."""
    html = ('<html><body><svg id="s" viewBox="0 0 400 60" width="400" height="60">'
            '<text x="20" y="20" text-anchor="end" font-size="13">'
            "Klimaatadaptatie en hitte / Climate adaptation and heat</text>"
            '<text x="200" y="50" font-size="11">4 uur – 1 werkdag</text>'
            '<text x="230" y="50" font-size="11">1–2 werkdagen</text>'
            '<text x="340" y="20" font-size="11">apart</text></svg></body></html>')
    clipped = _clipped(chromium, html, tmp_path)
    assert sorted(row[2] for row in clipped) == ["outside", "overlaps"]
    assert ["s", "1–2 werkdagen", "overlaps", "4 uur – 1 werkdag"] in clipped
