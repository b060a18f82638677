"""The layer rules of ARCHITECTURE.md, checked on every import statement."""

import ast
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
}


def imported_layers(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & LAYERS


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_layer_imports_only_what_the_architecture_allows(layer: str) -> None:
    offending = {
        str(path.relative_to(REPO_ROOT)): sorted(imported_layers(path) - ALLOWED[layer] - {layer})
        for path in (REPO_ROOT / layer).rglob("*.py")
        if ".venv" not in path.parts
    }
    assert {path: names for path, names in offending.items() if names} == {}


def test_nothing_imports_the_composition_roots() -> None:
    importers = [
        str(path.relative_to(REPO_ROOT))
        for layer in ALLOWED
        for path in (REPO_ROOT / layer).rglob("*.py")
        if ".venv" not in path.parts and imported_layers(path) & {"orchestration", "ops"}
    ]
    assert importers == []
