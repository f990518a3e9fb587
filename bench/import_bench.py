"""The 10,000-row progress import, preview plus confirm, timed: a benchmark, not a test.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/import_bench.py [--rows 10000] [--format xlsx|csv]

It creates a throw-away database (a SQLite file in a temporary folder, or, with DATABASE_URL set,
Django's test database on that PostgreSQL server), fills one CER with --rows activities with
`manage.py generate_synthetic` (or, where that command is missing, a small builder of its own),
writes the spreadsheet a coordinator would fill in (every open activity moved on, with a note),
and runs the portal's own pages with Django's test client, signed in as the CER's coordinator:

    upload (read, check, preview, store)  →  preview page  →  confirm (read again, compare, apply)

It prints the seconds of each step and their SQL query counts, and how the confirmation splits
into checking the file again (the preview built anew) and writing it (actions.spreadsheets.imports.
run_operations: one actions.progress.batch.record_progress_many call for the whole file), then
removes
the database. Target (issue 6): preview plus confirm under 20 s for 10,000 rows on the 2-core
machine.

Measured on the 2-core machine (10,000 rows, xlsx; seconds for upload and preview + preview
page + confirm):

    rows written                    SQLite before → after   PostgreSQL 15 before → after
    6,204 (default)                  30.2 → 7.8             47.1 → 8.0
    10,000 (--every-row-changes)     48.1 → 10.6            84.0 → 11.0

"before" is one record_progress call per row (~30 queries each, two thirds of them
full_clean()'s); "after" is record_progress_many.

Then (issue 11), writing the activities with UPDATE ... FROM (VALUES) instead of bulk_update's
CASE per row, 10,000 rows (6,204 written), total seconds (of which writing):

    SQLite      9.33 (5.54) → 6.01 (2.16)
    PostgreSQL  8.22 (4.98) → 5.27 (1.93)
"""

