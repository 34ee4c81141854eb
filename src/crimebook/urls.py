"""Workspace URLconf. The public intake will have its own URLconf and settings."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from crimebook.accounts.views import admin_login

# The admin has no login of its own: it goes through the same login with a second factor.
admin.site.login = admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("crimebook.api.urls")),
    path("triage/", include("crimebook.triage.urls")),
    # Pages that do not link the icon (admin, JSON, the API documents): browsers ask for this.
    path("favicon.ico", RedirectView.as_view(url=static("crimebook/favicon.svg"), permanent=True)),
    path("", include("crimebook.web.urls")),
]

# A write that waited out SQLite's write lock (a long import) is a 503 that says so.
handler500 = "crimebook.web.views.errors.server_error"
