"""Security-force structure over time: units, their hierarchy, posts and deployments."""

from __future__ import annotations

from django.db import models
from django.db.models import Case, F, When
from django.db.models.expressions import Combinable
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from crimebook.register.models.common import Compartmented, Located, TimeWindow, VisibleQuerySet
from crimebook.register.models.people import Person
from crimebook.register.models.sources import Source
from crimebook.register.models.vocab import Term


def unit_name(name: str, name_ru: str, name_be: str, language: str | None = None) -> str:
    """The unit's name in ``language`` (default: the reader's), else the stored default
    ``name``: the one rule for every page, map popup, chart, search hit and choice list."""
    lang = (language or get_language() or "en")[:2]
    return {"ru": name_ru, "be": name_be}.get(lang, "") or name


def unit_name_expression(language: str | None = None) -> Combinable:
    """``unit_name`` in SQL (``Unit`` rows), to order a queryset by what the reader sees:
    ``qs.order_by(unit_name_expression(), "pk")``."""
    lang = (language or get_language() or "en")[:2]
    if lang not in ("ru", "be"):
        return F("name")
    column = f"name_{lang}"
    return Case(When(**{column: ""}, then=F("name")), default=F(column))


class Unit(models.Model):
    """A security-force organisation. Public structure: shared by all compartments."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300, blank=True)
    name_be = models.CharField(_("name (Belarusian)"), max_length=300, blank=True)
    unit_type = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit type")
    )
    valid_from = models.DateField(_("existed from"), null=True, blank=True)
    valid_to = models.DateField(_("existed until"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language, else the stored default (``unit_name``)."""
        return unit_name(self.name, self.name_ru, self.name_be)


class UnitRelation(models.Model):
    """``child`` was subordinate to ``parent`` from ``valid_from`` to ``valid_to``."""

    child = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="child_links")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["child_id", "valid_from"]

    def __str__(self) -> str:
        return f"{self.child_id} under {self.parent_id} ({self.valid_from}–{self.valid_to or ''})"


class PostQuerySet(VisibleQuerySet["Post"]):
    compartment_path = "person__compartment"


class Post(models.Model):
    """A person's rank and position in a unit over a period (command responsibility)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="posts")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="posts")
    rank = models.CharField(_("rank"), max_length=120, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)
    is_commander = models.BooleanField(_("commands the unit"), default=False)
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="posts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # incremental correlation runs re-evaluate the incidents a changed post can concern
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["unit_id", "start"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        return f"{self.person} — {self.position or self.rank} in {self.unit}"


class DeploymentQuerySet(VisibleQuerySet["Deployment"]):
    compartment_path = "compartment"


class Deployment(Compartmented, TimeWindow, Located):
    """A unit present in an area during a time window, as a source says."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="deployments")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="deployments")
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # incremental correlation runs re-evaluate the incidents near a changed deployment
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = DeploymentQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")

    def __str__(self) -> str:
        return f"{self.unit} at {self.place_name or 'area'}"
