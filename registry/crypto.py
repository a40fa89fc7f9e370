"""Field encryption (AES-GCM envelope) and the keyed blind index.

Ciphertext layout: ``b"\\x01" | len(kid) | kid | nonce(12) | ciphertext+tag``. The key id travels
with every value so keys can rotate; the associated data binds a value to its table, column and
row, so a ciphertext copied into another row or column fails to decrypt. Data keys are wrapped by
a key-encryption key held by the key provider; the blind-index key is a separate secret and never
derived from a data key.

Keys change (``registry.keys``): a rotation makes a new data key current and re-encrypts every
value; old data keys stay readable until nothing uses them and are then retired. A blind index
carries no key id, so while it is rebuilt under a new index key the previous index key stays
live: writes use the current key, lookups try both (``FieldCipher.blind_indexes``).
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from registry.errors import DecryptionError
from registry.keyring import (
    KeyManager,
    KeyProvider,
    KeyringState,
    LocalFileKeyProvider,
    StaticKeyProvider,
)

_FORMAT = 1
_NONCE = 12
_TAG = 16

__all__ = [
    "FieldCipher",
    "KeyManager",
    "KeyProvider",
    "KeyringState",
    "LocalFileKeyProvider",
    "StaticKeyProvider",
]


class FieldCipher:
    """Encrypts and decrypts single field values; computes blind indexes.

    Asks its provider for the current keys on every use (they may change while it lives)."""

    def __init__(self, provider: KeyProvider) -> None:
        self._provider = provider
        self._aead: dict[str, AESGCM] = {}
        self._index_keys: dict[bytes, bytes] = {}

    def _cipher(self, key_id: str) -> AESGCM:
        aead = self._aead.get(key_id)
        if aead is None:
            aead = AESGCM(self._provider.data_key(key_id))
            self._aead[key_id] = aead
        return aead

    @staticmethod
    def associated_data(table: str, column: str, row_id: object) -> bytes:
        return f"{table}\x1f{column}\x1f{row_id}".encode()

    @staticmethod
    def header(key_id: str) -> bytes:
        """The bytes every ciphertext under ``key_id`` starts with (to find them in SQL)."""
        kid = key_id.encode("ascii")
        return bytes([_FORMAT, len(kid)]) + kid

    def current_key_id(self) -> str:
        return self._provider.current_key_id()

    def encrypt(self, plaintext: str, *, table: str, column: str, row_id: object) -> bytes:
        return self.encrypt_bytes(
            plaintext.encode("utf-8"), table=table, column=column, row_id=row_id
        )

    def decrypt(self, blob: bytes, *, table: str, column: str, row_id: object) -> str:
        return self.decrypt_bytes(blob, table=table, column=column, row_id=row_id).decode("utf-8")

    def encrypt_bytes(
        self,
        plaintext: bytes,
        *,
        table: str,
        column: str,
        row_id: object,
        key_id: str | None = None,
    ) -> bytes:
        """Under ``key_id``, or the provider's current key."""
        kid = key_id or self._provider.current_key_id()
        nonce = os.urandom(_NONCE)
        body = self._cipher(kid).encrypt(
            nonce, plaintext, self.associated_data(table, column, row_id)
        )
        return self.header(kid) + nonce + body

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

    def _mac_key(self, raw: bytes) -> bytes:
        derived = self._index_keys.get(raw)
        if derived is None:
            derived = hashlib.sha256(b"cadre-blind-index\x00" + raw).digest()
            self._index_keys[raw] = derived
        return derived

    def _index_under(self, raw: bytes, value: str, purpose: str) -> str:
        mac = hmac.new(self._mac_key(raw), digestmod=hashlib.sha256)
        mac.update(purpose.encode() + b"\x00" + value.strip().encode("utf-8"))
        return mac.hexdigest()

    def blind_index(self, value: str, *, purpose: str) -> str:
        """Keyed HMAC-SHA256 of a normalised value under the current index key (what is
        stored); ``purpose`` separates number kinds."""
        return self._index_under(self._provider.blind_index_key(), value, purpose)

    def blind_indexes(self, value: str, *, purpose: str) -> tuple[str, ...]:
        """Every index a stored row may hold for ``value``: the current key's first, then, while
        a rebuild is in progress, the previous key's. Lookups and uniqueness checks match any."""
        return tuple(
            self._index_under(raw, value, purpose) for raw in self._provider.lookup_index_keys()
        )
