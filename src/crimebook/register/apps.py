from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "crimebook.register"
    label = "register"
    verbose_name = "Register"
    default_auto_field = "django.db.models.BigAutoField"
