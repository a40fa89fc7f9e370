"""Document files follow the data key: ``cadre keys rotate`` rewrites every file under the new
key where it is (its name and associated data are its plaintext's SHA-256), SIGKILLed mid-way
and run again it finishes, every file reads as uploaded at every point in between, ``status``
counts files per key, and ``retire`` refuses an old key while a file uses it and then works."""

from __future__ import annotations

import hashlib
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from registry.config import Settings
from registry.documents.service import attach_document
from registry.documents.store import DocumentStore
from registry.errors import RegistryError
from registry.keys.service import documents, retire, rotate
from registry.keys.usage import document_usage
from registry.org_units.service import create_org_unit
from registry.persons.service import create_person
from registry.runtime import Runtime
from registry.wiring import metadata
from schemas.org_units import OrgUnitCreate
from schemas.persons import PersonCreate
from tests.factories import person_payload
from tests.keys.conftest import ROOT

CADRE = [str(Path(sys.executable).parent / "cadre")]
FILES = 36
KILLS = 2


@dataclass
class Filed:
    rt: Runtime
    env: dict[str, str]
    contents: dict[str, bytes] = field(default_factory=dict)  # address → content as uploaded

    @property
    def store(self) -> DocumentStore:
        return documents(self.rt)

    def under(self, key_id: str) -> int:
        return sum(u.values for u in document_usage(self.store, [key_id]) if u.key_id == key_id)

    def read_all(self) -> dict[str, bytes]:
        store = self.store
        return {sha: store.get(sha) for sha in self.contents}

    def raw(self) -> dict[str, bytes]:
        root = self.rt.settings.documents_dir
        return {sha: (root / sha[:2] / sha).read_bytes() for sha in self.contents}

    def stored(self) -> list[str]:
        root = self.rt.settings.documents_dir
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _scan(i: int) -> bytes:
    """A scanned decision; a few are large, so a rewrite is not instantaneous."""
    head = f"%PDF-1.4\nQUYẾT ĐỊNH số {i}/QĐ-UBND bổ nhiệm Nguyễn Thị Thu Hà\n".encode()
    return head + os.urandom(256 * 1024 if i % 6 == 0 else 2048) + b"\n%%EOF"


@pytest.fixture
def filed(committed_engine: Engine, tmp_path: Path) -> Iterator[Filed]:
    url = committed_engine.url.render_as_string(hide_password=False)
    settings = Settings(var_dir=tmp_path / "var", database_url=url)
    rt = Runtime(settings)
    ward = Filed(
        rt=rt,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "CADRE_DATABASE_URL": url,
            "CADRE_VAR_DIR": str(settings.var_dir),
            "CADRE_LOG_LEVEL": "WARNING",
        },
    )
    with rt.sessions.begin() as session:
        ctx = rt.system_ctx(session, reason="documents keys test")
        unit = create_org_unit(
            session, ctx, OrgUnitCreate(code="CB-D", name="Chi bộ Khu phố 5", kind="party_cell")
        )
        people = [
            create_person(session, ctx, PersonCreate.model_validate(person_payload(unit.id, n)))
            for n in (1, 2, 3)
        ]
        for i in range(FILES):
            content = _scan(i)
            doc = attach_document(
                session,
                ctx,
                ward.store,
                owner_table="persons",
                owner_id=people[i % 3].id,
                filename=f"qd-{i}.pdf",
                media_type="application/pdf",
                content=content,
            )
            ward.contents[doc.sha256] = content
    yield ward
    rt.close()


