"""Job fixtures: a vault, a huey queue emptied around each test, intake submissions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.evidence.helpers import use_vault


@pytest.fixture
def vault(tmp_path: Path, settings: Any) -> Path:
    return use_vault(tmp_path, settings)


@pytest.fixture
def queued() -> Iterator[Any]:
    """The real (SQLite) huey queue instead of immediate mode, empty before and after."""
    from crimebook.jobs.queue import HUEY

    HUEY.immediate = False
    HUEY.flush()
    yield HUEY
    HUEY.flush()
    HUEY.immediate = True


@pytest.fixture
def submission_with(
    settings: Any, tmp_path: Path, db: Any
) -> Callable[[list[tuple[str, bytes]]], Any]:
    """An intake submission received through the intake's own service, with attachments
    sealed as the intake seals them."""
    from crimebook.intake import conf
    from crimebook.intake.models import Submission
    from crimebook.intake.sealing import StreamSealer, parse_recipients
    from crimebook.intake.services import report_receive
    from crimebook.intake.uploads import SealedUpload
    from crimebook.triage.keys import intake_keygen

    settings.CRIMEBOOK_INTAKE_STORE_DIR = tmp_path / "intake"
    settings.CRIMEBOOK_INTAKE_SIGNING_KEY_FILE = tmp_path / "intake" / "receipt.key"
    _, public, _ = intake_keygen()
    settings.CRIMEBOOK_INTAKE_RECIPIENTS = [public]
    for cached in (conf._codename_salt, conf._signing_key):
        cached.cache_clear()

    def make(files: list[tuple[str, bytes]]) -> Any:
        staging = conf.store().stage()
        uploads = []
        for original, data in files:
            name = staging.new_attachment_name()
            with staging.open_new(name) as sink:
                sealer = StreamSealer(sink, parse_recipients([public]))
                sealer.write(data)
                info = sealer.close()
            upload = SealedUpload(
                stored_name=name, original_name=original, content_type="image/jpeg", info=info
            )
            uploads.append(upload)
        received = report_receive(
            report={"what_happened": "Detained at the metro.", "when_kind": "unknown"},
            language="en", insider=False, uploads=uploads, staging=staging,
        )  # fmt: skip
        return Submission.objects.get(uuid=received.submission_id)

    return make
