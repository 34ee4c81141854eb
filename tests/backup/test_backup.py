"""Backup → restore on a fresh data directory yields an instance whose audit chain verifies
and whose records are the same; damaged archives are refused with a clear message."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pyrage import x25519
from typer.testing import CliRunner

from crimebook.backup.archive import BackupError
from crimebook.backup.services import backup_create
from crimebook.cli.app import app
from crimebook.demo.load import demo_load

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture
def age_identity(tmp_path: Path) -> tuple[Path, str]:
    identity = x25519.Identity.generate()
    path = tmp_path / "backup-identity.txt"
    path.write_text(f"{identity}\n")
    return path, str(identity.to_public())


def _restore(archive: Path, identity: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run ``crimebook restore`` as an operator would, against a fresh SQLite data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRIMEBOOK_")}
    env["CRIMEBOOK_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-c", "from crimebook.cli import main; main()", "restore", str(archive),
         "--identity", str(identity)],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def _query(data_dir: Path, code: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRIMEBOOK_")}
    env["CRIMEBOOK_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "crimebook.settings"
    script = "import django; django.setup()\n" + code
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return result.stdout.strip()


def test_backup_then_restore_on_a_fresh_directory(
    tmp_path: Path, age_identity: tuple[Path, str], investigator: Any
) -> None:
    demo_load(scale=0.02)
    archive = tmp_path / "b.tar.age"
    result = runner.invoke(app, ["backup", "--out", str(archive), "--recipient", age_identity[1]])
    assert result.exit_code == 0, result.output
    assert archive.read_bytes().startswith(b"age-encryption.org/v1")
    fresh = tmp_path / "fresh"
    restored = _restore(archive, age_identity[0], fresh)
    assert restored.returncode == 0, restored.stderr
    assert "restored and verified" in restored.stdout
    # the restored instance opens identities with the restored key and has the same records
    from crimebook.register.models import Incident, Person

    names = _query(
        fresh,
        "from crimebook.register.models import Incident, Person\n"
        "from crimebook.register.services.persons import person_identity_decrypt\n"
        "print(Incident.objects.count(), Person.objects.count())\n"
        "print(person_identity_decrypt(Person.objects.order_by('pseudonym').first()).full_name)",
    ).splitlines()
    assert names[0] == f"{Incident.objects.count()} {Person.objects.count()}"
    from crimebook.register.services.persons import person_identity_decrypt

    assert (
        names[1] == person_identity_decrypt(Person.objects.order_by("pseudonym").first()).full_name
    )  # type: ignore[arg-type]
    verify = subprocess.run(
        [sys.executable, "-c", "from crimebook.cli import main; main()", "audit", "verify"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("CRIMEBOOK_")}, "CRIMEBOOK_DATA_DIR": str(fresh)},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stderr


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_damaged_archive_is_refused_and_restores_nothing(
    tmp_path: Path, age_identity: tuple[Path, str], damage: str, compartment: Any
) -> None:
    archive = tmp_path / "b.tar.age"
    backup_create(out=archive, recipients=[age_identity[1]])
    data = bytearray(archive.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    else:
        data = data[: len(data) - 200]
    archive.write_bytes(bytes(data))
    fresh = tmp_path / "fresh"
    result = _restore(archive, age_identity[0], fresh)
    assert result.returncode == 1
    assert "cannot be decrypted" in result.stdout + result.stderr
    assert not (fresh / "keys" / "data-keys.json").exists()
    assert (
        _query(fresh, "from crimebook.accounts.models import User; print(User.objects.count())")
        == "0"
    )


def test_wrong_identity_and_missing_recipients(
    tmp_path: Path, age_identity: tuple[Path, str]
) -> None:
    with pytest.raises(BackupError, match="no backup recipients"):
        backup_create(out=tmp_path / "x.age", recipients=[])
    with pytest.raises(BackupError, match="not an age"):
        backup_create(out=tmp_path / "x.age", recipients=["age1nonsense"])
    archive = tmp_path / "b.tar.age"
    backup_create(out=archive, recipients=[age_identity[1]])
    other = tmp_path / "other.txt"
    other.write_text(f"{x25519.Identity.generate()}\n")
    result = _restore(archive, other, tmp_path / "fresh")
    assert result.returncode == 1
    assert "sealed to another key" in result.stdout + result.stderr


def test_restore_refuses_a_non_empty_instance(
    tmp_path: Path, age_identity: tuple[Path, str]
) -> None:
    archive = tmp_path / "b.tar.age"
    backup_create(out=archive, recipients=[age_identity[1]])
    target = tmp_path / "used"
    assert _restore(archive, age_identity[0], target).returncode == 0
    again = _restore(archive, age_identity[0], target)
    assert again.returncode == 1
    assert "not empty" in again.stdout + again.stderr


def test_a_short_sealed_file_is_refused(
    tmp_path: Path, age_identity: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyrage can swallow a full disk's error on its last write: the size check catches it."""
    import pyrage

    from crimebook.backup import archive as archive_module

    real = pyrage.encrypt_io

    def truncating(reader: Any, writer: Any, recipients: Any) -> None:
        buffer = io.BytesIO()
        real(reader, buffer, recipients)
        writer.write(buffer.getvalue()[:-100])  # the last chunk never reached the disk

    monkeypatch.setattr(archive_module.pyrage, "encrypt_io", truncating)
    out = tmp_path / "b.tar.age"
    with pytest.raises(BackupError, match="incomplete"):
        backup_create(out=out, recipients=[age_identity[1]])
    assert not out.exists()
    assert not list(tmp_path.glob(".b.tar.age*"))
