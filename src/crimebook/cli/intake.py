"""``crimebook intake keygen|sweep|pack|unpack|pack-replies|unpack-replies``, ``crimebook
receipt verify|public-key`` and the intake-only server behind ``crimebook serve --intake-only``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from crimebook.cli._common import console, fail

app = typer.Typer(help="The public intake: keys and store maintenance.", no_args_is_help=True)
receipt_app = typer.Typer(help="Insider receipts: verify a receipt file.", no_args_is_help=True)

INTAKE_SETTINGS = "crimebook.intake_settings"


INTAKE_THREADS = 4


def intake_server_argv(*, bind: str, workers: int, threads: int = INTAKE_THREADS) -> list[str]:
    """The gunicorn command line of the intake (``serve --intake-only`` and the benchmark)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "crimebook.intake.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        # No access log at all: even a path and a time can identify a source. (Not
        # --access-logfile /dev/null: gunicorn would still gather each request's address
        # and agent to format a line nobody reads.)
        "--error-logfile",
        "-",
        "--forwarded-allow-ips",
        "",
        "--limit-request-fields",
        "100",
        "--timeout",
        "600",
    ]


def serve_intake(*, host: str, port: int, workers: int) -> None:
    """Migrate the intake's own tables, then exec gunicorn with the intake settings only."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": INTAKE_SETTINGS}
    check = subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
        [sys.executable, "-m", "django", "migrate", "--settings", INTAKE_SETTINGS, "-v", "0"],
        env=env,
        check=False,
    )
    if check.returncode != 0:
        raise typer.Exit(check.returncode)
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    console.print(f"Crimebook intake at [bold]http://{bind}/[/]  (Ctrl-C stops it)")
    argv = intake_server_argv(bind=bind, workers=workers)
    sys.stdout.flush()
    os.environ["DJANGO_SETTINGS_MODULE"] = INTAKE_SETTINGS
    os.execv(sys.executable, argv)  # noqa: S606 - replace this process with gunicorn


@app.command("keygen")
def keygen() -> None:
    """Create the intake's private key in the workspace key directory (never on the intake
    host) and print the public key to set as CRIMEBOOK_INTAKE_RECIPIENTS there."""
    from crimebook.triage.keys import intake_keygen

    path, public, created = intake_keygen()
    state = "created" if created else "already exists"
    console.print(f"intake identity {state}: {path} (back it up offline!)")
    console.print(f"CRIMEBOOK_INTAKE_RECIPIENTS={public}")


@app.command("sweep")
def sweep(
    hours: Annotated[float, typer.Option(min=0.0, help="Only entries older than this.")] = 6.0,
) -> None:
    """Delete staging leftovers and unrecorded sealed directories after a crash."""
    from crimebook.intake.services import store_sweep

    removed = store_sweep(older_than_seconds=hours * 3600)
    console.print(f"removed {len(removed)} abandoned entr{'y' if len(removed) == 1 else 'ies'}")


@receipt_app.command("verify")
def receipt_verify_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    public_key: Annotated[
        str | None,
        typer.Option(help="Published key (ed25519:<base64>); default: this host's signing key."),
    ] = None,
) -> None:
    """Check a receipt's signature. Prints its id, day and sealed hash; exit 1 if invalid."""
    from crimebook.intake.receipts import (
        ReceiptInvalid,
        public_key_from_text,
        receipt_verify,
        signing_key_load_or_create,
    )

    try:
        if public_key:
            key = public_key_from_text(public_key)
        else:
            from crimebook.config import load_config

            path = load_config().intake_signing_key_path
            if not path.exists():
                fail("no --public-key given and no signing key on this host")
            key = signing_key_load_or_create(path).public_key()
        receipt = receipt_verify(file.read_bytes()[:8192], [key])
    except ReceiptInvalid as exc:
        fail(f"receipt is NOT valid: {exc}")
    console.print(
        f"valid receipt {receipt.receipt_id}, issued {receipt.issued_on}, "
        f"sealed submission SHA-256 {receipt.sealed_sha256}"
    )


