"""Channel adapter tests: fake servers and homeservers live in tests/fixtures/."""

pytest_plugins = [
    "tests.fixtures.fake_telegram",
    "tests.fixtures.synapse",
]
