"""Crash at any step: GIVEN a failure between sealing, fsync, rename and the database commit,
THEN there is either a complete sealed submission on record or nothing, and sweep cleans up."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crimebook.intake import services, store
from crimebook.intake.models import Submission
from crimebook.intake.services import store_sweep
from tests.intake._helpers import minimal_report


class Crash(Exception):
    pass


def _post(intake: Any) -> Any:
    client = intake.client(raise_request_exception=False)
    photo = SimpleUploadedFile("p.jpg", b"p" * 200_000, "image/jpeg")
    return client.post("/en/report/", {**minimal_report(), "attachments": [photo]})


def _sealed_dirs(intake: Any) -> list[Path]:
    folder = Path(intake.store_dir) / "sealed"
    return list(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("step", ["seal_report", "fsync", "rename", "fsync_dir", "database"])
def test_a_crash_leaves_everything_or_nothing(
    intake: Any, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    real_fsync, real_rename, real_fsync_dir = os.fsync, os.rename, store._fsync_dir

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise Crash(step)

    if step == "seal_report":
        monkeypatch.setattr(services, "seal_bytes", boom)
        monkeypatch.setattr(
            services.report_receive, "__kwdefaults__", {"seal": boom}, raising=False
        )
    elif step == "fsync":
        monkeypatch.setattr(store.os, "fsync", boom)
    elif step == "rename":
        monkeypatch.setattr(store.os, "rename", boom)
    elif step == "fsync_dir":
        calls = {"n": 0}

        def second_fails(path: Path) -> None:
            calls["n"] += 1
            if calls["n"] == 2:  # after the rename: the sealed/ directory
                raise Crash(step)
            real_fsync_dir(path)

        monkeypatch.setattr(store, "_fsync_dir", second_fails)
    elif step == "database":
        monkeypatch.setattr(Submission.objects, "create", boom)

    response = _post(intake)
    assert response.status_code == 500
    assert b"codename" not in response.content.lower()
    assert not Submission.objects.exists()
    monkeypatch.setattr(store.os, "fsync", real_fsync)
    monkeypatch.setattr(store.os, "rename", real_rename)
    # The request removed what it had written; what a real crash would leave, sweep removes.
    store_sweep(older_than_seconds=-1)
    assert _sealed_dirs(intake) == []
    assert not list((Path(intake.store_dir) / "staging").iterdir())


def test_a_process_killed_after_the_rename_leaves_an_orphan_that_sweep_removes(
    intake: Any,
) -> None:
    orphan = Path(intake.store_dir) / "sealed" / "00000000-0000-4000-8000-000000000000"
    _post(intake)
    orphan.mkdir()
    (orphan / "report.age").write_bytes(b"age-encryption.org/v1\n...")
    removed = store_sweep(older_than_seconds=-1)
    assert removed == [f"sealed/{orphan.name}"]
    (kept,) = _sealed_dirs(intake)
    assert kept.name == str(Submission.objects.get().uuid)


def test_received_only_after_commit(intake: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page that shows the codename is rendered after the rows exist."""
    seen: list[bool] = []
    from crimebook.intake import views

    real_render = views.render

    def spy(request: Any, template: str, context: Any = None, **kw: Any) -> Any:
        if template == "intake/received.html":
            seen.append(Submission.objects.exists())
        return real_render(request, template, context, **kw)

    monkeypatch.setattr(views, "render", spy)
    _post(intake)
    assert seen == [True]
