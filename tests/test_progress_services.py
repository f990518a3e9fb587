"""The progress services: what they write, the coordinator's rules, stale versions, permissions.

CER A is "own" for staff_a; each test starts from the activities ClusterWithPlanFactory makes
(pending, 0 %).
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from actions.models import Activity, Goal, GoalMeasurement, ProgressUpdate, Status
from actions.progress import services
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def activity(cluster_a):
    return Activity.objects.filter(cluster=cluster_a).order_by("code").first()


@pytest.fixture
def staff(roles):
    return roles["staff_a"]


def record(activity, user, **kwargs):
    """record_progress against the activity's current version, unless told otherwise."""
    kwargs.setdefault("expected_version", Activity.objects.get(pk=activity.pk).version)
    return services.record_progress(activity_id=activity.pk, acting_user=user, **kwargs)


def revise(activity, user, **kwargs):
    kwargs.setdefault("expected_version", Activity.objects.get(pk=activity.pk).version)
    return services.revise_deadline(activity_id=activity.pk, acting_user=user, **kwargs)


def errors_of(excinfo):
    return excinfo.value.message_dict


def snapshot(activity):
    activity = Activity.objects.get(pk=activity.pk)
    return (
        activity.status,
        activity.progress,
        activity.completed_on,
        activity.revised_end,
        activity.revision_reason,
        activity.version,
        ProgressUpdate.objects.count(),
        activity.history.count(),
    )


# Recording progress --------------------------------------------------------------------------


def test_record_progress_changes_the_activity_and_writes_one_update(activity, staff):
    update = record(activity, staff, status="in_progress", progress=40, note="Partió el taller.")

    activity.refresh_from_db()
    assert (activity.status, activity.progress, activity.version) == ("in_progress", 40, 2)
    assert activity.completed_on is None
    assert ProgressUpdate.objects.filter(activity=activity).count() == 1
    assert update.kind == ProgressUpdate.Kind.PROGRESS
    assert update.author == staff
    assert (update.old_status, update.new_status) == ("pending", "in_progress")
    assert (update.old_progress, update.new_progress) == (0, 40)
    assert update.note == "Partió el taller."
    assert update.effective_on == timezone.localdate()
    assert update.old_revised_end is None and update.new_revised_end is None


def test_done_sets_the_completion_date_and_reopening_clears_it(activity, staff):
    record(activity, staff, status="done", progress=100, effective_on=datetime.date(2008, 5, 2))
    activity.refresh_from_db()
    assert activity.completed_on == datetime.date(2008, 5, 2)

    record(activity, staff, status="in_progress", progress=90, note="Falta el informe final.")
    activity.refresh_from_db()
    assert (activity.status, activity.progress, activity.completed_on) == ("in_progress", 90, None)


def test_a_note_alone_is_recorded_and_moves_the_version_on(activity, staff):
    update = record(activity, staff, status="pending", progress=0, note="Se pidió cotización.")
    activity.refresh_from_db()
    assert activity.version == 2
    assert (update.old_status, update.new_status, update.note) == (
        "pending",
        "pending",
        "Se pidió cotización.",
    )


def test_evidence_is_stored_under_a_random_name_and_keeps_its_original_name(
    activity, staff, settings
):
    uploaded = SimpleUploadedFile("Acta reunión.pdf", PDF, content_type="application/pdf")
    update = record(activity, staff, status="in_progress", progress=10, evidence=uploaded)

    assert update.evidence_name == "Acta reunión.pdf"
    name = update.evidence.name
    assert name.startswith(f"evidence/{activity.cluster_id}/{activity.pk}/")
    assert name.endswith(".pdf") and "Acta" not in name
    stored = settings.MEDIA_ROOT / name
    assert stored.read_bytes() == PDF


