"""Operations that change an activity's progress and a goal's measurements, as a person does them.

Each function is keyword-only and runs in one transaction. The activity functions:

- check the acting user's permission themselves (the views check too; an import will not);
- lock the activity row (SELECT ... FOR UPDATE), so two saves of the same activity at the same
  moment run one after the other;
- compare the version the caller read with the stored one (actions.versions.check_version) and
  refuse a stale save with StaleVersion, which carries what changed meanwhile: nothing is ever
  overwritten;
- apply the rules a coordinator expects (progress_rule_errors), raised as ValidationError keyed by
  form field so a form shows each beside its field;
- bump the version, and write exactly one ProgressUpdate (append-only) in the same transaction.

Writes go through actions.tracking.save_tracked (full_clean(), then Model.save()), never
QuerySet.update() or bulk_*, so django-simple-history records each change with the acting user.
Each function gives the CER it wrote a new data version last, in its transaction
(clusters.versions): what the cached pages are keyed on.
Many activities at once, for an import: actions.progress.batch.record_progress_many, which runs
the same per-entry checks (checked_progress, apply_progress).
"""

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import Goal, GoalMeasurement, ProgressUpdate, Status
from actions.progress import evidence as evidence_checks
from actions.tracking import delete_tracked, save_tracked
from actions.versions import (
    STALE_UPDATES_SHOWN,
    StaleVersion,
    check_version,
    latest_updates,
    lock_activity,
)
from clusters.permissions import can_record_progress
from clusters.versions import bump_data_version

CLOSED_STATUSES = (Status.DONE, Status.CANCELLED)

__all__ = ["STALE_UPDATES_SHOWN", "StaleVersion"]  # re-exported: the views catch it from here


@dataclass(frozen=True)
class ProgressChange:
    """What a progress submission would change, for the rules and the no-op check."""

    old_status: str
    new_status: str
    old_progress: int
    new_progress: int
    note: str
    has_evidence: bool


def progress_rule_errors(change):
    """The coordinator's rules for a progress submission: {field: [messages]}, empty when fine.

    Shared by the form (to pre-check) and record_progress (the authority).
    """
    errors = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if change.new_status == Status.DONE and change.new_progress != 100:
        add("progress", _("Una actividad completada tiene 100 %% de avance.") % {})
    if change.new_progress == 100 and change.new_status != Status.DONE:
        add(
            "status",
            _(
                "Con 100 %% de avance la actividad está completada: elija «%(done)s» "
                "o indique un avance menor."
            )
            % {"done": Status.DONE.label},
        )
    if change.new_progress < change.old_progress and not change.note:
        add(
            "note",
            _("El avance baja de %(old)s %% a %(new)s %%: explique por qué en la nota.")
            % {"old": change.old_progress, "new": change.new_progress},
        )
    reopened = change.old_status in CLOSED_STATUSES and change.new_status != change.old_status
    if reopened and not change.note:
        add(
            "note",
            _("Para reabrir o cambiar una actividad %(status)s, explique por qué en la nota.")
            % {"status": Status(change.old_status).label},
        )
    unchanged = (
        change.new_status == change.old_status and change.new_progress == change.old_progress
    )
    if unchanged and not change.note and not change.has_evidence:
        add(
            NON_FIELD_ERRORS,
            _(
                "No hay nada que registrar: cambie el estado o el avance, o agregue una nota "
                "o un archivo de evidencia."
            ),
        )
    return errors


def _clean_status(status):
    if status not in Status.values:
        raise ValidationError({"status": _("Estado desconocido: «%s».") % status})
    return status


def _clean_progress(progress):
    value = None
    if isinstance(progress, int) and not isinstance(progress, bool):
        value = progress
    elif isinstance(progress, float) and progress.is_integer():
        value = int(progress)
    elif isinstance(progress, str) and progress.strip().isdigit():
        value = int(progress.strip())
    if value is None or not 0 <= value <= 100:
        raise ValidationError({"progress": _("El avance es un número entero de 0 a 100.")})
    return value


def _check_permission(acting_user, cluster_id):
    if acting_user is None or not can_record_progress(acting_user, cluster_id):
        raise PermissionDenied(_("No puede registrar avances de este CER."))


def _latest_effective_on(activity):
    return activity.updates.order_by("-effective_on").values_list("effective_on", flat=True).first()


def clean_effective_on(effective_on, *, latest, today=None):
    """The day the recorded change happened: today unless given; never in the future, and
    never before the activity's latest update (the as-of replay reads updates in date order).

    latest(): the date of the activity's latest update, or None; asked only when needed.
    """
    today = today or timezone.localdate()
    if effective_on is None:
        effective_on = today
    if not isinstance(effective_on, datetime.date) or isinstance(effective_on, datetime.datetime):
        raise ValidationError({"effective_on": _("La fecha del avance no es una fecha.")})
    if effective_on > today:
        raise ValidationError({"effective_on": _("La fecha del avance no puede ser futura.")})
    latest = latest()
    if latest is not None and effective_on < latest:
        raise ValidationError(
            {
                "effective_on": _(
                    "La fecha del avance no puede ser anterior al último registro (%(date)s)."
                )
                % {"date": latest.strftime("%d-%m-%Y")}
            }
        )
    return effective_on


