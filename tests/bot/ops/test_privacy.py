"""Export and erase what the desk holds about one volunteer, on SQLite and PostgreSQL.
Erase is checked by scanning EVERY table and column for the volunteer's identifiers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session
from typer.testing import CliRunner

from bot import privacy
from bot.db import transaction
from tests.bot.ops.privacy_data import ANNA, BOB, T0, add_person, add_shared_rows, count_rows, scan


@pytest.fixture
def people(engine: sa.Engine) -> dict[str, tuple[int, int]]:
    with transaction(engine) as session:
        ids = {"anna": add_person(session, ANNA, servant="anouk-de-vries", state="in_progress"),
               "bob": add_person(session, BOB, servant="anouk-de-vries", state="closed")}
        add_shared_rows(session)
    return ids


def test_scanner_finds_identifiers_before_erase(engine: sa.Engine,
                                                people: dict[str, tuple[int, int]]) -> None:
    hits = scan(engine, ANNA.identifiers)
    tables = {h.split(".")[0] for h in hits}
    assert {"volunteer", "case", "message", "outbox", "kv", "caseevent"} <= tables


def test_erase_leaves_nothing_of_the_volunteer_and_everything_of_others(
        engine: sa.Engine, people: dict[str, tuple[int, int]]) -> None:
    before = count_rows(engine)
    report = privacy.erase_volunteer(engine, people["anna"][0], now=T0)
    assert scan(engine, ANNA.identifiers) == []
    assert report.cases == 1 and report.messages == 2 and report.outbox == 2
    assert report.adapter_state == 1 and report.followups == 1 and report.events == 1
    after = count_rows(engine)
    # Bob is untouched, and so are the rows that belong to nobody
    assert len(scan(engine, BOB.identifiers)) == len(scan(engine, BOB.identifiers)) > 0
    assert after["volunteer"] == before["volunteer"] - 1
    for table in ("servantstate", "checkinstat", "inboundseen"):
        assert after[table] == before[table]
    with Session(engine) as session:
        assert privacy.export_in_session(session, people["bob"][0])["cases"][0]["messages"]


def test_erase_twice_is_harmless(engine: sa.Engine, people: dict[str, tuple[int, int]]) -> None:
    privacy.erase_volunteer(engine, people["anna"][0], now=T0)
    again = privacy.erase_volunteer(engine, people["anna"][0], now=T0)
    assert again.cases == again.messages == again.outbox == 0


def test_export_holds_everything_and_only_that_volunteer(
        engine: sa.Engine, people: dict[str, tuple[int, int]]) -> None:
    data = privacy.export_volunteer(engine, people["anna"][0])
    text = json.dumps(data, ensure_ascii=False)
    for identifier in ANNA.identifiers:
        assert identifier in text
    for identifier in BOB.identifiers:
        assert identifier not in text
    assert data["format"] == privacy.EXPORT_FORMAT
    [case] = data["cases"]
    assert case["id"] == people["anna"][1]
    assert [m["text"] for m in case["messages"]] == [ANNA.question, ANNA.reply]
    assert case["consent_wording"] and case["consent_at"].startswith("2026-03-02")
    assert len(data["messages_sent_to_or_about_you"]) == 2
    assert data["channel_state"][0]["key"].endswith(ANNA.chat_id)


def test_find_volunteers_by_id_channel_and_handle(
        engine: sa.Engine, people: dict[str, tuple[int, int]]) -> None:
    anna, bob = people["anna"][0], people["bob"][0]
    assert privacy.find_volunteers(engine, str(anna)) == [anna]
    assert privacy.find_volunteers(engine, f"telegram:{BOB.sender_id}") == [bob]
    assert privacy.find_volunteers(engine, ANNA.sender_id) == [anna]
    assert privacy.find_volunteers(engine, "matrix:@nobody:example.org") == []


def test_cli_export_and_erase(engine: sa.Engine, people: dict[str, tuple[int, int]],
                              db_url: str, tmp_path: pytest.TempPathFactory,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.cli  # noqa: F401
    from bot.cli._apps import app

    monkeypatch.setenv("WEGWIJS_DATABASE_URL", db_url)
    runner = CliRunner()
    anna = people["anna"][0]
    exported = runner.invoke(app, ["privacy", "export", "--volunteer", f"matrix:{ANNA.sender_id}"])
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.stdout)["volunteer"]["id"] == anna

    refused = runner.invoke(app, ["privacy", "erase", "--volunteer", str(anna)], input="n\n")
    assert refused.exit_code != 0 and scan(engine, ANNA.identifiers)

    erased = runner.invoke(app, ["privacy", "erase", "--volunteer", str(anna), "--yes"])
    assert erased.exit_code == 0, erased.output
    assert "1 case(s)" in erased.stdout
    assert scan(engine, ANNA.identifiers) == []

    missing = runner.invoke(app, ["privacy", "export", "--volunteer", str(anna)])
    assert missing.exit_code == 1


def _clear_channel_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WEGWIJS_TELEGRAM_TOKEN", "WEGWIJS_MATRIX_HOMESERVER"):
        monkeypatch.delenv(name, raising=False)


def _unsent(engine: sa.Engine) -> list[tuple[str, str, str | None, str]]:
    from sqlmodel import col, select

    from bot.models import OutboxMessage

    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage).where(col(OutboxMessage.sent_at).is_(None))
                            .order_by(col(OutboxMessage.id))).all()
        return [(r.channel, r.chat_id, r.servant_id, r.text) for r in rows]


def test_cli_erase_tells_the_servant_of_an_open_case(
        engine: sa.Engine, db_url: str, eval_knowledge_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.cli  # noqa: F401
    from bot.cli._apps import app

    with transaction(engine) as session:  # Anna's case is open, Bob's closed
        anna = add_person(session, ANNA, servant="anouk-de-vries", state="in_progress")
        add_person(session, BOB, servant="jeroen-van-dijk", state="closed")
    _clear_channel_env(monkeypatch)
    monkeypatch.setenv("WEGWIJS_DATABASE_URL", db_url)
    monkeypatch.setenv("WEGWIJS_KNOWLEDGE", str(eval_knowledge_dir))
    monkeypatch.setenv("WEGWIJS_MATRIX_HOMESERVER", "https://matrix.desk.test")
    before = _unsent(engine)

    erased = CliRunner().invoke(app, ["privacy", "erase", "--volunteer", str(anna[0]), "--yes"])
    assert erased.exit_code == 0, erased.output
    assert "told 1 civil servant(s)" in erased.stdout
    notices = [row for row in _unsent(engine) if row not in before]
    # Anouk has never written to the bot: the map's Matrix address, the desk's wording
    assert notices == [("matrix", "@anouk:desk.test", "anouk-de-vries",
                        f"Zaak {anna[1]} is gewist op verzoek van de vrijwilliger.")]
    assert scan(engine, ANNA.identifiers) == []  # the notice holds nothing about Anna


def test_cli_erase_without_open_cases_tells_nobody_and_needs_no_map(
        engine: sa.Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.cli  # noqa: F401
    from bot.cli._apps import app

    with transaction(engine) as session:
        bob = add_person(session, BOB, servant="jeroen-van-dijk", state="closed")
        add_shared_rows(session)
    _clear_channel_env(monkeypatch)
    monkeypatch.setenv("WEGWIJS_DATABASE_URL", db_url)
    monkeypatch.setenv("WEGWIJS_KNOWLEDGE", str(tmp_path / "no-map-here"))
    before = _unsent(engine)
    erased = CliRunner().invoke(app, ["privacy", "erase", "--volunteer", str(bob[0]), "--yes"])
    assert erased.exit_code == 0, erased.output
    assert "knowledge map could not be loaded" in erased.output
    assert scan(engine, BOB.identifiers) == []
    assert "told 0 civil servant(s)" in erased.stdout
    assert [row for row in _unsent(engine) if row not in before and row[2]] == []
