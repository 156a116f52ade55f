"""A target may belong to one social worker (target.csv's optional username column)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0009_workpages_case_reported_id"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="target", name="target_unique"),
        migrations.AddField(
            model_name="target",
            name="worker",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="targets", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name="target",
            constraint=models.UniqueConstraint(condition=models.Q(worker__isnull=True),
                                               fields=("unit", "year", "indicator"), name="target_unique"),
        ),
        migrations.AddConstraint(
            model_name="target",
            constraint=models.UniqueConstraint(condition=models.Q(worker__isnull=False),
                                               fields=("unit", "year", "indicator", "worker"),
                                               name="target_unique_worker"),
        ),
    ]
