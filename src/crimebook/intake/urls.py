"""The intake's own URLconf (``ROOT_URLCONF`` of :mod:`crimebook.intake_settings`).

Pages live under a language prefix (/en/, /ru/, /be/) so that each language has plain links
and no cookie is needed to keep it. No admin, no login, no API.
"""

from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from crimebook.intake import views

urlpatterns = i18n_patterns(
    path("", views.index, name="intake_index"),
    path("report/", views.report, name="intake_report"),
    path("return/", views.source_return, name="intake_return"),
    path("return/add/", views.followup_add, name="intake_followup_add"),
    path("return/leave/", views.source_leave, name="intake_leave"),
    path("receipt/", views.receipt_check, name="intake_receipt_check"),
    path("receipt/download/", views.receipt_download, name="intake_receipt_download"),
    path("receipt/key/", views.receipt_public_key, name="intake_receipt_key"),
    prefix_default_language=True,
)

handler400 = "crimebook.intake.views.bad_request"
handler404 = "crimebook.intake.views.not_found"
handler500 = "crimebook.intake.views.server_error"
