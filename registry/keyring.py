"""Key providers: where the data keys, the blind-index key and the audit signing key live.

``StaticKeyProvider`` holds them in memory (tests); ``LocalFileKeyProvider`` keeps them in
``var/keys/keyring.json`` (mode 0600): data keys wrapped by a key-encryption key, the state of a
rotation in progress, retired key ids. ``registry.crypto.FieldCipher`` uses them; key changes
are ``registry.keys``.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from registry.errors import DecryptionError, RegistryError

_NONCE = 12


class KeyProvider(Protocol):
    """Source of data keys and the blind-index key (a local file, or a KMS in production)."""

    def current_key_id(self) -> str: ...

    def data_key(self, key_id: str) -> bytes: ...

    def blind_index_key(self) -> bytes:
        """The current index key: every blind index written is computed with it."""
        ...

    def lookup_index_keys(self) -> tuple[bytes, ...]:
        """The current index key, then the previous one while a rebuild is in progress."""
        ...

    def audit_signing_key(self) -> tuple[str, bytes]:
        """(key id, 32-byte Ed25519 seed) that signs audit checkpoints and export bundles."""
        ...


@dataclass(frozen=True)
class KeyringState:
    """What the keyring says about its keys (never the keys themselves).

    ``rotating`` is the data key a rotation is moving every value to, until it has finished;
    ``index_previous`` is the index key still used for lookups while the blind indexes are
    rebuilt under ``index_current``.
    """

    current: str
    data_key_ids: tuple[str, ...]
    retired: tuple[str, ...]
    rotating: str | None
    index_current: str
    index_previous: str | None


@runtime_checkable
class KeyManager(Protocol):
    """A key provider whose keys can change (``cadre keys``)."""

    def state(self) -> KeyringState: ...

    def begin_data_rotation(self) -> str:
        """Make a new data key current, marked as being rotated to; return its id."""
        ...

    def end_data_rotation(self) -> None: ...

    def begin_index_rotation(self) -> str:
        """Make a new index key current, keeping the current one for lookups; return its id."""
        ...

    def end_index_rotation(self) -> None:
        """Forget the previous index key: every blind index is under the current one."""
        ...

    def retire_data_key(self, key_id: str) -> None: ...

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Held by one key-changing command at a time."""
        yield


def _next_id(prefix: str, taken: set[str]) -> str:
    numbers = [int(m.group(1)) for t in taken if (m := re.fullmatch(rf"{prefix}(\d+)", t))]
    return f"{prefix}{max(numbers, default=0) + 1}"


@dataclass
class StaticKeyProvider:
    """Keys held in memory: tests, and providers that fetched their keys elsewhere.

    Its keys change in memory only (``LocalFileKeyProvider`` persists every change)."""

    keys: dict[str, bytes]
    current: str
    index_key: bytes
    signing_seed: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    signing_kid: str = "audit-1"
    index_kid: str = "i1"
    previous_index: tuple[str, bytes] | None = None
    rotating: str | None = None
    retired: list[str] = field(default_factory=list)

    def current_key_id(self) -> str:
        return self.current

    def data_key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise DecryptionError(f"unknown data key id {key_id!r}") from None

    def blind_index_key(self) -> bytes:
        return self.index_key

    def lookup_index_keys(self) -> tuple[bytes, ...]:
        prev = self.previous_index
        return (self.index_key,) if prev is None else (self.index_key, prev[1])

    def audit_signing_key(self) -> tuple[str, bytes]:
        return self.signing_kid, self.signing_seed

    # -- KeyManager -------------------------------------------------------------------------

    def state(self) -> KeyringState:
        return KeyringState(
            current=self.current,
            data_key_ids=tuple(sorted(self.keys)),
            retired=tuple(self.retired),
            rotating=self.rotating,
            index_current=self.index_kid,
            index_previous=None if self.previous_index is None else self.previous_index[0],
        )

    def begin_data_rotation(self) -> str:
        kid = _next_id("k", set(self.keys) | set(self.retired))
        self.keys[kid] = AESGCM.generate_key(bit_length=256)
        self.current = self.rotating = kid
        return kid

    def end_data_rotation(self) -> None:
        self.rotating = None

    def begin_index_rotation(self) -> str:
        if self.previous_index is not None:
            raise RegistryError("a blind-index rebuild is already in progress")
        ikid = _next_id("i", {self.index_kid})
        self.previous_index = (self.index_kid, self.index_key)
        self.index_kid, self.index_key = ikid, secrets.token_bytes(32)
        return ikid

    def end_index_rotation(self) -> None:
        self.previous_index = None

    def retire_data_key(self, key_id: str) -> None:
        if key_id == self.current:
            raise RegistryError(f"{key_id} is the current data key")
        if key_id not in self.keys:
            raise RegistryError(f"no data key {key_id!r} in the keyring")
        del self.keys[key_id]
        self.retired.append(key_id)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        yield


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def _wrap(kek: bytes, key: bytes, label: str) -> str:
    nonce = os.urandom(_NONCE)
    return _b64(nonce + AESGCM(kek).encrypt(nonce, key, label.encode()))


