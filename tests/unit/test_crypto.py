"""Field encryption (AES-GCM bound to table/column/row), key rotation, blind index, search keys."""

from __future__ import annotations

import unicodedata
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.crypto import FieldCipher, StaticKeyProvider
from registry.errors import DecryptionError
from registry.text import search_key

K1, K2, INDEX = b"\x01" * 32, b"\x02" * 32, b"\x03" * 32
ROW = uuid.UUID("6f1c0d2e-4b7a-4c55-9a64-2f8f5b0e1a11")
WHERE = {"table": "persons", "column": "nid_ct", "row_id": ROW}


def cipher(current: str = "k1", index: bytes = INDEX, **keys: bytes) -> FieldCipher:
    return FieldCipher(StaticKeyProvider(keys=keys or {"k1": K1}, current=current, index_key=index))


values = st.text(min_size=0, max_size=60)
ids = st.uuids()


@given(values, ids)
def test_round_trip(value: str, row: uuid.UUID) -> None:
    c = cipher()
    blob = c.encrypt(value, table="persons", column="phone_ct", row_id=row)
    assert c.decrypt(blob, table="persons", column="phone_ct", row_id=row) == value
    if len(value) >= 8:
        assert value.encode() not in blob


def test_same_value_encrypts_differently_each_time() -> None:
    c = cipher()
    assert c.encrypt("031185000001", **WHERE) != c.encrypt("031185000001", **WHERE)


@pytest.mark.parametrize(
    "moved",
    [
        {"table": "persons", "column": "nid_ct", "row_id": uuid.UUID(int=1)},
        {"table": "persons", "column": "phone_ct", "row_id": ROW},
        {"table": "provenance", "column": "nid_ct", "row_id": ROW},
        {"table": "persons", "column": "nid_ct", "row_id": str(ROW).upper()},
    ],
    ids=["other-row", "other-column", "other-table", "row-id-spelling"],
)
def test_ciphertext_moved_elsewhere_fails(moved: dict[str, object]) -> None:
    c = cipher()
    blob = c.encrypt("031185000001", **WHERE)
    with pytest.raises(DecryptionError):
        c.decrypt(blob, **moved)  # type: ignore[arg-type]
    with pytest.raises(DecryptionError):
        c.decrypt_bytes(blob, **moved)  # type: ignore[arg-type]


@given(values, ids, ids)
def test_moving_to_any_other_row_fails(value: str, row: uuid.UUID, other: uuid.UUID) -> None:
    c = cipher()
    blob = c.encrypt(value, table="persons", column="email_ct", row_id=row)
    if other == row:
        return
    with pytest.raises(DecryptionError):
        c.decrypt(blob, table="persons", column="email_ct", row_id=other)


@given(st.data())
def test_any_flipped_bit_fails(data: st.DataObject) -> None:
    c = cipher()
    blob = bytearray(c.encrypt("0912345678", **WHERE))
    i = data.draw(st.integers(0, len(blob) - 1))
    blob[i] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(DecryptionError):
        c.decrypt(bytes(blob), **WHERE)


@given(st.data())
def test_truncated_or_extended_ciphertext_fails(data: st.DataObject) -> None:
    c = cipher()
    blob = c.encrypt("0912345678", **WHERE)
    cut = data.draw(st.integers(0, len(blob) - 1))
    tail = data.draw(st.binary(min_size=1, max_size=8))
    for damaged in (blob[:cut], blob + tail):
        with pytest.raises(DecryptionError):
            c.decrypt(damaged, **WHERE)


@given(st.binary(max_size=64))
def test_arbitrary_bytes_fail_with_decryption_error(junk: bytes) -> None:
    with pytest.raises(DecryptionError):
        cipher().decrypt(junk, **WHERE)


def test_unknown_key_id_fails() -> None:
    blob = cipher("k9", k9=K2).encrypt("hà@example.vn", **WHERE)
    with pytest.raises(DecryptionError, match="unknown data key"):
        cipher().decrypt(blob, **WHERE)


def test_same_key_id_with_another_key_fails() -> None:
    blob = cipher().encrypt("hà@example.vn", **WHERE)
    with pytest.raises(DecryptionError):
        cipher(k1=K2).decrypt(blob, **WHERE)


def test_key_rotation_keeps_old_values_readable_and_writes_with_the_new_key() -> None:
    before = cipher()
    old = before.encrypt("031185000001", **WHERE)
    assert FieldCipher.key_id_of(old) == "k1"
    after = cipher("k2", k1=K1, k2=K2)
    new = after.encrypt("031185000002", **WHERE)
    assert FieldCipher.key_id_of(new) == "k2"
    assert after.decrypt(old, **WHERE) == "031185000001"
    assert after.decrypt(new, **WHERE) == "031185000002"
    with pytest.raises(DecryptionError):
        before.decrypt(new, **WHERE)  # the old keyring has never seen k2
    # Rotation never changes the blind index: lookups keep working across it.
    assert before.blind_index("031185000001", purpose="nid") == after.blind_index(
        "031185000001", purpose="nid"
    )


@given(st.text("0123456789", min_size=12, max_size=12))
def test_blind_index_is_stable_and_keyed(nid: str) -> None:
    c = cipher()
    idx = c.blind_index(nid, purpose="nid")
    assert idx == cipher().blind_index(nid, purpose="nid")
    assert len(idx) == 64 and nid not in idx
    assert cipher(index=b"\x04" * 32).blind_index(nid, purpose="nid") != idx
    assert c.blind_index(nid, purpose="cmnd") != idx


@given(
    st.text("0123456789", min_size=12, max_size=12),
    st.text("0123456789", min_size=12, max_size=12),
)
def test_blind_index_separates_values(a: str, b: str) -> None:
    c = cipher()
    assert (c.blind_index(a, purpose="nid") == c.blind_index(b, purpose="nid")) == (a == b)


def test_blind_index_does_not_depend_on_the_data_keys() -> None:
    assert cipher(k1=K1).blind_index("x", purpose="nid") == cipher(k1=K2).blind_index(
        "x", purpose="nid"
    )


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Nguyễn Thị Hà", "nguyen thi ha"),
        ("Đ", "d"),
        ("đ", "d"),
        ("Trần Văn Đức", "tran van duc"),
        ("  Lê   Thị\tHồng  ", "le thi hong"),
        ("Phạm Ngọc Ánh Dương", "pham ngoc anh duong"),
    ],
)
def test_search_key_examples(text: str, key: str) -> None:
    assert search_key(text) == key


VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
)
names = st.text(st.sampled_from(VIETNAMESE + VIETNAMESE.upper() + " "), max_size=40)


@given(names)
def test_search_key_is_plain_ascii_lower_case_and_ignores_normal_form(name: str) -> None:
    key = search_key(name)
    assert key.isascii() and key == key.lower()
    assert "  " not in key and key == key.strip()
    assert search_key(unicodedata.normalize("NFD", name)) == key
    assert search_key(key) == key
    assert len(key.replace(" ", "")) == len(name.replace(" ", ""))
