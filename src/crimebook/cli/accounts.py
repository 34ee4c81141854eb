"""``crimebook createuser``."""

from __future__ import annotations

from typing import Annotated

import typer

from crimebook.accounts.mfa import second_factor_enrol
from crimebook.accounts.models import Compartment, Role, User
from crimebook.accounts.services import membership_set, user_create
from crimebook.cli._common import console, fail
from crimebook.core.errors import ValidationFailed


def createuser(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[
        str, typer.Option(help=f"One of: {', '.join(r.value for r in Role)}.")
    ] = "read_only",
    compartment: Annotated[
        list[str] | None, typer.Option(help="Compartment to join (repeatable), with the same role.")
    ] = None,
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, envvar="CRIMEBOOK_NEW_PASSWORD"
        ),
    ] = "",
) -> None:
    """Create a staff account (the password is asked for, never echoed)."""
    compartments = []
    for name in compartment or []:
        found = Compartment.objects.filter(name=name).first()
        if found is None:
            fail(f"no compartment named {name!r}")
        compartments.append(found)
    try:
        user = user_create(actor=None, username=username, password=password, role=role)
    except ValidationFailed as exc:
        fail(str(exc))
    for comp in compartments:
        membership_set(actor=None, user=user, compartment=comp, role=role)
    console.print(f"created user [bold]{user.username}[/] ({user.role})")


def mfa_reset(username: Annotated[str, typer.Argument(help="Account to re-enrol.")]) -> None:
    """Replace an account's second factor (lost device): prints a new TOTP secret and
    recovery codes once. Run it only after verifying the person out of band."""
    user = User.objects.filter(username=username).first()
    if user is None:
        fail(f"no account named {username!r}")
    secret, codes = second_factor_enrol(user=user)
    console.print(f"TOTP secret for {username}: {secret}")
    console.print("recovery codes (each works once): " + " ".join(codes))
