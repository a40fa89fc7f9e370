"""Ed25519 signatures over the population database's answers (contracts/population.md).

The signed bytes are ``{"header": …, "message": …}`` serialised the way Python's
``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` does. We verify
against the key the registry was configured with — never a key the peer offers — so a
compromised gateway cannot substitute its own.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from adapters.errors import BadSignature, HostileResponse

_ENVELOPE_KEYS = frozenset({"signature", "header", "message"})
_SIGNATURE_BYTES = 64


def canonical_bytes(header: object, message: object) -> bytes:
    obj = {"header": header, "message": message}
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def load_public_key(b64: str) -> Ed25519PublicKey:
    """The pinned key: standard base64 of the raw 32 bytes. Raises ``ValueError``."""
    try:
        raw = base64.b64decode(b64.strip(), validate=True)
    except binascii.Error as exc:
        raise ValueError("population public key is not base64") from exc
    if len(raw) != 32:
        raise ValueError("population public key must be 32 raw bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def public_key_b64(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode("ascii")


def sign(key: Ed25519PrivateKey, header: object, message: object) -> str:
    return base64.b64encode(key.sign(canonical_bytes(header, message))).decode("ascii")


def verified_parts(
    doc: object, key: Ed25519PublicKey, system: str, operation: str
) -> dict[str, Any]:
    """``{"header", "message"}`` of a signed envelope whose signature verifies with ``key``;
    ``BadSignature`` otherwise. Nothing of an unverified envelope is returned. Other keys
    beside the three are outside the signature: never read (the client reports them as
    drift)."""
    if not isinstance(doc, dict) or not set(doc) >= _ENVELOPE_KEYS:
        raise HostileResponse(system, operation, "not a signed envelope")
    signature = doc["signature"]
    if not isinstance(signature, str) or len(signature) > 128:
        raise BadSignature(system, operation, "signature missing or malformed")
    try:
        raw = base64.b64decode(signature, validate=True)
    except binascii.Error as exc:
        raise BadSignature(system, operation, "signature is not base64") from exc
    if len(raw) != _SIGNATURE_BYTES:
        raise BadSignature(system, operation, "signature has the wrong length")
    try:
        key.verify(raw, canonical_bytes(doc["header"], doc["message"]))
    except UnicodeEncodeError as exc:  # a lone surrogate escaped into the JSON
        raise HostileResponse(system, operation, "text that is not Unicode") from exc
    except InvalidSignature as exc:
        raise BadSignature(system, operation, "signature does not verify") from exc
    return {"header": doc["header"], "message": doc["message"]}
