"""Covering indexes for the indicator engine's per-case lookups (one unit-year scorecard).

- action (case, stage, time) becomes (case, stage, time, service, obstacle, approved_at): it still
  serves first(c, stage) and case_id, and also answers the in-period obstacle, SPM-service and
  plan-approval lookups of one case without visiting the action rows.
- referral gets (case, sent_at, acknowledged_at, result) in place of the plain case_id index, so
  one unit's referrals in a period are read from the index alone.
Each new index is built before the one it replaces is dropped, so case_id stays indexed."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('register', '0001_initial'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='action',
            index=models.Index(fields=['case', 'stage', 'time', 'service', 'obstacle', 'approved_at'],
                               name='action_case_cover'),
        ),
        migrations.RemoveIndex(
            model_name='action',
            name='action_case_stage_time',
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(fields=['case', 'sent_at', 'acknowledged_at', 'result'], name='referral_case_cover'),
        ),
        migrations.AlterField(
            model_name='referral',
            name='case',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name='rujukan', to='register.case'),
        ),
    ]
