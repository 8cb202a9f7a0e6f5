"""Benchmark the API against the raw ceiling and PostGraphile 5, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.run [--quick] [--db sqlite|postgres|both] [--duration S]

For each database: seed a fresh database with 20,000 organizations, start the real server
(`uvicorn server.app:create_app --factory`), the raw ceiling (`bench.raw`: PostgreSQL builds
the response JSON) and, on PostgreSQL, PostGraphile 5 (`bench.peer`) over the same tables,
each pinned to one core; drive them one after another from this process pinned to the other
core with a fixed number of keep-alive connections, and print requests/s, p50/p99 latency and
server CPU per request (from /proc/<pid>/stat), with the API's ratios to both. The machine is
shared, so absolute numbers are noisy: the ratios, measured in the same run, are what count.
Databases are named `bench_*`; never touches `test` or a `test_*` database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import orjson

from bench import peer, seed, workloads
from bench.load import Connection, Request, Result, drive
from resolvers.actors import Role
from resolvers.tokens import TokenService

ROOT = Path(__file__).resolve().parent.parent
JWT_KEY = "bench-signing-key-that-is-long-enough-for-hs256"
LOGS = ROOT / "bench" / ".data"
LIST_50 = "list 50 + address + contact"
API = "server.app:create_app"
# The API as `portal serve` runs it in production, except that background jobs (tax-ID
# checks, webhook deliveries) are left to a `portal worker` that is not running: the
# benchmark measures requests, and each created customer's job rows are still written by
# its request. (Here the registries are unreachable, so the checks would only retry.)
API_ENV = {"PORTAL_ENV": "production", "PORTAL_JOBS_IN_SERVER": "false"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(
    app: str, env: dict[str, str], core: int | None, workers: int = 1
) -> tuple[subprocess.Popen[bytes], int]:
    """A uvicorn process serving `app`, pinned to `core`; returns once it accepts connections."""
    port = _free_port()
    cmd = [sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    if app == API:  # the HTTP protocol `portal serve` runs: bounded request heads
        cmd += ["--http", "server.protocol:BoundedHttpToolsProtocol"]
    cmd += ["--workers", str(workers)] if workers > 1 else []
    return _spawn(app.split(".")[0], cmd, ROOT, env, core, port)


def _spawn(
    name: str, cmd: list[str], cwd: Path, env: dict[str, str], core: int | None, port: int
) -> tuple[subprocess.Popen[bytes], int]:
    pin = (lambda: os.sched_setaffinity(0, {core})) if core is not None else None
    # The server's own output (access log included: it is part of the real server's cost)
    # goes to a file next to the databases, so the table stays readable.
    log = open(LOGS / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as proc
    proc = subprocess.Popen(
        cmd, cwd=cwd, env={**os.environ, **env}, preexec_fn=pin, stdout=log, stderr=log
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited with {proc.returncode}; see {log.name}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit(f"{name} did not start; see {log.name}")


def _start_peer(url: str, core: int | None) -> tuple[subprocess.Popen[bytes], int] | str:
    installed = peer.install()
    if isinstance(installed, str):
        return installed
    node, cwd = installed
    port = _free_port()
    env = {"DATABASE_URL": url, "PORT": str(port), "NODE_ENV": "production"}
    return _spawn("postgraphile", peer.command(node), cwd, env, core, port)


def _tokens(data: seed.Dataset) -> tuple[str, str]:
    service = TokenService(algorithm="HS256", verify_key=JWT_KEY, signing_key=JWT_KEY)

    def mint(org: UUID, sub: str) -> str:
        return service.mint(subject=sub, org_id=org, roles=[Role.ADMIN])

    return mint(data.distributor, "bench-distributor"), mint(data.resellers[0], "bench-reseller")


async def _same_data(api_port: int, raw_port: int, work: workloads.Workload, token: str) -> str:
    """'' when the API and the baseline return the same `data` for request 0."""
    answers = []
    for port, make, headers in (
        (api_port, work.api, {"Authorization": f"Bearer {token}"}),
        (raw_port, work.raw, {}),
    ):
        conn = Connection("127.0.0.1", port, headers)
        request = make(0)
        assert request is not None
        answers.append(orjson.loads((await conn.post(*request))[1]).get("data"))
        await conn.close()
    return "" if answers[0] == answers[1] else f"DIFFERENT DATA: {answers}"[:600]


async def _bench_database(db: str, args: argparse.Namespace, cores: list[int]) -> None:
    started = time.perf_counter()
    if db == "postgres":
        url, data = await seed.seed_postgres(args.postgres_url, args.postgres_db, args.orgs)
    else:
        url, data = await seed.seed_sqlite(ROOT / "bench" / ".data" / "bench.sqlite3", args.orgs)
    print(f"\n## {db}: seeded {args.orgs} organizations in {time.perf_counter() - started:.1f} s")
    server_core = cores[0] if len(cores) > 1 else None
    env = {"PORTAL_DATABASE_URL": url, "PORTAL_JWT_KEY": JWT_KEY, **API_ENV}
    api, api_port = _start(API, env, server_core)
    raw, raw_port = _start("bench.raw:create_app", {"BENCH_DATABASE_URL": url}, server_core)
    procs = [api, raw]
    pg: tuple[subprocess.Popen[bytes], int] | None = None
    if db == "postgres" and args.peer:
        started_peer = _start_peer(url, server_core)
        if isinstance(started_peer, str):
            print(f"PostGraphile not measured: {started_peer}")
        else:
            pg = started_peer
            procs.append(pg[0])
    reader, writer = _tokens(data)
    print(
        f"\nconcurrency {args.concurrency}, up to {args.duration:g} s or {args.requests} requests"
        f" each, in {args.rounds} rounds that take the servers in turn; CPU = server CPU time"
        " per request (the database's own CPU not included)."
        "\nceiling = bare Starlette + asyncpg, PostgreSQL builds the response JSON"
        " (SQLite: rows + orjson); PostGraphile = PostGraphile 5 over the same tables."
        "\nAPI: as `portal serve` runs it, background jobs left to a `portal worker` (not run)."
        "\nThe machine is shared: absolute numbers are noisy, the ratios of this run count.\n"
    )
    print("| workload | API req/s | ceiling req/s | PostGraphile req/s | API/ceiling "
          "| API/PostGraphile | p50 / p99 ms: API · ceiling · PostGraphile "
          "| CPU ms/req: API · ceiling · PostGraphile |")  # fmt: skip
    print("|---|--:|--:|--:|--:|--:|--:|--:|")
    measured: dict[str, list[Result | None]] = {}
    try:
        for work in workloads.build(data):
            if args.only and not any(o in work.name for o in args.only):
                continue
            token = writer if work.name == "createCustomer" else reader
            if work.reads:
                problem = await _same_data(api_port, raw_port, work, token)
                if problem:
                    print(f"{work.name}: {problem}")
            targets = [
                (api_port, api.pid, work.api, {"Authorization": f"Bearer {token}"}),
                (raw_port, raw.pid, work.raw, {}),
            ]
            if pg is not None and work.peer is not None:
                targets.append((pg[1], pg[0].pid, work.peer, {}))
            results: list[Result | None] = list(
                await _interleaved(work, targets, args)  # type: ignore[arg-type]
            )
            results += [None] * (3 - len(results))
            measured[work.name] = results
            _row(work.name, *results)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
    if db == "postgres":
        _targets(measured)
    if db == "postgres" and args.scale and not args.only:
        await _scale_out(url, data, args, cores)


async def _interleaved(
    work: workloads.Workload,
    targets: list[tuple[int, int, Callable[[int], Request | None], dict[str, str]]],
    args: argparse.Namespace,
) -> list[Result]:
    """Each target's `args.duration` seconds, in `args.rounds` rounds that take the targets
    in turn (the first one moves each round): a slow spell of this shared machine then
    falls on all of them alike instead of on whichever ran at the time."""
    issued = [0] * len(targets)  # request numbers used per target: writes must not repeat
    parts: list[list[Result]] = [[] for _ in targets]
    for round_ in range(args.rounds):
        for k in range(len(targets)):
            n = (k + round_) % len(targets)
            port, pid, make, headers = targets[n]
            first = issued[n]
            warmup = args.warmup if round_ == 0 else 0
            result = await drive(
                port=port,
                pid=pid,
                headers=headers,
                make=lambda i, make=make, first=first: make(first + i),
                check=lambda i, body, first=first: workloads.checker(work)(first + i, body),
                concurrency=args.concurrency,
                max_requests=max(1, args.requests // args.rounds),
                seconds=args.duration / args.rounds,
                warmup=warmup,
            )
            # Every number a worker took was sent: the warm-up's, the measured, the failed
            # (and one in flight per connection at the deadline, already among them).
            issued[n] += warmup + result.requests + result.failures + args.concurrency
            parts[n].append(result)
    return [_merged(p) for p in parts]


def _merged(parts: list[Result]) -> Result:
    return Result(
        requests=sum(p.requests for p in parts),
        failures=sum(p.failures for p in parts),
        seconds=sum(p.seconds for p in parts),
        latencies=[x for p in parts for x in p.latencies],
        cpu=sum(p.cpu for p in parts),
        first_failure=next((p.first_failure for p in parts if p.first_failure), ""),
    )


async def _scale_out(
    url: str, data: seed.Dataset, args: argparse.Namespace, cores: list[int]
) -> None:
    """The list of 50 with 1..N worker processes (`portal serve --workers N` runs the same
    uvicorn workers), unpinned, so requests/s can grow with the cores the server may use."""
    work = next(w for w in workloads.build(data) if w.name == LIST_50)
    token = _tokens(data)[1]
    env = {"PORTAL_DATABASE_URL": url, "PORTAL_JWT_KEY": JWT_KEY, **API_ENV}
    print(f"\n### scale-out: {work.name}, server unpinned, load on core {cores[-1]}\n")
    print("| workers | API req/s | p50 / p99 ms |\n|--:|--:|--:|")
    for workers in range(1, len(cores) + 1):
        api, port = _start(API, env, None, workers=workers)
        try:
            result = await drive(
                port=port,
                pid=api.pid,
                headers={"Authorization": f"Bearer {token}"},
                make=work.api,
                check=workloads.checker(work),
                concurrency=args.concurrency,
                max_requests=args.requests,
                seconds=args.duration,
                warmup=args.warmup,
            )
        finally:
            api.terminate()
            api.wait(timeout=30)
        latency = f"{1000 * result.percentile(0.5):.1f} / {1000 * result.percentile(0.99):.1f}"
        print(f"| {workers} | {result.rps:,.0f} | {latency} |")


def _ratio(a: Result | None, b: Result | None) -> float | None:
    return a.rps / b.rps if a and b and b.rps else None


def _row(name: str, api: Result, raw: Result, pg: Result | None) -> None:
    def lat(r: Result | None) -> str:
        return f"{1000 * r.percentile(0.5):.1f} / {1000 * r.percentile(0.99):.1f}" if r else "—"

    def rps(r: Result | None) -> str:
        return f"{r.rps:,.0f}" if r else "—"

    def cpu(r: Result | None) -> str:
        return f"{r.cpu_per_request_ms:.2f}" if r else "—"

    def ratio(x: float | None) -> str:
        return f"{x:.2f}" if x is not None else "—"

    print(
        f"| {name} | {rps(api)} | {rps(raw)} | {rps(pg)} | {ratio(_ratio(api, raw))} "
        f"| {ratio(_ratio(api, pg))} | {lat(api)} · {lat(raw)} · {lat(pg)} "
        f"| {cpu(api)} · {cpu(raw)} · {cpu(pg)} |"
    )
    for label, r in (("API", api), ("ceiling", raw), ("PostGraphile", pg)):
        if r and r.failures:
            print(f"  {label}: {r.failures} failed requests, e.g. {r.first_failure}")


def _targets(measured: dict[str, list[Result | None]]) -> None:
    """Issue 15's targets, from this run's ratios."""
    checks = []
    if (row := measured.get(LIST_50)) is not None:
        checks.append(("list of 50 ≥ PostGraphile", _ratio(row[0], row[2]), 1.0))
        checks.append(("list of 50 ≥ 0.4 of the ceiling", _ratio(row[0], row[1]), 0.4))
    if (row := measured.get("createCustomer")) is not None:
        checks.append(("createCustomer ≥ 1/5 of the raw insert", _ratio(row[0], row[1]), 0.2))
    if (row := measured.get("organization by id")) is not None:
        checks.append(("organization(id:) ≥ PostGraphile's PK lookup", _ratio(row[0], row[2]), 1))
    if checks:
        print("\n| target | this run | met |\n|---|--:|:-:|")
    for label, value, bar in checks:
        met = "—" if value is None else ("yes" if value >= bar else "no")
        print(f"| {label} | {'—' if value is None else f'{value:.2f}'} | {met} |")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="2 s a workload, small warm-up")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--requests", type=int, default=20_000, help="max requests per run")
    parser.add_argument("--concurrency", type=int, default=8, help="open connections")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured requests first")
    parser.add_argument(
        "--rounds", type=int, default=5,
        help="split each measurement into this many rounds that take the servers in turn",
    )  # fmt: skip
    parser.add_argument("--orgs", type=int, default=20_000, help="organizations to seed")
    parser.add_argument("--only", action="append", help="run workloads whose name contains this")
    parser.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a server and a database to connect to for CREATE DATABASE",
    )  # fmt: skip
    parser.add_argument(
        "--postgres-db", default="bench_run", help="bench_*: dropped and re-seeded each run"
    )
    parser.add_argument(
        "--no-peer", dest="peer", action="store_false", help="skip PostGraphile (needs npm)"
    )
    parser.add_argument(
        "--no-scale", dest="scale", action="store_false",
        help="skip the PostgreSQL scale-out run over 1..N worker processes",
    )  # fmt: skip
    args = parser.parse_args()
    if not args.postgres_db.startswith("bench_"):
        parser.error("benchmark databases are named bench_*; test suites wipe the others")
    if args.quick:
        args.duration, args.warmup, args.rounds = 2.0, 30, 2
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) > 1:
        os.sched_setaffinity(0, {cores[1]})  # the load side; servers get cores[0]
    else:
        print("one core only: server and load share it")
    LOGS.mkdir(parents=True, exist_ok=True)
    print(
        f"# bench on {platform.node()}: {_cpu_model()}, {os.cpu_count()} cores; servers on core"
        f" {cores[0]}, load on core {cores[-1]}; Python {platform.python_version()}"
    )
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        asyncio.run(_bench_database(db, args, cores))


if __name__ == "__main__":
    main()
