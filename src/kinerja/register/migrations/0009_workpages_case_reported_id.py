from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("register", "0008_casework_records")]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["reported_at", "id"], name="case_reported_id"),
        ),
    ]