@receipt_app.command("public-key")
def receipt_public_key() -> None:
    """Print the receipt verification key to publish (creates the signing key if absent)."""
    from crimebook.config import load_config
    from crimebook.intake.receipts import public_key_text, signing_key_load_or_create

    key = signing_key_load_or_create(load_config().intake_signing_key_path)
    console.print(public_key_text(key.public_key()))


def _day_option(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--since must be a date like 2020-08-09, not {value[:20]!r}")


def _write_atomically(out: Path, write: Callable[[BinaryIO], object]) -> object:
    """Write to ``out`` through a temporary file that is renamed only when complete."""
    if out.exists():
        fail(f"{out} exists; choose a new file name")
    tmp = out.with_name(f".{out.name}.partial")
    try:
        with tmp.open("xb") as handle:
            result = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.rename(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return result


@app.command("pack")
def pack(
    out: Annotated[Path, typer.Option("--out", help="Bundle file to write (.tar).")],
    since: Annotated[
        str | None, typer.Option(help="Only submissions from this UTC day on.")
    ] = None,
) -> None:
    """On a separate intake host: write the sealed submissions and their rows as a bundle
    signed with this host's receipt key, to carry to the workspace (`intake unpack`)."""
    from crimebook.intake.bundle import BundleError
    from crimebook.intake.transfer import Packed, bundle_export

    day = _day_option(since)
    try:
        packed = _write_atomically(out, lambda handle: bundle_export(handle, since=day))
    except BundleError as exc:
        fail(str(exc))
    assert isinstance(packed, Packed)
    console.print(
        f"wrote {out}: {packed.submissions} submission(s) from {packed.sources} source(s), "
        f"{packed.files} sealed file(s)"
    )


@app.command("unpack")
def unpack(
    bundle: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    public_key: Annotated[
        list[str] | None,
        typer.Option(help="The intake host's published key (ed25519:<base64>); repeatable."),
    ] = None,
) -> None:
    """In the workspace: check a bundle from the intake host (signature, every SHA-256) and
    add its new submissions to the triage queue. Nothing is added if anything is wrong."""
    from crimebook.intake.bundle import BundleError
    from crimebook.intake.receipts import ReceiptInvalid, public_key_from_text
    from crimebook.triage.transfer import bundle_import

    if not public_key:
        fail(
            "give the intake host's published key with --public-key (`crimebook receipt public-key` there)"
        )
    try:
        keys = [public_key_from_text(k) for k in public_key]
        result = bundle_import(actor=None, path=bundle, keys=keys)
    except (BundleError, ReceiptInvalid) as exc:
        fail(f"bundle refused, nothing added: {exc}")
    console.print(
        f"added {result.submissions_added} submission(s) ({result.sources_added} new source(s)); "
        f"{result.submissions_already_here} already here"
    )


@app.command("pack-replies")
def pack_replies(
    out: Annotated[Path, typer.Option("--out", help="Replies file to write (.json).")],
    since: Annotated[str | None, typer.Option(help="Only replies from this UTC day on.")] = None,
) -> None:
    """In the workspace: write the replies (sealed to each source's codename key) for the
    intake host (`intake unpack-replies` there)."""
    from crimebook.triage.transfer import replies_export

    day = _day_option(since)
    document, count = replies_export(actor=None, since=day)
    _write_atomically(out, lambda handle: handle.write(document))
    console.print(f"wrote {out}: {count} sealed repl{'y' if count == 1 else 'ies'}")


@app.command("unpack-replies")
def unpack_replies(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """On the intake host: store the workspace's sealed replies so sources can read them."""
    from crimebook.intake.bundle import MAX_REPLIES_BYTES, BundleError
    from crimebook.intake.transfer import replies_import

    if file.stat().st_size > MAX_REPLIES_BYTES:
        fail("the replies file is too large")
    try:
        taken = replies_import(file.read_bytes())
    except BundleError as exc:
        fail(f"replies refused, nothing stored: {exc}")
    console.print(f"stored {taken.added} new reply(-ies); {taken.already_here} already here")
