"""The report's figures are the database's figures; nothing personal leaks into it."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, inspect, select

from bot.db import make_engine
from bot.models import Case, CheckinStat
from bot.report import build_report
from bot.report.question_stats import question_stat
from bot.workdays import add_working_days
from tests.bot.report.seed import CASE_TEXT, END, HANDLE, PERSONAL, START, seed

AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
#: The seed's province ids as the report names them when no map is loaded.
READABLE = {"utrecht": "Utrecht", "noord-holland": "Noord-Holland",
            "gelderland": "Gelderland", "limburg": "Limburg"}


class Figures(HTMLParser):
    """Collects ``data-label``/``data-value`` marks per figure table and per chart."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[tuple[str, str]]] = {}
        self.marks: dict[str, list[tuple[str, str]]] = {}
        self.cards: dict[str, str] = {}
        self.tags: Counter[str] = Counter()
        self._table: str | None = None
        self._svg: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags[tag] += 1
        if tag == "table" and "data-figure" in a:
            self._table = a["data-figure"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table and "data-label" in a:
            self.tables[self._table].append((a["data-label"], a["data-value"]))
        elif tag == "svg":
            self._svg = a.get("id")
            if self._svg:
                self.marks[self._svg] = []
        elif tag == "rect" and self._svg and "data-label" in a:
            self.marks[self._svg].append((a["data-label"], a["data-value"]))
        elif tag == "div" and a.get("id", "").startswith("card-"):
            self.cards[a["id"][5:]] = a["data-value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag == "svg":
            self._svg = None


def parse(html: str) -> Figures:
    parser = Figures()
    parser.feed(html)
    return parser


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    seed(engine)
    yield engine
    engine.dispose()


def _bounds() -> tuple[dt.datetime, dt.datetime]:
    lo = dt.datetime.combine(START, dt.time(0), tzinfo=AMS).astimezone(dt.UTC)
    hi = dt.datetime.combine(END + dt.timedelta(days=1), dt.time(0), tzinfo=AMS)
    return lo, hi.astimezone(dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def _as_int(pairs: list[tuple[str, str]]) -> dict[str, int]:
    return {label: int(float(value)) for label, value in pairs}


def test_figures_match_the_database_rows(engine: Engine) -> None:
    html = build_report(engine, start=START, end=END, kmap=None, now=NOW)
    figures = parse(html)
    lo, hi = _bounds()
    q_t, case_t, checkin_t = (question_stat.c, inspect(Case).local_table.c,
                              inspect(CheckinStat).local_table.c)
    with engine.connect() as conn:
        questions = conn.execute(select(q_t.at, q_t.theme, q_t.needs, q_t.region,
                                        q_t.out_of_scope, q_t.gap)
                                 .where(q_t.at >= lo, q_t.at < hi)).all()
        by_region = {READABLE[r] if r else "(onbekend / unknown)": n for r, n in conn.execute(
            select(q_t.region, func.count()).where(q_t.at >= lo, q_t.at < hi,
                                                   q_t.out_of_scope.is_(False))
            .group_by(q_t.region)).all()}
        in_period = (case_t.created_at >= lo, case_t.created_at < hi)
        funnel = conn.execute(select(func.count(), func.count(case_t.consent_at),
                                     func.count(case_t.accepted_at),
                                     func.count(case_t.resolved_at)).where(*in_period)).one()
        offered = conn.execute(select(case_t.offered_at, case_t.accepted_at).where(
            *in_period, case_t.offered_at.is_not(None), case_t.accepted_at.is_not(None))).all()
        helped: dict[str, int] = dict(conn.execute(select(checkin_t.answer, func.count()).where(
            checkin_t.at >= lo, checkin_t.at < hi).group_by(checkin_t.answer)).all())

    assert len(questions) > 100  # the seed put most rows inside the period
    in_scope = [q for q in questions if not q.out_of_scope]
    assert figures.cards["questions"] == str(len(questions))
    assert _as_int(figures.tables["scope"]) == {
        "binnen / in scope": len(in_scope), "buiten / out of scope": len(questions)
        - len(in_scope)}

    assert _as_int(figures.tables["province"]) == by_region
    assert _as_int(figures.marks["chart-province"]) == by_region

    needs = Counter(n for q in in_scope
                    for n in q.needs)
    assert _as_int(figures.tables["needs"]) == dict(needs)

    weekly: Counter[tuple[str, str]] = Counter()
    for q in in_scope:
        year, week, _ = _utc(q.at).astimezone(AMS).date().isocalendar()
        weekly[(f"{year}-W{week:02d}", q.theme or "(onbekend / unknown)")] += 1
    marks = {tuple(label.split("|")): int(v) for label, v in figures.marks["chart-weekly"]}
    assert marks == dict(weekly)  # every theme fits in the top 8: no "overig / other" bucket
    assert sum(marks.values()) == len(in_scope)

    assert [int(v) for _, v in figures.tables["funnel"]] == list(funnel)
    assert [int(v) for _, v in figures.marks["chart-funnel"]] == list(funnel)

    within = sum(_utc(a) <= add_working_days(_utc(o), 1) for o, a in offered)
    accept = _as_int(figures.tables["accept"])
    assert sum(accept.values()) == len(offered)
    assert sum(list(accept.values())[:3]) == within

    assert _as_int(figures.tables["helped"]) == {
        "ja / yes": helped.get("yes", 0), "deels / partly": helped.get("partly", 0),
        "nee / no": helped.get("no", 0)}

    gaps = sum(q.gap for q in in_scope)
    assert figures.cards["gaps"] == str(gaps)
    assert sum(int(v) for _, v in figures.tables["gaps"]) == gaps


def test_only_aggregates_and_masked_gap_questions(engine: Engine) -> None:
    html = build_report(engine, start=START, end=END, now=NOW)
    assert CASE_TEXT not in html and HANDLE not in html
    for raw in ("06-12345678", "piet.puk@example.com", "3511 AB", "Jan Jansen", "@buurtheld"):
        assert raw not in html
    assert any(label in html for label in ("[telefoon]", "[e-mail]", "[postcode]", "[naam]",
                                           "[@handle]"))
    assert len(PERSONAL) == 5


def test_the_page_is_self_contained(engine: Engine) -> None:
    html = build_report(engine, start=START, end=END, now=NOW)
    figures = parse(html)
    assert figures.tags["script"] == 0
    assert figures.tags["link"] == 0 and figures.tags["img"] == 0 and figures.tags["iframe"] == 0
    urls = set(re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", html))
    assert urls <= {"http://www.w3.org/2000/svg"}  # the SVG namespace, never fetched
    assert "@import" not in html and "url(" not in html
    assert len(figures.marks) >= 7  # weekly, province, needs, funnel, accept, helped, scope


def test_the_period_filters_rows(engine: Engine) -> None:
    one_week = build_report(engine, start=dt.date(2026, 10, 12),
                            end=dt.date(2026, 10, 18), now=NOW)
    lo = dt.datetime(2026, 10, 12, tzinfo=AMS).astimezone(dt.UTC)
    hi = dt.datetime(2026, 10, 19, tzinfo=AMS).astimezone(dt.UTC)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).where(
            question_stat.c.at >= lo, question_stat.c.at < hi)).scalar_one()
    figures = parse(one_week)
    assert figures.cards["questions"] == str(count)
    weeks = {label.split("|")[0] for label, _ in figures.marks["chart-weekly"]}
    assert weeks <= {"2026-W42"}


def test_an_empty_database_gives_an_empty_report(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    from bot.db import create_schema

    create_schema(engine)
    html = build_report(engine, start=START, end=END, now=NOW)
    engine.dispose()
    figures = parse(html)
    assert figures.cards["questions"] == "0"
    assert "Geen kennisgaten" in html
    assert "geen vraagstatistiek" not in html  # the desk's schema has question_stat


def test_a_database_without_question_stats_says_so(tmp_path: Path) -> None:
    from bot.db import create_schema

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    create_schema(engine)
    with engine.begin() as conn:  # a database from before question statistics existed
        conn.exec_driver_sql("DROP TABLE question_stat")
    html = build_report(engine, start=START, end=END, now=NOW)
    engine.dispose()
    assert parse(html).cards["questions"] == "0"
    assert "geen vraagstatistiek" in html


def test_without_question_stats_the_cases_are_counted_and_masked(tmp_path: Path) -> None:
    from sqlmodel import Session

    from bot.db import create_schema

    engine = make_engine(f"sqlite:///{tmp_path / 'cases.db'}")
    create_schema(engine)
    with engine.begin() as conn:  # a database from before question statistics existed
        conn.exec_driver_sql("DROP TABLE question_stat")
    at = dt.datetime(2026, 10, 14, 9, 0, tzinfo=dt.UTC)
    with Session(engine) as session:
        session.add(Case(state="new", question="Bel Jan op 06-12345678 over de moestuin",
                         theme="voedsel", need="funding", region="utrecht",
                         routes=[{"id": "x", "score": 0.1}], created_at=at, updated_at=at))
        session.add(Case(state="new", question="NOT-A-GAP-TEXT", theme="energie",
                         need="knowledge", region="limburg",
                         routes=[{"id": "y", "score": 0.9}], created_at=at, updated_at=at))
        session.commit()
    html = build_report(engine, start=START, end=END, now=NOW)
    engine.dispose()
    figures = parse(html)
    assert figures.cards["questions"] == "2"
    assert _as_int(figures.tables["province"]) == {"Utrecht": 1, "Limburg": 1}
    assert _as_int(figures.tables["gaps"]) == {"voedsel|Utrecht": 1}
    assert "06-12345678" not in html and "NOT-A-GAP-TEXT" not in html
    assert "[telefoon]" in html and "moestuin" in html
    assert figures.cards["out-of-scope"] == "–"  # not known from cases alone


def _add_question(engine: Engine, region: str) -> None:
    at = dt.datetime(2026, 10, 14, 9, 0, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(question_stat.insert(), [dict(
            at=at, lang="nl", theme="zwerfafval", needs=["funding"], region=region,
            municipality=None, out_of_scope=False, clarify=[], confidence=0.9,
            top_route=None, servant_id=None, general_desk=False, gap=False, gap_text=None)])


def _province_labels(html: str) -> set[str]:
    figures = parse(html)
    labels = {label for label, _ in figures.tables["province"]}
    assert labels == {label for label, _ in figures.marks["chart-province"]}
    return labels


def test_province_bars_show_the_names_from_the_knowledge_map(
        engine: Engine, eval_knowledge_dir: Path) -> None:
    from routing.load import load_knowledge

    kmap = load_knowledge(eval_knowledge_dir)
    _add_question(engine, "friesland")  # the eval map names it "Fryslân"
    html = build_report(engine, start=START, end=END, kmap=kmap, now=NOW)
    names = {r.id: r.name for r in kmap.regions}
    labels = _province_labels(html)
    assert {"Noord-Holland", "Fryslân", "Utrecht"} <= labels
    assert labels == {names[r] for r in [*READABLE, "friesland"]} | {"(onbekend / unknown)"}
    assert "noord-holland" not in html and "friesland" not in html


def test_province_bars_without_a_map_show_readable_names(engine: Engine) -> None:
    html = build_report(engine, start=START, end=END, kmap=None, now=NOW)
    labels = _province_labels(html)
    assert labels == set(READABLE.values()) | {"(onbekend / unknown)"}
    assert "noord-holland" not in html
