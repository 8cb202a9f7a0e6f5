"""Running the Node checks under clients/admin-check/ from pytest.

`scripts/test.sh` installs them (`npm ci`); without Node or without that install the tests
that need them skip locally with the reason, and fail under CI, which must run them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADMIN_CHECK = ROOT / "clients" / "admin-check"
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")


def missing(problem: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{problem}; CI must run this check (scripts/test.sh installs it)")
    pytest.skip(f"{problem} (bash scripts/test.sh installs it)")


def node() -> str:
    path = shutil.which("node")
    if path is None:
        missing("node is not installed")
    elif not (ADMIN_CHECK / "node_modules" / ".package-lock.json").is_file():
        missing("clients/admin-check has no node_modules (npm ci)")
    assert path is not None
    return path


def chromium() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run a command in clients/admin-check; fail the test with its output when it fails."""
    done = subprocess.run(
        args,
        cwd=ADMIN_CHECK,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} exited with {done.returncode}\n"
            f"--- stdout\n{done.stdout[-6000:]}\n--- stderr\n{done.stderr[-6000:]}"
        )
    return done


def tool(name: str) -> str:
    """A tool installed by npm ci, e.g. tsc or graphql-codegen."""
    return str(ADMIN_CHECK / "node_modules" / ".bin" / name)
