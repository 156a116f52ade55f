"""Cases carry the first time of each timed stage and their first case-plan approval, derived from
their actions (services.refresh_stage_times keeps them so).

A unit-year scorecard needs these times for every case reported, closed or intervened in the year
and the year before (about 2,000 cases for the largest section at national scale); read from the
case they cost nothing more, joined from the actions they cost some twenty thousand index entries.
Existing cases are filled here, each value one descent of the (case, stage, time) index."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

STAGES = ("pendekatan_awal", "asesmen", "rencana_intervensi", "intervensi", "terminasi")


def fill(apps, schema_editor):
    Case = apps.get_model("register", "Case")
    Action = apps.get_model("register", "Action")
    db = schema_editor.connection.alias

    def first(stage):
        return Subquery(Action.objects.using(db).filter(case_id=OuterRef("pk"), stage=stage)
                        .order_by("time").values("time")[:1])

    approved = Subquery(Action.objects.using(db).filter(case_id=OuterRef("pk"), stage="rencana_intervensi",
                                                        approved_at__isnull=False)
                        .order_by("approved_at").values("approved_at")[:1])
    Case.objects.using(db).update(**{f"first_{s}": first(s) for s in STAGES}, plan_approved_at=approved)


class Migration(migrations.Migration):

    dependencies = [
        ('register', '0003_action_referral_unit'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='first_asesmen',
            field=models.DateTimeField(editable=False, null=True, verbose_name='first assessment'),
        ),
        migrations.AddField(
            model_name='case',
            name='first_intervensi',
            field=models.DateTimeField(editable=False, null=True, verbose_name='first intervention'),
        ),
        migrations.AddField(
            model_name='case',
            name='first_pendekatan_awal',
            field=models.DateTimeField(editable=False, null=True, verbose_name='first initial approach'),
        ),
        migrations.AddField(
            model_name='case',
            name='first_rencana_intervensi',
            field=models.DateTimeField(editable=False, null=True, verbose_name='first case plan'),
        ),
        migrations.AddField(
            model_name='case',
            name='first_terminasi',
            field=models.DateTimeField(editable=False, null=True, verbose_name='first termination'),
        ),
        migrations.AddField(
            model_name='case',
            name='plan_approved_at',
            field=models.DateTimeField(editable=False, null=True, verbose_name='case plan first approved'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
