"""Field encryption (AES-GCM envelope) and the keyed blind index.

Ciphertext layout: ``b"\\x01" | len(kid) | kid | nonce(12) | ciphertext+tag``. The key id travels
with every value so keys can rotate; the associated data binds a value to its table, column and
row, so a ciphertext copied into another row or column fails to decrypt. Data keys are wrapped by
a key-encryption key held by the key provider; the blind-index key is a separate secret and never
derived from a data key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from registry.errors import DecryptionError

_FORMAT = 1
_NONCE = 12
_TAG = 16


class KeyProvider(Protocol):
    """Source of data keys and the blind-index key (a local file, or a KMS in production)."""

    def current_key_id(self) -> str: ...

    def data_key(self, key_id: str) -> bytes: ...

    def blind_index_key(self) -> bytes: ...

    def audit_signing_key(self) -> tuple[str, bytes]:
        """(key id, 32-byte Ed25519 seed) that signs audit checkpoints and export bundles."""
        ...


@dataclass
class StaticKeyProvider:
    """Keys held in memory: tests, and providers that fetched their keys elsewhere."""

    keys: dict[str, bytes]
    current: str
    index_key: bytes
    signing_seed: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    signing_kid: str = "audit-1"

    def current_key_id(self) -> str:
        return self.current

    def data_key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise DecryptionError(f"unknown data key id {key_id!r}") from None

    def blind_index_key(self) -> bytes:
        return self.index_key

    def audit_signing_key(self) -> tuple[str, bytes]:
        return self.signing_kid, self.signing_seed


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


class LocalFileKeyProvider(StaticKeyProvider):
    """Embedded default: ``var/keys/keyring.json`` (mode 0600) created on first use.

    The file holds a key-encryption key, data keys wrapped by it, and the blind-index key. It
    is the whole secret of the deployment: back it up apart from the database.
    """

    FILE_NAME = "keyring.json"

    def __init__(self, keys_dir: Path) -> None:
        path = keys_dir / self.FILE_NAME
        if not path.exists():
            self._create(path)
        doc = json.loads(path.read_text("utf-8"))
        kek = AESGCM(_unb64(doc["kek"]))
        keys = {}
        for kid, wrapped in doc["data_keys"].items():
            raw = _unb64(wrapped)
            keys[kid] = kek.decrypt(raw[:_NONCE], raw[_NONCE:], f"dek:{kid}".encode())
        if "audit_signing" not in doc:  # keyrings made before audit signing existed
            doc["audit_signing"] = {"kid": "audit-1", "seed": _b64(secrets.token_bytes(32))}
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(doc, fh)
            os.replace(tmp, path)
        super().__init__(
            keys=keys,
            current=doc["current"],
            index_key=_unb64(doc["blind_index"]),
            signing_seed=_unb64(doc["audit_signing"]["seed"]),
            signing_kid=doc["audit_signing"]["kid"],
        )

    @staticmethod
    def _create(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        kek_bytes = AESGCM.generate_key(bit_length=256)
        kid = "k1"
        nonce = os.urandom(_NONCE)
        wrapped = nonce + AESGCM(kek_bytes).encrypt(
            nonce, AESGCM.generate_key(bit_length=256), f"dek:{kid}".encode()
        )
        doc = {
            "kek": _b64(kek_bytes),
            "current": kid,
            "data_keys": {kid: _b64(wrapped)},
            "blind_index": _b64(secrets.token_bytes(32)),
            "audit_signing": {"kid": "audit-1", "seed": _b64(secrets.token_bytes(32))},
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh)


class FieldCipher:
    """Encrypts and decrypts single field values; computes blind indexes."""

    def __init__(self, provider: KeyProvider) -> None:
        self._provider = provider
        self._aead: dict[str, AESGCM] = {}
        self._index_key = hashlib.sha256(b"cadre-blind-index\x00" + provider.blind_index_key())

    def _cipher(self, key_id: str) -> AESGCM:
        aead = self._aead.get(key_id)
        if aead is None:
            aead = AESGCM(self._provider.data_key(key_id))
            self._aead[key_id] = aead
        return aead

    @staticmethod
    def associated_data(table: str, column: str, row_id: object) -> bytes:
        return f"{table}\x1f{column}\x1f{row_id}".encode()

    def encrypt(self, plaintext: str, *, table: str, column: str, row_id: object) -> bytes:
        return self.encrypt_bytes(
            plaintext.encode("utf-8"), table=table, column=column, row_id=row_id
        )

    def decrypt(self, blob: bytes, *, table: str, column: str, row_id: object) -> str:
        return self.decrypt_bytes(blob, table=table, column=column, row_id=row_id).decode("utf-8")

    def encrypt_bytes(self, plaintext: bytes, *, table: str, column: str, row_id: object) -> bytes:
        kid = self._provider.current_key_id().encode("ascii")
        nonce = os.urandom(_NONCE)
        body = self._cipher(kid.decode()).encrypt(
            nonce, plaintext, self.associated_data(table, column, row_id)
        )
        return bytes([_FORMAT, len(kid)]) + kid + nonce + body

    def decrypt_bytes(self, blob: bytes, *, table: str, column: str, row_id: object) -> bytes:
        if len(blob) < 2 or blob[0] != _FORMAT:
            raise DecryptionError(f"{table}.{column}: unknown ciphertext format")
        klen = blob[1]
        try:
            kid = blob[2 : 2 + klen].decode("ascii", errors="strict")
        except UnicodeDecodeError:
            raise DecryptionError(f"{table}.{column}: malformed key id") from None
        nonce = blob[2 + klen : 2 + klen + _NONCE]
        body = blob[2 + klen + _NONCE :]
        if len(nonce) != _NONCE or len(body) < _TAG:
            # A truncated value would otherwise surface as AESGCM's ValueError, not ours.
            raise DecryptionError(f"{table}.{column}: ciphertext is truncated")
        try:
            plain = self._cipher(kid).decrypt(
                nonce, body, self.associated_data(table, column, row_id)
            )
        except InvalidTag:
            raise DecryptionError(f"{table}.{column}: ciphertext does not authenticate") from None
        return plain

    @staticmethod
    def key_id_of(blob: bytes) -> str:
        return blob[2 : 2 + blob[1]].decode("ascii")

    def blind_index(self, value: str, *, purpose: str) -> str:
        """Keyed HMAC-SHA256 of a normalised value; ``purpose`` separates number kinds."""
        mac = hmac.new(self._index_key.digest(), digestmod=hashlib.sha256)
        mac.update(purpose.encode() + b"\x00" + value.strip().encode("utf-8"))
        return mac.hexdigest()