def _effective_on(activity, effective_on):
    return clean_effective_on(effective_on, latest=lambda: _latest_effective_on(activity))


@dataclass(frozen=True)
class CheckedProgress:
    """A progress submission that passed every rule, with its values cleaned."""

    status: str
    progress: int
    note: str
    effective_on: datetime.date
    evidence: object = None  # evidence_checks' result for the file, when there is one


def checked_progress(
    activity,
    *,
    acting_user,
    expected_version,
    status,
    progress,
    note,
    evidence,
    effective_on,
    latest_effective_on,
    missed_updates=latest_updates,
    today=None,
):
    """Every check record_progress makes of one submission against the locked activity, in
    its order; the first failure is raised (PermissionDenied, StaleVersion, ValidationError).

    Shared by record_progress and record_progress_many so the two cannot drift apart.
    latest_effective_on(): the date of the activity's latest update (see clean_effective_on).
    """
    _check_permission(acting_user, activity.cluster_id)
    check_version(activity, expected_version, missed_updates=missed_updates)

    status = _clean_status(status)
    progress = _clean_progress(progress)
    note = (note or "").strip()
    checked = None
    if evidence:
        try:
            checked = evidence_checks.check_evidence(evidence)
        except ValidationError as error:
            raise ValidationError({"evidence": error.messages}) from None
    errors = progress_rule_errors(
        ProgressChange(
            old_status=activity.status,
            new_status=status,
            old_progress=activity.progress,
            new_progress=progress,
            note=note,
            has_evidence=checked is not None,
        )
    )
    if errors:
        raise ValidationError(errors)
    effective_on = clean_effective_on(effective_on, latest=latest_effective_on, today=today)
    return CheckedProgress(
        status=status, progress=progress, note=note, effective_on=effective_on, evidence=checked
    )


def apply_progress(activity, checked, acting_user):
    """Move the activity (in memory) to the checked state; return its ProgressUpdate, unsaved."""
    update = ProgressUpdate(
        activity=activity,
        author=acting_user,
        kind=ProgressUpdate.Kind.PROGRESS,
        effective_on=checked.effective_on,
        old_status=activity.status,
        new_status=checked.status,
        old_progress=activity.progress,
        new_progress=checked.progress,
        old_revised_end=activity.revised_end,
        new_revised_end=activity.revised_end,
        note=checked.note,
    )
    if checked.status == Status.DONE and activity.status != Status.DONE:
        activity.completed_on = checked.effective_on
    elif checked.status != Status.DONE:
        activity.completed_on = None
    activity.status = checked.status
    activity.progress = checked.progress
    activity.version += 1
    return update


def _store_evidence(update, uploaded, checked):
    """Attach the file under a random name (the original is kept in evidence_name)."""
    update.evidence_name = checked.original_name
    update.evidence.save(f"{uuid.uuid4().hex}.{checked.extension}", uploaded, save=False)


@transaction.atomic
def record_progress(
    *,
    activity_id,
    acting_user,
    expected_version,
    status,
    progress,
    note="",
    evidence=None,
    effective_on=None,
):
    """Record an activity's status and progress (with a note and an evidence file, optional).

    Returns the ProgressUpdate written. Raises PermissionDenied, StaleVersion or ValidationError
    (keyed by status, progress, note, evidence, effective_on or NON_FIELD_ERRORS).
    """
    activity = lock_activity(activity_id)
    checked = checked_progress(
        activity,
        acting_user=acting_user,
        expected_version=expected_version,
        status=status,
        progress=progress,
        note=note,
        evidence=evidence,
        effective_on=effective_on,
        latest_effective_on=lambda: _latest_effective_on(activity),
    )
    update = apply_progress(activity, checked, acting_user)
    save_tracked(activity, acting_user, _("avance registrado"))
    _write_update(update, evidence, checked.evidence)
    bump_data_version([activity.cluster_id])
    return update


