"""Evidence pages: upload streamed into the vault, detail, preview, audited download, links."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from crimebook.audit.models import AuditEntry
from crimebook.evidence.models import EvidenceItem
from tests import factories as f
from tests.evidence.helpers import jpeg_bytes

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def _upload(client: Client, compartment: Any, name: str, data: bytes) -> Any:
    return client.post(
        "/evidence/new/",
        {"compartment": compartment.pk, "files": SimpleUploadedFile(name, data)},
    )


def test_upload_is_sealed_while_streaming_and_detail_shows_custody(
    vault: Path, compartment: Any, investigator: Any
) -> None:
    data = jpeg_bytes(make="Canon", model="EOS")
    client = _client(investigator)
    response = _upload(client, compartment, "photo.jpg", data)
    assert response.status_code == 302, response.content[:500]
    item = EvidenceItem.objects.get(derived_from__isnull=True)
    assert item.sha256 == hashlib.sha256(data).hexdigest()
    assert item.created_by == investigator
    # nothing but ciphertext in the vault; no staging leftovers
    assert not list((vault / ".staging").iterdir())
    assert all(data not in p.read_bytes() for p in vault.rglob("*") if p.is_file())
    page = client.get(f"/evidence/{item.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert item.sha256 in body and "Canon" in body and "ingest" in body
    assert f"/evidence/{item.pk}/preview/" in body


def test_preview_is_the_reencoded_thumbnail_not_the_original(
    vault: Path, compartment: Any, investigator: Any
) -> None:
    data = jpeg_bytes(size=(400, 300), make="Secret Make")
    client = _client(investigator)
    _upload(client, compartment, "p.jpg", data)
    item = EvidenceItem.objects.get(derived_from__isnull=True)
    response = client.get(f"/evidence/{item.pk}/preview/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    preview = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert preview != data and preview.startswith(b"\xff\xd8")
    assert b"Secret Make" not in preview  # metadata is not carried into the derivative
    assert AuditEntry.objects.filter(action="view_preview").exists()


def test_download_is_an_audited_post_attachment(
    vault: Path, compartment: Any, investigator: Any
) -> None:
    data = b"%PDF-1.4 a statement"
    client = _client(investigator)
    _upload(client, compartment, "statement.pdf", data)
    item = EvidenceItem.objects.get()
    assert item.media_type == "application/pdf" and item.kind == "document"
    assert client.get(f"/evidence/{item.pk}/download/").status_code == 405
    response = client.post(f"/evidence/{item.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == data  # type: ignore[attr-defined]
    entry = AuditEntry.objects.get(action="download")
    assert entry.object_id == str(item.pk) and entry.actor_name == investigator.username


def test_link_and_unlink_incident(vault: Path, compartment: Any, investigator: Any) -> None:
    incident = f.incident(compartment)
    client = _client(investigator)
    _upload(client, compartment, "x.bin", b"some bytes")
    item = EvidenceItem.objects.get()
    client.post(f"/evidence/{item.pk}/link/", {"kind": "incident", "target": incident.pk})
    assert list(item.incidents.all()) == [incident]
    client.post(f"/evidence/{item.pk}/unlink/", {"kind": "incident", "target": incident.pk})
    assert not item.incidents.exists()
    assert [e.action for e in AuditEntry.objects.filter(action__in=["link", "unlink"])] == [
        "link", "unlink"
    ]  # fmt: skip


def test_outsiders_see_nothing(
    vault: Path, compartment: Any, investigator: Any, mallory: Any, reader: Any
) -> None:
    _upload(_client(investigator), compartment, "x.jpg", jpeg_bytes())
    item = EvidenceItem.objects.get(derived_from__isnull=True)
    other = _client(mallory)
    assert other.get(f"/evidence/{item.pk}/").status_code == 404
    assert other.get(f"/evidence/{item.pk}/preview/").status_code == 404
    assert other.post(f"/evidence/{item.pk}/download/").status_code == 404
    assert b"x.jpg" not in other.get("/evidence/").content
    assert not AuditEntry.objects.filter(action="download").exists()
    # a reader may look but not upload
    assert _client(reader).get("/evidence/new/").status_code == 403


def test_list_filters_and_near_duplicates(vault: Path, compartment: Any, investigator: Any) -> None:
    client = _client(investigator)
    _upload(client, compartment, "a.jpg", jpeg_bytes(size=(200, 150), quality=95))
    _upload(client, compartment, "a-recompressed.jpg", jpeg_bytes(size=(200, 150), quality=40))
    _upload(client, compartment, "other.jpg", jpeg_bytes(size=(200, 150), seed=5))
    _upload(client, compartment, "doc.pdf", b"%PDF-1.4")
    a = EvidenceItem.objects.get(original_name="a.jpg")
    page = client.get("/evidence/", {"near": a.pk}).content.decode()
    assert "a-recompressed.jpg" in page and "other.jpg" not in page
    page = client.get("/evidence/", {"kind": "document"}).content.decode()
    assert "doc.pdf" in page and "a.jpg" not in page


def test_list_filter_by_source(vault: Path, compartment: Any, investigator: Any) -> None:
    src = f.source(compartment, title="Telegram channel")
    client = _client(investigator)
    client.post(
        "/evidence/new/",
        {"compartment": compartment.pk, "source": src.pk,
         "files": SimpleUploadedFile("from-source.bin", b"one")},
    )  # fmt: skip
    _upload(client, compartment, "no-source.bin", b"two")
    page = client.get("/evidence/", {"source": src.pk}).content.decode()
    assert "from-source.bin" in page and "no-source.bin" not in page


def test_upload_on_a_full_disk_says_so_and_keeps_nothing(
    vault: Path, compartment: Any, investigator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import io

    from crimebook.evidence.storage import VaultStore

    real = VaultStore.open_staged

    class FullDisk(io.BufferedWriter):
        def write(self, data: Any) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    def open_staged(self: VaultStore) -> tuple[Path, Any]:
        path, sink = real(self)
        sink.close()
        return path, FullDisk(io.FileIO(path, "wb"))

    monkeypatch.setattr(VaultStore, "open_staged", open_staged)
    response = _upload(_client(investigator), compartment, "big.mov", b"x" * 100_000)
    assert response.status_code == 200
    assert "big.mov could not be stored" in response.content.decode()
    assert "No space left" in response.content.decode()
    assert not EvidenceItem.objects.exists()
    assert not [p for p in vault.rglob("*") if p.is_file()]


def test_list_filter_by_place(vault: Path, compartment: Any, investigator: Any) -> None:
    client = _client(investigator)
    _upload(client, compartment, "nemiga.jpg", jpeg_bytes(gps=(53.9045, 27.5536)))
    _upload(client, compartment, "brest.jpg", jpeg_bytes(gps=(52.0976, 23.7341), seed=3))
    page = client.get(
        "/evidence/", {"near_lat": 53.9, "near_lon": 27.56, "within_km": 2}
    ).content.decode()
    assert "nemiga.jpg" in page and "brest.jpg" not in page
    half = client.get("/evidence/", {"near_lat": 53.9}).content.decode()
    assert "Give latitude, longitude and distance together." in half
    assert "nemiga.jpg" not in half
