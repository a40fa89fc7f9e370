"""``cadre keys status`` counts, retiring a key only when nothing needs it, and keyrings made
before keys could change."""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from registry.crypto import FieldCipher, LocalFileKeyProvider
from registry.errors import RegistryError
from registry.keys.service import retire, rotate
from registry.persons.models import Person
from registry.wiring import metadata
from tests.keys.conftest import PERSONS, KeyedWard

CADRE = [str(Path(sys.executable).parent / "cadre")]


def _status(ward: KeyedWard) -> list[str]:
    done = subprocess.run(
        [*CADRE, "keys", "status"], env=ward.env, capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def test_status_counts_and_retirement(keyed_ward: KeyedWard) -> None:
    ward = keyed_ward
    expected = {
        f: sum(v[f] is not None for v in ward.values.values())
        for f in ("nid", "cmnd", "phone", "email")
    }
    assert expected["nid"] == PERSONS and 0 < expected["email"] < expected["phone"]
    lines = _status(ward)
    assert lines[0] == "current data key: k1"
    for f, n in expected.items():
        assert f"values\tk1\tpersons.{f}_ct\t{n}" in lines
    assert "values\tk1\tsync_quarantine.payload_ct\t1" in lines

    with ward.rt.sessions() as session, pytest.raises(RegistryError, match="current"):
        retire(ward.rt, session, "k1", metadata=metadata())

    report = rotate(ward.rt, batch_size=50)
    assert report.data_done and not report.resumed and report.data_key == "k2"
    lines = _status(ward)
    assert lines[0] == "current data key: k2"
    assert not [line for line in lines if "\tk1\t" in line]
    for f, n in expected.items():
        assert f"values\tk2\tpersons.{f}_ct\t{n}" in lines

    # A value written under k1 after the rotation (a process that had not seen k2): k1 is
    # still needed, and status says where.
    with ward.rt.sessions.begin() as session:
        ward.rt.system_ctx(session, reason="straggler")
        person = session.scalars(sa.select(Person).order_by(Person.id).limit(1)).one()
        person.phone_ct = ward.rt.cipher.encrypt_bytes(
            b"0900000001", table="persons", column="phone_ct", row_id=person.id, key_id="k1"
        )
    assert "values\tk1\tpersons.phone_ct\t1" in _status(ward)
    with ward.rt.sessions() as session, pytest.raises(RegistryError, match="still encrypts"):
        retire(ward.rt, session, "k1", metadata=metadata())

    rotate(ward.rt, batch_size=50)  # k3; nothing live under k1 or k2 any more
    with ward.rt.sessions() as session:
        # Recorded versions keep values under k1: as-of reads need it.
        with pytest.raises(RegistryError, match="recorded versions"):
            retire(ward.rt, session, "k1", metadata=metadata())
        retire(ward.rt, session, "k1", metadata=metadata(), forget_history=True)
    lines = _status(ward)
    assert "data keys: k2, k3" in lines and "retired: k1" in lines
    keyring = ward.rt.settings.keys_dir / "keyring.json"
    assert stat.S_IMODE(keyring.stat().st_mode) == 0o600
    assert "k1" not in json.loads(keyring.read_text())["data_keys"]
    report = rotate(ward.rt, batch_size=50)
    assert report.data_key == "k4"  # a retired id is never reused


def _legacy_keyring(keys_dir: Path) -> tuple[bytes, bytes]:
    """A keyring as written before keys could change; returns (data key k1, index key)."""
    kek, dek, index = AESGCM.generate_key(256), AESGCM.generate_key(256), secrets.token_bytes(32)
    nonce = os.urandom(12)
    wrapped = nonce + AESGCM(kek).encrypt(nonce, dek, b"dek:k1")
    doc = {
        "kek": base64.b64encode(kek).decode(),
        "current": "k1",
        "data_keys": {"k1": base64.b64encode(wrapped).decode()},
        "blind_index": base64.b64encode(index).decode(),
    }
    keys_dir.mkdir(parents=True)
    (keys_dir / "keyring.json").write_text(json.dumps(doc))
    os.chmod(keys_dir / "keyring.json", 0o600)
    return dek, index


def test_a_keyring_made_before_rotation_loads_and_rotates(tmp_path: Path) -> None:
    dek, index = _legacy_keyring(tmp_path / "keys")
    server = LocalFileKeyProvider(tmp_path / "keys")  # a long-running process
    assert server.data_key("k1") == dek and server.blind_index_key() == index
    cipher = FieldCipher(server)
    where = {"table": "persons", "column": "nid_ct", "row_id": "r1"}
    old = cipher.encrypt("031185000001", **where)
    old_index = cipher.blind_index("031185000001", purpose="nid")

    admin = LocalFileKeyProvider(tmp_path / "keys")  # `cadre keys rotate`, elsewhere
    assert admin.begin_data_rotation() == "k2"
    assert admin.begin_index_rotation() == "i2"
    doc = json.loads((tmp_path / "keys" / "keyring.json").read_text())
    assert "blind_index" not in doc and set(doc["index_keys"]) == {"i1", "i2"}  # all wrapped

    # The server sees the change without a restart: writes under the new keys, reads both,
    # looks up under both indexes while the rebuild is in progress.
    new = cipher.encrypt("031185000002", **where)
    assert FieldCipher.key_id_of(new) == "k2"
    assert FieldCipher(admin).decrypt(new, **where) == "031185000002"
    assert cipher.decrypt(old, **where) == "031185000001"
    current, previous = cipher.blind_indexes("031185000001", purpose="nid")
    assert previous == old_index and current != old_index
    assert cipher.blind_index("031185000001", purpose="nid") == current

    admin.end_index_rotation()
    admin.end_data_rotation()
    assert cipher.blind_indexes("031185000001", purpose="nid") == (current,)
    reloaded = LocalFileKeyProvider(tmp_path / "keys")
    assert reloaded.state().index_current == "i2" and reloaded.state().rotating is None
    assert FieldCipher(reloaded).decrypt(old, **where) == "031185000001"
