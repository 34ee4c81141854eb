"""Communications (calls, messages, intercepts) become a search kind, ``comm``: only the
field's choices change (no SQL on either database; the SQLite table is not rebuilt, so its
FTS5 triggers stay). ``crimebook search reindex --kind comm`` writes the documents of the
communications already stored."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_tsv_english_only_where_it_adds"),
    ]

    operations = [
        migrations.AlterField(
            model_name="searchdoc",
            name="kind",
            field=models.CharField(
                choices=[
                    ("incident", "Incident"),
                    ("act", "Act"),
                    ("person", "Person"),
                    ("unit", "Unit"),
                    ("source", "Source"),
                    ("evidence", "Evidence"),
                    ("submission", "Submission"),
                    ("comm", "Communication"),
                ],
                max_length=12,
            ),
        ),
    ]
