"""Workspace URLconf. The public intake will have its own URLconf and settings."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from crimebook.web.forms import LoginForm

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="web/login.html", authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("crimebook.api.urls")),
    path("triage/", include("crimebook.triage.urls")),
    path("", include("crimebook.web.urls")),
]
