"""The graphql-http server audit (the GraphQL-over-HTTP spec's own suite) against a real server.

Every audit must pass: no failed MUST, no SHOULD warning and no MAY notice. The pinned npm
package lives in tests/audit (`npm ci --prefix tests/audit`, which scripts/test.sh runs).
Without Node the audit is skipped locally and fails under CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

from settings import Settings
from tests.conftest import TEST_KEY
from tests.server import serve

AUDIT = Path(__file__).resolve().parent / "audit"


def _node() -> str:
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "Node.js is not installed"
    elif not (AUDIT / "node_modules" / "graphql-http").is_dir():
        problem = "the audit is not installed: run `npm ci --prefix tests/audit`"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}; CI must run the graphql-http audit")
        pytest.skip(problem)
    assert node is not None
    return node


def test_graphql_http_audit_passes_without_warnings(tmp_path: Path) -> None:
    node = _node()
    settings = Settings(database_url=f"sqlite://{tmp_path / 'audit.sqlite3'}", jwt_key=TEST_KEY)
    try:
        with serve(settings) as url:
            run = subprocess.run(
                [node, str(AUDIT / "run.mjs"), url],
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            )
    finally:
        EXECUTOR_CACHE.clear()  # statements built for this SQLite file must not be reused
    results = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert len(results) > 50, run.stdout + run.stderr
    not_ok = [r for r in results if r["status"] != "ok"]
    assert not_ok == [], "\n".join(
        f"{r['status']} {r['id']} {r['name']}: {r['reason']}" for r in not_ok
    )
