"""record_progress_many: the rules, permissions, version checks and history of record_progress for
a whole batch, all or nothing, in a number of queries that does not grow with the batch.

Most tests compare the batch with what record_progress does for the same entries one by one: the
batch is meant to be indistinguishable from N single calls, only faster.
"""

import datetime
import json
import threading
import time

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import Activity, ProgressUpdate
from actions.progress import batch, services
from actions.reporting.export_plan import export_plan
from clusters.models import Cluster
from tests import factories
from tests.helpers import added_rows, history_rows

D = datetime.date


@pytest.fixture
def twins(db):
    """Two CERs with identical plans (three strategies of three activities each)."""
    pair = []
    for slug in ("gemelo-uno", "gemelo-dos"):
        cluster = factories.ClusterWithPlanFactory(
            slug=slug, plan__strategies=3, plan__activities_per_strategy=3
        )
        pair.append(cluster)
    return pair


@pytest.fixture
def staff(twins):
    return factories.StaffFactory(username="coordinadora", clusters=twins)


def activity(cluster, code):
    return Activity.objects.get(cluster=cluster, code=code)


def state():
    """Everything a write could change."""
    return (
        export_plan(),
        list(ProgressUpdate.objects.order_by("pk").values()),
        list(Activity.objects.order_by("pk").values("pk", "version", "completed_on")),
        history_rows(),
    )


def prepare(cluster, user):
    """Earlier history both twins share: 1.2 done, 1.3 cancelled, 2.1 at 60 % since March 2008."""
    for code, status, progress, note, day in (
        ("1.2", "done", 100, "Terminada.", D(2008, 1, 10)),
        ("1.3", "cancelled", 20, "Sin fondos.", D(2008, 2, 1)),
        ("2.1", "in_progress", 60, "", D(2008, 3, 1)),
    ):
        target = activity(cluster, code)
        services.record_progress(
            activity_id=target.pk,
            acting_user=user,
            expected_version=target.version,
            status=status,
            progress=progress,
            note=note,
            effective_on=day,
        )


# (code, status, progress, note, effective_on): every kind of change the rules allow.
CHANGES = [
    ("1.1", "in_progress", 40, "Partió el taller.", D(2008, 4, 1)),
    ("1.2", "in_progress", 90, "Falta el informe final.", None),  # reopens: clears completed_on
    ("1.3", "in_progress", 20, "CORFO aprobó el PROFO.", D(2008, 2, 1)),  # the same day is fine
    ("2.1", "in_progress", 40, "Se repite la licitación.", D(2008, 5, 2)),  # backwards, noted
    ("2.2", "done", 100, "", D(2008, 6, 30)),  # sets completed_on to the effective date
    ("2.3", "pending", 0, "Se pidió cotización.", None),  # a note alone
    ("3.1", "blocked", 10, "", None),
    ("3.2", "cancelled", 0, "Sin interesados.", None),
]


def entries_for(cluster, changes=CHANGES):
    return [
        {
            "activity_id": activity(cluster, code).pk,
            "expected_version": activity(cluster, code).version,
            "status": status,
            "progress": progress,
            "note": note,
            "effective_on": effective_on,
        }
        for code, status, progress, note, effective_on in changes
    ]


def comparable_export(cluster):
    (plan,) = export_plan(cluster.slug)["clusters"]
    return json.loads(json.dumps(plan).replace(cluster.slug, "gemelo"))


def comparable_history(cluster):
    """Each activity's historical rows (oldest first), without ids and timestamps."""
    rows = {}
    for target in Activity.objects.filter(cluster=cluster).order_by("code"):
        rows[target.code] = [
            (
                record.history_type,
                record.history_user_id,
                record.history_change_reason,
                record.status,
                record.progress,
                record.completed_on,
                record.revised_end,
                record.title.replace(cluster.slug, "gemelo"),
            )
            for record in target.history.order_by("history_date", "history_id")
        ]
    return rows


def comparable_updates(cluster):
    return [
        (
            update.activity.code,
            update.author_id,
            update.kind,
            update.effective_on,
            update.old_status,
            update.new_status,
            update.old_progress,
            update.new_progress,
            update.old_revised_end,
            update.new_revised_end,
            update.note,
            update.evidence.name,
            update.evidence_name,
        )
        for update in ProgressUpdate.objects.filter(activity__cluster=cluster)
        .select_related("activity")
        .order_by("activity__code", "id")
    ]


