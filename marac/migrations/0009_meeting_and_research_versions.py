import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("marac", "0008_background_builds_sent_and_leased"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="caseresearch",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="caseresearch",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="caseresearch",
            name="delete_delete",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="maracmeeting",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="maracmeeting",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="maracmeeting",
            name="delete_delete",
        ),
        migrations.AddField(
            model_name="caseresearch",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="caseresearchevent",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="maracmeeting",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="maracmeetingevent",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="caseresearch",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "marac_caseresearchevent" ("agency_id", "facts", "id", "listing_id", "opinion", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "recorded_by_id", "updated_at", "version", "withheld", "withheld_reason") VALUES (NEW."agency_id", NEW."facts", NEW."id", NEW."listing_id", NEW."opinion", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."recorded_by_id", NEW."updated_at", NEW."version", NEW."withheld", NEW."withheld_reason"); RETURN NULL;',
                    hash="acfc688d133a7d2f3c8bb084d222d1faae67c964",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_c8258",
                    table="marac_caseresearch",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="caseresearch",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "marac_caseresearchevent" ("agency_id", "facts", "id", "listing_id", "opinion", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "recorded_by_id", "updated_at", "version", "withheld", "withheld_reason") VALUES (NEW."agency_id", NEW."facts", NEW."id", NEW."listing_id", NEW."opinion", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."recorded_by_id", NEW."updated_at", NEW."version", NEW."withheld", NEW."withheld_reason"); RETURN NULL;',
                    hash="f1aabe9a4f6ca54a02db074fa50871444be8db04",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_2c4a7",
                    table="marac_caseresearch",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="caseresearch",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "marac_caseresearchevent" ("agency_id", "facts", "id", "listing_id", "opinion", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "recorded_by_id", "updated_at", "version", "withheld", "withheld_reason") VALUES (OLD."agency_id", OLD."facts", OLD."id", OLD."listing_id", OLD."opinion", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."recorded_by_id", OLD."updated_at", OLD."version", OLD."withheld", OLD."withheld_reason"); RETURN NULL;',
                    hash="638713d60214cac94bb215b8a3ea5bb34a005da6",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_03db1",
                    table="marac_caseresearch",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="maracmeeting",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "marac_maracmeetingevent" ("chair", "created_at", "created_by_id", "id", "is_online", "max_cases", "minutes_per_case", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "starts_at", "status", "team_id", "updated_at", "venue", "version") VALUES (NEW."chair", NEW."created_at", NEW."created_by_id", NEW."id", NEW."is_online", NEW."max_cases", NEW."minutes_per_case", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."starts_at", NEW."status", NEW."team_id", NEW."updated_at", NEW."venue", NEW."version"); RETURN NULL;',
                    hash="bfd9ff6832c59d9b135f5e989308561409138670",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_1a3a9",
                    table="marac_maracmeeting",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="maracmeeting",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "marac_maracmeetingevent" ("chair", "created_at", "created_by_id", "id", "is_online", "max_cases", "minutes_per_case", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "starts_at", "status", "team_id", "updated_at", "venue", "version") VALUES (NEW."chair", NEW."created_at", NEW."created_by_id", NEW."id", NEW."is_online", NEW."max_cases", NEW."minutes_per_case", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."starts_at", NEW."status", NEW."team_id", NEW."updated_at", NEW."venue", NEW."version"); RETURN NULL;',
                    hash="74eb1a2788ea0108ae7b22ae39d0e5562e8d883d",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_bc5a0",
                    table="marac_maracmeeting",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="maracmeeting",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "marac_maracmeetingevent" ("chair", "created_at", "created_by_id", "id", "is_online", "max_cases", "minutes_per_case", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "starts_at", "status", "team_id", "updated_at", "venue", "version") VALUES (OLD."chair", OLD."created_at", OLD."created_by_id", OLD."id", OLD."is_online", OLD."max_cases", OLD."minutes_per_case", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."starts_at", OLD."status", OLD."team_id", OLD."updated_at", OLD."venue", OLD."version"); RETURN NULL;',
                    hash="87a0a6bf534909c5c726a04afec5b0f0a68c0d7c",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_fe759",
                    table="marac_maracmeeting",
                    when="AFTER",
                ),
            ),
        ),
    ]
