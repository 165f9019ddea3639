from django.db import migrations

STATISTICS = "riskassessment_level_and_open_referral"


class Migration(migrations.Migration):
    """Statistics of the level and the open-referral flag together.

    Nearly every HIGH assessment has an open referral (the flag is true), but each column's
    own statistics say 88% of assessments have none, and PostgreSQL multiplies the two: it
    expected 90,000 HIGH assessments waiting at a million incidents (there are a handful), so
    it walked every HIGH for the coordinator's "to be referred" list (100-165 ms) instead of
    the small partial index assessment_to_refer (0.1 ms). With the two columns' common
    combinations counted together it knows. ANALYZE here fills them on an existing database
    (autovacuum keeps them after).

    After this migration on a database with existing referrals, run
    `VACUUM (ANALYZE) riskassessment_riskassessment` once: the flag's backfill (marac 0011)
    left a dead version of every referred assessment in that partial index until the table
    is vacuumed (VACUUM cannot run inside a migration's transaction).
    """

    dependencies = [
        ("riskassessment", "0012_assessment_has_open_marac_referral"),
        ("marac", "0011_open_referral_flag_triggers"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE STATISTICS {STATISTICS} (mcv) ON final_level, has_open_marac_referral "
            "FROM riskassessment_riskassessment; ANALYZE riskassessment_riskassessment;",
            reverse_sql=f"DROP STATISTICS IF EXISTS {STATISTICS};",
        ),
    ]
