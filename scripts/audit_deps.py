"""Known-vulnerability check of the installed runtime dependencies: pip-audit's job, offline-ish.

pip-audit asks OSV (api.osv.dev) or PyPI's per-release JSON (/pypi/NAME/VERSION/json) for
advisories. Where only the package registry is reachable, neither answers: OSV is blocked and
the per-release documents are not served. PyPI's project document (/pypi/NAME/json) is, and its
`vulnerabilities` list (fed from the same OSV advisories) names what affects the *latest*
release. So, for every runtime dependency of partner-portal (the closure of its requirements,
test tools excluded):

- installed == latest: its advisories are exactly the list; any entry fails the audit;
- installed older: every advisory on the latest release still unfixed fails it, and the
  package is reported as not fully verifiable (advisories fixed in between are not listed);
- a floor table of published fixes this project depends on (below) must hold.

Usage: .venv/bin/python scripts/audit_deps.py [--strict]   (--strict: unverifiable fails too)
Where OSV is reachable, prefer `pip-audit --strict` (same data, every release).
"""

from __future__ import annotations

import json
import sys
import urllib.request
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = "partner-portal"
# Published fixes we rely on: strawberry-graphql's WebSocket subscription DoS (CVE-2026-35523,
# fixed in 0.312.3/0.314) and the later advisories fixed in 0.315.7; starlette's multipart and
# Range-header DoS fixes (CVE-2024-47874, CVE-2025-54121, CVE-2025-62727); h11's request
# smuggling fix (CVE-2025-43859).
FLOORS = {
    "strawberry-graphql": "0.315.7",
    "starlette": "0.49.1",
    "h11": "0.16.0",
}


def runtime_closure(root: str = ROOT) -> dict[str, str]:
    found: dict[str, str] = {}
    pending = [root]
    while pending:
        name = canonicalize_name(pending.pop())
        if name in found:
            continue
        dist = metadata.distribution(name)
        found[name] = dist.version
        for raw in dist.requires or []:
            req = Requirement(raw)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                pending.append(req.name)
    found.pop(canonicalize_name(root))
    return found


def project(name: str) -> dict[str, object]:
    url = f"https://pypi.org/pypi/{name}/json"
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (fixed https host)
        return json.load(response)


def main(strict: bool) -> int:
    failures, unverified = [], []
    installed = runtime_closure()
    for name, version in sorted(installed.items()):
        floor = FLOORS.get(name)
        if floor and Version(version) < Version(floor):
            failures.append(f"{name} {version}: below {floor}, which fixes published advisories")
        doc = project(name)
        latest = doc["info"]["version"]  # type: ignore[index]
        for vuln in doc.get("vulnerabilities") or []:  # type: ignore[union-attr]
            if vuln.get("withdrawn"):
                continue
            fixed = ", ".join(vuln.get("fixed_in") or []) or "no fix yet"
            ids = " ".join([vuln["id"], *(vuln.get("aliases") or [])])
            failures.append(f"{name} {version}: {ids} (fixed in: {fixed})")
        if Version(version) != Version(latest):
            unverified.append(f"{name} {version} (latest {latest})")
    print(f"audited {len(installed)} runtime packages against PyPI's advisory data")
    for line in unverified:
        print(f"  not the latest release, advisories fixed since are not listed: {line}")
    for line in failures:
        print(f"  VULNERABLE: {line}")
    if failures or (strict and unverified):
        return 1
    print("no known vulnerability")
    return 0


if __name__ == "__main__":
    sys.exit(main(strict="--strict" in sys.argv[1:]))
