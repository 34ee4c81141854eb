"""Workspace URLconf. The public intake will have its own URLconf and settings."""

from django.contrib import admin
from django.urls import include, path

from crimebook.accounts.views import admin_login

# The admin has no login of its own: it goes through the same login with a second factor.
admin.site.login = admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("crimebook.api.urls")),
    path("triage/", include("crimebook.triage.urls")),
    path("", include("crimebook.web.urls")),
]
