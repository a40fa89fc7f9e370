"""Signed session cookies: the browser holds the state, the server holds only the key.

The cookie is ``base64url(json) "." base64url(HMAC-SHA256)``. It carries the CSRF token
(also for visitors not signed in, so the sign-in form is protected too), and once signed in
the user id, when the session began (absolute timeout) and when it was last used (idle
timeout). Nothing personal is in it beyond the user id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

COOKIE = "cadre_session"
SECRET_FILE = "session.key"  # noqa: S105 - a file name, not a secret


def load_or_create_secret(keys_dir: Path) -> bytes:
    """The signing key lives beside the keyring (mode 0600), created on first use."""
    path = keys_dir / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(base64.b64encode(secrets.token_bytes(32)).decode("ascii"))
    return base64.b64decode(path.read_text("ascii").strip())


@dataclass
class SessionData:
    csrf: str
    user_id: str | None = None
    issued: float | None = None  # POSIX seconds
    seen: float | None = None

    @classmethod
    def anonymous(cls) -> SessionData:
        return cls(csrf=secrets.token_urlsafe(24))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, body: str) -> str:
    return _b64(hmac.new(secret, body.encode("ascii"), hashlib.sha256).digest())


def encode(secret: bytes, data: SessionData) -> str:
    body = _b64(json.dumps(asdict(data), separators=(",", ":")).encode("utf-8"))
    return f"{body}.{_mac(secret, body)}"


def decode(secret: bytes, raw: str | None) -> SessionData | None:
    """The session in a cookie, or None if it is missing, malformed or not ours. Whatever
    the browser sent (non-ASCII, cut short, forged, fields of the wrong type), the answer is
    "no session", never an exception."""
    if not raw or not raw.isascii() or raw.count(".") != 1 or len(raw) > 2048:
        return None
    body, mac = raw.split(".")
    if not hmac.compare_digest(mac.encode("ascii"), _mac(secret, body).encode("ascii")):
        return None
    try:
        doc = json.loads(_unb64(body))
        data = SessionData(**doc) if isinstance(doc, dict) else None
    except (ValueError, TypeError, binascii.Error):
        return None
    return data if data is not None and _well_typed(data) else None


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value)) if isinstance(value, str) else uuid.UUID(int=-1)
    except ValueError:
        return False
    return True


def _well_typed(data: SessionData) -> bool:
    if not isinstance(data.csrf, str) or not data.csrf:
        return False
    if data.user_id is not None and not _is_uuid(data.user_id):
        return False
    stamps = (data.issued, data.seen)
    return all(s is None or (isinstance(s, int | float) and 0 <= s < 4102444800) for s in stamps)
