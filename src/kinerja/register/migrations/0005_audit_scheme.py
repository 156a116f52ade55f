"""Audit entries name their hash scheme: the existing ones are unkeyed SHA-256, new ones HMAC."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('register', '0004_case_stage_times'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='scheme',
            field=models.CharField(default='sha256', max_length=8),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='scheme',
            field=models.CharField(default='hmac', max_length=8),
        ),
    ]
