from django.apps import AppConfig


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "crimebook.cases"
    label = "cases"
    verbose_name = "Case files"
