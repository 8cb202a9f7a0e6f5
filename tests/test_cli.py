"""The `portal` command: first run, tokens, migrations and the schema export."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import jwt
from asgi_lifespan import LifespanManager

from graph.schema import print_schema
from resolvers import global_id
from server.app import create_app
from settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _portal(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "portal.cli", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def test_first_run_migrates_seeds_and_tokens_survive_restarts(tmp_path: Path) -> None:
    # `serve` without uvicorn: the preparation step is what a newcomer sees first.
    script = "import asyncio, portal.cli as c, settings as s; " + (
        "asyncio.run(c._prepare(s.Settings.from_env(), 'http://127.0.0.1:8000/graphql'))"
    )
    run = [sys.executable, "-c", script]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert "Seeded a demo distributor and two demo resellers." in first.stdout
    assert "GraphiQL: http://127.0.0.1:8000/graphql" in first.stdout
    tokens = re.findall(r"^\s+(eyJ[\w.-]+)$", first.stdout, re.M)
    # One per person, each labelled: the distributor's admin, the first reseller's admin and
    # approver (four eyes), the second reseller's admin.
    assert len(tokens) == 4
    labels = re.findall(r"^\s+ADMIN (\S+): ", first.stdout, re.M)
    assert labels == [
        "admin@demo-distributor",
        "admin@northwind-reseller",
        "approver@northwind-reseller",
        "admin@contoso-reseller",
    ]
    second = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert "Seeded" not in second.stdout
    assert len(re.findall(r"^\s+(eyJ[\w.-]+)$", second.stdout, re.M)) == 4
    # The generated key is kept in the database, so a token minted now verifies later.
    org = re.search(r"DISTRIBUTOR Demo Distributor \((\S+)\)", first.stdout)
    assert org is not None
    minted = _portal(
        "token", "--org", org.group(1), "--role", "VIEWER", "--sub", "ci", cwd=tmp_path
    )
    claims = jwt.decode(minted.strip(), options={"verify_signature": False})
    assert claims["sub"] == "ci" and claims["roles"] == ["VIEWER"]
    assert global_id.decode_uuid(claims["org"], "Organization") is not None
    # A token printed by the first start still works against a server started later.
    viewer = asyncio.run(_viewer(tmp_path, tokens[0]))
    assert viewer == {"subject": "admin@demo-distributor", "roles": ["ADMIN"]}


async def _viewer(cwd: Path, token: str) -> dict[str, object]:
    app = create_app(Settings(database_url=f"sqlite://{cwd / 'portal.sqlite3'}"))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
            response = await client.post(
                "/graphql",
                json={"query": "{ viewer { subject roles } }"},
                headers={"Authorization": f"Bearer {token}"},
            )
    return response.json()["data"]["viewer"]


def test_token_refuses_unknown_roles_and_ids(tmp_path: Path) -> None:
    org = global_id.encode("Organization", uuid.uuid4())  # a well-formed ID: only the role is wrong
    for args, problem in (
        (["--org", "nope", "--role", "ADMIN"], "'nope' is not an organization ID"),
        (["--org", org, "--role", "ADMIN", "--role", "ROOT"], "unknown role(s) ROOT"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "portal.cli", "token", *args],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 2 and problem in result.stderr, result.stderr
        assert not result.stdout  # no token minted


def test_migrate_and_export_schema(tmp_path: Path) -> None:
    assert "up to date" in _portal("migrate", cwd=tmp_path)
    assert (tmp_path / "portal.sqlite3").exists()
    assert _portal("export-schema", cwd=tmp_path) == print_schema()


def test_token_refuses_an_organization_that_does_not_exist(tmp_path: Path) -> None:
    """On a fresh database (migrated by the command itself) no organization exists yet."""
    org = global_id.encode("Organization", uuid.uuid4())
    result = subprocess.run(
        [sys.executable, "-m", "portal.cli", "token", "--org", org, "--role", "ADMIN"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2, result.stdout
    assert "no organization" in result.stderr and "eyJ" not in result.stdout


def test_token_without_a_private_key(tmp_path: Path) -> None:
    org = global_id.encode("Organization", uuid.uuid4())
    result = subprocess.run(
        [sys.executable, "-m", "portal.cli", "token", "--org", org, "--role", "ADMIN"],
        cwd=tmp_path,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PORTAL_JWT_ALGORITHM": "RS256",
            "PORTAL_JWT_KEY": "-----BEGIN PUBLIC KEY-----\nnot checked here\n",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "PORTAL_JWT_PRIVATE_KEY" in result.stderr and "Traceback" not in result.stderr
