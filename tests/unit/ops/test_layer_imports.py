"""The layer rules of ARCHITECTURE.md and docs/serving-layout.md, checked on every import statement.

Between layers: each top-level folder imports only what the architecture allows, and
nothing imports the composition roots (`orchestration`, `ops`). Inside `serving/`:
the kernel imports no service; a service imports the kernel, `contracts`, its own
modules and other services' `api` module only; only the roots import everything.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from ops.paths import REPO_ROOT

LAYERS = {"contracts", "serving", "streaming", "ingest", "ml", "orchestration", "dashboards", "simulation", "ops"}
ALLOWED = {
    "contracts": set(),
    "serving": {"contracts"},
    "streaming": {"contracts"},
    "ingest": {"contracts"},
    "ml": {"contracts"},
    "simulation": {"contracts"},
    "dashboards": set(),  # reads marts through SQL only
    "orchestration": LAYERS - {"ops", "orchestration"},  # the batch side's root: anything but ops
}
SERVING = REPO_ROOT / "serving"
# Modules of serving/ that wire everything together; nothing else in serving/ imports them.
SERVING_ROOTS = {"serving.app", "serving.relay", "serving.consumers", "serving.settings", "serving.migrations"}

# Imports that break the service rules today, as "importer -> imported". The list only
# shrinks: the test fails on a new violation and on an entry that no longer occurs.
KNOWN_SERVICE_VIOLATIONS: set[str] = set()


def _is_module(name: str) -> bool:
    relative = REPO_ROOT / Path(*name.split("."))
    return relative.is_dir() or relative.with_suffix(".py").exists()


def _imports(path: Path) -> Iterator[str]:
    """Every module an import statement reaches, as specific as the statement names it."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from serving.orders import api` reaches the module api, not the package.
            submodules = [f"{node.module}.{alias.name}" for alias in node.names]
            reached = [name for name in submodules if _is_module(name)]
            yield from reached or [node.module]


def _python_files(folder: Path) -> Iterator[Path]:
    return (path for path in folder.rglob("*.py") if ".venv" not in path.parts)


def imported_layers(path: Path) -> set[str]:
    return {name.split(".")[0] for name in _imports(path)} & LAYERS


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_layer_imports_only_what_the_architecture_allows(layer: str) -> None:
    offending = {
        str(path.relative_to(REPO_ROOT)): sorted(imported_layers(path) - ALLOWED[layer] - {layer})
        for path in _python_files(REPO_ROOT / layer)
    }
    assert {path: names for path, names in offending.items() if names} == {}


def test_nothing_imports_the_composition_roots() -> None:
    importers = [
        str(path.relative_to(REPO_ROOT))
        for layer in ALLOWED
        for path in _python_files(REPO_ROOT / layer)
        if imported_layers(path) & {"orchestration", "ops"} - ({layer} if layer == "orchestration" else set())
    ]
    assert importers == []


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_root(module: str) -> bool:
    return any(module == root or module.startswith(root + ".") for root in SERVING_ROOTS)


def _violation(importer: str, imported: str) -> bool:
    """Whether ``importer`` (a module of serving/) may not import ``imported``."""
    if not imported.startswith("serving.") or _is_root(importer):
        return False
    if _is_root(imported):
        return True  # only the roots, ops, tests and benchmarks import a root
    owner, target = importer.split(".")[1], imported.split(".")[1]
    if target == "kernel" or target == owner:
        return False
    if owner == "kernel":
        return True  # the kernel knows no service
    return imported != f"serving.{target}.api"  # another service: its public api module only


def service_violations() -> set[str]:
    found: set[str] = set()
    for path in _python_files(SERVING):
        importer = _module_name(path)
        for imported in _imports(path):
            if _violation(importer, imported):
                found.add(f"{importer} -> {imported}")
    return found


def test_services_cross_only_through_the_kernel_contracts_and_each_others_api() -> None:
    found = service_violations()
    assert sorted(found - KNOWN_SERVICE_VIOLATIONS) == [], "new imports against the service layering"
    assert sorted(KNOWN_SERVICE_VIOLATIONS - found) == [], "fixed: remove these from KNOWN_SERVICE_VIOLATIONS"


def test_the_rules_catch_what_they_are_meant_to_catch() -> None:
    assert _violation("serving.cart.router", "serving.orders.router")
    assert _violation("serving.kernel.auth", "serving.identity.adapters.repository")
    assert _violation("serving.orders.service", "serving.settings")
    assert not _violation("serving.cart.router", "serving.orders.api")
    assert not _violation("serving.orders.router", "serving.kernel.auth")
    assert not _violation("serving.app", "serving.orders.router")
