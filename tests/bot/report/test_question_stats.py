"""The per-question statistics row: routing outcome only; text only for gaps, masked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from bot.db import create_schema, make_engine
from bot.report.question_stats import ensure_table, question_stat, record_question, stat_for
from routing.model import KnowledgeMap, Servant, Text
from routing.result import Route, RouteResult, ServantRef

AT = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
TEXT = "Hoi, ik ben Jan Jansen, bel 06-12345678: wij willen geld voor de speeltuin"


def _servant(sid: str, themes: tuple[str, ...]) -> Servant:
    return Servant(id=sid, name=sid, title=Text("t"), organisation="o", themes=themes,
                   regions=("nl",))


KMAP = KnowledgeMap(themes=(), needs=(), regions=(), entries=(),
                    servants=(_servant("desk", ("algemeen",)), _servant("anouk", ("zwerfafval",))))


def _result(confidence: float, servant: str, routes: bool = True) -> RouteResult:
    return RouteResult(lang="nl", themes=("zwerfafval",), needs=("funding",), region="utrecht",
                       routes=(Route("fonds-x", "fund", "Fonds X", 3.0, "why"),) if routes else (),
                       servant=ServantRef(servant, servant), confidence=confidence)


def test_a_confident_route_keeps_no_text() -> None:
    row = stat_for(_result(0.9, "anouk"), TEXT, AT, KMAP)
    assert row["gap"] is False and row["gap_text"] is None
    assert row["theme"] == "zwerfafval" and row["top_route"] == "fonds-x"


def test_a_need_the_router_assumed_is_not_counted_as_asked_for() -> None:
    said = _result(0.9, "anouk")
    assumed = RouteResult(lang="nl", themes=("zwerfafval",), needs=("funding",),
                          routes=said.routes, servant=said.servant, confidence=0.9,
                          extra={"need_assumed": True})
    assert stat_for(said, TEXT, AT, KMAP)["needs"] == ["funding"]
    assert stat_for(assumed, TEXT, AT, KMAP)["needs"] == []


def test_low_confidence_is_a_gap_with_masked_text() -> None:
    row = stat_for(_result(0.1, "anouk"), TEXT, AT, KMAP)
    assert row["gap"] is True
    assert "06-12345678" not in row["gap_text"] and "Jansen" not in row["gap_text"]
    assert "speeltuin" in row["gap_text"]


def test_the_general_desk_and_no_route_are_gaps() -> None:
    assert stat_for(_result(0.9, "desk"), TEXT, AT, KMAP)["general_desk"] is True
    assert stat_for(_result(0.9, "desk"), TEXT, AT, KMAP)["gap"] is True
    assert stat_for(_result(0.9, "anouk", routes=False), TEXT, AT, KMAP)["gap"] is True


def test_out_of_scope_is_counted_but_never_a_gap() -> None:
    row = stat_for(RouteResult(lang="nl", out_of_scope=True), "parkeerboete!", AT, KMAP)
    assert row["out_of_scope"] is True and row["gap"] is False and row["gap_text"] is None


def test_record_question_writes_one_row(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    create_schema(engine)
    ensure_table(engine)
    ensure_table(engine)  # idempotent
    with Session(engine) as session:
        record_question(session, _result(0.1, "anouk"), TEXT, AT, KMAP)
        session.commit()
    with engine.connect() as conn:
        rows = conn.execute(select(question_stat)).all()
    engine.dispose()
    assert len(rows) == 1 and rows[0].gap and rows[0].needs == ["funding"]
