#!/usr/bin/env bash
# Put GraphiQL's built files where the server serves them (server/static/graphiql/vendor/), from
# the npm registry with the versions and integrity hashes pinned in
# clients/graphiql/package-lock.json. The server never loads GraphiQL from a CDN; without these
# files its GraphiQL page says how to install them. Needs Node.js and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
lock=clients/graphiql/package-lock.json
installed=clients/graphiql/node_modules/.package-lock.json
# npm ci starts from scratch every time; skip it while the install matches the lock file.
if [ ! -f "$installed" ] || [ "$lock" -nt "$installed" ]; then
  (cd clients/graphiql && npm ci --no-audit --no-fund --loglevel=error)
fi
node clients/graphiql/vendor.mjs
