"""Report tests: real SQLite and PostgreSQL databases, headless Chromium."""

pytest_plugins = ["tests.fixtures.postgres", "tests.fixtures.chromium"]
