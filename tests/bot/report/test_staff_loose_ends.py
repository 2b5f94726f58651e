"""Loose ends of the staff report: its own labels in both languages, and the date forms
Dutch programme staff type for ``--from``/``--to``."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli._apps import app
from bot.cli._dates import read_period_day
from bot.db import make_engine
from bot.report import page
from bot.report.charts import OTHER_COLOUR
from bot.report.data import QuestionFact, ReportData, aggregate
from tests.bot.report.seed import seed

runner = CliRunner()
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
AT = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)


# ------------------------------------------------------------ labels: Dutch / English


def _fact(theme: str | None, region: str | None, *, gap: bool = False) -> QuestionFact:
    return QuestionFact(at=AT, theme=theme, needs=("funding",), region=region,
                        municipality=None, out_of_scope=False, gap=gap,
                        gap_text="Waar vind ik geld?" if gap else None)


def _data() -> ReportData:
    """Three themes and an unknown one, with room for two: an "other" bucket, unknown
    themes and provinces, and a knowledge gap with neither theme nor place."""
    facts = [_fact("zwerfafval", "utrecht")] * 3 + [_fact(None, None)] * 2 + [
        _fact("energie", "limburg"), _fact("voedsel", None, gap=True),
        _fact(None, None, gap=True)]
    return aggregate(start=dt.date(2026, 11, 9), end=dt.date(2026, 11, 15), questions=facts,
                     cases=[], checkins=[], labels={"zwerfafval": "Zwerfafval"},
                     add_working_days=lambda t, d: t + dt.timedelta(days=d), now=NOW,
                     top_themes=2)


def test_unknown_and_other_are_labelled_in_both_languages() -> None:
    data = _data()
    assert list(data.by_week_theme) == ["Zwerfafval", "(onbekend / unknown)", "overig / other"]
    assert dict(data.by_province)["(onbekend / unknown)"] == 4
    gaps = {(g.theme, g.place): g.count for g in data.gaps}
    assert gaps == {("(onbekend / unknown)", "(onbekend / unknown)"): 1,
                    ("voedsel", "(onbekend / unknown)"): 1}


def test_the_page_has_no_dutch_only_remainder_labels() -> None:
    html = page.render(_data(), generated_at=NOW)
    assert "(onbekend)" not in html and ">overig<" not in html and "overig|" not in html
    # the remainder bucket is drawn, in its muted colour under the new name
    assert f'fill="{OTHER_COLOUR}" data-label="2026-W46|overig / other"' in html
    assert f'fill="{OTHER_COLOUR}" data-label="2026-W46|(onbekend' not in html


def test_national_and_the_time_to_accept_buckets_are_in_both_languages() -> None:
    facts = [_fact("zwerfafval", "nl")]
    data = aggregate(start=dt.date(2026, 11, 9), end=dt.date(2026, 11, 15), questions=facts,
                     cases=[], checkins=[], labels={},
                     add_working_days=lambda t, d: t + dt.timedelta(days=d), now=NOW)
    assert dict(data.by_province) == {"landelijk / national": 1}
    assert data.accept_buckets[0][0] == "< 1 uur / < 1 h"
    assert all(" / " in label for label, _ in data.accept_buckets)


# ------------------------------------------------------------ dates as staff type them


@pytest.mark.parametrize(("text", "last", "day"), [
    ("2026-11-23", False, dt.date(2026, 11, 23)),
    ("2026-11-23", True, dt.date(2026, 11, 23)),
    ("23-11-2026", False, dt.date(2026, 11, 23)),
    ("23/11/2026", True, dt.date(2026, 11, 23)),
    ("23.11.2026", False, dt.date(2026, 11, 23)),
    ("3-2-2026", False, dt.date(2026, 2, 3)),
    (" 03/02/2026 ", False, dt.date(2026, 2, 3)),
    ("2026-11", False, dt.date(2026, 11, 1)),
    ("2026-11", True, dt.date(2026, 11, 30)),
    ("2026-02", True, dt.date(2026, 2, 28)),
    ("2028-02", True, dt.date(2028, 2, 29)),
    ("2026-12", True, dt.date(2026, 12, 31)),
])
def test_period_days_in_the_forms_staff_type(text: str, last: bool, day: dt.date) -> None:
    assert read_period_day(text, last=last) == day


@pytest.mark.parametrize("text", [
    "13-13", "31-02-2026", "23-11-26", "11/23/2026", "2026-13", "23-11/2026", "2026/11/23",
    "23.11/2026", "volgende week", "", "2026-11-23-1",
])
def test_other_period_days_are_refused(text: str) -> None:
    forms = re.escape("2026-11-23, 23-11-2026, 23/11/2026, 23.11.2026 or 2026-11")
    with pytest.raises(ValueError, match=forms):
        read_period_day(text, last=False)


@pytest.fixture
def desk_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    engine = make_engine(url)
    seed(engine, questions=20, cases=5)
    engine.dispose()
    return url


def _report(tmp_path: Path, desk_db: str, *dates: str) -> tuple[int, str, str]:
    out = tmp_path / "r.html"
    done = runner.invoke(app, ["report", "--out", str(out), "--database-url", desk_db, *dates])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    html = out.read_text(encoding="utf-8") if out.exists() else ""
    return done.exit_code, done.output, html


@pytest.mark.parametrize(("dates", "start", "end"), [
    (("--from", "5-10-2026", "--to", "15/11/2026"), "2026-10-05", "2026-11-15"),
    (("--from", "2026-10", "--to", "2026-11"), "2026-10-01", "2026-11-30"),
    (("--from", "2026-11", "--to", "2026-11"), "2026-11-01", "2026-11-30"),
    (("--from", "2026-10-05", "--to", "2026-11-15"), "2026-10-05", "2026-11-15"),
])
def test_report_takes_dutch_dates_and_months(tmp_path: Path, desk_db: str,
                                             dates: tuple[str, ...], start: str,
                                             end: str) -> None:
    code, output, html = _report(tmp_path, desk_db, *dates)
    assert code == 0, output
    assert f'data-from="{start}"' in html and f'data-to="{end}"' in html
    assert f"({start} – {end})" in output  # the period as understood is echoed


@pytest.mark.parametrize(("option", "value", "month_means"), [
    ("--from", "31-02-2026", "the first day of that month"),
    ("--to", "11/23/2026", "the last day of that month"),
    ("--from", "23-11-26", "the first day of that month"),
])
def test_report_refuses_other_dates_in_one_sentence(tmp_path: Path, desk_db: str,
                                                    option: str, value: str,
                                                    month_means: str) -> None:
    code, output, html = _report(tmp_path, desk_db, option, value)
    assert code == 1 and html == ""
    assert output.strip() == (
        f"{option}: '{value}' is not a date; write 2026-11-23, 23-11-2026, 23/11/2026, "
        f"23.11.2026 or 2026-11 ({month_means}).")
    assert "Traceback" not in output


def test_today_of_other_commands_stays_iso(eval_knowledge_dir: Path) -> None:
    done = runner.invoke(app, ["knowledge", "check", str(eval_knowledge_dir),
                               "--today", "2026-11-23"])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["knowledge", "check", str(eval_knowledge_dir),
                               "--today", "23-11-2026"])
    assert done.exit_code == 1 and "is not a date like 2026-11-23" in done.output
