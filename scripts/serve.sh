#!/usr/bin/env bash
# Install the portal into .venv (first run only) and start it: migrates an empty database,
# seeds a demo distributor and two resellers, prints ADMIN tokens and the GraphiQL URL.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/portal serve "$@"
