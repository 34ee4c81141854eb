"""The vault's content-addressed store in an S3-compatible bucket (django-storages + boto3).

Same contract as :class:`crimebook.evidence.storage.VaultStore`, which still provides the
local staging directory: a file is sealed with age into ``<vault>/.staging`` on this host,
and only the complete ciphertext is uploaded — plaintext never leaves the host. Objects are
named ``<prefix>/ab/cd/<sha256>.age`` (the same content address as on disk; the key is
computed from a validated hex digest, never from a name). An object already present is never
overwritten: committing known content discards the new copy. After an upload the object's
size is compared with the staged file (boto3 also sends a CRC32 checksum the store checks).

``django-storages``' :class:`S3Storage` holds the configuration (bucket, endpoint, region,
credentials, or the standard AWS credential chain when none are given) and builds the boto3
client; reads stream the object's body (``get_object``), never a whole-file download.
A store that cannot be reached raises :class:`StoreError` with a clear message.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage

from crimebook.evidence.storage import SHA256_HEX, StoreError, VaultStore

__all__ = ["S3VaultStore"]

_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


def _reason(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', '?')}: {error.get('Message', '')}".strip(": ")[:200]
    return f"{type(exc).__name__}: {str(exc)[:200]}"


class _Body(io.RawIOBase):
    """A streamed object body as a raw binary reader (chunks as asked, errors as OSError)."""

    def __init__(self, body: Any) -> None:
        self._body = body
        self.failed: str | None = None  # set when a read failed in transit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self._body.read(len(buffer))
        except (BotoCoreError, ClientError, OSError) as exc:
            self.failed = _reason(exc)
            raise OSError(f"object store read failed: {self.failed}") from exc
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._body.close()
        super().close()


class S3VaultStore:
    backend = "s3"

    def __init__(self, staging_root: Path, options: Mapping[str, Any]) -> None:
        self.local = VaultStore(staging_root)  # staging only: nothing is committed locally
        settings = {k: v for k, v in options.items() if v not in (None, "")}
        self.bucket_name = str(settings.get("bucket_name") or "")
        if not self.bucket_name:
            raise StoreError("the S3 vault needs a bucket (CRIMEBOOK_VAULT_S3_BUCKET)")
        self.prefix = str(settings.pop("location", "")).strip("/")
        settings.setdefault(
            "client_config",
            Config(connect_timeout=5, read_timeout=60,
                   retries={"max_attempts": 3, "mode": "standard"}),
        )  # fmt: skip
        self.storage = S3Storage(
            **settings, location="", default_acl=None, file_overwrite=False,
            querystring_auth=True,
        )  # fmt: skip

    @property
    def client(self) -> Any:
        return self.storage.connection.meta.client

    # -- addresses ---------------------------------------------------------------------

    key_for = staticmethod(VaultStore.key_for)

    def check_key(self, key: str) -> str:
        """The object name of a storage key; refuses anything but a content address."""
        parts = key.split("/")
        if (
            len(parts) != 3
            or not parts[2].endswith(".age")
            or not SHA256_HEX.fullmatch(parts[2][:-4])
            or parts[0] != parts[2][:2]
            or parts[1] != parts[2][2:4]
        ):
            raise StoreError("storage key is not a content address")
        return f"{self.prefix}/{key}" if self.prefix else key

    def _head(self, name: str) -> dict[str, Any] | None:
        try:
            return dict(self.client.head_object(Bucket=self.bucket_name, Key=name))
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in _NOT_FOUND:
                return None
            raise StoreError(f"object store refused: {_reason(exc)}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"object store unreachable: {_reason(exc)}") from exc

    def exists(self, sha256: str) -> bool:
        return self._head(self.check_key(self.key_for(sha256))) is not None

    # -- writing (staging is local) ----------------------------------------------------

    def staging_dir(self) -> Path:
        return self.local.staging_dir()

    def open_staged(self) -> tuple[Path, BinaryIO]:
        return self.local.open_staged()

    def discard(self, staged: Path) -> None:
        self.local.discard(staged)

    def commit(self, staged: Path, sha256: str) -> tuple[str, bool]:
        """Upload a complete staged ciphertext to its content address, then remove it.
        ``(key, created)``; an existing object is kept and the staged copy dropped."""
        key = self.key_for(sha256)
        name = self.check_key(key)
        staged = staged.resolve()
        if staged.parent != self.local.staging_dir().resolve():
            raise StoreError("only staged files can be committed")
        if self._head(name) is not None:
            self.local.discard(staged)
            return key, False
        size = staged.stat().st_size
        try:
            self.client.upload_file(
                str(staged), self.bucket_name, name,
                ExtraArgs={"ContentType": "application/octet-stream"},
            )  # fmt: skip
        except (BotoCoreError, ClientError) as exc:
            raise StoreError(f"object store upload failed: {_reason(exc)}") from exc
        except Exception as exc:  # s3transfer wraps errors in its own types
            raise StoreError(f"object store upload failed: {_reason(exc)}") from exc
        head = self._head(name)
        if head is None or int(head.get("ContentLength", -1)) != size:
            raise StoreError("object store holds a different size than was uploaded")
        self.local.discard(staged)
        return key, True

    # -- reading -----------------------------------------------------------------------

    def open(self, key: str) -> BinaryIO:
        """The object's ciphertext, streamed. A missing object is FileNotFoundError."""
        name = self.check_key(key)
        try:
            answer = self.client.get_object(Bucket=self.bucket_name, Key=name)
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in _NOT_FOUND:
                raise FileNotFoundError(os.strerror(2) + f": {key}") from None
            raise StoreError(f"object store refused: {_reason(exc)}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"object store unreachable: {_reason(exc)}") from exc
        return io.BufferedReader(_Body(answer["Body"]), 1 << 20)

    def iter_keys(self) -> Iterator[str]:
        """Every object under the prefix, as a key (whatever its name), in key order."""
        start = f"{self.prefix}/" if self.prefix else ""
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket_name, Prefix=start
            )
            for page in pages:
                for entry in page.get("Contents", ()):
                    yield str(entry["Key"])[len(start) :]
        except ClientError as exc:
            raise StoreError(f"object store refused: {_reason(exc)}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"object store unreachable: {_reason(exc)}") from exc
