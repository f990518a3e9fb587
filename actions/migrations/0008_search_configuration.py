"""The text search configuration of /search/, on PostgreSQL only.

``cerplan_spanish`` is PostgreSQL's ``spanish`` configuration with ``unaccent`` before the
Spanish stemmer, so «difusion» finds «difusión» and «ferias» finds «feria». unaccent is a
trusted extension (PostgreSQL 13+): the database's owner may create it. GIN indexes over the
very expressions Django's SearchVector writes for the search (actions.reporting.search) let it
find words among the national tier's 100,000 activities without reading them all. SQLite
searches through a function the portal registers on each connection (actions.reporting.search).
"""

from django.db import migrations

CONFIGURATION = "cerplan_spanish"

# (index, table, the text SearchVector(*fields) builds): keep in step with search.py's fields.
INDEXES = (
    (
        "actions_activity_search",
        "actions_activity",
        "COALESCE(code, '') || ' ' || COALESCE(title, '')",
    ),
    ("actions_strategy_search", "actions_strategy", "COALESCE(title, '')"),
    ("actions_goal_search", "actions_goal", "COALESCE(text, '')"),
)


def create_configuration(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIGURATION}') THEN
                CREATE TEXT SEARCH CONFIGURATION {CONFIGURATION} (COPY = spanish);
                ALTER TEXT SEARCH CONFIGURATION {CONFIGURATION}
                    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
            END IF;
        END
        $$
        """
    )
    for name, table, text in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (to_tsvector('{CONFIGURATION}'::regconfig, {text}))"
        )


def drop_configuration(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _text in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIGURATION}")


class Migration(migrations.Migration):
    dependencies = [("actions", "0007_activity_responsible_users")]

    operations = [migrations.RunPython(create_configuration, drop_configuration)]