def _status(ward: Filed) -> list[str]:
    done = subprocess.run(
        [*CADRE, "keys", "status"], env=ward.env, capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def _retire_k1(ward: Filed) -> None:
    with ward.rt.sessions() as session:
        # Recorded versions of the persons keep numbers under k1: only the files are at issue.
        retire(ward.rt, session, "k1", metadata=metadata(), forget_history=True)


def test_rotation_rewrites_files_in_place_and_retire_follows(filed: Filed) -> None:
    ward = filed
    names, before = ward.stored(), ward.raw()
    assert ward.under("k1") == FILES
    assert f"files\tk1\tdocuments.content\t{FILES}" in _status(ward)

    report = rotate(ward.rt, batch_size=7)
    assert report.data_done and report.files == FILES and not report.unreadable
    assert ward.under("k1") == 0 and ward.under("k2") == FILES
    assert ward.stored() == names  # same names, no temporary left behind
    after = ward.raw()
    assert all(after[sha] != before[sha] for sha in ward.contents)  # rewritten, not copied
    assert ward.read_all() == ward.contents
    for sha, content in ward.contents.items():
        assert hashlib.sha256(content).hexdigest() == sha
        path = ward.rt.settings.documents_dir / sha[:2] / sha
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = _status(ward)
    assert f"files\tk2\tdocuments.content\t{FILES}" in lines
    assert not [line for line in lines if "\tk1\t" in line]

    # A file stored under k1 after the rotation (by a process that had not seen k2): k1 is
    # still needed, status says so, and the next rotation takes the file along.
    straggler = b"%PDF-1.4\nbien ban hop chi bo\n%%EOF"
    sha = hashlib.sha256(straggler).hexdigest()
    blob = ward.rt.cipher.encrypt_bytes(
        straggler, table="documents", column="content", row_id=sha, key_id="k1"
    )
    (ward.rt.settings.documents_dir / sha[:2]).mkdir(exist_ok=True)
    (ward.rt.settings.documents_dir / sha[:2] / sha).write_bytes(blob)
    ward.contents[sha] = straggler
    assert "files\tk1\tdocuments.content\t1" in _status(ward)
    with pytest.raises(RegistryError, match=r"documents\.content: 1"):
        _retire_k1(ward)

    report = rotate(ward.rt, batch_size=7)
    assert report.data_key == "k3" and report.files == FILES + 1
    assert ward.under("k3") == FILES + 1 and ward.read_all() == ward.contents
    _retire_k1(ward)
    assert ward.rt.key_provider.state().retired == ("k1",)  # type: ignore[attr-defined]


def test_a_file_that_does_not_decrypt_keeps_the_rotation_open(filed: Filed) -> None:
    ward = filed
    bad = next(iter(ward.contents))
    path = ward.rt.settings.documents_dir / bad[:2] / bad
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 1  # the tag no longer authenticates
    path.write_bytes(bytes(blob))

    report = rotate(ward.rt, batch_size=50)
    assert report.unreadable == {bad} and not report.data_done
    assert report.files == FILES - 1 and path.read_bytes() == bytes(blob)  # left as it was
    assert ward.rt.key_provider.state().rotating == "k2"  # type: ignore[attr-defined]
    with pytest.raises(RegistryError, match=r"documents\.content: 1"):
        _retire_k1(ward)


def _start(ward: Filed) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*CADRE, "keys", "rotate", "--batch-size", "2", "--pause", "0.05"],
        env=ward.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_rotation_killed_among_the_files_finishes_on_rerun(filed: Filed) -> None:
    ward = filed
    names = ward.stored()
    seen = reads = 0
    for kill in range(1, KILLS + 1):
        proc = _start(ward)
        target = max(seen + 1, FILES * kill // (KILLS + 2))
        while proc.poll() is None and ward.under("k2") < target:
            # Readers meanwhile (this process loaded its keyring before k2 existed): every
            # file is whole and reads as uploaded, rewritten or not.
            assert ward.read_all() == ward.contents
            reads += 1
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
        moved = ward.under("k2")
        assert seen < moved < FILES, err.decode()[-2000:]
        assert ward.under("k1") + moved == FILES
        seen = moved
        assert ward.read_all() == ward.contents
        with pytest.raises(RegistryError, match=r"documents\.content"):
            _retire_k1(ward)
    assert reads > 0

    done = subprocess.run(
        [*CADRE, "keys", "rotate"], env=ward.env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "resumed" in done.stderr and f"{FILES - seen} document files" in done.stderr

    assert ward.under("k1") == 0 and ward.under("k2") == FILES
    assert ward.read_all() == ward.contents
    # A kill between writing a temporary file and renaming it may leave that temporary file
    # (younger than the sweep's age limit); no stored file is missing or added.
    assert [n for n in ward.stored() if not n.endswith(".tmp")] == names
    state = ward.rt.key_provider.state()  # type: ignore[attr-defined]
    assert (state.current, state.rotating) == ("k2", None)
    _retire_k1(ward)
    lines = _status(ward)
    assert "retired: k1" in lines and f"files\tk2\tdocuments.content\t{FILES}" in lines
    assert ward.read_all() == ward.contents
