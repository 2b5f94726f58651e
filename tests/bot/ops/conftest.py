"""Operations tests: real PostgreSQL (and SQLite) via tests/fixtures/postgres.py (see tests/conftest.py)."""
