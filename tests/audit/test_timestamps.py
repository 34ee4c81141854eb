"""RFC 3161 timestamps of the audit chain's head, against a local ``openssl ts`` authority."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from typer.testing import CliRunner

from crimebook.audit import tsa
from crimebook.audit.models import AuditEntry, AuditTimestamp
from crimebook.audit.selectors import audit_chain_verify
from crimebook.audit.services import audit_record
from crimebook.audit.timestamps import (
    TimestampError,
    audit_timestamp_obtain,
    audit_timestamps_latest,
    audit_timestamps_verify,
    display_url,
)
from crimebook.cli.app import app
from tests.audit.tsa_server import Pki, TsaServer, make_pki

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("tsa-pki"))


@pytest.fixture
def tsa_url(pki: Pki, settings: Any) -> Iterator[str]:
    with TsaServer(pki) as url:
        settings.CRIMEBOOK_TSA_URLS = [url]
        settings.CRIMEBOOK_TSA_CA_FILE = pki.ca_cert
        settings.CRIMEBOOK_TSA_TIMEOUT = 10.0
        yield url


def _seed(n: int = 4) -> None:
    for i in range(n):
        audit_record(actor=None, action="create", object_type="test.thing", object_id=i)


def _head() -> AuditEntry:
    head = AuditEntry.objects.order_by("-seq").first()
    assert head is not None
    return head


def _raw(sql: str, params: list[Any], table: str = "audit_auditentry") -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


@contextmanager
def _untriggered(table: str) -> Iterator[None]:
    """Tamper as someone with database access would (bypassing the PostgreSQL trigger)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            yield
        finally:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def test_stored_tokens_are_append_only_on_postgresql(tsa_url: str) -> None:
    from django.db import DatabaseError, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    _seed()
    audit_timestamp_obtain()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditTimestamp.objects.update(serial="1")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditTimestamp.objects.all().delete()


# -- the pure core ------------------------------------------------------------------------


def test_stamped_data_is_the_hex_head_hash() -> None:
    head = hashlib.sha256(b"entry").hexdigest()
    assert tsa.stamped_data(head) == head.encode("ascii")
    assert tsa.imprint_of(head) == hashlib.sha256(head.encode("ascii")).digest()
    with pytest.raises(TimestampError):
        tsa.stamped_data("ABC")


def test_token_verifies_with_stock_openssl(pki: Pki, tmp_path: Path) -> None:
    """The documented check: `openssl ts -verify -data head.txt` with the CA bundle."""
    head = hashlib.sha256(b"entry").hexdigest()
    with TsaServer(pki) as url:
        info = tsa.request_token(url, head, pki.ca_cert)
    (tmp_path / "head.txt").write_bytes(head.encode())
    (tmp_path / "token.der").write_bytes(info.token)
    done = subprocess.run(
        ["openssl", "ts", "-verify", "-data", str(tmp_path / "head.txt"), "-token_in",
         "-in", str(tmp_path / "token.der"), "-CAfile", str(pki.ca_cert)],
        capture_output=True, check=False,
    )  # fmt: skip
    assert b"Verification: OK" in done.stdout
    assert info.policy == "1.3.6.1.4.1.99999.1" and info.hash_algorithm == "sha256"


def test_nonce_must_match(pki: Pki) -> None:
    head = hashlib.sha256(b"entry").hexdigest()
    with TsaServer(pki) as url:
        info = tsa.request_token(url, head, pki.ca_cert)
    assert info.nonce is not None
    with pytest.raises(TimestampError, match="nonce"):
        tsa.verify_token(info, head, pki.ca_cert, nonce=info.nonce + 1)


def test_tampered_token_fails_the_signature(pki: Pki) -> None:
    head = hashlib.sha256(b"entry").hexdigest()
    with TsaServer(pki) as url:
        info = tsa.request_token(url, head, pki.ca_cert)
    # flip one byte of the signature value (the last bytes of the DER token)
    token = bytearray(info.token)
    token[-3] ^= 0x01
    forged = tsa.TokenInfo(**{**info.__dict__, "token": bytes(token)})
    with pytest.raises(TimestampError, match="does not verify"):
        tsa.verify_token(forged, head, pki.ca_cert)


