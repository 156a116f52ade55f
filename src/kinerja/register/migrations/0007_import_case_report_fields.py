"""Cases record the child as known at that report: age, kecamatan and disability.

A child who comes back gets a new case, and its age, kecamatan and disability may differ from one
case to the next. Existing cases are filled from their child, whose values were equal on every case
until now: the age from the birth date when known, else the recorded age at the first report plus
the years from the first report to this one (report dates in WIB, as the import reads them)."""

import datetime as dt

from django.db import migrations, models

WIB = dt.timezone(dt.timedelta(hours=7))


def _age(born, first_age, first, on):
    if born is not None:
        return max(0, on.year - born.year - ((on.month, on.day) < (born.month, born.day)))
    if first_age is not None and first is not None:
        return first_age + max(0, on.year - first.year - ((on.month, on.day) < (first.month, first.day)))
    return first_age


def fill(apps, schema_editor):
    Case = apps.get_model("register", "Case")
    db = schema_editor.connection.alias
    first: dict[int, dt.date] = {}
    for child_id, reported in Case.objects.using(db).order_by("child_id", "reported_at").values_list(
            "child_id", "reported_at").iterator(chunk_size=5000):
        first.setdefault(child_id, reported.astimezone(WIB).date())
    batch = []
    rows = Case.objects.using(db).select_related("child").only(
        "id", "reported_at", "child__birth_date", "child__age_at_report", "child__kecamatan", "child__disability")
    for case in rows.iterator(chunk_size=5000):
        child = case.child
        case.age_at_report = _age(child.birth_date, child.age_at_report, first.get(child.id),
                                  case.reported_at.astimezone(WIB).date())
        case.kecamatan = child.kecamatan
        case.disability = child.disability
        batch.append(case)
        if len(batch) >= 5000:
            Case.objects.using(db).bulk_update(batch, ["age_at_report", "kecamatan", "disability"])
            batch = []
    if batch:
        Case.objects.using(db).bulk_update(batch, ["age_at_report", "kecamatan", "disability"])


class Migration(migrations.Migration):
    dependencies = [("register", "0006_accounts_reset_code")]

    operations = [
        migrations.AddField("case", "age_at_report",
                            models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="age at report")),
        migrations.AddField("case", "kecamatan",
                            models.CharField(blank=True, default="", max_length=100, verbose_name="kecamatan at report"),
                            preserve_default=False),
        migrations.AddField("case", "disability",
                            models.BooleanField(blank=True, null=True, verbose_name="disability known at report")),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
