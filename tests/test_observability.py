"""What operators rely on: access log, metrics, graceful shutdown, several workers.

In-process tests check the log line and the metrics; the rest run `portal serve` as a real
process, as production does, and send it signals.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from server import observability
from server.observability import access_log, configure_access_log, write_access_line
from settings import Settings
from tests.api import Api
from tests.server import ROOT, portal_serve
from tests.waiting import until_sync

VIEWER = "query WhoAmI { viewer { subject roles } }"


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def logged() -> Iterator[list[str]]:
    handler = Lines()
    access_log.addHandler(handler)
    try:
        yield handler.lines
    finally:
        access_log.removeHandler(handler)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_one_json_line_per_request_without_personal_data(api: Api, logged: list[str]) -> None:
    token = api.token(api.world.reseller, "ADMIN", sub="jan.jansen@example.com")
    response = await api.client.post(
        "/graphql",
        json={"query": VIEWER, "variables": {}},
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-observe-1"},
    )
    assert response.status_code == 200
    [line] = [entry for entry in logged if "req-observe-1" in entry]
    record = json.loads(line)
    assert record["request_id"] == "req-observe-1"
    assert record["operation"] == "WhoAmI" and record["operation_type"] == "query"
    assert record["outcome"] == "ok" and record["status"] == 200
    assert record["duration_ms"] > 0
    assert "jan.jansen" not in line and token not in line and "127.0.0.1" not in line


def test_the_configured_log_writes_each_line_as_its_handler_would(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The short way to stderr is taken only while nothing else could see the record: a
    filter, another handler or a raised level sends the line through logging again."""
    configure_access_log()
    write_access_line('{"event":"request"}')
    assert capsys.readouterr().err == '{"event":"request"}\n'

    class Drop(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return False

    drop = Drop()
    access_log.addFilter(drop)
    try:
        write_access_line('{"event":"dropped"}')
    finally:
        access_log.removeFilter(drop)
    access_log.setLevel(logging.WARNING)
    try:
        write_access_line('{"event":"quiet"}')
    finally:
        access_log.setLevel(logging.INFO)
    access_log.propagate = True  # the root logger's handlers would miss the short way
    try:
        write_access_line('{"event":"propagated"}')
    finally:
        access_log.propagate = False
    extra = Lines()
    access_log.addHandler(extra)
    try:
        write_access_line('{"event":"both"}')
    finally:
        access_log.removeHandler(extra)
    assert capsys.readouterr().err == '{"event":"propagated"}\n{"event":"both"}\n'
    assert extra.lines == ['{"event":"both"}']


def test_the_pool_gauge_is_written_after_a_burst_and_again_on_a_new_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    written: list[int] = []
    monkeypatch.setattr(observability, "update_pool_gauge", lambda: written.append(1))
    observer = observability.RequestObserver(app=None)  # type: ignore[arg-type]

    async def burst(wait: float) -> None:
        for _ in range(50):
            observer._update_gauge_soon()
        await asyncio.sleep(wait)

    asyncio.run(burst(0))  # the loop ends before the update is due: it never runs
    asyncio.run(burst(observability.GAUGE_DELAY_SECONDS * 2))
    assert written == [1]  # once for the burst, and not blocked by the first loop's


async def test_errors_are_logged_with_their_codes(api: Api, logged: list[str]) -> None:
    await api.client.post(
        "/graphql",
        json={"query": "query Hidden { organizations { totalCount } }"},
        headers={"X-Request-ID": "req-observe-2"},
    )
    [line] = [entry for entry in logged if "req-observe-2" in entry]
    record = json.loads(line)
    assert record["outcome"] == "failed" and record["error_codes"] == ["UNAUTHENTICATED"]


async def test_metrics_count_requests_and_latency_by_operation(
    api: Api, settings: Settings
) -> None:
    before = samples((await api.client.get("/metrics")).text)
    token = api.token(api.world.reseller, "VIEWER")
    for _ in range(3):
        await api.post(VIEWER, token=token)
    page = await api.client.get("/metrics")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
    after = samples(page.text)
    labels = frozenset({("route", "/graphql"), ("operation", "WhoAmI"), ("outcome", "ok")})
    key = ("portal_requests_total", labels)
    assert after[key] - before.get(key, 0) == 3
    latency = ("portal_request_duration_seconds_count", labels - {("outcome", "ok")})
    assert after[latency] - before.get(latency, 0) == 3
    pool = {
        dict(k[1])["state"]: v for k, v in after.items() if k[0] == "portal_db_pool_connections"
    }
    # Between requests nothing is checked out; the requests above opened at least one.
    size = 1 if settings.database_url.startswith("sqlite") else settings.db_pool_max
    assert pool == {"in_use": 0, "idle": pool["idle"], "max": size}
    assert 1 <= pool["idle"] <= size


async def test_metrics_can_be_switched_off(api_factory) -> None:
    async with api_factory(metrics=False) as api:
        assert (await api.client.get("/metrics")).status_code == 404


def test_sigterm_lets_the_request_in_flight_finish(tmp_path: Path) -> None:
    """The client is slow: it has sent the headers and half of the body when SIGTERM arrives.
    The server stops accepting connections but answers that request in full, then exits."""
    database = f"sqlite://{tmp_path / 'portal.sqlite3'}"
    with portal_serve(database) as (process, url):
        token = _token_from(process, url)
        body = json.dumps({"query": VIEWER}).encode()
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(
                b"POST /graphql HTTP/1.1\r\nHost: portal\r\nContent-Type: application/json\r\n"
                + f"Authorization: Bearer {token}\r\nX-Request-ID: in-flight-1\r\n".encode()
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body[:10]
            )
            # A later connection answered means this earlier one was accepted (in order).
            assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
            process.send_signal(signal.SIGTERM)
            until_sync(lambda: not _accepts(url), "the server stops accepting connections")
            assert process.poll() is None, "the server quit with a request in flight"
            conn.sendall(body[10:])
            answer = _read_response(conn)
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        assert b'"subject"' in answer
        _, stderr = process.communicate(timeout=20)
    # uvicorn re-raises SIGTERM after its clean shutdown, so the exit status says "terminated".
    assert process.returncode in (0, -signal.SIGTERM), stderr
    assert "Application shutdown complete" in stderr
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    [record] = [r for r in lines if r["request_id"] == "in-flight-1"]
    assert record["operation"] == "WhoAmI" and record["outcome"] == "ok"
    # uvicorn's own access log (with client addresses) is off; ours replaces it.
    assert not re.search(r'"POST /graphql HTTP/1.1" 200', stderr)


def _accepts(url: str) -> bool:
    try:
        httpx.get(f"{url}/healthz", timeout=2)
    except httpx.TransportError:
        return False
    return True


def _token_from(process: subprocess.Popen[str], url: str) -> str:
    """The first ADMIN token `portal serve` printed (development prints one per demo org)."""
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip().startswith("eyJ"):
            return line.strip()
    raise AssertionError("portal serve printed no token")


def _read_response(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"content-length: (\d+)", head, re.IGNORECASE).group(1))
    while len(rest) < length:
        rest += conn.recv(65536)
    return head + b"\r\n\r\n" + rest


