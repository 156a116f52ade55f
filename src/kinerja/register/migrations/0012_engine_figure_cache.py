"""The data version of each unit and the cache of computed figures keyed by it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0011_case_child_reported"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("scope", models.BigIntegerField(primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="FigureCache",
            fields=[
                ("key", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("version", models.CharField(max_length=64)),
                ("data", models.TextField()),
            ],
        ),
    ]
