"""Pure tests of the key file, field encryption and name normalisation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crimebook.crypto import (
    DecryptionError,
    KeyFileError,
    keyring_create,
    keyring_load,
    keyring_save,
    normalise_identifier,
    normalise_name,
)

KEYRING = keyring_create()


@given(st.text(max_size=200), st.text(max_size=50))
def test_encrypt_round_trip(plain: str, aad: str) -> None:
    assert KEYRING.decrypt(KEYRING.encrypt(plain, aad), aad) == plain


def test_ciphertext_is_bound_to_its_aad_and_authenticated() -> None:
    token = KEYRING.encrypt("Сяргей", "register.person:1:full_name")
    with pytest.raises(DecryptionError, match="moved"):
        KEYRING.decrypt(token, "register.person:2:full_name")
    flipped = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(DecryptionError):
        KEYRING.decrypt(flipped, "register.person:1:full_name")
    with pytest.raises(DecryptionError, match="malformed"):
        KEYRING.decrypt("garbage", "x")
    with pytest.raises(DecryptionError, match="lacks"):
        KEYRING.decrypt("v1:k9:AAAA", "x")


def test_rotation_keeps_old_keys_readable() -> None:
    token = KEYRING.encrypt("name", "a")
    rotated = KEYRING.with_new_active_key()
    assert rotated.active == "k2" and rotated.decrypt(token, "a") == "name"
    assert rotated.key_id_of(rotated.encrypt("x", "a")) == "k2"


def test_key_file_round_trip_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "k" / "keys.json"
    keyring_save(KEYRING, path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert keyring_load(path).blind_index("name", "x") == KEYRING.blind_index("name", "x")
    assert "key" not in repr(keyring_load(path)).replace("key_ids", "")
    with pytest.raises(KeyFileError, match="crimebook keys init"):
        keyring_load(tmp_path / "missing.json")
    path.write_text(json.dumps({"format": "other"}))
    with pytest.raises(KeyFileError, match="not a"):
        keyring_load(path)
    path.write_text("{not json")
    with pytest.raises(KeyFileError, match="unreadable"):
        keyring_load(path)


@pytest.mark.parametrize(
    "variants",
    [
        ("Іваноў Сяргей", "Siarhei Ivanou", "ivanou  SIARHEI"),
        ("Иванов Сергей", "Sergei Ivanov", "Sergey Ivanov"),
        ("Хрусталёв Алексей", "Khrustalev Aleksei", "Khrustalyov Alexei"),
        ("Юлія Шчарбакова", "Yuliya Shcharbakova", "Julija Ščarbakova"),
    ],
)
def test_name_variants_normalise_alike(variants: tuple[str, ...]) -> None:
    assert len({normalise_name(v) for v in variants}) == 1


def test_different_names_stay_different() -> None:
    assert normalise_name("Иванов Сергей") != normalise_name("Петров Сергей")


def test_identifier_normalisation() -> None:
    assert normalise_identifier("MP 123-45-67") == normalise_identifier("mp1234567")
    assert normalise_identifier("A.B@Example.org ") == "a.b@example.org"
