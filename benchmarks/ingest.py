"""Evidence ingest benchmark: MB/s for hash + age-seal + content-addressed store, next to
``sha256sum`` plus ``cp`` of the same files in the same run (CONVENTIONS 14); then files/s of
metadata extraction (sandboxed worker per file) over small photos, next to one ``exiftool``
subprocess per file when exiftool is installed.

Runs in a temporary data directory (SQLite, its own vault identity); nothing else is touched.
Run: ``.venv/bin/python benchmarks/ingest.py [--files 4] [--file-mb 256] [--photos 200]``.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _setup(data: Path) -> None:
    os.environ["CRIMEBOOK_DATA_DIR"] = str(data)
    os.environ["CRIMEBOOK_DATABASE_URL"] = ""
    os.environ.pop("CRIMEBOOK_VAULT_DIR", None)
    os.environ.pop("CRIMEBOOK_VAULT_RECIPIENTS", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "crimebook.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from crimebook.core.keys import keys_init
    from crimebook.evidence.keys import vault_keygen

    keys_init()
    vault_keygen()


def _make_files(folder: Path, count: int, size_mb: int) -> list[Path]:
    folder.mkdir(parents=True)
    block = os.urandom(1 << 20)
    paths = []
    for i in range(count):
        path = folder / f"clip-{i}.bin"
        with path.open("wb") as handle:
            for j in range(size_mb):
                handle.write(block[:-8] + i.to_bytes(4, "big") + j.to_bytes(4, "big"))
        paths.append(path)
    return paths


def _drop_cache_hint(paths: list[Path]) -> None:
    """Read everything once so both sides start with the same (warm) page cache."""
    for path in paths:
        with path.open("rb") as handle:
            while handle.read(1 << 22):
                pass


def _baseline(paths: list[Path], out: Path) -> float:
    out.mkdir()
    start = time.perf_counter()
    subprocess.run(["sha256sum", *map(str, paths)], check=True, capture_output=True)  # noqa: S603, S607
    for path in paths:
        shutil.copyfile(path, out / path.name)
        with (out / path.name).open("rb") as handle:
            os.fsync(handle.fileno())
    return time.perf_counter() - start


def _ingest(paths: list[Path], compartment_id: int, *, two_pass: bool) -> float:
    from crimebook.evidence.services import evidence_ingest_path, evidence_ingest_stream

    start = time.perf_counter()
    for path in paths:
        if two_pass:
            out = evidence_ingest_path(
                actor=None, compartment_id=compartment_id, path=path, process=False
            )
        else:
            with path.open("rb") as handle:
                out = evidence_ingest_stream(
                    actor=None, compartment_id=compartment_id, name=path.name, stream=handle,
                    via="benchmark", process=False,
                )  # fmt: skip
        assert out.outcome == "ingested", out
    return time.perf_counter() - start


def _photos(folder: Path, count: int) -> list[Path]:
    from PIL import Image

    folder.mkdir(parents=True)
    paths = []
    for i in range(count):
        img = Image.effect_noise((320, 240), 40 + i % 50).convert("RGB")
        exif = Image.Exif()
        exif[0x010F] = "Bench"
        buf = io.BytesIO()
        img.save(buf, format="JPEG", exif=exif)
        path = folder / f"p{i}.jpg"
        path.write_bytes(buf.getvalue())
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--file-mb", type=int, default=256)
    parser.add_argument("--photos", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cb-ingest-", dir=os.environ.get("TMPDIR")) as tmp:
        root = Path(tmp)
        _setup(root / "data")
        from crimebook.accounts.services import compartment_create

        compartment = compartment_create(actor=None, name="bench")
        total_mb = args.files * args.file_mb
        print(f"input: {args.files} files × {args.file_mb} MiB = {total_mb} MiB (random bytes)")
        files = _make_files(root / "in", args.files, args.file_mb)
        _drop_cache_hint(files)
        base = _baseline(files, root / "copy")
        shutil.rmtree(root / "copy")
        one = _ingest(files, compartment.pk, two_pass=False)
        from crimebook.evidence.models import EvidenceItem

        EvidenceItem.objects.all().delete()
        shutil.rmtree(root / "data" / "vault")
        from crimebook.evidence.keys import vault_keygen

        vault_keygen()
        two = _ingest(files, compartment.pk, two_pass=True)
        print(f"baseline sha256sum + cp (+fsync):      {total_mb / base:8.1f} MiB/s")
        print(f"ingest, one pass (upload/stream path): {total_mb / one:8.1f} MiB/s"
              f"   ratio {base / one:.2f}")  # fmt: skip
        print(f"ingest, two passes (import: hash, then hash+seal; detects a file changing):"
              f" {total_mb / two:8.1f} MiB/s   ratio {base / two:.2f}")  # fmt: skip
        if args.photos:
            from crimebook.evidence.extract import run_worker

            photos = _photos(root / "photos", args.photos)
            start = time.perf_counter()
            for p in photos:
                assert run_worker(p, "image/jpeg").ok
            ours = time.perf_counter() - start
            from crimebook.evidence.extract import worker_session

            start = time.perf_counter()
            with worker_session():
                for p in photos:
                    assert run_worker(p, "image/jpeg").ok
            pooled = time.perf_counter() - start
            line = (
                f"metadata (EXIF + phash + thumbnail): one worker per file "
                f"{len(photos) / ours:7.1f} files/s; one worker per import (session) "
                f"{len(photos) / pooled:7.1f} files/s"
            )
            exiftool = shutil.which("exiftool")
            if exiftool:
                start = time.perf_counter()
                for p in photos:
                    subprocess.run([exiftool, "-j", str(p)], check=True, capture_output=True)  # noqa: S603
                ref = time.perf_counter() - start
                line += (
                    f"; exiftool per file {len(photos) / ref:7.1f} files/s; "
                    f"ratio session/exiftool {ref / pooled:.2f}"
                )
            else:
                line += "; exiftool not installed (no baseline)"
            print(line)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
