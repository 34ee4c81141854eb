"""Reference data only: vocabularies and units (public structure). Compartmented records
(incidents, persons, sources, …) are deliberately absent from the admin so that an
administrator does not read case content or identities by virtue of the role (DESIGN §8)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from crimebook.register.models import Term, Unit, Vocabulary


@admin.register(Vocabulary)
class VocabularyAdmin(admin.ModelAdmin[Vocabulary]):
    list_display = ("code", "version", "name_en")
    readonly_fields = ("code", "version")


@admin.register(Term)
class TermAdmin(admin.ModelAdmin[Term]):
    list_display = ("code", "vocabulary", "label_en", "label_ru", "label_be", "retired_in")
    list_filter = ("vocabulary",)
    search_fields = ("code", "label_en", "label_ru", "label_be")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ("code", "name", "unit_type", "valid_from", "valid_to")
    search_fields = ("code", "name", "name_ru")
    readonly_fields = ("code",)

    def has_add_permission(self, request: HttpRequest) -> bool:  # units change through services
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
