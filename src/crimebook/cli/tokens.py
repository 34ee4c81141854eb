"""``crimebook token create|list|revoke``: API tokens for an account, from the server's
shell (users make their own on the workspace page /account/tokens/). The secret is printed
once and stored only as a digest."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from django.utils import timezone

from crimebook.accounts.models import ApiToken, Compartment, User
from crimebook.accounts.services import api_token_create, api_token_revoke, api_tokens_of
from crimebook.cli._common import console, fail
from crimebook.core.errors import ValidationFailed

app = typer.Typer(help="API tokens: create (shown once), list, revoke.", no_args_is_help=True)


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        fail(f"no account named {username!r}")
    return user


@app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="The account the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'ingest script'.")],
    days: Annotated[
        int | None,
        typer.Option(help="Lifetime in days (default and maximum: CRIMEBOOK_API_TOKEN_MAX_DAYS)."),
    ] = None,
    compartment: Annotated[
        list[str] | None,
        typer.Option(help="Limit the token to this compartment (repeatable; default: all)."),
    ] = None,
    read_only: Annotated[bool, typer.Option("--read-only", help="The token cannot write.")] = False,
) -> None:
    """Create a token; its secret is printed once and cannot be shown again."""
    user = _user(username)
    ids = []
    for wanted in compartment or []:
        found = Compartment.objects.filter(name=wanted).first()
        if found is None:
            fail(f"no compartment named {wanted!r}")
        ids.append(found.pk)
    if days is not None and days < 1:
        fail("--days must be at least 1")
    expires = timezone.now() + timedelta(days=days) if days is not None else None
    try:
        token, secret = api_token_create(
            actor=None, user=user, name=name, expires_at=expires, compartment_ids=ids,
            read_only=read_only,
        )  # fmt: skip
    except ValidationFailed as exc:
        fail(str(exc))
    console.print(f"token {token.pk} for {user.username}, expires {token.expires_at:%Y-%m-%d}")
    console.print("secret (shown once, store it now):")
    console.print(secret, markup=False)


def _scope(token: ApiToken) -> str:
    names = sorted(c.name for c in token.compartments.all())
    where = ", ".join(names) if names else "all compartments"
    return f"{where}; {'read-only' if token.read_only else 'read-write'}"


@app.command("list")
def list_(
    username: Annotated[str, typer.Argument(help="Whose tokens.")],
    all_: Annotated[bool, typer.Option("--all", help="Include revoked and expired.")] = False,
) -> None:
    """List an account's tokens (never their secrets)."""
    now = timezone.now()
    shown = 0
    for token in api_tokens_of(_user(username)):
        live = not token.revoked and token.expires_at > now
        if not live and not all_:
            continue
        state = "live" if live else ("revoked" if token.revoked else "expired")
        used = token.last_used_on.isoformat() if token.last_used_on else "never"
        console.print(
            f"{token.pk}\t{token.prefix}…\t{token.name}\t{state}\t"
            f"expires {token.expires_at:%Y-%m-%d}\tlast used {used}\t{_scope(token)}",
            markup=False,
        )
        shown += 1
    if not shown:
        console.print("no tokens")


@app.command("revoke")
def revoke(token_id: Annotated[int, typer.Argument(help="The token's number (see list).")]) -> None:
    """Revoke a token at once; requests with it get 401 from now on."""
    token = ApiToken.objects.filter(pk=token_id).select_related("user").first()
    if token is None:
        fail(f"no token {token_id}")
    api_token_revoke(actor=None, token=token)
    console.print(f"token {token.pk} ({token.name}) of {token.user.username} is revoked")
