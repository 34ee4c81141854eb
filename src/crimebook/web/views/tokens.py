"""/account/tokens/: each user's own API tokens — create (the secret is shown once, on
the answer to the POST, never stored or put in a URL), list, revoke. Scope: compartments
of the user's memberships (none ticked: all of them) and read-only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from crimebook.accounts.models import Compartment, Membership
from crimebook.accounts.services import (
    api_token_create,
    api_token_get_of,
    api_token_revoke,
    api_tokens_of,
)
from crimebook.core.errors import NotFound
from crimebook.web.forms import UserForm
from crimebook.web.views._common import attempt, user_of


def _max_days() -> int:
    return int(settings.CRIMEBOOK_API_TOKEN_MAX_DAYS)


class TokenForm(UserForm):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100,
        help_text=gettext_lazy("What uses the token, e.g. “ingest script on the laptop”."),
    )  # fmt: skip
    days = forms.IntegerField(label=gettext_lazy("Valid for (days)"), min_value=1)
    compartments = forms.MultipleChoiceField(
        label=gettext_lazy("Compartments"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every compartment you are a member of."),
    )  # fmt: skip
    read_only = forms.BooleanField(
        label=gettext_lazy("Read-only (the token cannot change anything)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = Membership.objects.filter(user=self.user).values_list("compartment_id", flat=True)
        field = self.fields["compartments"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(c.pk), c.name) for c in Compartment.objects.filter(pk__in=list(ids))]
        # the longest lifetime is a setting: bound the field when the form is made
        longest = _max_days()
        self.fields["days"] = forms.IntegerField(
            label=gettext_lazy("Valid for (days)"), min_value=1, max_value=longest,
            initial=longest, help_text=_("At most %(days)d days.") % {"days": longest},
        )  # fmt: skip


@never_cache
def token_list(request: HttpRequest) -> HttpResponse:
    """GET: the user's tokens and a blank form. POST ``create``: a new token, its secret on
    this answer only. POST ``revoke=<id>``: revoke one of the user's own tokens."""
    user = user_of(request)
    secret = ""
    form = TokenForm(user=user)
    if request.method == "POST" and "revoke" in request.POST:
        try:
            token = api_token_get_of(user, request.POST["revoke"])
        except NotFound:
            raise Http404 from None
        api_token_revoke(actor=user, token=token)
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
        return redirect("web:token_list")
    if request.method == "POST":
        form = TokenForm(request.POST, user=user)
        if form.is_valid():
            d = form.cleaned_data
            made = attempt(
                form,
                lambda: api_token_create(
                    actor=user,
                    user=user,
                    name=d["name"],
                    expires_at=timezone.now() + timedelta(days=d["days"]),
                    compartment_ids=[int(c) for c in d["compartments"]],
                    read_only=d["read_only"],
                ),
                aliases={"compartment_ids": "compartments", "expires_at": "days"},
            )
            if made is not None:
                secret = made[1]
                form = TokenForm(user=user)
    now = timezone.now()
    tokens = [
        {"token": t, "live": not t.revoked and t.expires_at > now,
         "compartments": [c.name for c in t.compartments.all()]}
        for t in api_tokens_of(user)
    ]  # fmt: skip
    status = 422 if request.method == "POST" and form.errors else 200
    context = {"form": form, "tokens": tokens, "secret": secret}
    return render(request, "web/tokens/list.html", context, status=status)
