"""Backups restore to the same plan (docs/operations.md, "Backup and restore").

Two ways, both documented: `manage.py dumpdata`/`loaddata` for any database, and pg_dump/pg_restore
for PostgreSQL. A restored plan must equal the original: the export_plan JSON, the progress
history, the goals' measurements and who is assigned where.
"""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings

from actions.models import Activity, GoalMeasurement, ProgressUpdate
from actions.reporting.export_plan import export_plan
from clusters.models import Cluster, StaffAssignment
from tests import factories

# What a full backup leaves out: rebuilt by `migrate` (content types, permissions) or
# deliberately dropped on restore (sessions: everyone signs in again).
DUMP_EXCLUDES = ["contenttypes", "auth.permission", "sessions"]


@pytest.fixture
def plans_and_accounts(plan_2006):
    """The 2006 plan, synthetic CERs with progress history and measurements, and accounts."""
    call_command(
        "generate_synthetic",
        clusters=2,
        activities_per_cluster=20,
        updates_per_activity=3,
        seed=5,
        stdout=io.StringIO(),
    )
    factories.StaffFactory(
        username="coordinadora", clusters=[Cluster.objects.get(slug="metalmecanica")]
    )
    factories.AdminFactory()


HISTORY_FIELDS = (
    "activity__cluster__slug",
    "activity__code",
    "kind",
    "effective_on",
    "recorded_at",
    "old_status",
    "new_status",
    "old_progress",
    "new_progress",
    "old_revised_end",
    "new_revised_end",
    "note",
    "author__username",
)


def _to_the_millisecond(moment):
    # Django's JSON serializer writes times to the millisecond, so a JSON backup keeps that much.
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def snapshot():
    history = ProgressUpdate.objects.order_by("activity__cluster__slug", "activity__code", "id")
    return {
        "plan": export_plan(),
        "history": [
            {**row, "recorded_at": _to_the_millisecond(row["recorded_at"])}
            for row in history.values(*HISTORY_FIELDS)
        ],
        "activities": list(
            Activity.objects.order_by("cluster__slug", "code").values_list(
                "cluster__slug", "code", "completed_on", "revision_reason", "version"
            )
        ),
        "measurements": list(
            GoalMeasurement.objects.order_by("goal_id", "measured_on", "id").values_list(
                "goal__strategy__cluster__slug",
                "goal__strategy__number",
                "goal__position",
                "value",
                "measured_on",
                "source",
                "recorded_by__username",
            )
        ),
        "roles": sorted(StaffAssignment.objects.values_list("user__username", "cluster__slug")),
        # The audit trail (django-simple-history) comes back row for row, with nothing added.
        "audit_rows": {
            model._meta.label: model.objects.count()
            for model in apps.get_models()
            if model._meta.app_label in ("actions", "clusters")
            and model._meta.model_name.startswith("historical")
        },
    }


@pytest.mark.django_db
def test_dumpdata_then_loaddata_restores_the_same_plan(plans_and_accounts, tmp_path):
    before = snapshot()
    assert before["history"] and before["measurements"] and before["roles"]
    backup = tmp_path / "cerplan-backup.json.gz"
    call_command(
        "dumpdata",
        natural_foreign=True,
        natural_primary=True,
        exclude=DUMP_EXCLUDES,
        output=str(backup),
        verbosity=0,
    )

    connection.check_constraints()  # PostgreSQL: no TRUNCATE with deferred checks pending
    call_command("flush", interactive=False, verbosity=0)
    assert export_plan() == {"clusters": []}

    # As docs/operations.md restores: with django-simple-history's signals off, or loading a
    # strategy's funding instruments (an m2m it tracks) would write history rows of its own,
    # which collide with the restored ones.
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        call_command("loaddata", str(backup), verbosity=0)
    assert snapshot() == before


def _database_url(name):
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"


def _manage(database_url, *args):
    """Run manage.py against another database, as an operator would."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_DEBUG": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.postgresql
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_dump/pg_restore need PostgreSQL: set DATABASE_URL (CI does)",
)
@pytest.mark.skipif(
    not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="pg_dump/pg_restore are not installed (Debian: postgresql-client)",
)
@pytest.mark.django_db(transaction=True)
def test_pg_dump_then_pg_restore_restores_the_same_plan(plans_and_accounts, tmp_path):
    db = connection.settings_dict
    original = db["NAME"]
    restored = f"{original}_restored"
    client_env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    where = ["-h", db["HOST"] or "localhost", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
    dump = tmp_path / "cerplan.dump"

    subprocess.run(
        ["pg_dump", "-Fc", "--no-owner", *where, "-f", str(dump), original],
        env=client_env,
        check=True,
    )
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        cursor.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", *where, "-d", restored, str(dump)],
            env=client_env,
            check=True,
        )
        for command in (
            ["export_plan"],
            ["dumpdata", "clusters", "actions", "auth.user", "--natural-foreign", "--indent=1"],
        ):
            assert _manage(_database_url(restored), *command) == _manage(
                _database_url(original), *command
            )
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}"')
