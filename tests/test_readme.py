"""Every command in the README runs as written on a fresh checkout, after the README's first
command (`bash scripts/serve.sh`), and its GraphQL examples answer without errors.

The checkout is a copy of the files git knows (tracked and not ignored): no `.venv`, no
database, no npm packages. What the test changes in the commands, and only that:
- ports: 8000 and 9000 become free ports, so the test never fights another server;
- placeholders: `<organization ID>`, `<ID>`, `<reseller ID>` become the IDs `portal serve`
  printed. A README command that is neither run here nor listed in SKIPPED with its
  reason fails the test, so a new command in the README needs a decision here.

It installs the portal into a new virtualenv (PyPI, or pip's cache), about a minute.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
FIRST = "bash scripts/serve.sh"

# Inline code a newcomer pastes into a shell.
_COMMAND_START = re.compile(r"^(?:bash |\.venv/bin/|cd |npm |PORTAL_\w+=\S+ bash )")
# Commands that do not run as written after the first command: the `portal` and `python` on
# a newcomer's PATH are not ours (the first command installs into .venv/bin). A bare name
# ("`portal token`") is a name, not a command.
_NOT_RUNNABLE = re.compile(r"^(?:portal|python3?|pip3?|pytest|tortoise|ruff|mypy) [-\w./]+ ")

_SUITE = "the suite this test is part of"
_BENCH = "minutes of load on both databases (bench/)"
SKIPPED = {
    "bash scripts/test.sh": _SUITE,
    "PORTAL_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test bash scripts/test.sh": (
        _SUITE
    ),
    "cd clients/admin-check && npm ci && npm run typecheck": (
        "tests/test_clients.py runs codegen and tsc from that package"
    ),
    ".venv/bin/python -m bench.run": _BENCH,
    '.venv/bin/python -m bench.run --quick --db postgres --only "list 50"': _BENCH,
    ".venv/bin/python -m bench.run --db postgres --no-scale --duration 4": _BENCH,
    ".venv/bin/pip install -e '.[bench]' && py-spy record -p <server pid>": (
        "profiles a running server by its pid and needs ptrace"
    ),
    ".venv/bin/portal serve --workers 4": "needs PostgreSQL; tests/test_observability.py",
    "npm ci --prefix tests/audit": "scripts/test.sh runs it for tests/test_graphql_http_audit.py",
    "npm ci": "a mention: what scripts/graphiql-assets.sh runs in clients/graphiql/",
}


def readme_commands(text: str) -> list[str]:
    """Each line of a `sh` block (comments dropped) and each inline command, in order."""
    commands: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                commands.append(line)
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for span in re.findall(r"`([^`\n]+)`", prose.replace("\n", " ")):
        if _COMMAND_START.match(span) and span not in commands:
            commands.append(span)
    return commands


def graphql_examples(text: str) -> list[str]:
    return re.findall(r"```graphql\n(.*?)```", text, re.S)


def _spans_and_lines(text: str) -> list[str]:
    found = [
        line.strip()
        for block in re.findall(r"```sh\n(.*?)```", text, re.S)
        for line in block.splitlines()
    ]
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    return found + re.findall(r"`([^`\n]+)`", prose.replace("\n", " "))


def test_no_command_relies_on_a_path_the_first_command_does_not_set() -> None:
    assert [s for s in _spans_and_lines(README) if _NOT_RUNNABLE.match(s)] == []


def test_the_readme_has_no_merge_conflict_markers() -> None:
    assert not re.search(r"^(<<<<<<<|=======$|>>>>>>>)", README, re.M)


def test_the_readme_parser_finds_the_commands() -> None:
    commands = readme_commands(README)
    assert commands[0] == FIRST
    assert "bash scripts/test.sh" in commands
    assert any(c.startswith(".venv/bin/portal token") for c in commands)
    assert len(graphql_examples(README)) >= 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fresh_checkout(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _clean_env() -> dict[str, str]:
    """The environment of a newcomer's shell: none of our settings, no virtualenv."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "VIRTUAL_ENV"))}
    venv_bin = str(ROOT / ".venv" / "bin")
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
    env.pop("PYTHONPATH", None)
    return env


