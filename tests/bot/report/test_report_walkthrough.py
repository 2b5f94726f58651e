"""The report read by someone who has to explain it to a manager (a walkthrough): every
column says what it counts in Dutch and English, and an empty period reads as a sentence,
not as "0 of 0"."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.db import create_schema, make_engine
from bot.report import build_report, collect
from bot.report.mask import mask
from tests.bot.report.seed import END, START, seed

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'seeded.db'}")
    seed(engine)
    yield engine
    engine.dispose()


def _headers(html: str) -> list[str]:
    return re.findall(r"<th>([^<]*)</th>", html)


def test_every_column_header_is_in_dutch_and_english(seeded: Engine) -> None:
    html = build_report(seeded, start=START, end=END, now=NOW)
    headers = [h for h in _headers(html) if h]
    assert headers, "the report has figure tables"
    assert [h for h in headers if " / " not in h] == []


def test_time_to_accept_sentence_matches_the_figures(seeded: Engine) -> None:
    data = collect(seeded, start=START, end=END, now=NOW)
    html = build_report(seeded, start=START, end=END, now=NOW)
    assert data.accepted_total > 0
    assert (f"{data.accepted_within_sla} van de {data.accepted_total} aangenomen "
            "overdrachten op tijd.") in html
    if data.waiting_past_sla:
        assert f"{data.waiting_past_sla} nog niet aangenomen en al over de norm." in html


def test_empty_period_reads_as_a_sentence(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    create_schema(engine)
    html = build_report(engine, start=dt.date(2026, 1, 5), end=dt.date(2026, 1, 18), now=NOW)
    engine.dispose()
    assert "Geen aangenomen overdrachten in deze periode." in html
    assert "0 van 0" not in html and "0 wachten nog" not in html
    assert "Geen kennisgaten in deze periode." in html


@pytest.mark.parametrize(("text", "surname"), [
    ("groeten van Jan-Willem van der Berg", "Berg"),
    ("Ik sprak met Piet van Dijk uit Utrecht", "Dijk"),
])
def test_surname_that_is_also_a_place_word_is_masked(text: str, surname: str) -> None:
    """"Berg" (Berg en Dal) and "Dijk" are map words; after "van der" they are a surname."""
    masked = mask(text, keep={"Berg", "Dal", "Dijk", "Utrecht"})
    assert surname not in masked and "[naam]" in masked
    assert "Utrecht" in masked or "Utrecht" not in text
