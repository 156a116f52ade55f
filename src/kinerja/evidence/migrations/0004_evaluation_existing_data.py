"""Evidence recorded before evaluations existed goes into one evaluation: its unit is the unit most
of its coders and importers belong to, its period the calendar years of its sources' dates (or of
their import), its members everyone who coded, imported or wrote a memo."""

from collections import Counter
from datetime import date

from django.db import migrations


def forwards(apps, schema_editor):
    Evaluation = apps.get_model("evidence", "Evaluation")
    Source = apps.get_model("evidence", "Source")
    Informant = apps.get_model("evidence", "Informant")
    Code = apps.get_model("evidence", "Code")
    Coding = apps.get_model("evidence", "Coding")
    Memo = apps.get_model("evidence", "Memo")
    SourceGroup = apps.get_model("evidence", "SourceGroup")
    Staff = apps.get_model("register", "Staff")
    Unit = apps.get_model("register", "Unit")
    models = (Source, Informant, Code, Memo, SourceGroup)
    if not any(m.objects.exists() for m in models):
        return
    people = set(Coding.objects.values_list("coder_id", flat=True))
    people |= set(Source.objects.exclude(created_by=None).values_list("created_by_id", flat=True))
    people |= set(Memo.objects.exclude(author=None).values_list("author_id", flat=True))
    units = Counter(Staff.objects.filter(pk__in=people).exclude(unit=None).values_list("unit_id", flat=True))
    unit_id = units.most_common(1)[0][0] if units else Unit.objects.order_by("code").values_list("pk", flat=True).first()
    years = {d.year for d in Source.objects.exclude(date=None).values_list("date", flat=True)}
    years |= {t.year for t in Source.objects.values_list("created_at", flat=True)}
    first, last = (min(years), max(years)) if years else (date.today().year, date.today().year)
    evaluation = Evaluation.objects.create(
        code="evaluasi-awal", title="Evaluasi awal", unit_id=unit_id,
        period_start=date(first, 1, 1), period_end=date(last + 1, 1, 1),
    )
    evaluation.members.set(people)
    for model in models:
        model.objects.update(evaluation=evaluation)


class Migration(migrations.Migration):

    dependencies = [
        ("evidence", "0003_evaluation"),
        ("register", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
