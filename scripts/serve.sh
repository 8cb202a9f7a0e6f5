#!/usr/bin/env bash
# Install the portal into .venv (first run only) and start it: migrates an empty database,
# seeds a demo distributor and two resellers, prints ADMIN tokens and the GraphiQL URL.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
# GraphiQL's files come from npm once (scripts/graphiql-assets.sh); without npm the page says so.
if [ ! -f server/static/graphiql/vendor/graphiql.min.js ] && command -v npm >/dev/null 2>&1; then
  bash scripts/graphiql-assets.sh
fi
exec .venv/bin/portal serve "$@"