def test_display_url_drops_credentials() -> None:
    assert display_url("https://u:p@tsa.example.org:8443/ts") == "https://tsa.example.org:8443/ts"
    assert display_url("http://u@[::1]:8080/ts") == "http://[::1]:8080/ts"


# -- obtaining ----------------------------------------------------------------------------


def test_timestamp_stores_a_verified_token(tsa_url: str, pki: Pki) -> None:
    # GIVEN a chain of four entries
    _seed()
    head = _head()
    # WHEN the head is stamped
    [outcome] = audit_timestamp_obtain()
    # THEN the token is stored with what it says, and the stamping is itself audited
    assert outcome.ok, outcome.reason
    stamp = AuditTimestamp.objects.get()
    assert (stamp.head_seq, stamp.head_hash) == (head.seq, head.entry_hash)
    assert stamp.tsa_url == tsa_url and stamp.policy == "1.3.6.1.4.1.99999.1"
    info = tsa.parse_token(bytes(stamp.token))
    assert info.imprint == hashlib.sha256(head.entry_hash.encode()).digest()
    assert str(info.serial) == stamp.serial and info.gen_time == stamp.gen_time
    entry = _head()
    assert (entry.action, entry.object_type, entry.object_id) == (
        "timestamp", "audit.timestamp", str(stamp.pk),
    )  # fmt: skip
    assert entry.changes["head_hash"] == head.entry_hash
    assert audit_timestamps_latest()[0].pk == stamp.pk
    # AND verify reports it valid
    [check] = audit_timestamps_verify(audit_chain_verify())
    assert check.ok, check.reason


def test_several_authorities_each_get_a_token(pki: Pki, tsa_url: str, settings: Any) -> None:
    _seed()
    with TsaServer(pki) as second:
        settings.CRIMEBOOK_TSA_URLS = [tsa_url, second]
        outcomes = audit_timestamp_obtain()
    assert [o.ok for o in outcomes] == [True, True]
    assert AuditTimestamp.objects.count() == 2


@pytest.mark.parametrize(
    ("mode", "message"),
    [("garbage", "not a time-stamp response"), ("wrong_hash", "another hash")],
)
def test_bad_authority_answers_store_nothing(
    pki: Pki, tsa_url: str, settings: Any, mode: str, message: str
) -> None:
    _seed()
    before = AuditEntry.objects.count()
    with TsaServer(pki, mode) as bad:
        settings.CRIMEBOOK_TSA_URLS = [bad]
        [outcome] = audit_timestamp_obtain()
    assert not outcome.ok and message in outcome.reason
    assert not AuditTimestamp.objects.exists()
    assert AuditEntry.objects.count() == before


def test_unreachable_authority_stores_nothing(tsa_url: str, settings: Any) -> None:
    _seed()
    with __import__("socket").socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CRIMEBOOK_TSA_URLS = [f"http://127.0.0.1:{port}/tsa", tsa_url]
    bad, good = audit_timestamp_obtain()
    assert not bad.ok and "unreachable" in bad.reason
    assert good.ok
    assert AuditTimestamp.objects.count() == 1


def test_wrong_ca_stores_nothing(tsa_url: str, pki: Pki, settings: Any) -> None:
    _seed()
    settings.CRIMEBOOK_TSA_CA_FILE = pki.other_ca_cert
    [outcome] = audit_timestamp_obtain()
    assert not outcome.ok and "does not verify" in outcome.reason
    assert not AuditTimestamp.objects.exists()


def test_missing_configuration_is_a_clear_error(settings: Any, tmp_path: Path) -> None:
    _seed()
    settings.CRIMEBOOK_TSA_URLS = []
    with pytest.raises(TimestampError, match="CRIMEBOOK_TSA_URLS"):
        audit_timestamp_obtain()
    settings.CRIMEBOOK_TSA_URLS = ["http://127.0.0.1:9/"]
    settings.CRIMEBOOK_TSA_CA_FILE = None
    with pytest.raises(TimestampError, match="CRIMEBOOK_TSA_CA_FILE"):
        audit_timestamp_obtain()
    settings.CRIMEBOOK_TSA_CA_FILE = tmp_path / "absent.pem"
    with pytest.raises(TimestampError, match="does not exist"):
        audit_timestamp_obtain()


