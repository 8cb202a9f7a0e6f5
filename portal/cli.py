"""The `portal` command: serve, worker, simulate-registries, migrate, token, export-schema,
import, export."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tortoise import Tortoise

from models.database import migrate, tortoise_config
from settings import Settings, SettingsError

_ACT_IN = "act in this organization (its global ID; X-Organization-ID), as the switcher does"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="migrate, seed demo data on first run, and serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes (more than 1 needs PostgreSQL)"
    )
    commands.add_parser(
        "worker", help="run background jobs only (next to `portal serve` or instead of its worker)"
    )
    simulate = commands.add_parser(
        "simulate-registries", help="serve a stand-in for VIES and HMRC (local demos, offline)"
    )
    simulate.add_argument("--host", default="127.0.0.1")
    simulate.add_argument("--port", type=int, default=8099)
    commands.add_parser("migrate", help="apply database migrations")
    token = commands.add_parser("token", help="mint a bearer token")
    token.add_argument("--org", required=True, help="global ID of the organization")
    token.add_argument(
        "--role", required=True, action="append", help="VIEWER, ACCOUNT_MANAGER, ADMIN"
    )
    token.add_argument("--sub", default="cli", help="subject (who the token speaks for)")
    export = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export.add_argument("--output", "-o", type=Path, help="write to this file instead of stdout")
    exporting = commands.add_parser("export", help="download organizations as CSV (UTF-8)")
    exporting.add_argument("--token", required=True, help="bearer token")
    exporting.add_argument("--url", default=None, help="the portal, e.g. http://127.0.0.1:8000")
    exporting.add_argument("--status", help="only this status, e.g. PENDING_APPROVAL")
    exporting.add_argument("--organization", help=_ACT_IN)
    exporting.add_argument("--output", "-o", type=Path, help="write here instead of stdout")
    importing = commands.add_parser("import", help="import customers from a CSV or XLSX file")
    importing.add_argument("file", type=Path, help="the spreadsheet (the template's columns)")
    importing.add_argument("--token", required=True, help="bearer token")
    importing.add_argument("--url", default=None, help="the portal, e.g. http://127.0.0.1:8000")
    importing.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    importing.add_argument("--organization", help=_ACT_IN)
    args = parser.parse_args(argv)
    if args.command == "import":
        from portal import client

        url = args.url or client.DEFAULT_URL
        return client.import_file(
            url=url,
            token=args.token,
            path=args.file,
            dry_run=args.dry_run,
            organization=args.organization,
        )
    if args.command == "export":
        from portal import client

        url = args.url or client.DEFAULT_URL
        return client.export(
            url=url,
            token=args.token,
            status=args.status,
            output=args.output,
            organization=args.organization,
        )
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        parser.error(str(error))
    if args.command == "serve":
        return _serve(settings, args.host, args.port, args.workers)
    if args.command == "simulate-registries":
        return _simulate(args.host, args.port)
    if args.command == "worker":
        return asyncio.run(_work(settings))
    if args.command == "migrate":
        asyncio.run(migrate(settings))
        print("Database is up to date.")
        return 0
    if args.command == "token":
        return asyncio.run(_token(settings, args.org, args.role, args.sub))
    from graph.schema import print_schema

    sdl = print_schema()
    if args.output:
        args.output.write_text(sdl)
    else:
        sys.stdout.write(sdl)
    return 0


def _serve(settings: Settings, host: str, port: int, workers: int = 1) -> int:
    import uvicorn

    if workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return 2
    if workers > 1 and settings.database_url.startswith("sqlite"):
        # SQLite lets one process write at a time: workers would queue on its file lock and
        # time out under load instead of adding throughput. PostgreSQL scales with processes.
        print("error: --workers > 1 needs PostgreSQL (PORTAL_DATABASE_URL)", file=sys.stderr)
        return 2
    # Migrations, the demo seed and the printed tokens happen once, here, before any worker.
    asyncio.run(_prepare(settings, f"http://{host}:{port}/graphql"))
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "info",
        # server/observability.py writes the access log, without client addresses.
        "access_log": False,
        # SIGTERM: stop accepting, let in-flight requests finish for at most this long.
        "timeout_graceful_shutdown": settings.shutdown_timeout_seconds,
    }
    if workers == 1:
        from server.app import create_app
        from server.protocol import bounded_protocol

        # The bounded protocol limits the request head's size and the time to send it.
        uvicorn.run(create_app(settings), http=bounded_protocol(settings), **options)
        return 0
    with _shared_metrics_dir():
        # Each worker imports the app and the protocol by name and reads the same environment.
        uvicorn.run(
            "server.app:create_app",
            factory=True,
            workers=workers,
            http="server.protocol:BoundedHttpToolsProtocol",
            **options,
        )
    return 0


@contextmanager
def _shared_metrics_dir() -> Iterator[None]:
    """Workers write their metrics to files here and /metrics adds them up (prometheus_client's
    multiprocess mode); it must be set before they start, and start empty."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="portal-metrics-") as directory:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
        try:
            yield
        finally:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]


