"""One anonymous statistics row per routed question, for the programme report.

The desk's ``Case`` rows only exist for questions that reached a handover offer; the
report also needs the out-of-scope share and the knowledge gaps (low confidence, general
desk). ``record_question`` writes a ``QuestionStat`` row in the desk's transaction:
routing outcome only, no volunteer id, no handle. The question text is kept only for a
knowledge gap, and then masked (``bot.report.mask``) before it is stored, so the row
survives ``/vergeet`` and retention without holding personal data.

The table is meant to live in ``bot/models.py`` (and a migration) with the others; until
it moves there it is a Core table on its own metadata and ``ensure_table`` creates it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    CursorResult,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
)
from sqlmodel import Session

from bot.report.mask import known_words, mask
from routing.model import GENERAL_THEME, KnowledgeMap
from routing.result import RouteResult

GAP_CONFIDENCE = 0.35  # a top route below this confidence counts as a knowledge gap
GAP_TEXT_LIMIT = 500


def _own_table() -> Table:
    """The table on its own MetaData, so the desk's migrations (which compare against
    SQLModel.metadata) are not affected until it moves into bot/models.py."""
    return Table(
        "question_stat", MetaData(),
        Column("id", Integer, primary_key=True),
        Column("at", DateTime(timezone=True), nullable=False, index=True),
        Column("lang", String, nullable=False, default="nl"),
        Column("theme", String),  # primary theme
        Column("needs", JSON, nullable=False, default=list),
        Column("region", String),
        Column("municipality", String),
        Column("out_of_scope", Boolean, nullable=False, default=False),
        Column("clarify", JSON, nullable=False, default=list),
        Column("confidence", Float, nullable=False, default=0.0),
        Column("top_route", String),
        Column("servant_id", String),
        Column("general_desk", Boolean, nullable=False, default=False),
        Column("gap", Boolean, nullable=False, default=False),
        Column("gap_text", Text),  # masked, gaps only
    )


def _table() -> Table:
    """Once a ``QuestionStat`` model lives with the others (and in a migration), its
    table; until then our own."""
    from bot import models

    model = getattr(models, "QuestionStat", None)
    table = getattr(model, "__table__", None)
    return table if isinstance(table, Table) else _own_table()


question_stat: Table = _table()


def ensure_table(engine: Engine) -> None:
    """Create the ``question_stat`` table if this database lacks it."""
    if not inspect(engine).has_table("question_stat"):
        question_stat.metadata.create_all(engine, tables=[question_stat])


def is_general_desk(kmap: KnowledgeMap | None, servant_id: str | None) -> bool:
    if kmap is None or servant_id is None:
        return False
    servant = kmap.find_servant(servant_id)
    return servant is not None and GENERAL_THEME in servant.themes


def is_gap(result: RouteResult, general_desk: bool,
           threshold: float = GAP_CONFIDENCE) -> bool:
    """Routed, but weakly: low confidence, no route at all, or only the general desk."""
    if result.out_of_scope:
        return False
    return general_desk or not result.routes or result.confidence < threshold


def stat_for(result: RouteResult, text: str, at: dt.datetime,
             kmap: KnowledgeMap | None = None) -> dict[str, Any]:
    """The statistics row (column values) for one routing outcome."""
    servant_id = result.servant.id if result.servant else None
    general = is_general_desk(kmap, servant_id)
    gap = is_gap(result, general)
    return {
        "at": at, "lang": result.lang,
        "theme": result.themes[0] if result.themes else None,
        # a need the router assumed (asked for help, kind not said) was not asked for
        "needs": [] if result.extra.get("need_assumed") else list(result.needs),
        "region": result.region,
        "municipality": result.municipality, "out_of_scope": result.out_of_scope,
        "clarify": list(result.clarify), "confidence": float(result.confidence),
        "top_route": result.routes[0].id if result.routes else None,
        "servant_id": servant_id, "general_desk": general, "gap": gap,
        "gap_text": mask(text[:GAP_TEXT_LIMIT], known_words(kmap))
        if gap and text.strip() else None,
    }


def record_question(session: Session, result: RouteResult, text: str, at: dt.datetime,
                    kmap: KnowledgeMap | None = None, *, row_id: int | None = None) -> int:
    """Write the statistics row for a routed question in ``session``'s transaction; its id.

    A question the desk asks back about is recorded at once (so one the volunteer never
    answers still counts); pass that row's ``row_id`` when the answer completes it, and
    the row is brought up to date instead of counted twice (it keeps its first time)."""
    row = stat_for(result, text, at, kmap)
    if row_id is not None:
        del row["at"]
        done = session.execute(question_stat.update()
                               .where(question_stat.c.id == row_id).values(**row))
        if getattr(done, "rowcount", 0):
            return row_id
        row["at"] = at  # the row is gone (retention): count the question anew
    inserted = cast("CursorResult[Any]", session.execute(question_stat.insert().values(**row)))
    key = inserted.inserted_primary_key
    assert key is not None
    return int(key[0])
