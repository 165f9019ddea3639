"""The coordinator's "to be referred" list reads the recommendation too: a recommended HIGH set
lower is still a visible high risk (DOMAIN.md, MARAC), so the partial index holds those as well.

The statistics of the level and the open-referral flag (0013) take the recommendation in: the
list's filter is now an OR of the two levels, and extended statistics are used for an OR only
when one statistics object covers all its columns. Without them PostgreSQL would again expect
tens of thousands waiting at a million incidents instead of a handful.

Not built concurrently: the index holds a handful of rows and is built in about a second at a
million incidents, and a concurrent build cannot be reversed inside a transaction (the audit
partitioning test migrates back through this one)."""

from django.db import migrations, models

STATISTICS = "riskassessment_level_and_open_referral"


class Migration(migrations.Migration):
    dependencies = [
        ("riskassessment", "0015_assessment_reassessing"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="riskassessment", name="assessment_to_refer"),
        migrations.AddIndex(
            model_name="riskassessment",
            index=models.Index(
                condition=models.Q(
                    models.Q(
                        ("final_level", "high"), ("recommended_level", "high"), _connector="OR"
                    ),
                    ("has_open_marac_referral", False),
                    ("is_current", True),
                    models.Q(("marac_decision", "not_referred"), _negated=True),
                    models.Q(("status", "draft"), _negated=True),
                ),
                fields=["borough", "-submitted_at"],
                include=("id",),
                name="assessment_to_refer",
            ),
        ),
        migrations.RunSQL(
            f"DROP STATISTICS IF EXISTS {STATISTICS}; "
            f"CREATE STATISTICS {STATISTICS} (mcv) "
            "ON final_level, recommended_level, has_open_marac_referral "
            "FROM riskassessment_riskassessment; ANALYZE riskassessment_riskassessment;",
            reverse_sql=f"DROP STATISTICS IF EXISTS {STATISTICS}; "
            f"CREATE STATISTICS {STATISTICS} (mcv) ON final_level, has_open_marac_referral "
            "FROM riskassessment_riskassessment;",
        ),
    ]
