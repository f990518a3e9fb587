"""Operations that change an activity's progress and a goal's measurements, as a person does them.

Each function is keyword-only and runs in one transaction. The activity functions:

- check the acting user's permission themselves (the views check too; an import will not);
- lock the activity row (SELECT ... FOR UPDATE), so two saves of the same activity at the same
  moment run one after the other;
- compare the version the caller read with the stored one and refuse a stale save with
  StaleVersion, which carries what changed meanwhile: nothing is ever overwritten;
- apply the rules a coordinator expects (progress_rule_errors), raised as ValidationError keyed by
  form field so a form shows each beside its field;
- bump the version, and write exactly one ProgressUpdate (append-only) in the same transaction.

Writes go through Model.save() after full_clean(), never QuerySet.update() or bulk_*, so
django-simple-history records each change with the acting user.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from actions import evidence as evidence_checks
from actions.models import Activity, Goal, GoalMeasurement, ProgressUpdate, Status
from clusters.permissions import can_record_progress

CLOSED_STATUSES = (Status.DONE, Status.CANCELLED)
# How many of the updates made since a stale read the refusal lists.
STALE_UPDATES_SHOWN = 20
# simple-history's change reason column is a CharField(max_length=100).
_CHANGE_REASON_MAX = 100


class StaleVersion(Exception):
    """A save against a version older than the stored one: refused, nothing written.

    activity: the activity as it is now; updates: the progress updates recorded since the
    expected version, newest first (with their authors), at most STALE_UPDATES_SHOWN.
    """

    def __init__(self, *, activity, expected_version, updates):
        self.activity = activity
        self.expected_version = expected_version
        self.current_version = activity.version
        self.updates = updates
        super().__init__(
            f"activity {activity.pk}: expected version {expected_version}, "
            f"current version {activity.version}"
        )


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


def _lock_activity(activity_id):
    """The activity, its row locked until the transaction ends (no-op on SQLite)."""
    try:
        return Activity.objects.select_for_update().get(pk=activity_id)
    except Activity.DoesNotExist:
        raise ValidationError(_("La actividad no existe.")) from None


def _check_permission(acting_user, cluster_id):
    if acting_user is None or not can_record_progress(acting_user, cluster_id):
        raise PermissionDenied(_("No puede registrar avances de este CER."))


def _check_version(activity, expected_version):
    try:
        expected_version = int(expected_version)
    except (TypeError, ValueError):
        raise ValidationError({"version": _("Falta la versión leída de la actividad.")}) from None
    if expected_version == activity.version:
        return
    # Each service save moves the version on by one and writes one update, so the updates since
    # the expected version are the latest (current - expected) ones (ids follow commit order
    # under the row lock). An admin edit of an activity's plan fields also moves the version on
    # without an update; the list may then reach one update further back, and the current state
    # shown beside it stays exact.
    missed = max(0, min(activity.version - expected_version, STALE_UPDATES_SHOWN))
    updates = (
        list(activity.updates.select_related("author").order_by("-id")[:missed]) if missed else []
    )
    raise StaleVersion(activity=activity, expected_version=expected_version, updates=updates)


def _effective_on(activity, effective_on):
    """The day the recorded change happened: today unless given; never in the future, and
    never before the activity's latest update (the as-of replay reads updates in date order)."""
    today = timezone.localdate()
    if effective_on is None:
        effective_on = today
    if not isinstance(effective_on, datetime.date) or isinstance(effective_on, datetime.datetime):
        raise ValidationError({"effective_on": _("La fecha del avance no es una fecha.")})
    if effective_on > today:
        raise ValidationError({"effective_on": _("La fecha del avance no puede ser futura.")})
    latest = (
        activity.updates.order_by("-effective_on").values_list("effective_on", flat=True).first()
    )
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


def _save_tracked(instance, acting_user, reason):
    # simple-history names the acting user and the reason on the historical row, also when
    # there is no request (imports, commands).
    instance._history_user = acting_user
    instance._change_reason = reason[:_CHANGE_REASON_MAX]
    instance.full_clean()
    instance.save()


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
    activity = _lock_activity(activity_id)
    _check_permission(acting_user, activity.cluster_id)
    _check_version(activity, expected_version)

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
    effective_on = _effective_on(activity, effective_on)

    update = ProgressUpdate(
        activity=activity,
        author=acting_user,
        kind=ProgressUpdate.Kind.PROGRESS,
        effective_on=effective_on,
        old_status=activity.status,
        new_status=status,
        old_progress=activity.progress,
        new_progress=progress,
        old_revised_end=activity.revised_end,
        new_revised_end=activity.revised_end,
        note=note,
    )
    if status == Status.DONE and activity.status != Status.DONE:
        activity.completed_on = effective_on
    elif status != Status.DONE:
        activity.completed_on = None
    activity.status = status
    activity.progress = progress
    activity.version += 1
    _save_tracked(activity, acting_user, _("avance registrado"))
    _write_update(update, evidence, checked)
    return update


@transaction.atomic
def revise_deadline(
    *, activity_id, acting_user, expected_version, new_end, reason, effective_on=None
):
    """Revise an activity's end date with a reason; the planned dates stay as they were.

    Returns the ProgressUpdate (kind "revision") written. Raises PermissionDenied, StaleVersion
    or ValidationError (keyed by new_end, reason, effective_on or NON_FIELD_ERRORS).
    """
    activity = _lock_activity(activity_id)
    _check_permission(acting_user, activity.cluster_id)
    _check_version(activity, expected_version)

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
    _save_tracked(activity, acting_user, _("plazo revisado: %s") % reason)
    _write_update(update, None, None)
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


@transaction.atomic
def record_goal_measurement(*, goal_id, acting_user, value, measured_on, source):
    """Record a measured value of a goal's indicator, with its date and source.

    Returns the GoalMeasurement. Raises PermissionDenied or ValidationError (keyed by value,
    measured_on or source).
    """
    try:
        goal = Goal.objects.select_related("strategy").get(pk=goal_id)
    except Goal.DoesNotExist:
        raise ValidationError(_("La meta no existe.")) from None
    _check_permission(acting_user, goal.strategy.cluster_id)

    # A goal without a stated target may still be measured: the trend is worth following.
    errors = {}
    if isinstance(measured_on, datetime.date) and measured_on > timezone.localdate():
        errors["measured_on"] = [_("La fecha de medición no puede ser futura.")]
    if not (source or "").strip():
        errors["source"] = [_("Indique la fuente del dato.")]
    if errors:
        raise ValidationError(errors)

    measurement = GoalMeasurement(
        goal=goal,
        value=value,
        measured_on=measured_on,
        source=source.strip(),
        recorded_by=acting_user,
    )
    measurement.full_clean()
    measurement.save()
    return measurement
