#!/usr/bin/env bash
# Sets up everything and runs the whole test suite: lint, types, unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup-services.sh
.venv/bin/ruff check .
.venv/bin/mypy routing bot tests
.venv/bin/wegwijs knowledge check knowledge
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
