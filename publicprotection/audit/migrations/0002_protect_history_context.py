from django.db import migrations

# pghistory's context rows say who made each change and from where. Events point at them, so
# they must never be deleted (they are updated only while a request adds to its own context).
# TRUNCATE is left to the table owner, like pgtrigger's row-level protection of the event
# tables: test databases are flushed with it, and production's app role does not own them.
SQL = """
CREATE OR REPLACE FUNCTION pp_protect_history_context() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit history is append-only: % on pghistory_context is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER pp_protect_history_context
    BEFORE DELETE ON pghistory_context
    FOR EACH STATEMENT EXECUTE FUNCTION pp_protect_history_context();
"""
REVERSE = """
DROP TRIGGER IF EXISTS pp_protect_history_context ON pghistory_context;
DROP FUNCTION IF EXISTS pp_protect_history_context();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial"), ("pghistory", "0007_auto_20250421_0444")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
