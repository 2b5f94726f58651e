"""The database fixture gives a working, isolated database on each backend."""

from __future__ import annotations

import sqlalchemy as sa


def test_db_url_is_usable_and_empty(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE probe (id INTEGER PRIMARY KEY, note TEXT)"))
            conn.execute(sa.text("INSERT INTO probe (id, note) VALUES (1, 'één')"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT note FROM probe")).scalar_one() == "één"
    finally:
        engine.dispose()


def test_backend_matches_url(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            if db_url.startswith("postgresql"):
                version = conn.execute(sa.text("SHOW server_version")).scalar_one()
                assert str(version).startswith("15")
            else:
                assert conn.execute(sa.text("SELECT sqlite_version()")).scalar_one()
    finally:
        engine.dispose()
