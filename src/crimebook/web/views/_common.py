"""Helpers shared by the record views: error translation, pagination, filter forms,
mapping service validation errors onto forms, and the generic form page."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property, wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from crimebook.accounts.models import User
from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from crimebook.web.forms import UserForm

PAGE_SIZE = 50
COUNT_CAP = 1_000

P = ParamSpec("P")
T = TypeVar("T")
F = TypeVar("F", bound=UserForm)
ViewFunc = Callable[Concatenate[HttpRequest, P], HttpResponse]


def forbidden(request: HttpRequest, message: str = "") -> HttpResponse:
    """The 403 page, saying why when the service gave a reason."""
    return render(request, "web/403.html", {"message": message}, status=403)


def forbidden_write(request: HttpRequest) -> HttpResponse:
    """The 403 page for a record the user can see but not change."""
    return forbidden(request, _("Your role in this compartment does not allow changes."))


def register_view(view: ViewFunc[P]) -> ViewFunc[P]:
    """Turn the register's errors into responses: ``NotFound`` (missing *or* invisible)
    becomes the one 404 page, ``PermissionDenied`` the 403 page with its message."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except PermissionDenied as exc:
            return forbidden(request, str(exc))

    return wrapper


def user_of(request: HttpRequest) -> User:
    """The logged-in staff user (the login middleware lets no one else through)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied(_("Log in to continue."))
    return user


def posted(request: HttpRequest) -> Any:
    """Form data when the request is a POST, else None (an unbound form)."""
    return request.POST if request.method == "POST" else None


class BoundedPaginator(Paginator):  # type: ignore[type-arg]
    """Counts at most :data:`COUNT_CAP` records: an exact count of a million rows costs a
    full scan on every page view (the overview has the exact totals). Beyond the cap the page
    says "more than …" and pages go up to the cap (narrowing the filters shows the rest).

    For a queryset of model instances one ordered read of the first ``COUNT_CAP + 1`` keys
    (from the filter's index, no row bodies) gives both the count and every reachable page's
    keys; a page then reads its own rows by key. Page 1 and the last page cost the same,
    instead of a count plus an ``OFFSET`` walk over up to 950 rows."""

    @cached_property
    def _keys(self) -> list[Any] | None:
        items = self.object_list
        if isinstance(items, QuerySet) and items._iterable_class is ModelIterable:
            return list(dict.fromkeys(items.values_list("pk", flat=True)[: COUNT_CAP + 1]))
        return None

    @cached_property
    def count(self) -> int:
        items = self.object_list
        if self._keys is not None:
            return len(self._keys)
        if isinstance(items, QuerySet):
            return int(items[: COUNT_CAP + 1].count())
        return len(items)

    @property
    def cap(self) -> int:
        return COUNT_CAP

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @cached_property
    def num_pages(self) -> int:
        return max(1, -(-min(self.count, COUNT_CAP) // self.per_page))

    def page(self, number: Any) -> Page[Any]:
        number = self.validate_number(number)
        if self._keys is None:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        keys = self._keys[bottom : min(bottom + self.per_page, COUNT_CAP)]
        items: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        # still through the list's own query (its compartment rule), by key, unordered. On
        # SQLite this needs planner statistics (ANALYZE): without them an equality on the
        # compartment index looks cheaper than 50 key lookups and a compartment is scanned.
        rows = {row.pk: row for row in items.filter(pk__in=keys).order_by()}
        # in the list's order; a row gone since the keys were read is left out
        return Page([rows[k] for k in keys if k in rows], number, self)


def paginate(request: HttpRequest, items: QuerySet[Any] | Sequence[Any]) -> Page[Any]:
    """Page ``?page=`` of 50; a missing or bad page number shows the first or last page."""
    return BoundedPaginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def list_page(
    request: HttpRequest,
    *,
    form: forms.Form,
    query: Callable[[dict[str, Any]], QuerySet[Any]],
    template: str,
    context: Mapping[str, Any] | None = None,
    rows: Callable[[list[Any]], None] | None = None,
) -> HttpResponse:
    """A filtered, paginated list. An invalid filter shows its error beside the field and
    an empty list (never an unfiltered one that the reader might take for the result).
    ``rows`` may add what the template shows to the page's records (once, for all)."""
    items: QuerySet[Any] | list[Any] = query(form.cleaned_data) if form.is_valid() else []
    page = paginate(request, items)
    if rows is not None:
        page.object_list = list(page.object_list)
        rows(page.object_list)
    return render(
        request,
        template,
        {
            "form": form,
            "page_obj": page,
            "filters_invalid": not form.is_valid(),
            **(context or {}),
        },
    )


def apply_errors(
    form: forms.Form, exc: ValidationFailed, aliases: Mapping[str, str] | None = None
) -> None:
    """Show a service's validation messages beside the matching fields (or above the
    form); what was typed stays in the bound form."""
    for key, messages in exc.errors.items():
        name = (aliases or {}).get(key, key)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


def attempt(
    form: forms.Form, call: Callable[[], T], aliases: Mapping[str, str] | None = None
) -> T | None:
    """Run a service; on ``ValidationFailed`` put its messages on the form and return None."""
    try:
        return call()
    except ValidationFailed as exc:
        apply_errors(form, exc, aliases)
        return None


def form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    title: str,
    cancel_url: str,
    record: Model | None = None,
    intro: str = "",
) -> HttpResponse:
    """The generic create/edit page (web/form.html)."""
    return render(
        request,
        "web/form.html",
        {"form": form, "title": title, "cancel_url": cancel_url, "record": record,
         "intro": intro},
    )  # fmt: skip


def initial_of(instance: Model, names: Sequence[str]) -> dict[str, Any]:
    """Initial form values from a record's attributes (FKs as ``<name>_id``)."""
    out: dict[str, Any] = {}
    for name in names:
        attname = f"{name}_id" if hasattr(instance, f"{name}_id") else name
        out[name] = getattr(instance, attname)
    return out
