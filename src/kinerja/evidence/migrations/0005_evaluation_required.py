"""Every informant, source, code, memo and source group belongs to an evaluation."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("evidence", "0004_evaluation_existing_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="informant",
            name="evaluation",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="informants",
                                    to="evidence.evaluation"),
        ),
        migrations.AlterField(
            model_name="source",
            name="evaluation",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="sources",
                                    to="evidence.evaluation"),
        ),
        migrations.AlterField(
            model_name="code",
            name="evaluation",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="codes",
                                    to="evidence.evaluation"),
        ),
        migrations.AlterField(
            model_name="memo",
            name="evaluation",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memos",
                                    to="evidence.evaluation"),
        ),
        migrations.AlterField(
            model_name="sourcegroup",
            name="evaluation",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="source_groups",
                                    to="evidence.evaluation"),
        ),
    ]
