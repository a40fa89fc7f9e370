"""The registry core does not import sync/ or adapters/: only its edges do (the HTTP app, the
CLI, serving and `make run`, and the composition root that wires listeners into the core)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EDGES = {
    "registry/app.py",
    "registry/serving.py",
    "registry/devrun.py",
    "registry/wiring.py",
}
EDGE_PACKAGES = ("registry/cli/",)
OUTER = ("sync", "adapters")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def offenders() -> list[str]:
    bad = []
    for path in sorted((ROOT / "registry").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in EDGES or rel.startswith(EDGE_PACKAGES):
            continue
        outer = _imports(path) & set(OUTER)
        if outer:
            bad.append(f"{rel} imports {sorted(outer)}")
    return bad


def test_the_core_imports_neither_sync_nor_adapters() -> None:
    assert offenders() == []


def test_the_check_sees_an_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from sync import outbox\nimport adapters.http\n", encoding="utf-8")
    assert _imports(probe) >= {"sync", "adapters"}
