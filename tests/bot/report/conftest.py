"""Report tests: real SQLite and PostgreSQL databases, headless Chromium.

The server fixtures come from tests/fixtures/ via ``pytest_plugins`` in tests/conftest.py.
"""

