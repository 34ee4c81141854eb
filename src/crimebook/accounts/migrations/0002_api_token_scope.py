"""API tokens: a compartment scope, read-only scope, a coarse last-used day, and an expiry
on every token (tokens made before had none: they now expire 90 days after this migration)."""

from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone


def _expire_unlimited(apps, schema_editor):  # type: ignore[no-untyped-def]
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + timedelta(days=90)
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AlterModelOptions(name="apitoken", options={"ordering": ["-created_at", "-id"]}),
        migrations.AddField(
            model_name="apitoken",
            name="compartments",
            field=models.ManyToManyField(
                blank=True,
                related_name="+",
                to="accounts.compartment",
                verbose_name="compartments",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="last_used_on",
            field=models.DateField(blank=True, null=True, verbose_name="last used"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="read_only",
            field=models.BooleanField(default=False, verbose_name="read-only"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="name",
            field=models.CharField(max_length=100, verbose_name="name"),
        ),
        migrations.RunPython(_expire_unlimited, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires"),
        ),
    ]
