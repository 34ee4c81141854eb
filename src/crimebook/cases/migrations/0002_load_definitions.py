from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from crimebook.cases.definitions import definitions_document
    from crimebook.cases.loading import load_into

    load_into(
        definitions_document(),
        apps.get_model("cases", "LegalDefinition"),
        apps.get_model("cases", "LegalElement"),
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
