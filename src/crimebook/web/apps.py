from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "crimebook.web"
    label = "web"
    verbose_name = "Workspace"

    def ready(self) -> None:
        from crimebook.web import refdata

        refdata.connect()  # invalidation of the cached reference data
