#!/usr/bin/env bash
# Sets up Wegwijs and opens the desk in this terminal, on the embedded SQLite database.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/wegwijs chat "$@"
