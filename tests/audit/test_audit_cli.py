"""`cadre audit verify | export | verify-bundle | checkpoint` on a real SQLite installation."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from registry.cli import app
from registry.config import get_settings
from registry.org_units.service import find_by_code
from registry.persons.service import create_person
from registry.runtime import Runtime
from schemas.persons import PersonCreate
from tests.factories import person_payload


@pytest.fixture
def installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CADRE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("CADRE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _person(var: Path) -> str:
    rt = Runtime(get_settings())
    with rt.sessions() as session:
        ctx = rt.system_ctx(session, reason="test person")
        org = find_by_code(session, "CB1")
        assert org is not None
        person = create_person(session, ctx, PersonCreate.model_validate(person_payload(org.id, 5)))
        session.commit()
        return str(person.id)


def test_verify_export_and_bundle_round_trip(installation: Path, tmp_path: Path) -> None:
    assert _run("db", "upgrade")[0] == 0
    assert (
        _run("org", "create", "--code", "CB1", "--name", "Chi bộ 1", "--kind", "party_cell")[0] == 0
    )
    pid = _person(installation)
    code, out = _run("audit", "verify")
    assert code == 0, out
    bundle = tmp_path / "bundle.json"
    code, out = _run("audit", "export", "--person", pid, "--out", str(bundle))
    assert code == 0, out
    code, out = _run("audit", "verify-bundle", str(bundle))
    assert code == 0 and "verifies" in out
    code, key = _run("audit", "public-key")
    doc = json.loads(bundle.read_text("utf-8"))
    doc["bundle"]["events"][0]["actor"] = "somebody else"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(doc), encoding="utf-8")
    code, out = _run("audit", "verify-bundle", str(tampered), "--public-key", key.strip())
    assert code == 1 and "FAILED" in out


def test_verify_names_the_first_bad_event(installation: Path) -> None:
    _run("db", "upgrade")
    for i in range(3):
        _run("org", "create", "--code", f"CB{i}", "--name", f"Chi bộ {i}", "--kind", "party_cell")
    assert _run("audit", "checkpoint")[0] == 0
    with sqlite3.connect(installation / "cadre.db") as db:
        db.execute("UPDATE audit_events SET actor = 'x' WHERE seq = 2")
    code, out = _run("audit", "verify")
    assert code == 1
    assert "first bad sequence number: 2" in out
