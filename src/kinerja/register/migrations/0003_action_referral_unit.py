"""Actions and referrals carry a copy of their case's unit, with an index per unit and time.

A unit-year scorecard reads one unit's actions and referrals of one period. Reached through the
case, that meant one index probe per case of the unit over all its years (8,781 probes for the
largest section at a million cases); with the unit on the row it is one index range. The copy is set
from the case on save and by the import, and moved with the case by services.move_cases. Existing
rows are filled from their case, then the column becomes required."""

import django.db.models.deletion
from django.db import migrations, models

FILL = ("UPDATE {table} SET unit_id = (SELECT register_case.unit_id FROM register_case "
        "WHERE register_case.id = {table}.case_id)")


def _unit(null: bool) -> models.ForeignKey:
    return models.ForeignKey(db_index=False, editable=False, null=null, on_delete=django.db.models.deletion.PROTECT,
                             related_name='+', to='register.unit')


class Migration(migrations.Migration):

    dependencies = [
        ('register', '0002_indicator_cover_indexes'),
    ]

    operations = [
        migrations.AddField(model_name='action', name='unit', field=_unit(True)),
        migrations.AddField(model_name='referral', name='unit', field=_unit(True)),
        migrations.RunSQL(FILL.format(table="register_action"), migrations.RunSQL.noop),
        migrations.RunSQL(FILL.format(table="register_referral"), migrations.RunSQL.noop),
        migrations.AlterField(model_name='action', name='unit', field=_unit(False)),
        migrations.AlterField(model_name='referral', name='unit', field=_unit(False)),
        migrations.AddIndex(
            model_name='action',
            index=models.Index(fields=['unit', 'time', 'stage', 'service', 'obstacle', 'case'],
                               name='action_unit_time_cover'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(fields=['unit', 'sent_at', 'acknowledged_at', 'result'], name='referral_unit_cover'),
        ),
    ]
