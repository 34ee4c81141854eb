from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "crimebook.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The huey task and the job kinds register themselves on import, so a consumer
        # (``crimebook worker``) and every process that submits jobs know the same ones.
        from crimebook.jobs import kinds, queue  # noqa: F401
