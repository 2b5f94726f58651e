"""Migrations own the schema: upgrading an empty database gives exactly the models' tables
and columns, on SQLite and on PostgreSQL. A model change without a migration fails here."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from bot import migrations
from bot.db import create_schema, make_engine


def _schema(engine: sa.Engine) -> dict[str, dict[str, bool]]:
    """{table: {column: nullable}} as the database reports it."""
    inspector = sa.inspect(engine)
    return {table: {c["name"]: bool(c["nullable"]) for c in inspector.get_columns(table)}
            for table in inspector.get_table_names() if table != "alembic_version"}


def _model_schema() -> dict[str, dict[str, bool]]:
    return {table.name: {c.name: bool(c.nullable) for c in table.columns}
            for table in SQLModel.metadata.sorted_tables}


def _diff(engine: sa.Engine) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


def test_one_linear_history_with_the_baseline_first() -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    assert len(script.get_heads()) == 1
    base = [rev.revision for rev in script.walk_revisions() if rev.down_revision is None]
    assert base == [migrations.BASELINE]


def test_upgrade_empty_database_matches_models(db_url: str) -> None:
    result = migrations.upgrade(db_url)
    assert result.at_head and result.current == migrations.head_revision()
    engine = make_engine(db_url)
    try:
        assert _schema(engine) == _model_schema()
        assert _diff(engine) == [], "models changed without a migration: " \
            "run `alembic revision --autogenerate -m ...`"
    finally:
        engine.dispose()


def test_upgrade_is_idempotent_and_downgrade_empties(db_url: str) -> None:
    migrations.upgrade(db_url)
    assert migrations.upgrade(db_url).at_head
    command.downgrade(migrations.alembic_config(db_url), "base")
    engine = make_engine(db_url)
    try:
        assert _schema(engine) == {}
        assert migrations.current_revision(engine) is None
    finally:
        engine.dispose()


def test_database_made_by_create_all_is_adopted(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        create_schema(engine)
        before = migrations.status(engine)
        assert before.untracked_tables and not before.at_head
        assert migrations.upgrade(db_url).at_head
        assert _diff(engine) == []
    finally:
        engine.dispose()


def test_old_database_without_history_is_stamped_at_baseline_and_upgraded(
        tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrations.upgrade(url, migrations.BASELINE)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE alembic_version"))
        assert migrations.status(engine).untracked_tables
        assert not migrations.matches_models(engine) or migrations.head_revision() == \
            migrations.BASELINE
        assert migrations.upgrade(url).at_head
        assert _diff(engine) == []
    finally:
        engine.dispose()


def test_a_model_change_without_migration_is_detected(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'drift.db'}"
    migrations.upgrade(url)
    changed = sa.MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["case"].append_column(sa.Column("new_field", sa.String(), nullable=True))
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), changed)
        assert [d[0] for d in diff] == ["add_column"]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_sqlite_and_postgres_get_the_same_tables_and_columns(
        tmp_path: Any, postgres_url: str) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'same.db'}"
    schemas = []
    for url in (sqlite_url, postgres_url):
        migrations.upgrade(url)
        engine = make_engine(url)
        try:
            schemas.append(_schema(engine))
        finally:
            engine.dispose()
    assert schemas[0] == schemas[1]


def test_terminal_session_on_an_older_database_leaves_it_upgradable(db_url: str) -> None:
    # a database that `wegwijs serve` brought to an older revision, then opened by
    # `wegwijs chat`/`staff` with newer code: it must end at head, tables and history agreeing
    migrations.upgrade(db_url, "0002")
    from bot.cli.desk_cmds import open_database

    engine = open_database(db_url)
    try:
        assert migrations.status(engine).at_head
        assert _diff(engine) == []
    finally:
        engine.dispose()
    assert migrations.upgrade(db_url).at_head
