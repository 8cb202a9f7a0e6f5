"""GraphiQL served entirely by this server, under a strict Content-Security-Policy.

Strawberry's own page loads React and GraphiQL from a CDN, which fails on a closed network and
would need a CSP that trusts that CDN. This page loads every script and stylesheet from
`/graphiql/…` (a static mount of `server/static/graphiql/`), and starts GraphiQL from a file
instead of an inline script, so `script-src 'self'` holds.

The built files of GraphiQL and React (about 4 MB, pinned with their integrity hashes in
`clients/graphiql/package-lock.json`) are not committed: `bash scripts/graphiql-assets.sh` copies
them from the npm registry into `server/static/graphiql/vendor/`. Without them the page says so
instead of falling back to a CDN.
"""

from __future__ import annotations

import html
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static" / "graphiql"
VENDOR = STATIC / "vendor"
VENDOR_FILES = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "graphiql.min.css",
)
PREFIX = "/graphiql"

# Only this origin: no CDN, no inline script or style, no framing, no form posts. `data:` for
# the icons and fonts GraphiQL's stylesheet embeds.
CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Partner portal · GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{static}/vendor/graphiql.min.css">
<link rel="stylesheet" href="{static}/page.css">
</head>
<body>
<div id="graphiql" data-endpoint="{endpoint}">Loading…</div>
<script src="{static}/vendor/react.production.min.js"></script>
<script src="{static}/vendor/react-dom.production.min.js"></script>
<script src="{static}/vendor/graphiql.min.js"></script>
<script src="{static}/graphiql-init.js"></script>
</body>
</html>
"""

_MISSING = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Partner portal · GraphiQL not installed</title>
<link rel="stylesheet" href="{static}/page.css">
</head>
<body>
<div class="missing">
<h1>GraphiQL's files are not installed</h1>
<p>This server serves GraphiQL itself and never loads it from a CDN. Install its files with
<code>bash scripts/graphiql-assets.sh</code> (needs npm) and reload, or send queries to
<code>{endpoint}</code> with any GraphQL client.</p>
</div>
</body>
</html>
"""


def assets_installed() -> bool:
    return all((VENDOR / name).is_file() for name in VENDOR_FILES)


def graphiql_page(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    template = _PAGE if assets_installed() else _MISSING
    body = template.format(
        static=html.escape(root + PREFIX), endpoint=html.escape(root + request.url.path)
    )
    return HTMLResponse(body, headers=HEADERS)


class OfflineGraphiQL:
    """Mixin for the GraphQL view: the IDE page above instead of Strawberry's CDN page."""

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return graphiql_page(request)


def graphiql_routes(enabled: bool) -> list[BaseRoute]:
    if not enabled:
        return []
    return [Mount(PREFIX, app=StaticFiles(directory=STATIC), name="graphiql")]