# The coordinator's rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "submitted", "field"),
    [
        # done means 100 %
        (None, {"status": "done", "progress": 80}, "progress"),
        # 100 % means done
        (None, {"status": "in_progress", "progress": 100}, "status"),
        # progress going backwards needs a note
        (("in_progress", 60), {"status": "in_progress", "progress": 40}, "note"),
        # reopening a done activity needs a note
        (("done", 100), {"status": "in_progress", "progress": 90}, "note"),
        # reopening a cancelled activity needs a note
        (("cancelled", 20), {"status": "in_progress", "progress": 20}, "note"),
        # nothing changed and nothing to say
        (("in_progress", 30), {"status": "in_progress", "progress": 30}, NON_FIELD_ERRORS),
    ],
    ids=["done-not-100", "100-not-done", "backwards", "reopen-done", "reopen-cancelled", "no-op"],
)
def test_rules_refuse_with_the_field_to_fix(activity, staff, start, submitted, field):
    if start is not None:
        status, progress = start
        note = "estado inicial" if status in ("done", "cancelled") else ""
        record(activity, staff, status=status, progress=progress, note=note)
    before = snapshot(activity)

    with pytest.raises(ValidationError) as excinfo:
        record(activity, staff, **submitted)

    assert field in errors_of(excinfo)
    assert snapshot(activity) == before


def test_progress_may_go_back_with_a_note(activity, staff):
    record(activity, staff, status="in_progress", progress=60)
    update = record(
        activity, staff, status="in_progress", progress=40, note="Se repite la licitación."
    )
    assert (update.old_progress, update.new_progress) == (60, 40)


def test_reopening_with_a_note_is_accepted(activity, staff):
    record(activity, staff, status="cancelled", progress=20, note="Sin financiamiento.")
    update = record(
        activity, staff, status="in_progress", progress=20, note="CORFO aprobó el PROFO."
    )
    assert (update.old_status, update.new_status) == ("cancelled", "in_progress")


def test_an_unchanged_state_with_evidence_is_recorded(activity, staff):
    uploaded = SimpleUploadedFile("foto.pdf", PDF)
    update = record(activity, staff, status="pending", progress=0, evidence=uploaded)
    assert update.evidence