def _unwrap(kek: bytes, wrapped: str, label: str) -> bytes:
    raw = _unb64(wrapped)
    return AESGCM(kek).decrypt(raw[:_NONCE], raw[_NONCE:], label.encode())


def _write_atomically(path: Path, doc: dict[str, Any]) -> None:
    """Write the whole keyring or nothing: a kill at any point leaves the old or the new one."""
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class LocalFileKeyProvider(StaticKeyProvider):
    """Embedded default: ``var/keys/keyring.json`` (mode 0600) created on first use.

    The file holds a key-encryption key, data keys wrapped by it, and the blind-index key. It
    is the whole secret of the deployment: back it up apart from the database.

    Layout (every field but the first five is optional, so keyrings made before keys could
    change load as they are): ``kek``, ``current``, ``data_keys`` {kid: wrapped},
    ``blind_index`` (the raw index key "i1", until the first index rotation replaces it by
    ``index_keys``), ``audit_signing``; ``index_keys`` {ikid: wrapped}, ``index_current``,
    ``index_previous`` (while a rebuild is in progress), ``rotating`` (the data key a rotation
    is moving values to), ``retired`` (data key ids never to be reused).

    Another process may change the file (``cadre keys rotate``): every use compares the file's
    stat with the one loaded and reloads it when it changed, so a server starts encrypting with
    a new key and reading values under it without a restart.
    """

    FILE_NAME = "keyring.json"

    def __init__(self, keys_dir: Path) -> None:
        self._path = keys_dir / self.FILE_NAME
        if not self._path.exists():
            self._create(self._path)
        self._stat: tuple[int, int, int] | None = None
        self._load()

    # -- loading ----------------------------------------------------------------------------

    def _file_stat(self) -> tuple[int, int, int]:
        st = os.stat(self._path)
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _read(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(self._path.read_text("utf-8"))
        return doc

    def _load(self) -> None:
        stat = self._file_stat()
        doc = self._read()
        if "audit_signing" not in doc:  # keyrings made before audit signing existed
            with self._locked():
                doc = self._read()
                doc.setdefault(
                    "audit_signing", {"kid": "audit-1", "seed": _b64(secrets.token_bytes(32))}
                )
                _write_atomically(self._path, doc)
            stat = self._file_stat()
        self._apply(doc)
        self._stat = stat

    def _apply(self, doc: dict[str, Any]) -> None:
        kek = _unb64(doc["kek"])
        keys = {kid: _unwrap(kek, w, f"dek:{kid}") for kid, w in doc["data_keys"].items()}
        if "index_keys" in doc:
            index = {k: _unwrap(kek, w, f"bik:{k}") for k, w in doc["index_keys"].items()}
        else:
            index = {"i1": _unb64(doc["blind_index"])}
        ikid = doc.get("index_current", "i1")
        prev = doc.get("index_previous")
        StaticKeyProvider.__init__(
            self,
            keys=keys,
            current=doc["current"],
            index_key=index[ikid],
            signing_seed=_unb64(doc["audit_signing"]["seed"]),
            signing_kid=doc["audit_signing"]["kid"],
            index_kid=ikid,
            previous_index=None if prev is None else (prev, index[prev]),
            rotating=doc.get("rotating"),
            retired=list(doc.get("retired", [])),
        )

    def _refresh(self) -> None:
        try:
            stat = self._file_stat()
        except FileNotFoundError:  # between unlink and rename elsewhere: keep what we have
            return
        if stat != self._stat:
            self._apply(self._read())
            self._stat = stat

    @staticmethod
    def _create(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        kek_bytes = AESGCM.generate_key(bit_length=256)
        kid = "k1"
        doc = {
            "kek": _b64(kek_bytes),
            "current": kid,
            "data_keys": {kid: _wrap(kek_bytes, AESGCM.generate_key(bit_length=256), "dek:k1")},
            "blind_index": _b64(secrets.token_bytes(32)),
            "audit_signing": {"kid": "audit-1", "seed": _b64(secrets.token_bytes(32))},
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh)

    # -- reads see changes made by other processes -----------------------------------------

    def current_key_id(self) -> str:
        self._refresh()
        return super().current_key_id()

    def data_key(self, key_id: str) -> bytes:
        if key_id not in self.keys:
            self._refresh()
        return super().data_key(key_id)

    def blind_index_key(self) -> bytes:
        self._refresh()
        return super().blind_index_key()

    def lookup_index_keys(self) -> tuple[bytes, ...]:
        self._refresh()
        return super().lookup_index_keys()

    def state(self) -> KeyringState:
        self._refresh()
        return super().state()

    # -- changes: read, change and write the file under the lock ----------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        fd = os.open(self._path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        fd = os.open(self._path.with_suffix(".rotate.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RegistryError("another key command is running") from None
            yield
        finally:
            os.close(fd)

    def _change(self, edit: Any) -> Any:
        with self._locked():
            doc = self._read()
            kek = _unb64(doc["kek"])
            if "index_keys" not in doc:  # first index rotation: wrap the legacy raw key
                doc["index_keys"] = {"i1": _wrap(kek, _unb64(doc["blind_index"]), "bik:i1")}
                doc["index_current"] = "i1"
            result = edit(doc, kek)
            doc.pop("blind_index", None)
            _write_atomically(self._path, doc)
        self._refresh()
        return result

    def begin_data_rotation(self) -> str:
        def edit(doc: dict[str, Any], kek: bytes) -> str:
            kid = _next_id("k", set(doc["data_keys"]) | set(doc.get("retired", [])))
            doc["data_keys"][kid] = _wrap(kek, AESGCM.generate_key(bit_length=256), f"dek:{kid}")
            doc["current"] = doc["rotating"] = kid
            return kid

        result: str = self._change(edit)
        return result

    def end_data_rotation(self) -> None:
        self._change(lambda doc, _kek: doc.pop("rotating", None))

    def begin_index_rotation(self) -> str:
        def edit(doc: dict[str, Any], kek: bytes) -> str:
            if doc.get("index_previous"):
                raise RegistryError("a blind-index rebuild is already in progress")
            ikid = _next_id("i", set(doc["index_keys"]))
            doc["index_keys"][ikid] = _wrap(kek, secrets.token_bytes(32), f"bik:{ikid}")
            doc["index_previous"], doc["index_current"] = doc["index_current"], ikid
            return ikid

        result: str = self._change(edit)
        return result

    def end_index_rotation(self) -> None:
        def edit(doc: dict[str, Any], _kek: bytes) -> None:
            prev = doc.pop("index_previous", None)
            if prev is not None:
                del doc["index_keys"][prev]  # nothing is indexed under it any more

        self._change(edit)

    def retire_data_key(self, key_id: str) -> None:
        def edit(doc: dict[str, Any], _kek: bytes) -> None:
            if key_id == doc["current"]:
                raise RegistryError(f"{key_id} is the current data key")
            if key_id not in doc["data_keys"]:
                raise RegistryError(f"no data key {key_id!r} in the keyring")
            del doc["data_keys"][key_id]
            doc["retired"] = [*doc.get("retired", []), key_id]

        self._change(edit)