@dataclass
class Served:
    checkout: Path
    url: str
    port: int
    env: dict[str, str]
    output: str
    ids: dict[str, str]  # "DISTRIBUTOR", "RESELLER" (the first one)
    tokens: dict[str, str]  # subject -> token

    def substitute(self, command: str) -> str:
        command = command.replace("8000", str(self.port))
        command = command.replace("<organization ID>", self.ids["DISTRIBUTOR"])
        command = command.replace("<reseller ID>", self.ids["RESELLER"])
        return command.replace("<ID>", self.ids["RESELLER"])

    def run(self, command: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-euo", "pipefail", "-c", self.substitute(command)],
            cwd=self.checkout,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def _start(command: str, cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: stopped as one, by its id
    )


def _stop(process: subprocess.Popen[str]) -> str:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if process.stdout is None:
        return ""
    with process.stdout:
        return process.stdout.read()


def _wait_ready(process: subprocess.Popen[str], port: int, timeout: float) -> str:
    """Output until the server answers /readyz; fails with the output if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited {process.returncode}:\n{_stop(process)}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return ""
        except httpx.HTTPError:
            pass
        time.sleep(1)
    pytest.fail(f"server not ready after {timeout} s:\n{_stop(process)}")


def _read_until_ready(process: subprocess.Popen[str], port: int) -> str:
    """The printout up to the line uvicorn writes once it listens."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 900
    for line in process.stdout:
        lines.append(line)
        if "Uvicorn running on" in line or time.monotonic() > deadline:
            break
    _wait_ready(process, port, 60)
    return "".join(lines)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    if shutil.which("git") is None:
        pytest.skip("needs git to know which files a checkout has")
    checkout = tmp_path_factory.mktemp("checkout")
    _fresh_checkout(checkout)
    env = _clean_env()
    port = _free_port()
    process = _start(f"{FIRST} --port {port}", checkout, env)
    try:
        output = _read_until_ready(process, port)
        ids = {
            kind: found.group(1)
            for kind in ("DISTRIBUTOR", "RESELLER")
            if (found := re.search(rf"{kind} [^(\n]+\((\S+)\)", output))
        }
        tokens = dict(re.findall(r"^\s+\S+ (\S+@\S+):.*\n\s+(eyJ[\w.-]+)$", output, re.M))
        yield Served(checkout, f"http://127.0.0.1:{port}/graphql", port, env, output, ids, tokens)
    finally:
        _stop(process)


def test_serve_prints_who_each_token_is(served: Served) -> None:
    assert set(served.ids) == {"DISTRIBUTOR", "RESELLER"}, served.output
    assert {"admin@demo-distributor", "admin@northwind-reseller"} <= served.tokens.keys()
    assert "approver@northwind-reseller" in served.tokens, served.output


def _gql(served: Served, document: str, token: str, **variables: object) -> dict:
    answer = httpx.post(
        served.url,
        json={"query": document, "variables": variables},
        headers={"Authorization": f"Bearer {served.tokens[token]}"},
        timeout=30,
    ).json()
    assert "errors" not in answer, answer
    return dict(answer["data"])


def test_graphql_examples_run_and_the_approver_approves(served: Served) -> None:
    create, pending = graphql_examples(README)[:2]
    made = _gql(served, create, "admin@northwind-reseller")["createCustomer"]
    assert made["errors"] == [] and made["customer"]["status"] == "PENDING_APPROVAL"
    listed = _gql(served, pending, "approver@northwind-reseller")["organizations"]
    assert [n["id"] for n in listed["nodes"]] == [made["customer"]["id"]]
    assert listed["totalCount"] == 1
    approve = re.search(r"`(approveCustomer\(input: \{id: \"…\"\}\))`", README)
    assert approve is not None, "the README shows how to approve"
    call = approve.group(1).replace('"…"', "$id")
    mutation = f"mutation($id: ID!) {{ {call} {{ customer {{ status }} errors {{ code }} }} }}"
    approved = _gql(served, mutation, "approver@northwind-reseller", id=made["customer"]["id"])
    assert approved["approveCustomer"] == {"customer": {"status": "ACTIVE"}, "errors": []}


def _runnable_blocks(text: str) -> list[str]:
    """Each `sh` block as one script (so a variable set on one line reaches the next), without
    the first command and the skipped lines; then each inline command on its own."""
    scripts: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        kept = [
            line
            for line in block.splitlines()
            if re.sub(r"\s+#.*$", "", line).strip() not in (FIRST, *SKIPPED)
        ]
        if any(line.strip() and not line.strip().startswith("#") for line in kept):
            scripts.append("\n".join(kept))
    in_blocks = "\n".join(re.findall(r"```sh\n(.*?)```", text, re.S))
    for command in readme_commands(text):
        if command not in in_blocks and command != FIRST and command not in SKIPPED:
            scripts.append(command)
    return scripts


def _split_at_server(script: str, port: int) -> tuple[str, str]:
    """(up to and with the command that starts a server, on `port`; what follows it). The
    lines after a server are meant for a second terminal while it runs: run once it is up."""
    lines = script.replace("\\\n", " ").splitlines()
    at = next(i for i, line in enumerate(lines) if re.search(r"serve\.sh|portal serve", line))
    server = lines[at].replace("9000", str(port))
    if "--port" not in server:
        server = re.sub(r"(serve\.sh|portal serve)", rf"\1 --port {port}", server)
    return "\n".join([*lines[:at], server]), "\n".join(lines[at + 1 :])


def test_every_readme_command_runs_as_written(served: Served) -> None:
    scripts = _runnable_blocks(README)
    for script in scripts:
        if re.search(r"(serve\.sh|portal serve)\b", script):
            port = _free_port()
            start, meanwhile = _split_at_server(served.substitute(script), port)
            process = _start(start, served.checkout, served.env)
            try:
                _read_until_ready(process, port)
                result = served.run(meanwhile)
                assert result.returncode == 0, f"{meanwhile}\n{result.stdout}\n{result.stderr}"
            finally:
                _stop(process)
            continue
        if re.match(r"(bash scripts/graphiql-assets\.sh|npm )", script) and not shutil.which("npm"):
            continue  # serve.sh, too, goes on without npm; the page then says how to install
        result = served.run(script)
        assert result.returncode == 0, f"{script}\n{result.stdout}\n{result.stderr}"
        _check_output(served, script, result.stdout)
    assert len(scripts) >= 5, scripts


def _check_output(served: Served, script: str, stdout: str) -> None:
    if script.startswith(".venv/bin/portal token"):
        assert re.fullmatch(r"eyJ[\w.-]+\n", stdout), stdout
    if "export-schema -o schema.graphql" in script:
        assert (served.checkout / "schema.graphql").read_text() == (
            ROOT / "schema.graphql"
        ).read_text()
    if "makemigrations" in script:
        made = sorted(p.name for p in (served.checkout / "models" / "migrations").glob("0*.py"))
        assert made == sorted(p.name for p in (ROOT / "models" / "migrations").glob("0*.py"))
    if "erp_sync.py" in script:
        outcomes = [json.loads(line) for line in stdout.splitlines()]
        assert any(o.get("valid") is True for o in outcomes), stdout
        assert any(o.get("created") is True for o in outcomes), stdout