def test_a_refused_evidence_file_is_an_error_on_the_field_and_stores_nothing(
    activity, staff, settings
):
    uploaded = SimpleUploadedFile("informe.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    before = snapshot(activity)
    with pytest.raises(ValidationError) as excinfo:
        record(activity, staff, status="in_progress", progress=10, evidence=uploaded)
    assert "informe.pdf" in " ".join(errors_of(excinfo)["evidence"])
    assert snapshot(activity) == before
    assert not (settings.MEDIA_ROOT / "evidence").exists()


@pytest.mark.parametrize("progress", [-1, 101, "x", None, 12.5, True])
def test_progress_outside_0_to_100_is_refused(activity, staff, progress):
    with pytest.raises(ValidationError) as excinfo:
        record(activity, staff, status="in_progress", progress=progress)
    assert "progress" in errors_of(excinfo)


def test_an_unknown_status_is_refused(activity, staff):
    with pytest.raises(ValidationError) as excinfo:
        record(activity, staff, status="finished", progress=10)
    assert "status" in errors_of(excinfo)


def test_effective_date_cannot_be_in_the_future(activity, staff):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        record(activity, staff, status="in_progress", progress=10, effective_on=tomorrow)
    assert "effective_on" in errors_of(excinfo)


def test_effective_date_cannot_go_before_the_latest_update(activity, staff):
    """The as-of replay reads updates in date order, so history is written in that order."""
    record(
        activity, staff, status="in_progress", progress=10, effective_on=datetime.date(2008, 3, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        record(
            activity,
            staff,
            status="in_progress",
            progress=20,
            effective_on=datetime.date(2008, 2, 1),
        )
    assert "effective_on" in errors_of(excinfo)
    # the same day is fine
    record(
        activity, staff, status="in_progress", progress=20, effective_on=datetime.date(2008, 3, 1)
    )


# Permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner_a", "staff_b_only", "inactive_staff"])
def test_only_staff_of_the_cer_and_admins_record(activity, roles, cluster_b, who):
    if who == "staff_b_only":
        user = factories.StaffFactory(username="staff-b", clusters=[cluster_b])
    elif who == "inactive_staff":
        user = factories.StaffFactory(username="staff-off", clusters=[activity.cluster])
        user.is_active = False
        user.save()
    else:
        user = roles[who]
    before = snapshot(activity)
    with pytest.raises(PermissionDenied):
        record(activity, user, status="in_progress", progress=10)
    with pytest.raises(PermissionDenied):
        revise(activity, user, new_end=datetime.date(2011, 1, 1), reason="x")
    assert snapshot(activity) == before


def test_admins_and_staff_of_several_cers_record(activity, roles):
    record(activity, roles["admin"], status="in_progress", progress=10)
    record(activity, roles["staff_both"], status="in_progress", progress=20)
    assert Activity.objects.get(pk=activity.pk).progress == 20


# Stale versions ------------------------------------------------------------------------------


def test_a_save_against_an_old_version_is_refused_with_what_changed(activity, roles):
    first, second = roles["staff_a"], roles["staff_both"]
    read_version = activity.version
    record(activity, first, status="in_progress", progress=50, note="Primera.")
    before = snapshot(activity)

    with pytest.raises(services.StaleVersion) as excinfo:
        services.record_progress(
            activity_id=activity.pk,
            acting_user=second,
            expected_version=read_version,
            status="in_progress",
            progress=30,
            note="Segunda.",
        )

    stale = excinfo.value
    assert (stale.expected_version, stale.current_version) == (read_version, read_version + 1)
    assert (stale.activity.status, stale.activity.progress) == ("in_progress", 50)
    assert [(u.author, u.new_progress, u.note) for u in stale.updates] == [(first, 50, "Primera.")]
    assert snapshot(activity) == before


def test_stale_refusal_lists_every_update_since_the_read_newest_first(activity, roles):
    read_version = activity.version
    record(activity, roles["staff_a"], status="in_progress", progress=10)
    revise(activity, roles["admin"], new_end=datetime.date(2010, 6, 30), reason="Atraso CORFO.")
    record(activity, roles["staff_both"], status="in_progress", progress=20)

    with pytest.raises(services.StaleVersion) as excinfo:
        revise(
            activity,
            roles["staff_a"],
            expected_version=read_version,
            new_end=datetime.date(2011, 1, 1),
            reason="x",
        )
    kinds = [(u.kind, u.author.username) for u in excinfo.value.updates]
    assert kinds == [("progress", "staff-both"), ("revision", "admin"), ("progress", "staff-a")]


def test_a_version_from_the_future_is_refused_too(activity, staff):
    with pytest.raises(services.StaleVersion):
        record(activity, staff, expected_version=activity.version + 5, status="done", progress=100)


# Revising a deadline -------------------------------------------------------------------------


def test_revision_keeps_the_planned_dates_and_records_every_revision(activity, staff):
    planned = (activity.planned_start, activity.planned_end)
    first = revise(activity, staff, new_end=datetime.date(2010, 6, 30), reason="Atraso en PROFO.")
    second = revise(activity, staff, new_end=datetime.date(2011, 3, 31), reason="Otra vez.")

    activity.refresh_from_db()
    assert (activity.planned_start, activity.planned_end) == planned
    assert activity.revised_end == datetime.date(2011, 3, 31)
    assert activity.revision_reason == "Otra vez."
    assert activity.version == 3
    assert (first.kind, first.old_revised_end, first.new_revised_end, first.note) == (
        "revision",
        None,
        datetime.date(2010, 6, 30),
        "Atraso en PROFO.",
    )
    assert (second.old_revised_end, second.new_revised_end) == (
        datetime.date(2010, 6, 30),
        datetime.date(2011, 3, 31),
    )
    # a revision does not touch status or progress
    assert (second.old_status, second.new_status, second.old_progress, second.new_progress) == (
        "pending",
        "pending",
        0,
        0,
    )
    assert ProgressUpdate.objects.filter(activity=activity, kind="revision").count() == 2


@pytest.mark.parametrize(
    ("new_end", "reason", "field"),
    [
        (datetime.date(2010, 6, 30), "   ", "reason"),
        (None, "Atraso", "new_end"),
        (datetime.date(2006, 1, 1), "Antes del inicio", "new_end"),
    ],
    ids=["no-reason", "no-date", "before-start"],
)
def test_revision_rules(activity, staff, new_end, reason, field):
    before = snapshot(activity)
    with pytest.raises(ValidationError) as excinfo:
        revise(activity, staff, new_end=new_end, reason=reason)
    assert field in errors_of(excinfo)
    assert snapshot(activity) == before


def test_revising_to_the_same_date_is_refused(activity, staff):
    revise(activity, staff, new_end=datetime.date(2010, 6, 30), reason="Atraso.")
    with pytest.raises(ValidationError) as excinfo:
        revise(activity, staff, new_end=datetime.date(2010, 6, 30), reason="Otra vez.")
    assert "new_end" in errors_of(excinfo)


def test_a_done_activity_is_reopened_before_its_deadline_is_revised(activity, staff):
    record(activity, staff, status="done", progress=100)
    with pytest.raises(ValidationError) as excinfo:
        revise(activity, staff, new_end=datetime.date(2010, 6, 30), reason="Atraso.")
    assert NON_FIELD_ERRORS in errors_of(excinfo)


# Goal measurements ---------------------------------------------------------------------------


@pytest.fixture
def goal(cluster_a):
    goal = Goal.objects.filter(strategy__cluster=cluster_a).first()
    goal.target_value = Decimal("20")
    goal.unit = "empresas certificadas"
    goal.save()
    return goal


def test_record_goal_measurement(goal, staff):
    measurement = services.record_goal_measurement(
        goal_id=goal.pk,
        acting_user=staff,
        value=Decimal("7.5"),
        measured_on=datetime.date(2008, 12, 31),
        source="  Registro CORFO  ",
    )
    measurement.refresh_from_db()
    assert measurement.goal == goal
    assert measurement.value == Decimal("7.50")
    assert measurement.source == "Registro CORFO"
    assert measurement.recorded_by == staff


@pytest.mark.parametrize(
    ("measured_on", "source", "field"),
    [
        (datetime.date.today() + datetime.timedelta(days=2), "Registro", "measured_on"),
        (datetime.date(2008, 1, 1), " ", "source"),
    ],
    ids=["future", "no-source"],
)
def test_goal_measurement_rules(goal, staff, measured_on, source, field):
    with pytest.raises(ValidationError) as excinfo:
        services.record_goal_measurement(
            goal_id=goal.pk, acting_user=staff, value=1, measured_on=measured_on, source=source
        )
    assert field in errors_of(excinfo)
    assert not GoalMeasurement.objects.exists()


def test_owners_do_not_record_measurements(goal, roles):
    with pytest.raises(PermissionDenied):
        services.record_goal_measurement(
            goal_id=goal.pk,
            acting_user=roles["owner_a"],
            value=1,
            measured_on=datetime.date(2008, 1, 1),
            source="x",
        )
    assert not GoalMeasurement.objects.exists()


# Append-only ---------------------------------------------------------------------------------


def test_services_never_change_an_earlier_update(activity, staff):
    first = record(activity, staff, status="in_progress", progress=30, note="uno")
    values = ProgressUpdate.objects.filter(pk=first.pk).values().get()
    record(activity, staff, status="in_progress", progress=60, note="dos")
    revise(activity, staff, new_end=datetime.date(2010, 1, 1), reason="tres")
    record(activity, staff, status="done", progress=100, note="cuatro")
    assert ProgressUpdate.objects.filter(pk=first.pk).values().get() == values
    assert ProgressUpdate.objects.filter(activity=activity).count() == 4


@pytest.mark.postgresql
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger exists on PostgreSQL only (migration 0002); "
    "run with DATABASE_URL=postgres://...",
)
def test_postgresql_refuses_update_and_delete_of_a_progress_update(activity, staff):
    update = record(activity, staff, status="in_progress", progress=30, note="original")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ProgressUpdate.objects.filter(pk=update.pk).update(note="reescrita")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ProgressUpdate.objects.filter(pk=update.pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE actions_progressupdate SET new_progress = 0 WHERE id = %s", [update.pk]
        )
    assert ProgressUpdate.objects.get(pk=update.pk).note == "original"


def test_status_values_match_the_model(activity):
    # The rules speak of these statuses; a renamed status would silently disable a rule.
    assert {s.value for s in services.CLOSED_STATUSES} == {Status.DONE, Status.CANCELLED}