import argparse
import csv
import io
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument("--updates-per-activity", type=int, default=2)
    parser.add_argument(
        "--every-row-changes",
        action="store_true",
        help="also reopen done and cancelled activities (with a note): 10,000 writes, not ~6,000",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cerplan.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    work = Path(tempfile.mkdtemp(prefix="cerplan-import-bench-"))
    if connection.vendor == "sqlite":
        # A file, like production's SQLite, not the in-memory database tests use.
        connection.settings_dict["TEST"]["NAME"] = str(work / "bench.sqlite3")
    settings.MEDIA_ROOT = work / "media"
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    setup_test_environment()
    try:
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            run(args)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


class Queries:
    """Counts the SQL statements run inside the block."""

    def __enter__(self):
        from django.db import connection

        self.count = 0
        self._wrapper = connection.execute_wrapper(self._count)
        self._wrapper.__enter__()
        return self

    def _count(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


def build_cluster(rows, updates_per_activity):
    """One CER with `rows` activities: generate_synthetic if it exists, else our own builder."""
    from django.core.management import call_command, get_commands

    from clusters.models import Cluster

    started = time.perf_counter()
    if "generate_synthetic" in get_commands():
        call_command(
            "generate_synthetic",
            clusters=1,
            activities_per_cluster=rows,
            updates_per_activity=updates_per_activity,
            stdout=io.StringIO(),
        )
        how = "generate_synthetic"
    else:
        _own_builder(rows)
        how = "own builder"
    cluster = Cluster.objects.order_by("id").first()
    print(f"data: {how}, {rows} activities in {time.perf_counter() - started:.1f} s")
    return cluster


def _own_builder(rows):
    # Benchmark data only: bulk_create skips history, which a benchmark does not need.
    import datetime

    from actions.models import Activity, Objective, Strategy
    from clusters.models import Cluster

    cluster = Cluster.objects.create(slug="sintetico-001", name="CER sintético")
    objective = Objective.objects.create(cluster=cluster, numeral="I", position=1, title="I")
    strategies = Strategy.objects.bulk_create(
        Strategy(
            cluster=cluster,
            objective=objective,
            number=number,
            title=f"Estrategia {number}",
            committed_start=datetime.date(2020, 1, 1),
            committed_end=datetime.date(2030, 12, 31),
        )
        for number in range(1, 15)
    )
    Activity.objects.bulk_create(
        (
            Activity(
                cluster=cluster,
                strategy=strategies[index % 14],
                code=f"{index % 14 + 1}.{index // 14 + 1}",
                position=index // 14 + 1,
                title=f"Actividad {index}",
            )
            for index in range(rows)
        ),
        batch_size=2000,
    )


WORDS = {
    "pending": "pendiente",
    "in_progress": "en curso",
    "done": "completada",
    "blocked": "bloqueada",
    "cancelled": "cancelada",
}


def progress_file(cluster, file_format, *, every_row_changes=False):
    """The file a coordinator fills in: every open activity moved on 5 points, with a note
    (and, with every_row_changes, the done and cancelled ones reopened, with a note)."""
    from openpyxl import Workbook

    from actions.models import Activity

    header = ["cer", "código", "estado", "avance", "nota", "fecha"]
    rows = []
    for code, status, progress in (
        Activity.objects.filter(cluster=cluster)
        .order_by("strategy__number", "position")
        .values_list("code", "status", "progress")
    ):
        note = ""
        if every_row_changes or status in ("pending", "in_progress", "blocked"):
            status, progress = "in_progress", min(progress + 5, 95)
            note = "Avance de la reunión mensual."
        rows.append([cluster.slug, code, WORDS[status], progress, note, ""])
    if file_format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode("utf-8-sig"), len(rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Avances")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), len(rows)


def run(args):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client

    from actions.models import ProgressUpdate
    from actions.spreadsheets import imports
    from tests import factories

    print(f"database: {connection.vendor}")
    cluster = build_cluster(args.rows, args.updates_per_activity)
    staff = factories.StaffFactory(username="coordinadora-bench", clusters=[cluster])
    data, rows = progress_file(cluster, args.format, every_row_changes=args.every_row_changes)
    print(f"file: {args.format}, {rows} rows, {len(data) / 1024:.0f} KiB")

    client = Client()
    client.force_login(staff)
    base = f"/clusters/{cluster.slug}/import/progress/"
    before = ProgressUpdate.objects.count()
    timings = {}
    with Queries() as upload_queries:
        started = time.perf_counter()
        response = client.post(base, {"file": SimpleUploadedFile(f"avances.{args.format}", data)})
        timings["upload and preview"] = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    token = re.search(r"/preview/([^/]+)/$", response["Location"]).group(1)
    with Queries() as page_queries:
        started = time.perf_counter()
        page = client.get(response["Location"])
        timings["preview page"] = time.perf_counter() - started
    counts = page.context["counts"]
    writing = {}
    run_operations = imports.run_operations

    def timed_run_operations(preview, *, user):
        started = time.perf_counter()
        with Queries() as queries:
            try:
                return run_operations(preview, user=user)
            finally:
                writing["seconds"] = time.perf_counter() - started
                writing["queries"] = queries.count

    # apply() looks run_operations up in actions.spreadsheets.imports when it runs.
    imports.run_operations = timed_run_operations
    try:
        with Queries() as confirm_queries:
            started = time.perf_counter()
            done = client.post(f"{base}confirm/{token}/", {"confirm": "1"})
            timings["confirm"] = time.perf_counter() - started
    finally:
        imports.run_operations = run_operations
    assert done.status_code == 302, (done.status_code, getattr(done, "context", None))
    written = ProgressUpdate.objects.count() - before
    total = sum(timings.values())
    print(f"rows: {counts}")
    for step, queries in (
        ("upload and preview", upload_queries),
        ("preview page", page_queries),
        ("confirm", confirm_queries),
    ):
        print(f"  {step:<20}{timings[step]:6.2f} s  {queries.count:>7} queries")
    if writing:
        print(
            f"    of which writing  {writing['seconds']:6.2f} s  {writing['queries']:>7} queries"
            "   (the rest: reading and checking the file again)"
        )
    print(f"  {'total':<20}{total:6.2f} s   (target: under 20 s)")
    print(f"progress updates written: {written}")


if __name__ == "__main__":
    main()
