"""Trigram indexes for the admin's activity search, on PostgreSQL only.

The admin searches activities with ``icontains`` on code and title, which PostgreSQL runs as
``UPPER(col::text) LIKE UPPER('%q%')``: without an index that is a scan of every activity (213 ms
at the national tier's 100,000). A GIN index over the same expression with pg_trgm's operator
class serves that LIKE. pg_trgm is a trusted extension (PostgreSQL 13+), so the database's owner
may create it. SQLite has no such index and needs none at its sizes.
"""

from django.db import migrations

INDEXES = (
    ("actions_activity_title_trgm", "title"),
    ("actions_activity_code_trgm", "code"),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON actions_activity "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("actions", "0005_importrun_reason_limit")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
