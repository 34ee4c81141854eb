"""``crimebook dossier CASE --recipient age1… --out DIR``: a thin shell over
:func:`crimebook.cases.dossier.services.dossier_export`."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from crimebook.cli._common import console, fail


def dossier(
    case: Annotated[str, typer.Argument(help="The case's number or UUID.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write into (created).")],
    recipient: Annotated[
        str,
        typer.Option(
            "--recipient",
            help="The prosecutor's age public key (age1…): the "
            "exhibits and a copy of the PDF are sealed to it.",
        ),
    ],
    user: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Export as this account (its case role is checked and it "
            "is named in the audit log); default: the system operator.",
        ),
    ] = None,
    language: Annotated[str, typer.Option("--language", help="en, ru or be.")] = "en",
) -> None:
    """Render a case's dossier for a prosecutor: DIR/dossier-<uuid>.pdf and
    DIR/dossier-<uuid>.zip (exhibits re-sealed to the recipient, manifest.json/.csv).
    Only material whose source consented to sharing with prosecutors goes in; what was left
    out is listed with the reason. Every export is audited."""
    from crimebook.accounts.models import User
    from crimebook.cases.dossier.services import (
        BundleError,
        DossierRefused,
        DossierRenderError,
        dossier_export,
    )
    from crimebook.cases.models import Case
    from crimebook.cases.selectors import case_get_for
    from crimebook.cases.services import problems_text
    from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed

    if language not in ("en", "ru", "be"):
        fail("--language must be en, ru or be")
    actor = None
    if user is not None:
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            fail(f"no active user named {user!r}")
    try:
        lookup: dict[str, object] = (
            {"pk": int(case)} if case.isdigit() else {"uuid": uuid.UUID(case)}
        )
        found = Case.objects.filter(**lookup).first()
        if found is not None and actor is not None:
            found = case_get_for(actor, found.pk)
    except (ValueError, NotFound):  # not a number or UUID, or not visible to --as
        found = None
    if found is None:
        fail(f"no case {case!r}")
    out.mkdir(parents=True, exist_ok=True)
    pdf_path = out / f"dossier-{found.uuid}.pdf"
    zip_path = out / f"dossier-{found.uuid}.zip"
    partial = zip_path.with_suffix(".zip.part")
    total = found.exhibits.count()
    try:
        with (
            Progress(TextColumn("exhibits"), BarColumn(), MofNCompleteColumn(),
                     console=console) as bar,
            open(partial, "wb") as sink,
        ):  # fmt: skip
            task = bar.add_task("seal", total=total)
            pdf, outcome = dossier_export(
                actor=actor, case=found, recipient=recipient, zip_sink=sink, language=language,
                progress=lambda n: bar.advance(task, n),
            )  # fmt: skip
            sink.flush()
            os.fsync(sink.fileno())
    except DossierRefused as exc:
        partial.unlink(missing_ok=True)
        fail(problems_text(exc))
    except ValidationFailed as exc:
        partial.unlink(missing_ok=True)
        fail(str(exc))
    except PermissionDenied as exc:
        partial.unlink(missing_ok=True)
        fail(str(exc))
    except (DossierRenderError, BundleError, OSError) as exc:
        partial.unlink(missing_ok=True)
        fail(str(exc))
    partial.rename(zip_path)
    pdf_path.write_bytes(pdf)
    console.print(f"{pdf_path}  sha256 {outcome.pdf_sha256}")
    console.print(f"{zip_path}  sha256 {outcome.zip_sha256}")
    console.print(f"{outcome.exhibits} exhibits sealed to the recipient; "
                  f"{outcome.omitted} items left out (see the PDF, section 8)")  # fmt: skip