def versions(cluster):
    return dict(Activity.objects.filter(cluster=cluster).values_list("code", "version"))


# The same result as record_progress, one entry at a time ------------------------------------


def test_a_batch_leaves_the_plan_history_and_updates_of_n_single_calls(twins, staff):
    one_by_one, batched = twins
    prepare(one_by_one, staff)
    prepare(batched, staff)

    for entry in entries_for(one_by_one):
        services.record_progress(acting_user=staff, **entry)
    batch.record_progress_many(acting_user=staff, entries=entries_for(batched))

    assert comparable_export(batched) == comparable_export(one_by_one)
    assert comparable_history(batched) == comparable_history(one_by_one)
    assert comparable_updates(batched) == comparable_updates(one_by_one)
    assert versions(batched) == versions(one_by_one)
    completed = dict(Activity.objects.filter(cluster=batched).values_list("code", "completed_on"))
    assert completed["1.2"] is None, "reopening clears the completion date"
    assert completed["2.2"] == D(2008, 6, 30), "done on the effective date"


def test_each_activity_gets_one_historical_row_naming_the_acting_user(twins, staff):
    cluster = twins[0]
    prepare(cluster, staff)
    entries = entries_for(cluster)
    previous = {entry["activity_id"]: entry["expected_version"] for entry in entries}
    before = history_rows()

    batch.record_progress_many(acting_user=staff, entries=entries)

    assert added_rows(before) == {"HistoricalActivity": len(entries)}
    for entry in entries:
        target = Activity.objects.get(pk=entry["activity_id"])
        record = target.history.latest("history_date")
        assert record.history_user == staff
        assert record.history_type == "~"
        assert record.history_change_reason == "avance registrado"
        changed = {c.field: c.new for c in record.diff_against(record.prev_record).changes}
        assert changed.get("status", target.status) == entry["status"]
        assert changed.get("progress", target.progress) == entry["progress"]
        assert target.version == previous[target.pk] + 1


def test_one_progress_update_per_entry_returned_in_entry_order(twins, staff):
    cluster = twins[0]
    entries = entries_for(cluster)
    before = ProgressUpdate.objects.count()

    written = batch.record_progress_many(acting_user=staff, entries=entries)

    assert ProgressUpdate.objects.count() == before + len(entries)
    assert [update.activity_id for update in written] == [e["activity_id"] for e in entries]
    assert all(update.pk for update in written)
    for update, entry in zip(written, entries, strict=True):
        stored = ProgressUpdate.objects.get(pk=update.pk)
        assert stored.author == staff
        assert stored.kind == ProgressUpdate.Kind.PROGRESS
        assert (stored.new_status, stored.new_progress) == (entry["status"], entry["progress"])
        assert stored.effective_on == (entry["effective_on"] or timezone.localdate())


def test_entries_may_be_objects_and_note_and_date_may_be_left_out(twins, staff):
    class Entry:
        def __init__(self, target):
            self.activity_id = target.pk
            self.expected_version = target.version
            self.status = "in_progress"
            self.progress = "30"  # as record_progress, a digit string is read as a number

    target = activity(twins[0], "1.1")
    (update,) = batch.record_progress_many(acting_user=staff, entries=[Entry(target)])
    assert (update.new_progress, update.note, update.effective_on) == (
        30,
        "",
        timezone.localdate(),
    )


def test_an_empty_batch_reads_and_writes_nothing(twins, staff):
    with CaptureQueriesContext(connection) as queries:
        assert batch.record_progress_many(acting_user=staff, entries=[]) == []
    # At most the transaction's savepoint and its release.
    assert all("SAVEPOINT" in query["sql"] for query in queries.captured_queries)


# One bad entry refuses the whole batch -------------------------------------------------------


def _stale(cluster, staff, entries):
    target = activity(cluster, "2.2")
    services.record_progress(
        activity_id=target.pk,
        acting_user=staff,
        expected_version=target.version,
        status="in_progress",
        progress=5,
        note="Otra persona, después de leer.",
    )
    return entries


def _forbidden(cluster, staff, entries):
    other = factories.ClusterWithPlanFactory(slug="ajeno")
    foreign = Activity.objects.filter(cluster=other).first()
    entries[4] = {**entries[4], "activity_id": foreign.pk, "expected_version": foreign.version}
    return entries


def _set(**values):
    def change(cluster, staff, entries):
        entries[4] = {**entries[4], **values}
        return entries

    return change


