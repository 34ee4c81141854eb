"""Controlled vocabularies, stored as data, versioned, labelled in en/ru/be."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Vocabulary(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    version = models.CharField(max_length=20)
    name_en = models.CharField(max_length=200)
    name_ru = models.CharField(max_length=200)
    name_be = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("vocabulary")
        verbose_name_plural = _("vocabularies")

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class Term(models.Model):
    vocabulary = models.ForeignKey(Vocabulary, on_delete=models.PROTECT, related_name="terms")
    code = models.SlugField(max_length=60)
    label_en = models.CharField(max_length=200)
    label_ru = models.CharField(max_length=200)
    label_be = models.CharField(max_length=200)
    introduced_in = models.CharField(max_length=20)
    retired_in = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["vocabulary__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "code"], name="term_code_unique")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        language = (get_language() or "en")[:2]
        return str(getattr(self, f"label_{language}", "") or self.label_en)

    @property
    def active(self) -> bool:
        return not self.retired_in
