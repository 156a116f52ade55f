"""The reports made in the background for the web page (ReportJob)."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReportJob',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('kind', models.CharField(max_length=16)),
                ('fmt', models.CharField(max_length=8)),
                ('params', models.JSONField(default=dict)),
                ('state', models.CharField(choices=[('antri', 'antri'), ('berjalan', 'berjalan'), ('selesai', 'selesai'), ('gagal', 'gagal'), ('diunduh', 'diunduh')], default='antri', max_length=10)),
                ('step', models.PositiveSmallIntegerField(default=0)),
                ('total', models.PositiveSmallIntegerField(default=0)),
                ('step_key', models.CharField(blank=True, max_length=32)),
                ('error', models.TextField(blank=True)),
                ('file_name', models.CharField(blank=True, max_length=200)),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
    ]
