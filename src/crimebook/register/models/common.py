"""Shared field groups: time windows with precision, places with an uncertainty radius,
and the compartment every sensitive record belongs to."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from crimebook.accounts.access import readable_compartment_ids
from crimebook.accounts.models import Compartment

M = TypeVar("M", bound=models.Model)


class Precision(models.TextChoices):
    MINUTE = "minute", _("exact minute")
    HOUR = "hour", _("hour")
    PART_OF_DAY = "part_of_day", _("part of the day (e.g. evening)")
    DAY = "day", _("day")
    RANGE = "range", _("range")


class Confidentiality(models.TextChoices):
    RESTRICTED = "restricted", _("restricted")
    CONFIDENTIAL = "confidential", _("confidential")
    SECRET = "secret", _("secret")


class VisibleQuerySet(models.QuerySet[M]):
    """``visible_to(user)`` is the only way records of a compartmented type are listed.

    Subclasses name the path from the model to its compartment in ``compartment_path``.
    """

    compartment_path = "compartment"

    def visible_to(self, user: Any) -> VisibleQuerySet[M]:
        ids = readable_compartment_ids(user)
        if not ids:
            return self.none()
        return self.filter(**{f"{self.compartment_path}_id__in": ids})


class Compartmented(models.Model):
    compartment = models.ForeignKey(
        Compartment, on_delete=models.PROTECT, related_name="+", verbose_name=_("compartment")
    )

    class Meta:
        abstract = True


class TimeWindow(models.Model):
    """When: a window [start, end] in UTC and how precisely it was stated."""

    start = models.DateTimeField(_("start"), null=True, blank=True, db_index=True)
    end = models.DateTimeField(_("end"), null=True, blank=True)
    precision = models.CharField(
        _("precision"), max_length=20, choices=Precision.choices, default=Precision.HOUR
    )

    class Meta:
        abstract = True


class Located(models.Model):
    """Where: a WGS84 point and how far the truth may be from it, in metres."""

    place_name = models.CharField(_("place"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    radius_m = models.FloatField(_("uncertainty radius (m)"), null=True, blank=True)

    class Meta:
        abstract = True
