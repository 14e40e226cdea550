"""On PostgreSQL the database itself refuses to change or delete a progress update.

The app never does either (ProgressUpdate.save/delete refuse, the admin and API
offer neither); this trigger also stops a stray SQL session or a bug. SQLite,
the development default, relies on the app's own refusal.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION tracker_progressupdate_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'progress updates are append-only: %% refused on tracker_progressupdate', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tracker_progressupdate_append_only
    BEFORE UPDATE OR DELETE ON tracker_progressupdate
    FOR EACH ROW EXECUTE FUNCTION tracker_progressupdate_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS tracker_progressupdate_append_only ON tracker_progressupdate;
DROP FUNCTION IF EXISTS tracker_progressupdate_refuse_change();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger),
    ]
