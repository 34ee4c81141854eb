"""The vault in an S3-compatible bucket (django-storages + boto3), against moto's S3 server
on 127.0.0.1; an unreachable object store gives a clear error and loses nothing."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from crimebook.audit.models import AuditEntry
from crimebook.cli.app import app
from crimebook.evidence import keys, services
from crimebook.evidence.models import EvidenceItem
from crimebook.evidence.pipeline import process_item
from crimebook.evidence.storage import StoreError
from tests.evidence.helpers import jpeg_bytes

pytestmark = pytest.mark.django_db

BUCKET = "crimebook-vault-test"
PREFIX = "vault"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _options(endpoint: str) -> dict[str, Any]:
    return {
        "bucket_name": BUCKET, "endpoint_url": endpoint, "region_name": "us-east-1",
        "access_key": "testing", "secret_key": "testing", "location": PREFIX,
    }  # fmt: skip


@pytest.fixture
def client(s3_endpoint: str) -> Iterator[Any]:
    s3 = boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    s3.create_bucket(Bucket=BUCKET)
    yield s3
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for entry in page.get("Contents", ()):
            s3.delete_object(Bucket=BUCKET, Key=entry["Key"])
    s3.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def s3_vault(vault: Path, settings: Any, s3_endpoint: str, client: Any) -> Path:
    settings.CRIMEBOOK_VAULT_BACKEND = "s3"
    settings.CRIMEBOOK_VAULT_S3 = _options(s3_endpoint)
    return vault


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _objects(client: Any) -> dict[str, bytes]:
    found = {}
    for entry in client.list_objects_v2(Bucket=BUCKET).get("Contents", ()):
        found[entry["Key"]] = client.get_object(Bucket=BUCKET, Key=entry["Key"])["Body"].read()
    return found


def _ingest(compartment: Any, name: str, data: bytes) -> services.IngestOutcome:
    return services.evidence_ingest_stream(
        actor=None, compartment_id=compartment.pk, name=name, stream=io.BytesIO(data),
        process=False,
    )  # fmt: skip


def _local_files(vault: Path) -> list[Path]:
    return [p for p in vault.rglob("*") if p.is_file()] if vault.exists() else []


def test_sealed_copy_goes_to_the_bucket_under_its_content_address(
    s3_vault: Path, compartment: Any, client: Any
) -> None:
    # GIVEN the vault in a bucket; WHEN a photo is ingested and processed
    data = jpeg_bytes(make="FictCam", model="S3")
    out = _ingest(compartment, "photo.jpg", data)
    assert out.outcome == "ingested" and out.item_id is not None
    process_item(out.item_id)
    item = EvidenceItem.objects.get(pk=out.item_id)
    # THEN the item records the bucket; the object is age ciphertext at ab/cd/<sha>.age
    assert item.storage_backend == "s3"
    assert item.storage_key == f"{item.sha256[:2]}/{item.sha256[2:4]}/{item.sha256}.age"
    objects = _objects(client)
    sealed = objects[f"{PREFIX}/{item.storage_key}"]
    assert sealed.startswith(b"age-encryption.org/v1") and data[100:164] not in sealed
    # AND nothing stays on the host: no sealed copy, no plaintext, empty staging
    assert _local_files(s3_vault) == []
    # AND metadata was read from the bucket (decrypted here, parsed in the sandbox)
    assert item.metadata_status == "extracted", item.metadata_error
    assert item.device_make == "FictCam"
    thumb = item.derivatives.get()
    assert thumb.storage_backend == "s3" and f"{PREFIX}/{thumb.storage_key}" in _objects(client)


def test_duplicate_is_not_uploaded_twice(s3_vault: Path, compartment: Any, client: Any) -> None:
    data = jpeg_bytes(seed=3)
    first = _ingest(compartment, "a.jpg", data)
    second = _ingest(compartment, "b.jpg", data)
    assert (first.outcome, second.outcome) == ("ingested", "duplicate")
    assert second.item_id == first.item_id
    assert len(_objects(client)) == 1


def test_download_streams_the_plaintext_from_the_bucket(
    s3_vault: Path, compartment: Any, investigator: Any
) -> None:
    data = jpeg_bytes(seed=5) * 50  # several chunks
    out = _ingest(compartment, "big.jpg", data)
    item = EvidenceItem.objects.get(pk=out.item_id)
    chunks = list(services.evidence_original_stream(actor=investigator, item=item))
    assert b"".join(chunks) == data
    assert AuditEntry.objects.filter(action="download", object_id=str(item.pk)).exists()


def test_verify_lists_the_bucket_and_rehashes(
    s3_vault: Path, compartment: Any, client: Any
) -> None:
    a = EvidenceItem.objects.get(pk=_ingest(compartment, "a.jpg", jpeg_bytes(seed=7)).item_id)
    b = EvidenceItem.objects.get(pk=_ingest(compartment, "b.jpg", jpeg_bytes(seed=8)).item_id)
    report = services.vault_verify()
    assert report.ok and report.checked == 2
    # WHEN one object is replaced, another deleted and a stray one added
    client.put_object(Bucket=BUCKET, Key=f"{PREFIX}/{a.storage_key}", Body=b"age-encryption.org/v1 forged")  # fmt: skip
    client.delete_object(Bucket=BUCKET, Key=f"{PREFIX}/{b.storage_key}")
    client.put_object(Bucket=BUCKET, Key=f"{PREFIX}/00/00/stray.bin", Body=b"x")
    report = services.vault_verify()
    # THEN each is named
    assert report.changed == [f"s3:{a.storage_key}"]
    assert report.missing == [f"s3:{b.storage_key}"]
    assert report.unexpected == ["s3:00/00/stray.bin"]
    result = CliRunner().invoke(app, ["evidence", "verify"])
    assert result.exit_code == 1 and "MISSING" in result.output


def test_items_stored_locally_stay_readable_after_switching_to_s3(
    vault: Path, settings: Any, compartment: Any, investigator: Any, s3_endpoint: str,
    client: Any,
) -> None:  # fmt: skip
    data = jpeg_bytes(seed=9)
    local = EvidenceItem.objects.get(pk=_ingest(compartment, "old.jpg", data).item_id)
    assert local.storage_backend == "local"
    settings.CRIMEBOOK_VAULT_BACKEND = "s3"
    settings.CRIMEBOOK_VAULT_S3 = _options(s3_endpoint)
    assert b"".join(services.evidence_original_stream(actor=investigator, item=local)) == data
    new = _ingest(compartment, "new.jpg", jpeg_bytes(seed=10))
    report = services.vault_verify()
    assert report.ok and report.checked == 2, report.as_dict()
    assert EvidenceItem.objects.get(pk=new.item_id).storage_backend == "s3"


def test_unreachable_object_store_is_a_clear_error_and_loses_nothing(
    s3_vault: Path, settings: Any, compartment: Any, investigator: Any, client: Any,
    s3_endpoint: str,
) -> None:  # fmt: skip
    # GIVEN one item safely in the bucket
    kept = EvidenceItem.objects.get(pk=_ingest(compartment, "kept.jpg", jpeg_bytes(seed=11)).item_id)  # fmt: skip
    before = _objects(client)
    # WHEN the object store cannot be reached (a closed loopback port)
    settings.CRIMEBOOK_VAULT_S3 = {**_options(s3_endpoint), "endpoint_url": f"http://127.0.0.1:{_closed_port()}"}  # fmt: skip
    data = jpeg_bytes(seed=12)
    out = _ingest(compartment, "new.jpg", data)
    # THEN the ingest fails with a clear reason, honestly recorded, nothing half-stored
    assert out.outcome == "failed" and "object store" in out.reason and "nothing stored" in out.reason  # fmt: skip
    failed = EvidenceItem.objects.get(pk=out.item_id)
    assert failed.status == "failed" and failed.storage_key == ""
    assert AuditEntry.objects.filter(action="ingest_failed", object_id=str(failed.pk)).exists()
    assert _local_files(s3_vault) == []  # staged ciphertext removed, no plaintext anywhere
    # AND reading and verifying say so instead of reporting damage
    with pytest.raises(StoreError, match="unreachable"):
        b"".join(services.evidence_original_stream(actor=investigator, item=kept))
    with pytest.raises(StoreError, match="unreachable"):
        services.vault_verify()
    result = CliRunner().invoke(app, ["evidence", "verify"])
    assert result.exit_code == 1 and "unreachable" in result.output
    # AND once the store is back, nothing was lost and the file can be ingested
    settings.CRIMEBOOK_VAULT_S3 = _options(s3_endpoint)
    assert _objects(client) == before
    assert services.vault_verify().ok
    again = _ingest(compartment, "new.jpg", data)
    assert again.outcome == "ingested"
    assert kept.storage_key


def test_s3_store_refuses_keys_that_are_not_content_addresses(s3_vault: Path) -> None:
    store = keys.store()
    assert store.backend == "s3"
    for bad in ("../x.age", "ab/cd/../../etc.age", "zz/zz/" + "a" * 64 + ".age", "a" * 64 + ".age"):
        with pytest.raises(StoreError):
            store.check_key(bad)


def test_s3_backend_needs_a_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    from crimebook.config import ConfigError, load_config

    monkeypatch.setenv("CRIMEBOOK_VAULT_BACKEND", "s3")
    monkeypatch.delenv("CRIMEBOOK_VAULT_S3_BUCKET", raising=False)
    with pytest.raises(ConfigError, match="CRIMEBOOK_VAULT_S3_BUCKET"):
        load_config()
    monkeypatch.setenv("CRIMEBOOK_VAULT_S3_BUCKET", BUCKET)
    monkeypatch.setenv("CRIMEBOOK_VAULT_S3_ENDPOINT_URL", "http://key:secret@127.0.0.1:9000")
    with pytest.raises(ConfigError, match="CRIMEBOOK_VAULT_S3_ENDPOINT_URL"):
        load_config()
    monkeypatch.setenv("CRIMEBOOK_VAULT_S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    assert load_config().vault_backend == "s3"


def test_workspace_download_with_the_store_unreachable_says_so(
    s3_vault: Path, settings: Any, compartment: Any, investigator: Any, s3_endpoint: str
) -> None:
    from django.test import Client

    item = EvidenceItem.objects.get(pk=_ingest(compartment, "a.jpg", jpeg_bytes(seed=13)).item_id)
    process_item(item.pk)  # a thumbnail to preview
    client = Client()
    client.force_login(investigator)
    settings.CRIMEBOOK_VAULT_S3 = {**_options(s3_endpoint), "endpoint_url": f"http://127.0.0.1:{_closed_port()}"}  # fmt: skip
    response = client.post(f"/evidence/{item.pk}/download/", follow=True)
    assert response.redirect_chain[-1][0] == f"/evidence/{item.pk}/"
    assert "cannot be read right now" in response.content.decode()
    assert not AuditEntry.objects.filter(action="download").exists()
    assert client.get(f"/evidence/{item.pk}/preview/").status_code == 503


def test_folder_import_stops_when_the_store_fails(
    s3_vault: Path, settings: Any, compartment: Any, s3_endpoint: str, tmp_path: Path
) -> None:
    import json

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.jpg").write_bytes(jpeg_bytes(seed=20 + i))
    settings.CRIMEBOOK_VAULT_S3 = {**_options(s3_endpoint), "endpoint_url": f"http://127.0.0.1:{_closed_port()}"}  # fmt: skip
    report = tmp_path / "report.json"
    args = ["evidence", "import", str(folder), "-c", compartment.name, "--report", str(report)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    rows = json.loads(report.read_text())["files"]
    assert [r["outcome"] for r in rows] == ["failed", "skipped", "skipped"]
    assert "object store" in rows[0]["reason"] and "not attempted" in rows[1]["reason"]
    assert EvidenceItem.objects.filter(status="failed").count() == 1
    # once the store is back, the same import completes
    settings.CRIMEBOOK_VAULT_S3 = _options(s3_endpoint)
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert EvidenceItem.objects.filter(status="ingested", derived_from__isnull=True).count() == 3
