"""The largest change-history tables of risk assessments (an answer a question, thirty or so an
assessment), partitioned by month on pgh_created_at (docs/adr/0013-audit-partitioning.md)."""

from django.db import migrations

from publicprotection.audit.partitions import partition_by_month

TABLES = ["riskassessment_answerevent", "riskassessment_riskassessmentevent"]


def _operations():
    for table in TABLES:
        forward, backward = partition_by_month(table, "pgh_created_at")
        yield migrations.RunPython(forward, backward)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_access_log_partitioned_by_month"),
        ("riskassessment", "0007_rara_action_version"),
    ]

    operations = list(_operations())
