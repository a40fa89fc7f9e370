"""Nothing personal in logs: a statement that fails on the database, with canary values (a
name, a birth date, an identification number, a ciphertext-looking text) and the
ciphertexts the registry itself writes, served by a real uvicorn with the production logging
configuration. Every log line (structlog, stdlib, uvicorn's access and error loggers, with
tracebacks) and the error body are searched for every value of the failed statement.

The failure is a trigger on ``persons`` that refuses the insert; on PostgreSQL its message
quotes the name, as PostgreSQL's own DETAIL lines quote rows on a constraint violation."""

from __future__ import annotations

import base64
import io
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from sqlalchemy import event
from sqlalchemy.engine import Engine

from registry import logging as registry_logging
from registry.app import create_app
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.db import make_sessionmaker
from tests.factories import World, build_world, person_payload

CANARY_NAME = "Quắc Canary"
CANARY_GIVEN = "Thịnhcanary"
CANARY_BIRTH = "1911-11-11"
CANARY_CIPHER = "djE6azE6Q0FOQVJZLWNpcGhlcnRleHQtbG9va2luZw=="
CANARY_NID = "031111000777"

SQLITE_TRIGGER = """
CREATE TRIGGER canary_refuse BEFORE INSERT ON persons
BEGIN SELECT RAISE(ABORT, 'canary: refused by test trigger'); END
"""
PG_FUNCTION = """
CREATE FUNCTION canary_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'refused row (%%, %%, %%)', NEW.family_name, NEW.given_name, NEW.birth_date;
END $$
"""
PG_TRIGGER = "CREATE TRIGGER canary_refuse BEFORE INSERT ON persons FOR EACH ROW EXECUTE FUNCTION canary_refuse()"  # noqa: E501


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(
    committed_engine: Engine, tmp_path: Path, keys: StaticKeyProvider
) -> Iterator[tuple[str, World, list[Any]]]:
    settings = Settings(var_dir=tmp_path / "var")
    sessions = make_sessionmaker(committed_engine)
    with sessions() as session:
        world = build_world(session, settings, keys)
        session.commit()
    with committed_engine.begin() as conn:
        if committed_engine.dialect.name == "postgresql":
            conn.exec_driver_sql(PG_FUNCTION)
            conn.exec_driver_sql(PG_TRIGGER)
        else:
            conn.exec_driver_sql(SQLITE_TRIGGER)
    sent: list[Any] = []

    def remember(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _m: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO PERSONS"):
            sent.append(params)

    event.listen(committed_engine, "before_cursor_execute", remember)
    app = create_app(settings, sessions=sessions, keys=keys)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}", world, sent
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        event.remove(committed_engine, "before_cursor_execute", remember)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Every stdlib record (uvicorn's included) formatted with its traceback, at DEBUG."""
    registry_logging.configure("INFO", json=True)
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)


def needles(sent: list[Any]) -> set[str]:
    """The canaries and every text or byte value the failed statement carried, in the forms
    a log could show them (as is, hex, base64, Python repr)."""
    found = {CANARY_NAME, CANARY_GIVEN, CANARY_BIRTH, CANARY_CIPHER, CANARY_NID, "Quắc", "1911"}
    for params in sent:
        values = params.values() if isinstance(params, dict) else params
        for value in values:
            if isinstance(value, bytes) and len(value) >= 8:
                found |= {value.hex(), base64.b64encode(value).decode()[:24], repr(value)[2:26]}
            elif isinstance(value, str) and len(value) >= 6 and value not in {"manual", "alive"}:
                found.add(value)
    return found


def test_a_failing_statement_leaves_no_personal_value_in_logs_or_answer(
    served: tuple[str, World, list[Any]],
    captured: io.StringIO,
    capfd: pytest.CaptureFixture[str],
) -> None:
    base, world, sent = served
    body = person_payload(
        world.cell_a.id,
        family_name=CANARY_NAME,
        given_name=CANARY_GIVEN,
        birth_date=CANARY_BIRTH,
        nid=None,
        recruiting_agency=CANARY_CIPHER,
        phone="0911111777",
    )
    r = httpx.post(f"{base}/api/v1/persons", json=body, headers=world.auth("admin"), timeout=30)
    # The trigger refused the insert: the statement failed (SQLite reports its RAISE(ABORT) as
    # an integrity error, answered 409; PostgreSQL's exception is a 500).
    assert r.status_code in (409, 500), r.text
    assert sent, "the insert was not attempted: the test proves nothing"
    time.sleep(0.2)  # let the server thread write its lines
    out, err = capfd.readouterr()
    logs = captured.getvalue() + out + err
    assert "api." in logs or "http.unhandled" in logs  # the failure was logged
    leaked = sorted(n for n in needles(sent) if n in logs or n in r.text)
    assert not leaked, leaked


def test_the_needles_would_be_found() -> None:
    """The search finds a value that is there (a check that can fail)."""
    sent = [{"family_name": CANARY_NAME, "nid_ct": b"\x01\x02ciphertext-bytes"}]
    logs = f"refused row ({CANARY_NAME}) {b'ciphertext-bytes'.hex()}"
    assert CANARY_NAME in needles(sent) and any(n in logs for n in needles(sent) - {"Quắc"})
    assert sa is not None
