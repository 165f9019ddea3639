"""The largest change-history tables of case records, partitioned by month on pgh_created_at
(docs/adr/0013-audit-partitioning.md): incidents, people, parties and offences."""

from django.db import migrations

from publicprotection.audit.partitions import partition_by_month

TABLES = ["cases_incidentevent", "cases_personevent", "cases_partyevent", "cases_offenceevent"]


def _operations():
    for table in TABLES:
        forward, backward = partition_by_month(table, "pgh_created_at")
        yield migrations.RunPython(forward, backward)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_access_log_partitioned_by_month"),
        ("cases", "0014_arrest_decision_necessity_grounds"),
    ]

    operations = list(_operations())
