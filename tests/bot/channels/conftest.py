"""Channel adapter tests: fake servers and homeservers live in tests/fixtures/ (see tests/conftest.py)."""
