#!/usr/bin/env bash
# Install the portal with its test extras into .venv and run the whole suite. SQLite always;
# PostgreSQL too when PORTAL_TEST_POSTGRES_URL is set (.ci/run sets it). Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/pytest "$@"
