from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "crimebook.maps"
    label = "maps"
    verbose_name = "Map"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The map's places of detention are cached with the units (group "units", replaced
        # on every Unit write by web/refdata.py) and chosen by their type's code: a Term
        # write replaces the group too.
        from django.db.models.signals import post_delete, post_save

        from crimebook.core import refcache
        from crimebook.register.models import Term
        from crimebook.web.refdata import UNITS

        receiver = refcache.invalidating_receiver(UNITS)
        for event, signal in (("save", post_save), ("delete", post_delete)):
            uid = f"refcache-{UNITS}-Term-{event}-maps"
            signal.connect(receiver, sender=Term, weak=False, dispatch_uid=uid)
