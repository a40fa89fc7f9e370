"""No module outside the two declarations (``adapters/systems.py``, ``sync/systems.py``)
branches on which external system it is dealing with: no comparison with a system's name, no
``match`` on it, no table keyed by it or by one of its jobs, no ``isinstance`` against a
system's simulator. Such a branch is what a third system would have to find and extend; the
declarations walk instead."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from adapters.systems import SIMULATORS
from sync.systems import SYSTEMS

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("adapters", "sync", "registry", "schemas")
DECLARATIONS = {"adapters/systems.py", "sync/systems.py"}
NAMES = frozenset(n for s in SIMULATORS for n in (s.name, s.cli_name, s.settings_prefix)) | {
    j.job
    for s in SYSTEMS
    for j in s.jobs  # a table of a system's jobs is about the system
}
SIM_TYPES = frozenset(s.sim_type.__name__ for s in SIMULATORS)
_COMPARING = (ast.Eq, ast.NotEq, ast.Is, ast.IsNot, ast.In, ast.NotIn)


def _names_in(node: ast.expr) -> Iterator[str]:
    """System names an operand spells out: a string, or a tuple, list or set of them."""
    items = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
    for item in items:
        if isinstance(item, ast.Constant) and item.value in NAMES:
            yield str(item.value)


def _type_names(node: ast.expr) -> Iterator[str]:
    items = node.elts if isinstance(node, ast.Tuple) else [node]
    for item in items:
        name = item.id if isinstance(item, ast.Name) else getattr(item, "attr", None)
        if name in SIM_TYPES:
            yield str(name)


def branches(source: str) -> list[str]:
    """Where ``source`` branches on a system: ``line: what``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(isinstance(o, _COMPARING) for o in node.ops):
            for operand in [node.left, *node.comparators]:
                found += [f"{node.lineno}: compares with {n!r}" for n in _names_in(operand)]
        elif isinstance(node, ast.MatchValue):
            found += [f"{node.lineno}: matches {n!r}" for n in _names_in(node.value)]
        elif isinstance(node, ast.Dict):
            keys = [k for k in node.keys if k is not None]
            found += [f"{node.lineno}: table keyed by {n!r}" for k in keys for n in _names_in(k)]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "isinstance"
            and len(node.args) == 2
        ):
            found += [f"{node.lineno}: isinstance of {n}" for n in _type_names(node.args[1])]
    return found


def offenders() -> list[str]:
    bad = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in DECLARATIONS:
                continue
            bad += [f"{rel}:{b}" for b in branches(path.read_text(encoding="utf-8"))]
    return bad


def test_no_module_outside_the_declarations_branches_on_a_system() -> None:
    assert offenders() == []


def test_the_check_sees_each_kind_of_branch() -> None:
    probe = """
if kind == "population": pass
if name not in ("population", "civil_service"): pass
match kind:
    case "civil-service": pass
PORTS = {"population": 8101}
EVERY = {"population-events": 300}
if isinstance(sim, PopulationSim) or isinstance(sim, (x.CivilServiceSim, int)): pass
if kind == "tax_office" or SYSTEM == outbox.CIVIL_SERVICE: pass
"""
    assert sorted(b.split(": ", 1)[1] for b in branches(probe)) == [
        "compares with 'civil_service'",
        "compares with 'population'",
        "compares with 'population'",
        "isinstance of CivilServiceSim",
        "isinstance of PopulationSim",
        "matches 'civil-service'",
        "table keyed by 'population'",
        "table keyed by 'population-events'",
    ]


def test_every_scanned_tree_exists() -> None:
    # a renamed folder would silently pass the scan above
    assert all((ROOT / top).is_dir() for top in SCANNED)
    assert all((ROOT / rel).is_file() for rel in DECLARATIONS)
