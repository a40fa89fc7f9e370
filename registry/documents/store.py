"""Content-addressed document store: ``<root>/<sha[:2]>/<sha>``, content encrypted at rest
(documents include ID-card scans and discipline decisions).

A file's name is the SHA-256 of its plaintext and its associated data is that name (table
``documents``, column ``content``, row id the address), so re-encrypting a file under another
data key (``reencrypt``, during ``cadre keys rotate``) rewrites it where it is. Every write goes
to a temporary file in the same directory, flushed to disk, then ``os.replace``: a reader sees
the old file or the new one, never part of one, and a kill leaves at most a ``*.tmp`` behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from registry.crypto import FieldCipher
from registry.errors import DecryptionError

TABLE, COLUMN = "documents", "content"
_ADDRESS = re.compile(r"[0-9a-f]{64}")
_HEAD = 2 + 255  # format byte, key id length, the longest key id


class DocumentStore:
    def __init__(self, root: Path, cipher: FieldCipher) -> None:
        self._root = root
        self._cipher = cipher

    def _path(self, sha256: str) -> Path:
        return self._root / sha256[:2] / sha256

    def put(self, content: bytes) -> str:
        sha = hashlib.sha256(content).hexdigest()
        path = self._path(sha)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            self._write(path, self._encrypt(content, sha, key_id=None))
        return sha

    def get(self, sha256: str) -> bytes:
        return self._decrypt(self._path(sha256).read_bytes(), sha256)

    def addresses(self) -> Iterator[str]:
        """The address of every stored file, in order (temporary files left out)."""
        if not self._root.is_dir():
            return
        for sub in sorted(p for p in self._root.iterdir() if p.is_dir()):
            for path in sorted(sub.iterdir()):
                name = path.name
                if _ADDRESS.fullmatch(name) and name[:2] == sub.name and path.is_file():
                    yield name

    def key_id(self, sha256: str) -> str | None:
        """The data key id in the file's header; None when it is not a ciphertext we know."""
        with self._path(sha256).open("rb") as fh:
            return _key_id_of(fh.read(_HEAD))

    def reencrypt(self, sha256: str, *, key_id: str) -> bool:
        """Rewrite the file under ``key_id`` unless it already is; True when rewritten.

        Raises ``DecryptionError`` for a file that does not decrypt or does not match its
        address (it is left as it is), ``FileNotFoundError`` when it is gone."""
        path = self._path(sha256)
        blob = path.read_bytes()
        if _key_id_of(blob[:_HEAD]) == key_id:
            return False
        content = self._decrypt(blob, sha256)
        self._write(path, self._encrypt(content, sha256, key_id=key_id))
        return True

    def _encrypt(self, content: bytes, sha256: str, *, key_id: str | None) -> bytes:
        return self._cipher.encrypt_bytes(
            content, table=TABLE, column=COLUMN, row_id=sha256, key_id=key_id
        )

    def _decrypt(self, blob: bytes, sha256: str) -> bytes:
        content = self._cipher.decrypt_bytes(blob, table=TABLE, column=COLUMN, row_id=sha256)
        if hashlib.sha256(content).hexdigest() != sha256:
            raise DecryptionError(f"document {sha256}: content does not match its address")
        return content

    def remove_stale_temporaries(self, *, older_than: float = 3600.0) -> int:
        """Delete temporary files a killed writer left (a live writer's are younger)."""
        removed = 0
        limit = time.time() - older_than
        for tmp in self._root.glob("??/*.tmp") if self._root.is_dir() else ():
            try:
                if tmp.stat().st_mtime < limit:
                    tmp.unlink()
                    removed += 1
            except FileNotFoundError:  # its writer renamed or removed it meanwhile
                continue
        return removed

    @staticmethod
    def _write(path: Path, blob: bytes) -> None:
        # A temporary name of its own: two processes storing the same content at once (or a
        # rotation and an upload) never write into one file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
                fh.flush()
                os.fsync(fh.fileno())  # the data is on disk before the name points at it
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _key_id_of(head: bytes) -> str | None:
    if len(head) < 2:
        return None
    try:
        kid = head[2 : 2 + head[1]].decode("ascii")
    except UnicodeDecodeError:
        return None
    return kid if head.startswith(FieldCipher.header(kid)) else None
