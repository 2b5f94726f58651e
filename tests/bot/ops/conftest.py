"""Operations tests: real PostgreSQL (and SQLite) via tests/fixtures/postgres.py."""

pytest_plugins = ["tests.fixtures.postgres"]
