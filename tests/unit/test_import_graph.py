"""The packages' arrows point one way, and no modules import each other in a circle.

`portal → server → graph → resolvers → models → settings` (docs/architecture.md): a module may
import its own package or one further right, never one to its left. Inside `graph/`, `core`
and `execution` import no domain, and no domain imports the schema that assembles them.
Every import counts, also those inside functions or under TYPE_CHECKING: a cycle hidden in a
function is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["settings", "models", "resolvers", "graph", "server", "portal"]
GRAPH_SHARED = ("graph.core", "graph.execution")


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Our modules that `name` imports (the submodule when `from package import module`)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                targets.add(submodule if submodule in MODULES else base)
    return {t for t in targets if t in MODULES and t != name}


IMPORTS = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def test_the_scan_sees_the_project() -> None:
    assert {"settings", "models.database", "graph.schema", "server.app", "portal.cli"} <= set(
        MODULES
    )
    assert "settings" in IMPORTS["models.database"]
    assert "graph.schema" in IMPORTS["server.view"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_right(module: str) -> None:
    upward = sorted(t for t in IMPORTS[module] if _layer(t) > _layer(module))
    assert not upward, f"{module} imports {upward}: arrows run {' → '.join(reversed(LAYERS))}"


def test_settings_is_a_leaf() -> None:
    inside = {m for m in MODULES if m.split(".")[0] == "settings"}
    assert all(IMPORTS[m] <= inside for m in inside)


def test_graph_core_imports_no_domain() -> None:
    wrong = {
        m: sorted(
            t for t in IMPORTS[m] if t.startswith("graph.") and not t.startswith(GRAPH_SHARED)
        )
        for m in MODULES
        if m.startswith(GRAPH_SHARED)
    }
    assert not {m: t for m, t in wrong.items() if t}


def test_nothing_imports_the_schema_or_portal_from_below() -> None:
    importers = {m for m, targets in IMPORTS.items() if "graph.schema" in targets}
    assert all(_layer(m) > _layer("graph.schema") for m in importers), importers
    assert not any(
        t.startswith("portal")
        for m, ts in IMPORTS.items()
        if not m.startswith("portal")
        for t in ts
    )


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in IMPORTS[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(MODULES):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    assert _cycles() == []


def test_a_cycle_would_be_found() -> None:
    IMPORTS["settings"].add("models.database")
    try:
        assert ["models.database", "settings"] in _cycles()
    finally:
        IMPORTS["settings"].discard("models.database")
