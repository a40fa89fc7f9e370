"""Content-addressed document store: ``<root>/<sha[:2]>/<sha>``, content encrypted at rest
(documents include ID-card scans and discipline decisions)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from registry.crypto import FieldCipher


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
            blob = self._cipher.encrypt_bytes(
                content, table="documents", column="content", row_id=sha
            )
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(blob)
            os.replace(tmp, path)  # atomic: a crash never leaves a half-written object
        return sha

    def get(self, sha256: str) -> bytes:
        blob = self._path(sha256).read_bytes()
        content = self._cipher.decrypt_bytes(
            blob, table="documents", column="content", row_id=sha256
        )
        if hashlib.sha256(content).hexdigest() != sha256:
            raise ValueError("document content does not match its address")
        return content
