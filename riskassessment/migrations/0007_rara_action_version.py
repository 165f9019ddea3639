import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("riskassessment", "0006_level_set_by_and_to_refer_every_high"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="raraaction",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="raraaction",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="raraaction",
            name="delete_delete",
        ),
        migrations.AddField(
            model_name="raraaction",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="raraactionevent",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="raraaction",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "riskassessment_raraactionevent" ("action_type_id", "assessment_id", "borough_id", "category", "completed_at", "created_at", "created_by_id", "declined_reason", "due_date", "id", "monitoring", "notes", "options_offered", "owner_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "status", "updated_at", "version") VALUES (NEW."action_type_id", NEW."assessment_id", NEW."borough_id", NEW."category", NEW."completed_at", NEW."created_at", NEW."created_by_id", NEW."declined_reason", NEW."due_date", NEW."id", NEW."monitoring", NEW."notes", NEW."options_offered", NEW."owner_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."status", NEW."updated_at", NEW."version"); RETURN NULL;',
                    hash="965b096cfbf804a7700d5b4ae1fbee26e47beb91",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_93043",
                    table="riskassessment_raraaction",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="raraaction",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "riskassessment_raraactionevent" ("action_type_id", "assessment_id", "borough_id", "category", "completed_at", "created_at", "created_by_id", "declined_reason", "due_date", "id", "monitoring", "notes", "options_offered", "owner_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "status", "updated_at", "version") VALUES (NEW."action_type_id", NEW."assessment_id", NEW."borough_id", NEW."category", NEW."completed_at", NEW."created_at", NEW."created_by_id", NEW."declined_reason", NEW."due_date", NEW."id", NEW."monitoring", NEW."notes", NEW."options_offered", NEW."owner_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."status", NEW."updated_at", NEW."version"); RETURN NULL;',
                    hash="1b54e179191c4ef599a0f75ea40475e3daf5a80f",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_a7a20",
                    table="riskassessment_raraaction",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="raraaction",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "riskassessment_raraactionevent" ("action_type_id", "assessment_id", "borough_id", "category", "completed_at", "created_at", "created_by_id", "declined_reason", "due_date", "id", "monitoring", "notes", "options_offered", "owner_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "status", "updated_at", "version") VALUES (OLD."action_type_id", OLD."assessment_id", OLD."borough_id", OLD."category", OLD."completed_at", OLD."created_at", OLD."created_by_id", OLD."declined_reason", OLD."due_date", OLD."id", OLD."monitoring", OLD."notes", OLD."options_offered", OLD."owner_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."status", OLD."updated_at", OLD."version"); RETURN NULL;',
                    hash="fe8553befdddbc1eb8599fdf536ae3d1569dc2b7",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_396c3",
                    table="riskassessment_raraaction",
                    when="AFTER",
                ),
            ),
        ),
    ]
