from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # built without locking writes

    dependencies = [
        ("riskassessment", "0009_specss_help_text"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="riskassessment",
            index=models.Index(
                condition=models.Q(("status", "awaiting_review")),
                fields=["submitted_at", "id"],
                name="assessment_awaiting_review",
            ),
        ),
    ]