def test_broken_chain_is_not_stamped(tsa_url: str) -> None:
    _seed()
    _raw("UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["delete", 2])
    with pytest.raises(TimestampError, match="broken"):
        audit_timestamp_obtain()
    assert not AuditTimestamp.objects.exists()


# -- verifying ----------------------------------------------------------------------------


def test_verify_names_a_truncated_log(tsa_url: str) -> None:
    # GIVEN a stamped head
    _seed()
    audit_timestamp_obtain()
    stamped = AuditTimestamp.objects.get().head_seq
    # WHEN the tail from the stamped entry on is deleted (the chain itself stays valid)
    _raw("DELETE FROM audit_auditentry WHERE seq >= %s", [stamped])
    chain = audit_chain_verify()
    assert chain.ok
    # THEN the timestamp shows it
    [check] = audit_timestamps_verify(chain)
    assert not check.ok and "missing" in check.reason


def test_verify_names_a_changed_head(tsa_url: str) -> None:
    _seed()
    audit_timestamp_obtain()
    stamped = AuditTimestamp.objects.get().head_seq
    _raw("UPDATE audit_auditentry SET entry_hash = %s WHERE seq = %s", ["f" * 64, stamped])
    [check] = audit_timestamps_verify(audit_chain_verify())
    assert not check.ok and "changed" in check.reason


def test_verify_names_a_break_before_the_stamped_head(tsa_url: str) -> None:
    _seed()
    audit_timestamp_obtain()
    _raw("UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["delete", 2])
    [check] = audit_timestamps_verify(audit_chain_verify())
    assert not check.ok and "no longer in a valid chain" in check.reason


def test_verify_names_a_forged_token_row(tsa_url: str, pki: Pki, settings: Any) -> None:
    _seed()
    audit_timestamp_obtain()
    stamp = AuditTimestamp.objects.get()
    # a token for another hash swapped into the row
    other = hashlib.sha256(b"other").hexdigest()
    info = tsa.request_token(tsa_url, other, pki.ca_cert)
    with _untriggered("audit_audittimestamp"):
        AuditTimestamp.objects.filter(pk=stamp.pk).update(
            token=info.token, serial=str(info.serial), gen_time=info.gen_time
        )
    [check] = audit_timestamps_verify(audit_chain_verify())
    assert not check.ok and "another hash" in check.reason
    # and with the wrong CA bundle the genuine token fails its signature check
    with _untriggered("audit_audittimestamp"):
        AuditTimestamp.objects.filter(pk=stamp.pk).delete()
    audit_timestamp_obtain()
    settings.CRIMEBOOK_TSA_CA_FILE = pki.other_ca_cert
    [check] = audit_timestamps_verify(audit_chain_verify())
    assert not check.ok and "does not verify" in check.reason


def test_cli_timestamp_and_verify(tsa_url: str, settings: Any) -> None:
    _seed()
    runner = CliRunner()
    stamped = runner.invoke(app, ["audit", "timestamp"])
    assert stamped.exit_code == 0, stamped.output
    assert "stamped entry #4" in stamped.output
    verified = runner.invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "timestamp valid" in verified.output
    settings.CRIMEBOOK_TSA_URLS = ["http://127.0.0.1:9/tsa"]
    failed = runner.invoke(app, ["audit", "timestamp"])
    assert failed.exit_code == 1
    assert "unreachable" in failed.output and "nothing stored" in failed.output
    assert AuditTimestamp.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("https://tsa.example.org/tsr, http://127.0.0.1:8080/", True),
        ("https://user:secret@tsa.example.org/tsr", False),
        ("ftp://tsa.example.org/", False),
    ],
)
def test_tsa_urls_setting_is_checked(monkeypatch: pytest.MonkeyPatch, value: str, ok: bool) -> None:
    from crimebook.config import ConfigError, load_config

    monkeypatch.setenv("CRIMEBOOK_TSA_URLS", value)
    if ok:
        assert load_config().tsa_urls == [u.strip() for u in value.split(",")]
    else:
        with pytest.raises(ConfigError, match="CRIMEBOOK_TSA_URLS"):
            load_config()
