"""``cadre keys rotate --index-key`` SIGKILLed mid-way, again and again, then run to the end:
no value is left under the old key, every value reads as written, the blind indexes are all
under the new index key, every rewritten row has its recorded version, and reads and lookups
work at every point in between."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from registry import catalogue
from registry.audit.verify import verify_all
from registry.crypto import FieldCipher
from registry.history import RecordVersion
from registry.keys.lookup import index_matches
from registry.keys.rotation import ACTOR
from registry.keys.usage import live_usage
from registry.persons.models import Person
from registry.wiring import metadata
from sync.models import OutboxItem
from tests.keys.conftest import PERSONS, KeyedWard

CADRE = [str(Path(sys.executable).parent / "cadre")]
KILLS = 3


def _under(ward: KeyedWard, key_id: str) -> int:
    with ward.rt.sessions() as session:
        usage = live_usage(session, metadata(), [key_id])
    return sum(u.values for u in usage if u.key_id == key_id)


def _found_by_number(ward: KeyedWard) -> int:
    """How many persons a lookup by identification number finds (under either index key)."""
    cipher: FieldCipher = ward.rt.cipher
    found = 0
    with ward.rt.sessions() as session:
        for pid, values in ward.values.items():
            nid = values["nid"]
            assert nid is not None
            stmt = sa.select(Person.id).where(
                index_matches(Person.nid_bidx, cipher, nid, purpose="nid")
            )
            found += session.scalar(stmt) == pid
    return found


def _start(ward: KeyedWard) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*CADRE, "keys", "rotate", "--index-key", "--batch-size", "5", "--pause", "0.02"],
        env=ward.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_rotation_killed_midway_finishes_on_rerun(keyed_ward: KeyedWard) -> None:
    ward = keyed_ward
    total = _under(ward, "k1")
    assert total > PERSONS  # numbers, and some contacts and old ID numbers
    with ward.rt.engine.connect() as conn:
        outbox_before = conn.scalar(sa.select(sa.func.count()).select_from(OutboxItem))
    seen = 0
    for kill in range(1, KILLS + 1):
        proc = _start(ward)
        # Kill once this many values are under k2 (batches of 5 values, 20 ms apart).
        target = max(seen + 1, total * kill // (KILLS + 2))
        while proc.poll() is None and _under(ward, "k2") < target:
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
        moved = _under(ward, "k2")
        assert moved > seen, err.decode()[-2000:]
        assert _under(ward, "k1") + moved == total
        seen = moved
        # Mid-rotation, this process (whose keyring was loaded before k2 existed) reads every
        # value and finds every person by number, rebuilt or not.
        assert ward.read_all() == ward.values
        assert _found_by_number(ward) == PERSONS
    assert seen < total, "the kills should land before the end"

    done = subprocess.run(
        [*CADRE, "keys", "rotate"], env=ward.env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "resumed" in done.stderr

    assert _under(ward, "k1") == 0 and _under(ward, "k2") == total
    assert ward.read_all() == ward.values
    assert ward.read_payload() == ward.payload  # sync's quarantine is re-encrypted too
    state = ward.rt.key_provider.state()  # type: ignore[attr-defined]
    assert (state.current, state.rotating, state.index_current, state.index_previous) == (
        "k2",
        None,
        "i2",
        None,
    )
    with ward.rt.sessions() as session:
        for person in session.scalars(sa.select(Person)):
            nid = ward.values[person.id]["nid"]
            assert nid is not None
            assert person.nid_bidx == ward.rt.cipher.blind_index(nid, purpose="nid")
    assert _found_by_number(ward) == PERSONS

    with ward.rt.engine.connect() as conn:
        report = verify_all(
            conn,
            public_key_b64=ward.rt.audit.signer.public_key_b64(),
            checkpoint_dir=ward.rt.settings.checkpoints_dir,
        )
        assert report.ok, report.problems[:5]
        rotated = conn.scalar(
            sa.select(sa.func.count(sa.distinct(RecordVersion.row_id))).where(
                RecordVersion.table_name == "persons",
                RecordVersion.actor == ACTOR.actor_id,
                RecordVersion.reason == "key rotation",
            )
        )
        assert rotated == PERSONS
        # Nothing the civil-servant database receives changed: nothing to push.
        assert conn.scalar(sa.select(sa.func.count()).select_from(OutboxItem)) == outbox_before
    assert catalogue.encrypted_columns()  # the catalogue, not this test, lists the columns
