"""Data versions per unit and year: a write of today no longer makes closed years' figures stale.

The counters start again from zero, so every computed figure kept under the old counters is
removed: an old entry could otherwise match a new key and be served stale."""

from django.db import migrations, models


def forget_figures(apps, schema_editor):
    apps.get_model("register", "FigureCache").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0012_engine_figure_cache"),
    ]

    operations = [
        migrations.DeleteModel(name="DataVersion"),
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("scope", models.BigIntegerField()),
                ("year", models.SmallIntegerField(default=0)),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={"constraints": [models.UniqueConstraint(fields=("scope", "year"), name="dataversion_scope_year")]},
        ),
        migrations.RunPython(forget_figures, migrations.RunPython.noop),
    ]
