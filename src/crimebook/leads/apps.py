from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "crimebook.leads"
    label = "leads"
    verbose_name = _("Leads")
    default_auto_field = "django.db.models.BigAutoField"
