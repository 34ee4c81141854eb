"""Administrators manage accounts and memberships here. Case content is not exposed in the
admin: register records are reached only through the workspace's selectors."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from crimebook.accounts.models import ApiToken, Compartment, Membership, User


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    list_display = ("username", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Crimebook", {"fields": ("role",)}),
    )
    inlines = (MembershipInline,)


@admin.register(Compartment)
class CompartmentAdmin(admin.ModelAdmin[Compartment]):
    list_display = ("name", "kind", "created_at")
    search_fields = ("name",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = (
        "name", "user", "prefix", "created_at", "expires_at", "read_only", "last_used_on",
        "revoked",
    )  # fmt: skip
    readonly_fields = ("prefix", "digest", "created_at", "last_used_on")
    list_filter = ("revoked", "read_only")

    def has_add_permission(self, request: HttpRequest) -> bool:  # tokens are issued by the service
        return False
