"""Hostile and broken requests: GIVEN a bad upload, THEN a clear error, nothing half-stored,
and the next honest report still goes through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from crimebook.intake.models import Submission
from tests.intake._helpers import codename_of, minimal_report


def _nothing_stored(intake: Any) -> None:
    assert not Submission.objects.exists()
    for sub in ("sealed", "staging"):
        folder = Path(intake.store_dir) / sub
        assert not folder.exists() or not any(folder.iterdir()), sub


def _still_serving(intake: Any) -> None:
    response = intake.client().post("/en/report/", minimal_report())
    assert codename_of(response.content.decode())


def _body(**files: Any) -> bytes:
    return encode_multipart(BOUNDARY, {**minimal_report(), **files})


def test_declared_length_over_the_limit_is_refused_before_reading(intake: Any) -> None:
    response = intake.client().generic(
        "POST",
        "/en/report/",
        b"x" * 10,
        content_type=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(64 * 1024**3),
    )
    assert response.status_code == 413
    _nothing_stored(intake)
    _still_serving(intake)


def test_upload_larger_than_the_limit_while_streaming(intake: Any, settings: Any) -> None:
    settings.CRIMEBOOK_INTAKE_MAX_UPLOAD_BYTES = 100_000
    big = SimpleUploadedFile("video.mp4", b"v" * 300_000, "video/mp4")
    response = intake.client().post("/en/report/", {**minimal_report(), "attachments": [big]})
    assert response.status_code == 413
    assert b"too large" in response.content
    _nothing_stored(intake)
    _still_serving(intake)


@pytest.mark.parametrize("delta", [-200, -3])
def test_truncated_body_or_wrong_content_length(intake: Any, delta: int) -> None:
    body = _body(attachments=SimpleUploadedFile("a.jpg", b"j" * 50_000, "image/jpeg"))
    response = intake.client().generic(
        "POST",
        "/en/report/",
        body,
        content_type=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body) + delta),
    )
    assert response.status_code in (400, 403)
    _nothing_stored(intake)
    _still_serving(intake)


def test_text_cut_off_after_the_files_is_not_stored(intake: Any) -> None:
    """A body cut inside the last text field would otherwise store a shortened report."""
    body = encode_multipart(
        BOUNDARY,
        {
            "attachments": SimpleUploadedFile("a.jpg", b"j" * 1000, "image/jpeg"),
            **minimal_report(what_happened="A long account " * 200),
        },
    )
    cut = body[: body.index(b"A long account") + 500]
    response = intake.client().generic(
        "POST", "/en/report/", cut, content_type=MULTIPART_CONTENT, CONTENT_LENGTH=str(len(cut))
    )
    assert response.status_code in (400, 403)
    _nothing_stored(intake)


def test_forged_csrf_is_refused(intake: Any) -> None:
    client = intake.client(enforce_csrf_checks=True)
    photo = SimpleUploadedFile("p.jpg", b"p" * 1000, "image/jpeg")
    response = client.post("/en/report/", {**minimal_report(), "attachments": [photo]})
    assert response.status_code == 403
    assert b"form expired" in response.content
    _nothing_stored(intake)
    forged = client.post(
        "/en/report/", {**minimal_report(), "csrfmiddlewaretoken": "x" * 64}, HTTP_COOKIE=""
    )
    assert forged.status_code == 403
    _nothing_stored(intake)


def test_malformed_multipart(intake: Any) -> None:
    garbage = b"--zzz\r\nContent-Disposition: form-data; name=\r\n\r\n\xff\xfe--"
    response = intake.client().generic(
        "POST",
        "/en/report/",
        garbage,
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400
    _nothing_stored(intake)
    _still_serving(intake)


def _raw_multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> bytes:
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for filename, content in files:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; '
            f'filename="{filename}"\r\nContent-Type: text/plain\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def test_path_tricks_in_file_names_stay_inside_the_store(intake: Any, tmp_path: Path) -> None:
    names = ["../../../../tmp/evil.sh", "..\\..\\boot.ini", "/etc/passwd", "..", "\x01.jpg"]
    fields = {k: v for k, v in minimal_report().items() if isinstance(v, str)}
    body = _raw_multipart(fields, [(n, b"payload " + n.encode()) for n in names])
    response = intake.client().generic("POST", "/en/report/", body, content_type=MULTIPART_CONTENT)
    assert response.status_code == 200, response.content[:500]
    submission = Submission.objects.get()
    folder = Path(intake.store_dir) / "sealed" / str(submission.uuid)
    expected = ["report.age", *[f"a{i}.age" for i in range(submission.attachment_count)]]
    assert sorted(p.name for p in folder.iterdir()) == sorted(expected)
    assert submission.attachment_count >= 4
    for path in tmp_path.rglob("*"):
        assert path.name not in ("evil.sh", "boot.ini", "passwd")
    assert not Path("/tmp/evil.sh").exists()  # noqa: S108 - the path the trick aims at


def test_thousands_of_fields(intake: Any) -> None:
    data = {**minimal_report(), **{f"f{i}": "x" for i in range(5000)}}
    response = intake.client().post("/en/report/", data)
    assert response.status_code == 400
    _nothing_stored(intake)
    _still_serving(intake)


def test_too_many_files(intake: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    files = [SimpleUploadedFile(f"{i}.jpg", b"x", "image/jpeg") for i in range(5)]
    response = intake.client().post("/en/report/", {**minimal_report(), "attachments": files})
    assert response.status_code == 400
    _nothing_stored(intake)
    _still_serving(intake)


def test_post_without_length_and_rate_limit(intake: Any, settings: Any) -> None:
    from crimebook.intake import conf

    response = intake.client().generic("POST", "/en/return/", b"", CONTENT_LENGTH="")
    assert response.status_code == 411
    settings.CRIMEBOOK_INTAKE_CODENAME_TRIES_PER_MINUTE = 6  # burst of 1
    conf.codename_bucket.cache_clear()
    codes = [
        intake.client().post("/en/return/", {"codename": "a b c"}).status_code for _ in range(3)
    ]
    assert codes[0] == 200 and 429 in codes
