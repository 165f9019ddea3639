import uuid

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_reference_data"),
    ]

    operations = [
        # DRF's authtoken kept keys in clear; its table (if an older install made it) goes.
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("digest", models.CharField(max_length=128, primary_key=True, serialize=False)),
                ("token_key", models.CharField(db_index=True, max_length=25)),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("expiry", models.DateTimeField(blank=True, null=True)),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(max_length=80)),
            ],
            options={
                "verbose_name": "API token",
                "ordering": ["-created"],
            },
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="user",
            trigger=pgtrigger.compiler.Trigger(
                name="revoke_api_tokens",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."password" IS DISTINCT FROM (NEW."password") OR (NOT NEW."is_active" AND OLD."is_active"))',
                    func='DELETE FROM "accounts_apitoken" WHERE "user_id" = NEW."id"; RETURN NULL;',
                    hash="cfbb19b63fb9cc3cbfae24cf3a0288bf6aa5e365",
                    operation="UPDATE",
                    pgid="pgtrigger_revoke_api_tokens_f0247",
                    table="accounts_user",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="auth_token_set",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
