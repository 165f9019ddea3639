"""The access log, partitioned by month on occurred_at (docs/adr/0013-audit-partitioning.md).

Rewrites the table (its rows copied into the monthly partitions): on a large deployment this
takes the time benchmarks/README.md measures, with the table locked.
"""

from django.db import migrations

from publicprotection.audit.partitions import install_functions, partition_by_month

forward, backward = partition_by_month("audit_accesslogentry", "occurred_at")


def install(apps, schema_editor):
    install_functions(schema_editor.connection.cursor())


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_access_action_combine"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop),
        migrations.RunPython(forward, backward),
    ]
