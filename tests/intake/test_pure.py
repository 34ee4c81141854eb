"""The intake's pure cores: streaming sealing, codenames and reply keys, receipts, buckets."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tracemalloc
from datetime import date
from pathlib import Path

import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyrage import x25519

from crimebook.intake.codenames import (
    codename_derive,
    codename_generate,
    codename_normalise,
    entropy_bits,
    wordlist,
)
from crimebook.intake.ratelimit import TokenBucket
from crimebook.intake.receipts import (
    ReceiptInvalid,
    public_key_from_text,
    public_key_text,
    receipt_sign,
    receipt_verify,
    signing_key_load_or_create,
)
from crimebook.intake.replykeys import (
    ReplyOpenError,
    _identity,
    reply_open,
    reply_recipient,
    reply_seal,
)
from crimebook.intake.sealing import SealError, StreamSealer, parse_recipients, seal_bytes
from crimebook.intake.store import Store, StoreError


def test_stream_sealer_round_trip_with_bounded_memory(tmp_path: Path) -> None:
    identity = x25519.Identity.generate()
    sink = tmp_path / "sealed.age"
    handle = sink.open("wb")
    sealer = StreamSealer(handle, [identity.to_public()])
    chunk = os.urandom(64 * 1024)
    tracemalloc.start()
    for _ in range(160):  # 10 MiB
        sealer.write(chunk)
    info = sealer.close()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 4 * 1024 * 1024, "memory must not grow with the upload"
    handle.close()
    assert info.plain_size == 160 * len(chunk)
    assert info.sealed_size == sink.stat().st_size
    plain = pyrage.decrypt(sink.read_bytes(), [identity])
    assert plain == chunk * 160


def test_aborted_sealer_leaves_no_valid_ciphertext() -> None:
    identity = x25519.Identity.generate()
    sink = io.BytesIO()
    sealer = StreamSealer(sink, [identity.to_public()])
    sealer.write(b"half an upload" * 1000)
    sealer.abort()
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(sink.getvalue(), [identity])


def test_recipients_must_be_age_public_keys() -> None:
    with pytest.raises(SealError):
        parse_recipients([])
    with pytest.raises(SealError):
        parse_recipients([str(x25519.Identity.generate())])


def test_sealed_to_several_recipients_opens_with_each() -> None:
    online, escrow = x25519.Identity.generate(), x25519.Identity.generate()
    sealed = seal_bytes(b"report", [online.to_public(), escrow.to_public()])
    assert pyrage.decrypt(sealed, [online]) == pyrage.decrypt(sealed, [escrow]) == b"report"


@pytest.mark.skipif(shutil.which("age") is None, reason="the age command is not installed")
def test_stock_age_decrypts_the_stream(tmp_path: Path) -> None:
    identity = x25519.Identity.generate()
    (tmp_path / "id.txt").write_text(str(identity) + "\n")
    with (tmp_path / "f.age").open("wb") as sink:
        sealer = StreamSealer(sink, [identity.to_public()])
        for i in range(50):
            sealer.write(bytes([i]) * 70_000)
        sealer.close()
    out = subprocess.run(
        ["age", "-d", "-i", str(tmp_path / "id.txt"), str(tmp_path / "f.age")],
        capture_output=True,
        check=True,
    ).stdout
    assert out == b"".join(bytes([i]) * 70_000 for i in range(50))


def test_codenames_have_enough_entropy_and_normalise() -> None:
    assert len(wordlist()) == 7776
    assert entropy_bits() >= 80
    codename = codename_generate()
    assert len(codename.split()) == 7
    assert codename_normalise("  " + codename.upper().replace(" ", "   ") + "\n") == codename
    salt = b"s" * 32
    assert codename_derive(codename, salt) == codename_derive(codename.upper(), salt)
    assert codename_derive(codename, salt).lookup != codename_derive(codename, b"t" * 32).lookup
    assert codename not in repr(codename_derive(codename, salt))


def test_reply_key_matches_age_and_only_the_codename_opens_replies() -> None:
    salt = os.urandom(32)
    keys = codename_derive(codename_generate(), salt)
    other = codename_derive(codename_generate(), salt)
    recipient = reply_recipient(keys.reply_secret)
    assert recipient == str(_identity(keys.reply_secret).to_public())
    sealed = reply_seal("Можаце назваць падраздзяленне?", recipient)
    assert reply_open(keys.reply_secret, sealed) == "Можаце назваць падраздзяленне?"
    with pytest.raises(ReplyOpenError):
        reply_open(other.reply_secret, sealed)


def test_receipt_sign_verify_and_tamper() -> None:
    key = Ed25519PrivateKey.generate()
    receipt = receipt_sign(key, sealed_sha256="ab" * 32, issued_on=date(2020, 8, 12))
    published = public_key_from_text(public_key_text(key.public_key()))
    assert receipt_verify(receipt.to_json(), [published]) == receipt
    for bad in (
        receipt.to_json().replace("2020-08-12", "2020-08-11"),
        receipt.to_json().replace("ab" * 32, "cd" * 32),
        "not json",
        "{}",
    ):
        with pytest.raises(ReceiptInvalid):
            receipt_verify(bad, [published])
    with pytest.raises(ReceiptInvalid):
        receipt_verify(receipt.to_json(), [Ed25519PrivateKey.generate().public_key()])


def test_signing_key_is_created_once_with_private_mode(tmp_path: Path) -> None:
    path = tmp_path / "k" / "receipt.key"
    first = signing_key_load_or_create(path)
    again = signing_key_load_or_create(path)
    assert public_key_text(first.public_key()) == public_key_text(again.public_key())
    assert path.stat().st_mode & 0o777 == 0o600


def test_store_refuses_names_it_did_not_make(tmp_path: Path) -> None:
    store = Store(tmp_path)
    staging = store.stage()
    for name in ("../x.age", "report.age/../../x", "a1.age.exe", "/etc/passwd"):
        with pytest.raises(StoreError):
            staging.open_new(name)
    import uuid

    with pytest.raises(StoreError):
        store.path(uuid.uuid4(), "../../../etc/passwd")


def test_token_bucket_refills_without_identifiers() -> None:
    now = [0.0]
    bucket = TokenBucket(per_minute=60, burst=2, clock=lambda: now[0])
    assert bucket.take() and bucket.take() and not bucket.take()
    now[0] += 1.0
    assert bucket.take() and not bucket.take()
