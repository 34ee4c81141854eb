"""Triage URLs (namespace ``triage``), mounted at /triage/ in the workspace URLconf."""

from django.urls import path

from crimebook.triage import views

app_name = "triage"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<str:submission_id>/", views.detail, name="detail"),
    path("<str:submission_id>/reply/", views.reply, name="reply"),
    path("<str:submission_id>/mark/", views.mark, name="mark"),
    path("<str:submission_id>/convert/", views.convert, name="convert"),
    path("<str:submission_id>/vault/", views.vault, name="vault"),
]
