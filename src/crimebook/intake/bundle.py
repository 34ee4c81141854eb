"""Carrying sealed submissions from a separate intake host to the workspace (PURE: no Django).

When the intake runs on its own host (issue 4: a host with public keys only), its sealed
store and its few table rows have to reach the workspace, where triage decrypts them. A
*bundle* is an uncompressed tar (ciphertext does not compress)::

    manifest.json      sources and submissions as rows (nothing in them identifies anyone)
    manifest.sig       Ed25519 signature over manifest.json by the intake's receipt key
    sealed/<uuid>/report.age, a0.age, …   the sealed files, each listed with its SHA-256

The signature is checked with the published receipt key before anything else is read; every
file must be one the manifest names, with the size and SHA-256 it names; anything else in the
archive (links, devices, other paths, a second copy) rejects the whole bundle. Reading writes
the files into a staging directory the caller chose and returns the checked manifest; the
caller moves them into its store and records the rows in one transaction.

The reverse direction — replies written in the workspace, sealed to each source's reply key —
is a plain JSON document (:func:`replies_document` / :func:`replies_parse`): replies are
already sealed, and the intake host only stores them for the source to fetch.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import tarfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any, BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "BUNDLE_FORMAT",
    "REPLIES_FORMAT",
    "BundleError",
    "Manifest",
    "ReplyRow",
    "SourceRow",
    "SubmissionRow",
    "bundle_read",
    "bundle_write",
    "replies_document",
    "replies_parse",
]

BUNDLE_FORMAT = "crimebook-intake-bundle/1"
REPLIES_FORMAT = "crimebook-intake-replies/1"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_REPLIES_BYTES = 256 * 1024 * 1024
MAX_REPLY_BYTES = 1024 * 1024
_HEX64 = re.compile(r"[0-9a-f]{64}")
_FILE = re.compile(r"(report|a\d{1,3})\.age")
_RECEIPT = re.compile(r"R-[A-HJ-NP-Z2-9]{20}")
_RECIPIENT = re.compile(r"age1[02-9ac-hj-np-z]{58}")
_CHUNK = 1024 * 1024


class BundleError(Exception):
    """The bundle is not one the intake wrote, or it was altered or damaged."""


@dataclass(frozen=True)
class SourceRow:
    uuid: str
    lookup: str
    reply_recipient: str
    created_on: str


@dataclass(frozen=True)
class AttachmentRow:
    position: int
    name: str
    sealed_sha256: str
    sealed_size: int


@dataclass(frozen=True)
class SubmissionRow:
    uuid: str
    source: str
    kind: str
    insider: bool
    received_on: str
    sealed_sha256: str
    sealed_size: int
    receipt_id: str | None
    attachments: tuple[AttachmentRow, ...] = ()

    def files(self) -> Iterator[tuple[str, str, int]]:
        """(name, sealed SHA-256, size) of every file of this submission."""
        yield "report.age", self.sealed_sha256, self.sealed_size
        for a in self.attachments:
            yield a.name, a.sealed_sha256, a.sealed_size


@dataclass(frozen=True)
class Manifest:
    created_on: str
    sources: tuple[SourceRow, ...]
    submissions: tuple[SubmissionRow, ...]
    format: str = BUNDLE_FORMAT

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=True).encode("ascii")


@dataclass(frozen=True)
class ReplyRow:
    source: str
    sealed: bytes = field(repr=False)
    created_on: str


def _member(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = 0  # the sealed files' own times are UTC days; the archive keeps none
    return info


def bundle_write(
    out: IO[bytes],
    manifest: Manifest,
    files: Iterable[tuple[str, str, Path]],
    key: Ed25519PrivateKey,
) -> None:
    """Write ``manifest`` (signed) and ``files`` — (submission uuid, file name, path) — to ``out``.

    The sizes and hashes in the manifest are the ones recorded when the submission arrived;
    :func:`bundle_read` checks the files against them, so a file damaged on the intake host
    is caught on arrival at the workspace."""
    body = manifest.to_bytes()
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(_member("manifest.json", len(body)), io.BytesIO(body))
        signature = base64.b64encode(key.sign(body))
        tar.addfile(_member("manifest.sig", len(signature)), io.BytesIO(signature))
        for submission_id, name, path in files:
            with path.open("rb") as handle:
                size = path.stat().st_size
                tar.addfile(_member(f"sealed/{submission_id}/{name}", size), handle)


def _text(value: Any, what: str, pattern: re.Pattern[str] | None = None, limit: int = 100) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise BundleError(f"manifest: {what} is not a string")
    if pattern is not None and not pattern.fullmatch(value):
        raise BundleError(f"manifest: {what} is malformed")
    return value


def _uuid(value: Any, what: str) -> str:
    try:
        return str(uuid.UUID(_text(value, what)))
    except ValueError:
        raise BundleError(f"manifest: {what} is not a UUID") from None


def _day(value: Any, what: str) -> str:
    try:
        return date.fromisoformat(_text(value, what, limit=10)).isoformat()
    except ValueError:
        raise BundleError(f"manifest: {what} is not a date") from None


def _size(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BundleError(f"manifest: {what} is not a size")
    return value


def _parse_manifest(body: bytes) -> Manifest:
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BundleError("manifest.json is not JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"not a {BUNDLE_FORMAT} bundle")
    sources_raw, submissions_raw = doc.get("sources"), doc.get("submissions")
    if not isinstance(sources_raw, list) or not isinstance(submissions_raw, list):
        raise BundleError("manifest: sources and submissions must be lists")
    sources: list[SourceRow] = []
    for i, s in enumerate(sources_raw):
        if not isinstance(s, dict):
            raise BundleError(f"manifest: source {i} is not an object")
        sources.append(
            SourceRow(
                uuid=_uuid(s.get("uuid"), f"source {i} uuid"),
                lookup=_text(s.get("lookup"), f"source {i} lookup", _HEX64),
                reply_recipient=_text(s.get("reply_recipient"), f"source {i} key", _RECIPIENT),
                created_on=_day(s.get("created_on"), f"source {i} day"),
            )
        )
    known_sources = {s.uuid for s in sources}
    if len(known_sources) != len(sources):
        raise BundleError("manifest: a source is listed twice")
    submissions: list[SubmissionRow] = []
    for i, s in enumerate(submissions_raw):
        if not isinstance(s, dict) or not isinstance(s.get("attachments"), list):
            raise BundleError(f"manifest: submission {i} is not an object with attachments")
        attachments = []
        for j, a in enumerate(s["attachments"]):
            if not isinstance(a, dict):
                raise BundleError(f"manifest: submission {i} attachment {j} is not an object")
            name = _text(a.get("name"), f"submission {i} attachment {j} name", _FILE)
            if name == "report.age" or a.get("position") != j:
                raise BundleError(f"manifest: submission {i} attachment {j} is out of place")
            attachments.append(
                AttachmentRow(
                    position=j,
                    name=name,
                    sealed_sha256=_text(a.get("sealed_sha256"), f"attachment {j} hash", _HEX64),
                    sealed_size=_size(a.get("sealed_size"), f"attachment {j} size"),
                )
            )
        if len({a.name for a in attachments}) != len(attachments):
            raise BundleError(f"manifest: submission {i} names a file twice")
        kind = _text(s.get("kind"), f"submission {i} kind")
        if kind not in ("report", "followup"):
            raise BundleError(f"manifest: submission {i} has an unknown kind")
        receipt = s.get("receipt_id")
        row = SubmissionRow(
            uuid=_uuid(s.get("uuid"), f"submission {i} uuid"),
            source=_uuid(s.get("source"), f"submission {i} source"),
            kind=kind,
            insider=bool(s.get("insider") is True),
            received_on=_day(s.get("received_on"), f"submission {i} day"),
            sealed_sha256=_text(s.get("sealed_sha256"), f"submission {i} hash", _HEX64),
            sealed_size=_size(s.get("sealed_size"), f"submission {i} size"),
            receipt_id=None if receipt is None else _text(receipt, "receipt id", _RECEIPT),
            attachments=tuple(attachments),
        )
        if row.source not in known_sources:
            raise BundleError(f"manifest: submission {i} names a source the bundle lacks")
        submissions.append(row)
    if len({s.uuid for s in submissions}) != len(submissions):
        raise BundleError("manifest: a submission is listed twice")
    return Manifest(
        created_on=_day(doc.get("created_on"), "created_on"),
        sources=tuple(sources),
        submissions=tuple(submissions),
    )


def _read_small(tar: tarfile.TarFile, member: tarfile.TarInfo | None, name: str, cap: int) -> bytes:
    if member is None or member.name != name or not member.isreg():
        raise BundleError(f"not a bundle: {name} must come first")
    if member.size > cap:
        raise BundleError(f"{name} is larger than {cap} bytes")
    handle = tar.extractfile(member)
    assert handle is not None
    return handle.read()


def _read_head(tar: tarfile.TarFile, keys: Iterable[Ed25519PublicKey]) -> Manifest:
    body = _read_small(tar, tar.next(), "manifest.json", MAX_MANIFEST_BYTES)
    signature_text = _read_small(tar, tar.next(), "manifest.sig", 256)
    try:
        signature = base64.b64decode(signature_text, validate=True)
    except ValueError:
        raise BundleError("manifest.sig is not base64") from None
    for key in keys:
        try:
            key.verify(signature, body)
            return _parse_manifest(body)
        except InvalidSignature:
            continue
    raise BundleError("the signature does not verify with the intake's published key")


def _place(
    member: tarfile.TarInfo,
    expected: dict[tuple[str, str], tuple[str, int]],
    written: dict[tuple[str, str], Path],
    staging: Path,
) -> tuple[tuple[str, str], Path]:
    parts = member.name.split("/")
    if len(parts) != 3 or parts[0] != "sealed" or not member.isreg():
        raise BundleError(f"unexpected entry in the bundle: {member.name[:80]!r}")
    item = (parts[1], parts[2])
    if item not in expected or item in written:
        raise BundleError(f"file not in the manifest (or twice): {member.name[:80]!r}")
    if member.size != expected[item][1]:
        raise BundleError(f"{member.name}: size {member.size}, manifest says {expected[item][1]}")
    target = staging / parts[1] / parts[2]
    target.parent.mkdir(mode=0o700, exist_ok=True)
    return item, target


def bundle_read(
    source: BinaryIO, keys: Iterable[Ed25519PublicKey], staging: Path
) -> tuple[Manifest, dict[tuple[str, str], Path]]:
    """Check a bundle and unpack its files under ``staging`` (a fresh, empty directory).

    Returns the manifest and where each (submission uuid, file name) was written. Raises
    :class:`BundleError` on any mismatch; the caller then deletes ``staging``."""
    written: dict[tuple[str, str], Path] = {}
    try:
        with tarfile.open(fileobj=source, mode="r|") as tar:
            manifest = _read_head(tar, keys)
            expected = {
                (s.uuid, name): (digest, size)
                for s in manifest.submissions
                for name, digest, size in s.files()
            }
            while (member := tar.next()) is not None:
                item, target = _place(member, expected, written, staging)
                handle = tar.extractfile(member)
                assert handle is not None
                sha = hashlib.sha256()
                with target.open("xb") as out:
                    while chunk := handle.read(_CHUNK):
                        sha.update(chunk)
                        out.write(chunk)
                if sha.hexdigest() != expected[item][0]:
                    raise BundleError(f"{member.name}: SHA-256 differs from the manifest (damaged)")
                written[item] = target
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BundleError(f"the bundle is damaged or truncated ({exc})") from None
    missing = sorted(f"{u}/{n}" for u, n in expected.keys() - written.keys())
    if missing:
        raise BundleError(f"{len(missing)} file(s) missing from the bundle, e.g. {missing[0]}")
    return manifest, written


def replies_document(rows: Iterable[ReplyRow], *, created_on: date) -> bytes:
    return json.dumps(
        {
            "format": REPLIES_FORMAT,
            "created_on": created_on.isoformat(),
            "replies": [
                {
                    "source": r.source,
                    "sealed": base64.b64encode(r.sealed).decode("ascii"),
                    "created_on": r.created_on,
                }
                for r in rows
            ],
        },
        sort_keys=True,
    ).encode("ascii")


def replies_parse(raw: bytes) -> list[ReplyRow]:
    if len(raw) > MAX_REPLIES_BYTES:
        raise BundleError("the replies file is too large")
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BundleError("the replies file is not JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != REPLIES_FORMAT:
        raise BundleError(f"not a {REPLIES_FORMAT} file")
    items = doc.get("replies")
    if not isinstance(items, list):
        raise BundleError("replies must be a list")
    rows = []
    for i, r in enumerate(items):
        if not isinstance(r, dict):
            raise BundleError(f"reply {i} is not an object")
        try:
            sealed = base64.b64decode(
                _text(r.get("sealed"), f"reply {i}", limit=2 * MAX_REPLY_BYTES), validate=True
            )
        except ValueError:
            raise BundleError(f"reply {i} is not base64") from None
        if not sealed.startswith(b"age-encryption.org/v1\n"):
            raise BundleError(f"reply {i} is not an age file")
        rows.append(
            ReplyRow(
                source=_uuid(r.get("source"), f"reply {i} source"),
                sealed=sealed,
                created_on=_day(r.get("created_on"), f"reply {i} day"),
            )
        )
    return rows
