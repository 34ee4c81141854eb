from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "crimebook.web"
    label = "web"
    verbose_name = "Workspace"
