from django.db import migrations, models


class Migration(migrations.Migration):
    # A plain CREATE INDEX: a partial index of the few awaiting review, built in about a second
    # at a million incidents (writes to assessments wait for it). Not CONCURRENTLY: the audit
    # partitioning test migrates back past this app's history migration and forward again
    # inside a transaction.
    dependencies = [
        ("riskassessment", "0009_specss_help_text"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="riskassessment",
            index=models.Index(
                condition=models.Q(("status", "awaiting_review")),
                fields=["submitted_at", "id"],
                name="assessment_awaiting_review",
            ),
        ),
    ]
