#!/usr/bin/env bash
# Installs the real servers the integration tests start themselves:
# PostgreSQL 15 and headless Chromium (Debian packages) and Synapse (its own venv).
# Installs only what is missing. Needs root for apt-get (CI and dev machines run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_apt+=(postgresql)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v systemd-analyze >/dev/null 2>&1 || need_apt+=(systemd)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "setup-services: not root; cannot install ${need_apt[*]} (those tests will be skipped)" >&2
  fi
fi
if [ ! -x .venv-synapse/bin/synapse_homeserver ] && [ ! -x .venv-synapse/bin/python ] || \
   ! .venv-synapse/bin/python -c "import synapse" >/dev/null 2>&1; then
  python3 -m venv .venv-synapse
  .venv-synapse/bin/python -m pip install -q --disable-pip-version-check "matrix-synapse>=1.140,<2" 2>&1 | grep -v '^WARNING: Location' || true
fi