async def _prepare(settings: Settings, url: str) -> None:
    from portal.seed import demo_organizations, demo_people, seed_demo
    from resolvers import global_id
    from resolvers.actors import Role
    from resolvers.idempotency import purge_expired
    from resolvers.tokens import token_service

    await migrate(settings)
    await Tortoise.init(config=tortoise_config(settings))
    try:
        if await seed_demo():
            print("Seeded a demo distributor and two demo resellers.")
        await purge_expired()
        if settings.is_production:
            return
        tokens = await token_service(settings)
        print(f"\nGraphiQL: {url}\nTokens (send as `Authorization: Bearer <token>`):")
        for org, people in demo_people(await demo_organizations()):
            print(f"\n  {org.kind} {org.short_name} ({global_id.encode('Organization', org.id)})")
            for subject, what in people:
                token = tokens.mint(subject=subject, org_id=org.id, roles=[Role.ADMIN])
                print(f"    ADMIN {subject}: {what}\n    {token}")
        print()
    finally:
        await Tortoise.close_connections()


def _simulate(host: str, port: int) -> int:
    import uvicorn

    from portal.simulator import CLIENT_ID, CLIENT_SECRET, create_simulator

    base = f"http://{host}:{port}"
    print(
        "Point the portal at it:\n"
        f"  PORTAL_VIES_URL={base}/vies PORTAL_HMRC_URL={base}/hmrc \\\n"
        f"  PORTAL_HMRC_CLIENT_ID={CLIENT_ID} PORTAL_HMRC_CLIENT_SECRET={CLIENT_SECRET}\n"
        f"Program a number: curl -X PUT {base}/control/answers/NL006486253B01 "
        """-d '{"answer": "busy", "times": 3}'"""
    )
    uvicorn.run(create_simulator(), host=host, port=port, log_level="warning")
    return 0


async def _work(settings: Settings) -> int:
    """Run jobs until SIGTERM or SIGINT, then stop gracefully (running jobs get
    PORTAL_SHUTDOWN_TIMEOUT_SECONDS to end; the rest go back to the queue)."""
    import signal

    from resolvers.jobs.tasks import build_worker
    from server.app import webhook_renderer

    await migrate(settings)
    await Tortoise.init(config=tortoise_config(settings))
    try:
        worker = build_worker(settings, render=webhook_renderer(settings))
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopping.set)
        worker.start()
        print(f"Worker {worker.name} runs queues: {', '.join(worker.registry.queues) or 'none'}")
        await stopping.wait()
        await worker.stop(grace_seconds=settings.shutdown_timeout_seconds)
    finally:
        await Tortoise.close_connections()
    return 0


async def _token(settings: Settings, org: str, roles: list[str], subject: str) -> int:
    from models import Organization
    from resolvers import global_id
    from resolvers.actors import Role
    from resolvers.tokens import TokenError, token_service

    org_id = global_id.decode_uuid(org, "Organization")
    if org_id is None:
        print(f"error: {org!r} is not an organization ID", file=sys.stderr)
        return 2
    unknown = [r for r in roles if r not in Role.__members__]
    if unknown:
        print(f"error: unknown role(s) {', '.join(unknown)}", file=sys.stderr)
        return 2
    # The generated signing key lives in the database, so it must have its tables.
    await migrate(settings)
    await Tortoise.init(config=tortoise_config(settings))
    try:
        tokens = await token_service(settings)
        token = tokens.mint(subject=subject, org_id=org_id, roles=[Role(r) for r in roles])
        # A token for an organization that does not exist would only ever be refused.
        if not await Organization.exists(id=org_id):
            print(f"error: no organization {org!r} in this database", file=sys.stderr)
            return 2
        print(token)
    except TokenError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        await Tortoise.close_connections()
    return 0


if __name__ == "__main__":
    sys.exit(main())