def _missing(cluster, staff, entries):
    entries[4] = {**entries[4], "activity_id": 999_999}
    return entries


def _twice(cluster, staff, entries):
    entries[4] = {**entries[0], "note": "Otra vez."}
    return entries


REFUSALS = {
    "stale": (_stale, services.StaleVersion),
    "another CER": (_forbidden, PermissionDenied),
    "done but not 100": (_set(status="done", progress=90), ValidationError),
    "100 but not done": (_set(status="in_progress", progress=100), ValidationError),
    "unknown status": (_set(status="finished"), ValidationError),
    "progress over 100": (_set(progress=101), ValidationError),
    "future date": (
        _set(effective_on=timezone.localdate() + datetime.timedelta(days=1)),
        ValidationError,
    ),
    "no version": (_set(expected_version=None), ValidationError),
    "no change": (_set(status="pending", progress=0, note=""), ValidationError),
    "missing activity": (_missing, ValidationError),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_one_bad_entry_refuses_the_whole_batch_and_nothing_is_written(twins, staff, case):
    cluster = twins[0]
    make_bad, expected = REFUSALS[case]
    entries = make_bad(cluster, staff, entries_for(cluster))
    version = data_version(cluster)
    before = state()

    with pytest.raises(batch.BatchRefused) as excinfo:
        batch.record_progress_many(acting_user=staff, entries=entries)

    assert list(excinfo.value.errors) == [4]
    assert isinstance(excinfo.value.errors[4], expected)
    assert state() == before
    assert data_version(cluster) == version, "no write, no cache bump"


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refused_entry_carries_what_record_progress_raises_for_it(twins, staff, case):
    cluster = twins[0]
    make_bad, _expected = REFUSALS[case]
    entries = make_bad(cluster, staff, entries_for(cluster))
    with pytest.raises(batch.BatchRefused) as excinfo:
        batch.record_progress_many(acting_user=staff, entries=entries)
    batched = excinfo.value.errors[4]

    with pytest.raises(type(batched)) as single:
        services.record_progress(acting_user=staff, **entries[4])
    assert _described(batched) == _described(single.value)


def _described(error):
    if isinstance(error, services.StaleVersion):
        return (
            error.activity.pk,
            error.expected_version,
            error.current_version,
            [(update.pk, update.author.username, update.note) for update in error.updates],
        )
    if isinstance(error, ValidationError):
        return error.message_dict if hasattr(error, "error_dict") else error.messages
    return str(error)


def test_every_refused_entry_is_reported_at_once(twins, staff):
    cluster = twins[0]
    prepare(cluster, staff)
    entries = entries_for(cluster)
    entries[1] = {**entries[1], "note": ""}  # reopening a done activity without a note
    entries[3] = {**entries[3], "effective_on": D(2008, 2, 1)}  # before its latest update
    entries[6] = {**entries[6], "expected_version": entries[6]["expected_version"] + 3}

    with pytest.raises(batch.BatchRefused) as excinfo:
        batch.record_progress_many(acting_user=staff, entries=entries)

    errors = excinfo.value.errors
    assert list(errors) == [1, 3, 6]
    assert "note" in errors[1].message_dict
    assert "effective_on" in errors[3].message_dict
    assert isinstance(errors[6], services.StaleVersion)
    assert "3 entries refused" in str(excinfo.value)


def test_an_activity_named_twice_is_refused_at_its_second_entry(twins, staff):
    cluster = twins[0]
    entries = _twice(cluster, staff, entries_for(cluster))
    with pytest.raises(batch.BatchRefused) as excinfo:
        batch.record_progress_many(acting_user=staff, entries=entries)
    assert list(excinfo.value.errors) == [4]
    assert "ya tiene un registro en este lote" in excinfo.value.errors[4].messages[0]


def test_a_user_who_may_not_record_is_refused_every_entry(twins, roles):
    cluster = twins[0]
    before = state()
    with pytest.raises(batch.BatchRefused) as excinfo:
        batch.record_progress_many(acting_user=roles["owner_a"], entries=entries_for(cluster))
    assert set(excinfo.value.errors) == set(range(len(CHANGES)))
    assert all(isinstance(e, PermissionDenied) for e in excinfo.value.errors.values())
    assert state() == before


def test_a_stale_entry_lists_the_updates_since_its_read_like_record_progress(twins, staff, roles):
    cluster = twins[0]
    target = activity(cluster, "1.1")
    read = target.version
    for progress, user in ((10, staff), (20, roles["admin"])):
        services.record_progress(
            activity_id=target.pk,
            acting_user=user,
            expected_version=Activity.objects.get(pk=target.pk).version,
            status="in_progress",
            progress=progress,
        )
    entry = {
        "activity_id": target.pk,
        "expected_version": read,
        "status": "in_progress",
        "progress": 30,
        "note": "",
        "effective_on": None,
    }
    with pytest.raises(batch.BatchRefused) as excinfo:
        batch.record_progress_many(acting_user=staff, entries=[entry])
    with pytest.raises(services.StaleVersion) as single:
        services.record_progress(acting_user=staff, **entry)
    batched = excinfo.value.errors[0]
    assert [u.pk for u in batched.updates] == [u.pk for u in single.value.updates]
    assert [u.author.username for u in batched.updates] == ["admin", "coordinadora"]


# What full_clean() checks --------------------------------------------------------------------


def test_a_stored_value_full_clean_refuses_refuses_the_batch_like_the_single_call(twins, staff):
    """A row written around the services (here: a blank title) fails full_clean() in
    record_progress; the batch checks the same, and says the same."""
    cluster = twins[0]
    target = activity(cluster, "3.3")
    Activity.objects.filter(pk=target.pk).update(title="")
    entries = entries_for(cluster, [*CHANGES, ("3.3", "in_progress", 10, "", None)])
    before = state()

    with pytest.raises(batch.BatchRefused) as excinfo:
        batch.record_progress_many(acting_user=staff, entries=entries)
    assert list(excinfo.value.errors) == [len(CHANGES)]
    assert state() == before
    with pytest.raises(ValidationError) as single:
        services.record_progress(acting_user=staff, **entries[-1])
    assert excinfo.value.errors[len(CHANGES)].message_dict == single.value.message_dict
    assert "title" in single.value.message_dict


def _changed(obj, **values):
    for name, value in values.items():
        setattr(obj, name, value)
    return obj


def test_a_stored_activity_full_clean_refuses_is_refused_at_its_entry_as_record_progress_does(
    twins, staff
):
    """Django's own validation of each changed activity: an activity stored without a title
    (written around the services) is refused by the batch as record_progress refuses it."""
    cluster = twins[0]
    entries = entries_for(cluster)
    Activity.objects.filter(pk=entries[2]["activity_id"]).update(title="")
    before = state()

    with pytest.raises(batch.BatchRefused) as excinfo:
        batch.record_progress_many(acting_user=staff, entries=entries)

    assert list(excinfo.value.errors) == [2]
    with pytest.raises(ValidationError) as single:
        services.record_progress(acting_user=staff, **entries[2])
    assert excinfo.value.errors[2].message_dict == single.value.message_dict
    assert "title" in single.value.message_dict
    assert state() == before


def test_a_change_the_database_constraints_refuse_is_reported_at_its_entry(
    twins, staff, monkeypatch
):
    """Should the coordinator's rules ever let through what a check constraint forbids (here
    they are switched off), the database refuses it inside the batch's transaction: the entry is
    reported with the constraint's message and nothing is written."""
    cluster = twins[0]
    changes = [("1.1", "in_progress", 40, "", None), ("2.2", "done", 50, "", None)]
    entries = entries_for(cluster, changes)
    monkeypatch.setattr(services, "progress_rule_errors", lambda change: {})
    before = state()

    with pytest.raises(batch.BatchRefused) as excinfo:
        batch.record_progress_many(acting_user=staff, entries=entries)

    assert list(excinfo.value.errors) == [1]
    (message,) = excinfo.value.errors[1].messages
    assert "activity_done_is_100" in message
    assert state() == before


# Queries and cache ---------------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_batch(db):
    counts = []
    for slug, activities in (("pocas", 2), ("muchas", 40)):
        cluster = factories.ClusterWithPlanFactory(
            slug=slug, plan__strategies=1, plan__activities_per_strategy=activities
        )
        staff_here = factories.StaffFactory(username=f"coordinadora-{slug}", clusters=[cluster])
        entries = [
            {
                "activity_id": target.pk,
                "expected_version": target.version,
                "status": "in_progress",
                "progress": 10,
                "note": "",
                "effective_on": None,
            }
            for target in Activity.objects.filter(cluster=cluster)
        ]
        with CaptureQueriesContext(connection) as queries:
            batch.record_progress_many(acting_user=staff_here, entries=entries)
        counts.append(len(queries))
    few, many = counts
    # bulk_update writes _WRITE_BATCH rows per statement: 40 rows are one statement.
    assert many == few, counts
    assert few <= 20, counts


def data_version(cluster):
    return Cluster.objects.values_list("data_version", flat=True).get(pk=cluster.pk)


def test_a_batch_gives_its_cers_a_new_cache_version_and_no_other(twins, staff):
    cluster, other = twins
    before = (data_version(cluster), data_version(other))
    batch.record_progress_many(acting_user=staff, entries=entries_for(cluster))
    assert data_version(cluster) != before[0]
    assert data_version(other) == before[1]


# The import's confirmation maps the batch's refusals to the file's rows ---------------------


def test_an_import_refused_by_the_batch_service_names_the_rows_and_writes_nothing(
    client, roles, monkeypatch
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.helpers import PROGRESS_HEADER as HEADER
    from tests.helpers import token_of, xlsx

    client.force_login(roles["staff_a"])
    response = client.post(
        "/clusters/cer-a/import/progress/",
        {
            "file": SimpleUploadedFile(
                "avances.xlsx",
                xlsx(
                    [
                        HEADER,
                        ["cer-a", "1.1", "en curso", 40, "", ""],
                        ["cer-a", "1.2", "en curso", 10, "", ""],
                    ]
                ),
            )
        },
    )
    token = token_of(response)
    original = batch.record_progress_many
    calls = []

    def refuse_the_second(*, acting_user, entries):
        calls.append(len(entries))
        original(acting_user=acting_user, entries=entries)  # writes, then is rolled back
        raise batch.BatchRefused(
            {
                1: ValidationError({"note": ["Nota obligatoria."]}),
                0: ValidationError({NON_FIELD_ERRORS: ["Algo general."]}),
            }
        )

    monkeypatch.setattr(batch, "record_progress_many", refuse_the_second)
    before = state()
    response = client.post(f"/clusters/cer-a/import/progress/confirm/{token}/", {"confirm": "1"})
    assert response.status_code == 409
    assert calls == [2], "one call for the whole file"
    page = response.content.decode()
    assert "fila 2: algo general." in page
    assert "fila 3, columna «nota»: nota obligatoria." in page
    assert state() == before


# PostgreSQL: the batch locks its rows ---------------------------------------------------------


@pytest.mark.postgresql
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions need PostgreSQL (SQLite serialises whole-database writes); "
    "run with DATABASE_URL=postgres://...",
)
@pytest.mark.django_db(transaction=True)
def test_a_single_save_during_a_batch_waits_and_is_refused_as_stale(monkeypatch):
    cluster = factories.ClusterWithPlanFactory(
        slug="concurrente", plan__strategies=1, plan__activities_per_strategy=3
    )
    staff = factories.StaffFactory(username="coordinadora-concurrente", clusters=[cluster])
    entries = entries_for(cluster, [(f"1.{n}", "in_progress", 10 * n, "", None) for n in (1, 2, 3)])
    target = activity(cluster, "1.2")
    hold = 0.5
    original = batch.lock_activities
    locked = threading.Event()

    def lock_and_hold(ids):
        found = original(ids)
        locked.set()
        time.sleep(hold)
        return found

    monkeypatch.setattr(batch, "lock_activities", lock_and_hold)
    results = {}

    def whole_batch():
        try:
            results["batch"] = batch.record_progress_many(acting_user=staff, entries=entries)
        except Exception as error:  # reported below
            results["batch"] = error
        finally:
            connections.close_all()

    def single():
        locked.wait(timeout=10)
        started = time.monotonic()
        try:
            services.record_progress(
                activity_id=target.pk,
                acting_user=staff,
                expected_version=target.version,
                status="blocked",
                progress=5,
            )
        except Exception as error:  # reported below
            results["single"] = error
        else:
            results["single"] = "saved"
        finally:
            results["waited"] = time.monotonic() - started
            connections.close_all()

    threads = [threading.Thread(target=whole_batch), threading.Thread(target=single)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive()

    assert len(results["batch"]) == 3, results
    assert isinstance(results["single"], services.StaleVersion), results
    assert results["waited"] > hold * 0.5, results
    assert Activity.objects.get(pk=target.pk).progress == 20
