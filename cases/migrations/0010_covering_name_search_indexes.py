# Name search reads people by name, then their parties' incidents: with the id and the incident
# in the indexes both are index-only scans (benchmarks/README.md). The new indexes are built
# before the old ones go, without locking writes.

from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0002_reference_data"),
        ("cases", "0009_returned_decisions_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="party",
            index=models.Index(
                fields=["person", "role"], include=("incident",), name="party_person_role"
            ),
        ),
        AddIndexConcurrently(
            model_name="person",
            index=models.Index(
                fields=["search_name"], include=("id",), name="person_search_name_id"
            ),
        ),
        RemoveIndexConcurrently(model_name="party", name="cases_party_person__7f9756_idx"),
        RemoveIndexConcurrently(model_name="person", name="person_search_name"),
    ]