@transaction.atomic
def revise_deadline(
    *, activity_id, acting_user, expected_version, new_end, reason, effective_on=None
):
    """Revise an activity's end date with a reason; the planned dates stay as they were.

    Returns the ProgressUpdate (kind "revision") written. Raises PermissionDenied, StaleVersion
    or ValidationError (keyed by new_end, reason, effective_on or NON_FIELD_ERRORS).
    """
    activity = lock_activity(activity_id)
    _check_permission(acting_user, activity.cluster_id)
    check_version(activity, expected_version)

    reason = (reason or "").strip()
    errors = {}
    if not isinstance(new_end, datetime.date) or isinstance(new_end, datetime.datetime):
        errors["new_end"] = [_("Indique la nueva fecha de término.")]
    elif activity.planned_start and new_end < activity.planned_start:
        errors["new_end"] = [
            _("El nuevo término no puede ser anterior al inicio planificado (%(date)s).")
            % {"date": activity.planned_start.strftime("%d-%m-%Y")}
        ]
    elif new_end == activity.revised_end:
        errors["new_end"] = [_("Esa ya es la fecha de término revisada.")]
    if not reason:
        errors["reason"] = [_("Explique el motivo de la revisión.")]
    if activity.status in CLOSED_STATUSES:
        errors[NON_FIELD_ERRORS] = [
            _("La actividad está %(status)s: reábrala antes de revisar su plazo.")
            % {"status": activity.get_status_display()}
        ]
    if errors:
        raise ValidationError(errors)
    effective_on = _effective_on(activity, effective_on)

    update = ProgressUpdate(
        activity=activity,
        author=acting_user,
        kind=ProgressUpdate.Kind.REVISION,
        effective_on=effective_on,
        old_status=activity.status,
        new_status=activity.status,
        old_progress=activity.progress,
        new_progress=activity.progress,
        old_revised_end=activity.revised_end,
        new_revised_end=new_end,
        note=reason,
    )
    activity.revised_end = new_end
    activity.revision_reason = reason
    activity.version += 1
    save_tracked(activity, acting_user, _("plazo revisado: %s") % reason)
    _write_update(update, None, None)
    bump_data_version([activity.cluster_id])
    return update


def _write_update(update, uploaded, checked):
    stored = None
    try:
        if checked is not None:
            _store_evidence(update, uploaded, checked)
            stored = update.evidence.name
        update.full_clean()
        update.save()
    except BaseException:
        # The transaction rolls back; do not leave the file behind it.
        if stored:
            update.evidence.storage.delete(stored)
        raise


def measurement_rule_errors(*, measured_on, source):
    """The rules of a goal measurement: {field: [messages]}, empty when fine.

    Shared by the admin's forms (to pre-check, beside each field) and the services below (the
    authority). A goal without a stated target may still be measured: the trend is worth
    following.
    """
    errors = {}
    if isinstance(measured_on, datetime.date) and measured_on > timezone.localdate():
        errors["measured_on"] = [_("La fecha de medición no puede ser futura.")]
    if not (source or "").strip():
        errors["source"] = [_("Indique la fuente del dato.")]
    return errors


def _measured_goal(goal_id, acting_user):
    try:
        goal = Goal.objects.select_related("strategy").get(pk=goal_id)
    except (Goal.DoesNotExist, ValueError, TypeError):
        raise ValidationError(_("La meta no existe.")) from None
    _check_permission(acting_user, goal.strategy.cluster_id)
    return goal


def _save_measurement(measurement, acting_user, *, value, measured_on, source):
    errors = measurement_rule_errors(measured_on=measured_on, source=source)
    if errors:
        raise ValidationError(errors)
    measurement.value = value
    measurement.measured_on = measured_on
    measurement.source = source.strip()
    saved = save_tracked(measurement, acting_user, _("medición registrada"))
    bump_data_version([measurement.goal.strategy.cluster_id])
    return saved


@transaction.atomic
def record_goal_measurement(*, goal_id, acting_user, value, measured_on, source):
    """Record a measured value of a goal's indicator, with its date and source.

    Returns the GoalMeasurement. Raises PermissionDenied or ValidationError (keyed by value,
    measured_on or source).
    """
    goal = _measured_goal(goal_id, acting_user)
    measurement = GoalMeasurement(goal=goal, recorded_by=acting_user)
    return _save_measurement(
        measurement, acting_user, value=value, measured_on=measured_on, source=source
    )


@transaction.atomic
def correct_goal_measurement(*, measurement_id, acting_user, goal_id, value, measured_on, source):
    """Correct a recorded measurement (its goal, value, date or source), under the same rules
    as record_goal_measurement; who recorded it first stays. Returns the GoalMeasurement."""
    try:
        measurement = GoalMeasurement.objects.select_for_update().get(pk=measurement_id)
    except GoalMeasurement.DoesNotExist:
        raise ValidationError(_("La medición no existe.")) from None
    _measured_goal(measurement.goal_id, acting_user)
    measurement.goal = _measured_goal(goal_id, acting_user)
    return _save_measurement(
        measurement, acting_user, value=value, measured_on=measured_on, source=source
    )


@transaction.atomic
def delete_goal_measurement(*, measurement_id, acting_user):
    """Delete a recorded measurement (a wrong value, a duplicate)."""
    measurement = GoalMeasurement.objects.filter(pk=measurement_id).first()
    if measurement is None:
        return
    goal = _measured_goal(measurement.goal_id, acting_user)
    delete_tracked(measurement, acting_user, _("medición borrada"))
    bump_data_version([goal.strategy.cluster_id])
