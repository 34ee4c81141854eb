from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "crimebook.maps"
    label = "maps"
    verbose_name = "Map"
    default_auto_field = "django.db.models.BigAutoField"
