"""Alembic migrations own the schema, on SQLite and PostgreSQL.

``upgrade(url)`` is what ``wegwijs db upgrade`` runs; it needs no alembic.ini, so the
migrations ship inside the package. Developers add a migration after changing
``bot/models.py`` with ``alembic revision --autogenerate -m "what changed"`` (repo root);
``tests/bot/ops/test_migrations.py`` fails until they do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).resolve().parent
#: The first revision: the schema as the desk created it before migrations existed.
BASELINE = "0001"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url is not None:
        # ConfigParser interpolation: a literal % in a URL-encoded password must be doubled.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations"
    return head


def known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str
    untracked_tables: bool  # tables exist but no alembic_version (created by create_all)

    @property
    def at_head(self) -> bool:
        return self.current == self.head


def status(engine: sa.Engine) -> SchemaStatus:
    current = current_revision(engine)
    tables = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    return SchemaStatus(current=current, head=head_revision(),
                        untracked_tables=current is None and bool(tables))


def matches_models(engine: sa.Engine) -> bool:
    """Does the database have exactly the models' tables and columns?"""
    from alembic.autogenerate import compare_metadata
    from sqlmodel import SQLModel

    from bot import models  # noqa: F401  (registers the tables)

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return not compare_metadata(context, SQLModel.metadata)


def upgrade(url: str, revision: str = "head") -> SchemaStatus:
    """Bring the database at ``url`` to ``revision``. A database whose tables were made by
    ``create_all`` (no migration history) is adopted: stamped at the newest migration when
    its schema matches the models exactly, else at the baseline, then upgraded."""
    from bot.db import make_engine

    engine = make_engine(url)
    try:
        before = status(engine)
        config = alembic_config(url)
        if before.untracked_tables:
            command.stamp(config, "head" if matches_models(engine) else BASELINE)
        command.upgrade(config, revision)
        return status(engine)
    finally:
        engine.dispose()
