"""A dossier of a few hundred exhibits is rendered in bounded time and memory (slow)."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

import pytest
from pypdf import PdfReader
from pyrage import x25519

from crimebook.cases import services as cs
from crimebook.cases.dossier.services import dossier_export
from crimebook.evidence.services import evidence_ingest_stream
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

N = 300


def test_dossier_with_hundreds_of_exhibits(
    compartment: Any, lead: Any, tmp_path: Any, settings: Any
) -> None:
    from tests.evidence.helpers import use_vault

    use_vault(tmp_path, settings)
    source = f.source(compartment, title="Archive of a detention-centre doctor",
                      consent_prosecution=True)  # fmt: skip
    ids = []
    for i in range(N):
        out = evidence_ingest_stream(
            actor=None, compartment_id=compartment.pk, name=f"scan-{i:04d}.txt",
            stream=io.BytesIO(f"medical record {i}\n".encode() * 20), source_id=source.pk,
            process=False,
        )  # fmt: skip
        assert out.item_id is not None
        ids.append(out.item_id)
    case = cs.case_create(actor=lead, data=cs.CaseData(compartment_id=compartment.pk,
                          title="Medical records", purpose="p", mechanism="universal"))  # fmt: skip
    cs.case_material_add(actor=lead, case=case, kind="exhibit", ids=ids)
    started = time.perf_counter()
    sink = io.BytesIO()
    pdf, outcome = dossier_export(actor=lead, case=case, zip_sink=sink,
                                  recipient=str(x25519.Identity.generate().to_public()))  # fmt: skip
    elapsed = time.perf_counter() - started
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(
        f"\n{N} exhibits: dossier (PDF {pages} pages, ZIP {outcome.zip_size} B) in {elapsed:.1f} s"
    )
    assert outcome.exhibits == N
    assert len(zipfile.ZipFile(io.BytesIO(sink.getvalue())).namelist()) == N + 3
    assert pages >= N // 60  # every exhibit has its row and SHA-256
