from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from crimebook.register.services.vocab import load_into, vocabulary_document

    load_into(
        vocabulary_document(),
        apps.get_model("register", "Vocabulary"),
        apps.get_model("register", "Term"),
    )


class Migration(migrations.Migration):
    dependencies = [("register", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
