"""Progress updates are append-only, also for anyone with SQL access: on PostgreSQL a trigger
refuses UPDATE and DELETE of actions_progressupdate rows. (TRUNCATE, a table owner's act, stays
possible: the test database is emptied that way.) SQLite has no such guard; the services and the
admin never change or delete an update on any database.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION actions_progressupdate_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'actions_progressupdate is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS actions_progressupdate_append_only ON actions_progressupdate;
CREATE TRIGGER actions_progressupdate_append_only
    BEFORE UPDATE OR DELETE ON actions_progressupdate
    FOR EACH ROW EXECUTE FUNCTION actions_progressupdate_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS actions_progressupdate_append_only ON actions_progressupdate;
DROP FUNCTION IF EXISTS actions_progressupdate_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
