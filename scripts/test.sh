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
.venv/bin/mypy
# Known vulnerabilities in the runtime dependencies (pip-audit's data, from PyPI).
.venv/bin/python scripts/audit_deps.py
# The graphql-http audit (tests/test_graphql_http_audit.py) runs the npm package pinned in
# tests/audit. Without npm it is skipped locally; under CI its test fails instead.
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix tests/audit --no-audit --no-fund --loglevel=error
elif [ -n "${CI:-}" ]; then
  echo "npm is required under CI for the graphql-http audit" >&2
  exit 1
else
  echo "npm not found: the graphql-http audit will be skipped" >&2
fi
# The client checks (tests/test_clients.py, tests/test_graphiql.py) run refine's data provider,
# GraphQL Code Generator, tsc and playwright-core from clients/admin-check, and GraphiQL's own
# files from clients/graphiql; Chromium comes from Debian (.ci/run installs it). Without Node
# those tests skip locally; under CI they fail.
if command -v npm >/dev/null 2>&1; then
  if [ ! -f clients/admin-check/node_modules/.package-lock.json ] ||
    [ clients/admin-check/package-lock.json -nt clients/admin-check/node_modules/.package-lock.json ]; then
    (cd clients/admin-check && npm ci --no-audit --no-fund --loglevel=error)
  fi
  bash scripts/graphiql-assets.sh
elif [ -n "${CI:-}" ]; then
  echo "npm is required under CI for the client checks" >&2
  exit 1
fi
exec .venv/bin/pytest "$@"
