"""Backup and restore of a whole instance (Django side of :mod:`crimebook.backup.archive`)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from crimebook.accounts.models import User
from crimebook.audit.models import AuditEntry
from crimebook.audit.selectors import audit_chain_verify
from crimebook.audit.services import audit_record
from crimebook.backup.archive import (
    BackupError,
    Member,
    load_identity,
    open_archive,
    parse_recipients,
    sha256_file,
    write_archive,
)
from crimebook.core.keys import KEY_FILE_NAME, get_keyring, key_file_path

# Derived or ephemeral tables are rebuilt by ``migrate`` and not worth restoring.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]
COUNTED_APPS = ("accounts", "audit", "register", "evidence")
VAULT_IDENTITY = "keys/vault-identities.txt"


@contextmanager
def _workdir() -> Iterator[Path]:
    base = Path(settings.CRIMEBOOK_DATA_DIR)
    base.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=".backup-", dir=base))
    os.chmod(path, 0o700)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app in COUNTED_APPS
        for model in apps.get_app_config(app).get_models()
    }


def _audit_head() -> dict[str, Any]:
    head = AuditEntry.objects.order_by("-seq").first()
    return {"entries": head.seq if head else 0, "head": head.entry_hash if head else None}


def _vault_members() -> list[Member]:
    """Every file of the evidence vault on this host (age-sealed copies) and the vault
    identity. Objects in an S3 bucket (CRIMEBOOK_VAULT_BACKEND=s3) are not copied into the
    archive: the bucket's own versioning or replication backs them up."""
    from crimebook.evidence.keys import identity_file_path
    from crimebook.evidence.storage import VaultStore

    vault = VaultStore(Path(settings.CRIMEBOOK_VAULT_DIR))
    members = [Member(f"vault/{key}", vault.root / key) for key in vault.iter_keys()]
    if identity_file_path().exists():
        members.append(Member(VAULT_IDENTITY, identity_file_path()))
    return members


def _vault_restore(content: Path) -> None:
    from crimebook.evidence.keys import identity_file_path

    root = Path(settings.CRIMEBOOK_VAULT_DIR).expanduser().resolve()
    source = content / "vault"
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file():
                target = root / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                shutil.copyfile(path, target)
                os.chmod(target, 0o400)
    if (content / VAULT_IDENTITY).is_file() and not identity_file_path().exists():
        shutil.copyfile(content / VAULT_IDENTITY, identity_file_path())
        os.chmod(identity_file_path(), 0o600)


def backup_create(*, out: Path, recipients: list[str] | None = None) -> dict[str, Any]:
    """Write one sealed archive. Returns the manifest."""
    sealed_to = parse_recipients(recipients or list(settings.CRIMEBOOK_BACKUP_RECIPIENTS))
    get_keyring()  # fail early with a clear message if the key file is missing
    out = out.expanduser().resolve()
    if out.exists():
        raise BackupError(f"{out} exists; choose a new file name")
    with _workdir() as work:
        dump = work / "database.json"
        with transaction.atomic():  # one consistent snapshot of data, head and counts
            call_command(
                "dumpdata", exclude=EXCLUDED, natural_foreign=True, output=str(dump), verbosity=0
            )
            extra: dict[str, Any] = {
                "created": datetime.now(UTC).strftime("%Y-%m-%d"),
                "audit": _audit_head(),
                "counts": _counts(),
            }
        members = [
            Member("database.json", dump),
            Member(f"keys/{KEY_FILE_NAME}", key_file_path()),
            *_vault_members(),
        ]
        manifest = write_archive(members, extra, out, sealed_to)
    with transaction.atomic():
        audit_record(
            actor=None,
            action="backup",
            object_type="system.backup",
            object_id=out.name,
            changes={"archive_sha256": sha256_file(out), "audit_head": extra["audit"]["head"]},
        )
    return manifest


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _require_fresh_instance() -> None:
    if User.objects.exists() or AuditEntry.objects.exists():
        raise BackupError(
            "the target database is not empty; restore into a fresh data directory "
            "(set CRIMEBOOK_DATA_DIR, or CRIMEBOOK_DATABASE_URL to an empty database)"
        )
    if key_file_path().exists():
        raise BackupError(f"a key file already exists at {key_file_path()}; refusing to replace it")


def backup_restore(*, archive: Path, identity_file: Path) -> RestoreReport:
    """Rebuild an instance from an archive on a fresh data directory and verify it."""
    identity = load_identity(identity_file)
    call_command("migrate", interactive=False, verbosity=0)
    _require_fresh_instance()
    with _workdir() as work:
        manifest = open_archive(archive.expanduser().resolve(), identity, work)
        content = work / "content"
        key_target = key_file_path()
        key_target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with transaction.atomic():
            # vocabularies come with the archive, exactly as they were
            apps.get_model("register", "Term").objects.all().delete()
            apps.get_model("register", "Vocabulary").objects.all().delete()
            call_command("loaddata", str(content / "database.json"), verbosity=0)
        shutil.copyfile(content / "keys" / KEY_FILE_NAME, key_target)
        os.chmod(key_target, 0o600)
        _vault_restore(content)
    get_keyring.cache_clear()
    report = RestoreReport(manifest)
    chain = audit_chain_verify()
    if not chain.ok:
        report.problems.append(f"audit chain broken at {chain.first_break}")
    expected = manifest.get("audit", {})
    if chain.entries != expected.get("entries") or (
        chain.entries and chain.head_hash != expected.get("head")
    ):
        report.problems.append(
            f"audit head differs from the manifest ({chain.entries} entries restored, "
            f"{expected.get('entries')} expected)"
        )
    for label, count in manifest.get("counts", {}).items():
        actual = apps.get_model(label)._default_manager.count()
        if actual != count:
            report.problems.append(f"{label}: {actual} rows restored, {count} in the manifest")
    get_keyring()  # the restored key file must load
    if report.ok:
        with transaction.atomic():
            audit_record(
                actor=None,
                action="restore",
                object_type="system.backup",
                object_id=archive.name,
                changes={"audit_head": expected.get("head"), "entries": chain.entries},
            )
    return report
