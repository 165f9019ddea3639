"""The reassessments still drafts, for the HIGHs they replace (still in force until they are
submitted) on marac's "to be referred" list."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("riskassessment", "0014_victim_has_risk_assessment"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="riskassessment",
            index=models.Index(
                condition=models.Q(
                    ("is_current", True), ("status", "draft"), ("supersedes__isnull", False)
                ),
                fields=["supersedes"],
                name="assessment_reassessing",
            ),
        ),
    ]
