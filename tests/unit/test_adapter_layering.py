"""adapters/ imports nothing of the registry but three leaf modules: not its config, not an
aggregate (persons, party, evaluations, …), not its store or edges. Clients take plain
connection values and sync/clients.py builds them from the settings (``adapters/__init__.py``
says why each allowed module is allowed)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Value types, code lists, the error base: each imports only the standard library.
ALLOWED = frozenset({"registry.dates", "registry.codes", "registry.errors"})
FIRST_PARTY = frozenset({"registry", "sync", "adapters", "schemas", "migrations"})


def _imported(tree: ast.AST) -> set[str]:
    """Every absolute module an AST imports, dotted; ``from registry import x`` counts as
    ``registry.x`` (x may be a submodule), and so does ``import_module("registry.x")``."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "registry":
                found.update(f"registry.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def registry_imports(source: str) -> set[str]:
    return {m for m in _imported(ast.parse(source)) if m.split(".")[0] == "registry"}


def forbidden(module: str) -> bool:
    return module not in ALLOWED


def offenders() -> list[str]:
    bad = []
    for path in sorted((ROOT / "adapters").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for module in sorted(registry_imports(path.read_text(encoding="utf-8"))):
            if forbidden(module):
                bad.append(f"{rel} imports {module}")
    return bad


def test_adapters_import_neither_the_registrys_config_nor_its_aggregates() -> None:
    assert offenders() == []


def test_the_allowed_modules_are_leaves() -> None:
    # Were one of them to import registry.config or an aggregate, the adapters would too.
    for module in sorted(ALLOWED):
        path = ROOT / (module.replace(".", "/") + ".py")
        tops = {m.split(".")[0] for m in _imported(ast.parse(path.read_text(encoding="utf-8")))}
        assert tops & FIRST_PARTY == set(), module


def test_config_and_every_aggregate_package_are_forbidden() -> None:
    packages = sorted(p.parent.name for p in (ROOT / "registry").glob("*/__init__.py"))
    assert {"persons", "party", "evaluations", "org_units"} <= set(packages)
    assert forbidden("registry.config")
    assert forbidden("registry")
    for package in packages:
        assert forbidden(f"registry.{package}")
        assert forbidden(f"registry.{package}.rules")


def test_the_check_sees_each_way_of_importing() -> None:
    probe = """
from registry.config import Settings
from registry.evaluations.rules import period_kind
from registry import persons, dates
import registry.party.rules
import registry
from registry.dates import PartialDate
from adapters.http import HttpClient
from . import wire
if TYPE_CHECKING:
    from registry.runtime import Runtime
importlib.import_module("registry.standards.service")
"""
    found = registry_imports(probe)
    assert sorted(m for m in found if forbidden(m)) == [
        "registry",
        "registry.config",
        "registry.evaluations.rules",
        "registry.party.rules",
        "registry.persons",
        "registry.runtime",
        "registry.standards.service",
    ]
    assert {m for m in found if not forbidden(m)} == {"registry.dates"}


def test_the_scan_reads_the_adapters() -> None:
    # a renamed folder would silently pass the scan above
    assert len(list((ROOT / "adapters").rglob("*.py"))) > 10
    assert registry_imports((ROOT / "adapters/wire_common.py").read_text(encoding="utf-8"))