def test_several_workers_are_refused_on_sqlite(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "portal.cli", "serve", "--workers", "2"],
        cwd=ROOT,
        env={**os.environ, "PORTAL_DATABASE_URL": f"sqlite://{tmp_path / 'p.sqlite3'}"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "--workers > 1 needs PostgreSQL" in done.stderr
    assert not (tmp_path / "p.sqlite3").exists()  # refused before touching the database


def test_several_workers_on_postgresql_share_one_setup_and_one_metrics_view(
    settings: Settings, api: Api
) -> None:
    if not settings.database_url.startswith("postgres"):
        pytest.skip("several workers need PostgreSQL; SQLite refuses them (test above)")
    with portal_serve(settings.database_url, "--workers", "2") as (process, url):
        token = api.token(api.world.reseller, "VIEWER")
        with httpx.Client(base_url=url) as client:
            for _ in range(20):
                # A new connection each time, so both workers get some of them.
                answer = client.post(
                    "/graphql",
                    json={"query": VIEWER},
                    headers={"Authorization": f"Bearer {token}", "Connection": "close"},
                )
                assert answer.status_code == 200 and "errors" not in answer.json()
            metrics = samples(client.get("/metrics").text)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode in (0, -signal.SIGTERM), stderr
    assert stderr.count("Application shutdown complete") == 2  # each worker shut down cleanly
    # Migrations, seed and tokens ran once, in the parent, before the workers started.
    assert stdout.count("Tokens (send as") == 1
    assert len(set(re.findall(r"Started server process \[(\d+)\]", stderr))) == 2
    labels = frozenset({("route", "/graphql"), ("operation", "WhoAmI"), ("outcome", "ok")})
    assert metrics[("portal_requests_total", labels)] == 20  # added up over both workers
