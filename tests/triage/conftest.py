"""Triage fixtures: an intake identity in the workspace key directory, the intake store, and
a submission received through the intake's own service (as a source would send it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crimebook.intake import conf
from crimebook.intake.models import Submission
from crimebook.intake.services import report_receive
from crimebook.triage.keys import intake_keygen

REPORT = {
    "what_happened": "Detained near the metro, beaten with batons in the van.",
    "when_kind": "part_of_day",
    "when_date": "2020-08-10",
    "when_part_of_day": "evening",
    "where": "Pushkinskaya metro station",
    "latitude": 53.9093,
    "longitude": 27.4956,
    "location_certainty": "street",
    "violation_types": ["torture", "arbitrary_detention"],
    "injuries": ["bruising"],
    "detention_place": "okrestina_cip",
    "perpetrators_unit": "OMON",
    "consent_investigation": True,
    "consent_prosecution": True,
}


@pytest.fixture
def intake_store(settings: Any, tmp_path: Path) -> Path:
    settings.CRIMEBOOK_INTAKE_STORE_DIR = tmp_path / "intake"
    settings.CRIMEBOOK_INTAKE_SIGNING_KEY_FILE = tmp_path / "intake" / "receipt.key"
    _, public, _ = intake_keygen()
    settings.CRIMEBOOK_INTAKE_RECIPIENTS = [public]
    for cached in (conf._codename_salt, conf._signing_key):
        cached.cache_clear()
    return tmp_path / "intake"


@pytest.fixture
def receive(intake_store: Path, db: Any) -> Callable[..., tuple[Submission, str]]:
    def make(insider: bool = False, **changes: Any) -> tuple[Submission, str]:
        received = report_receive(
            report={**REPORT, **changes},
            language="en",
            insider=insider,
            uploads=[],
            staging=conf.store().stage(),
        )
        assert received.codename is not None
        return Submission.objects.get(uuid=received.submission_id), received.codename

    return make


@pytest.fixture
def reviewer(make_user: Callable[..., Any], compartment: Any) -> Any:
    return make_user("intake_reviewer", (compartment,), username="rev")
