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
django-simple-history records each change with the acting user. One exception, for imports of
thousands of rows: record_progress_many runs the same per-entry checks as record_progress
(_checked_progress), validates every object as full_clean would but for the whole batch at once
(_validate_many), and writes with simple-history's bulk_update_with_history, which writes the
historical rows itself, and ProgressUpdate.objects.bulk_create (append-only, no history model).
Every function gives the CERs it wrote a new data version last, in its transaction
(clusters.versions), which is what the cached pages are keyed on.
"""

import datetime
import decimal
import operator
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Max, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from actions.models import Activity, Goal, GoalMeasurement, ProgressUpdate, Status
from actions.progress import evidence as evidence_checks
from clusters.permissions import can_record_progress
from clusters.versions import bump_data_version

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


class BatchRefused(Exception):
    """record_progress_many refused its batch: nothing was written.

    errors: {index of the entry in the batch: what record_progress would have raised for that
    entry alone}, in entry order; each is a ValidationError, a StaleVersion or a PermissionDenied.
    Every entry is checked, so the errors of the whole batch arrive at once.
    """

    def __init__(self, errors):
        self.errors = dict(sorted(errors.items()))
        summary = "; ".join(
            f"entry {index}: {type(error).__name__}: {error}"
            for index, error in list(self.errors.items())[:5]
        )
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"{len(self.errors)} entries refused, nothing written: {summary}{more}")


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


def _check_version(activity, expected_version, *, missed_updates=None):
    """StaleVersion unless `expected_version` is the activity's version.

    missed_updates(activity, count): the updates the refusal lists; by default read here, one
    query. record_progress_many passes its own, to read those of every stale entry at once.
    """
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
    updates = (missed_updates or _missed_updates)(activity, missed) if missed else []
    raise StaleVersion(activity=activity, expected_version=expected_version, updates=updates)


def _missed_updates(activity, count):
    return list(activity.updates.select_related("author").order_by("-id")[:count])


def _latest_effective_on(activity):
    return activity.updates.order_by("-effective_on").values_list("effective_on", flat=True).first()


def _clean_effective_on(effective_on, *, latest, today=None):
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
    return _clean_effective_on(effective_on, latest=lambda: _latest_effective_on(activity))


@dataclass(frozen=True)
class _CheckedProgress:
    """A progress submission that passed every rule, with its values cleaned."""

    status: str
    progress: int
    note: str
    effective_on: datetime.date
    evidence: object = None  # evidence_checks' result for the file, when there is one


def _checked_progress(
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
    missed_updates=None,
    today=None,
):
    """Every check record_progress makes of one submission against the locked activity, in
    its order; the first failure is raised (PermissionDenied, StaleVersion, ValidationError).

    Shared by record_progress and record_progress_many so the two cannot drift apart.
    latest_effective_on(): the date of the activity's latest update (see _clean_effective_on).
    """
    _check_permission(acting_user, activity.cluster_id)
    _check_version(activity, expected_version, missed_updates=missed_updates)

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
    effective_on = _clean_effective_on(effective_on, latest=latest_effective_on, today=today)
    return _CheckedProgress(
        status=status, progress=progress, note=note, effective_on=effective_on, evidence=checked
    )


def _apply_progress(activity, checked, acting_user):
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
    checked = _checked_progress(
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
    update = _apply_progress(activity, checked, acting_user)
    _save_tracked(activity, acting_user, _("avance registrado"))
    _write_update(update, evidence, checked.evidence)
    bump_data_version([activity.cluster_id])
    return update


# Entries of record_progress_many: every key but these two is required.
_ENTRY_DEFAULTS = {"note": "", "effective_on": None}
_ENTRY_KEYS = ("activity_id", "expected_version", "status", "progress", "note", "effective_on")
# Rows per statement of the batch's writes. bulk_update writes a CASE per column with one
# branch per row, which the database walks for every row it updates: statements of a few
# hundred rows keep that quadratic part small. Between 100 and 1,000 the 10,000-row import
# times the same (bench/import_bench.py): building the CASEs in Python is what costs. SQLite
# lowers it further to its bound-parameter limit.
_WRITE_BATCH = 250
_INSERT_BATCH = 1000
# The columns of an activity that record_progress changes.
_PROGRESS_FIELDS = ["status", "progress", "completed_on", "version"]


def _entry_values(entry):
    """An entry (a mapping, or an object with attributes) as a dict of _ENTRY_KEYS."""
    values = {}
    for key in _ENTRY_KEYS:
        if isinstance(entry, Mapping):
            present = key in entry
            value = entry.get(key)
        else:
            present = hasattr(entry, key)
            value = getattr(entry, key, None)
        if not present:
            if key not in _ENTRY_DEFAULTS:
                raise TypeError(f"record_progress_many: an entry has no {key!r}")
            value = _ENTRY_DEFAULTS[key]
        values[key] = value
    return values


def _id_chunks(ids):
    """ids in chunks a query may bind (SQLite's and PostgreSQL's limits on parameters)."""
    ids = list(ids)
    size = connection.features.max_query_params or 20_000
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _lock_activities(ids):
    """{pk: activity}, their rows locked until the transaction ends, in one query (per 20,000;
    SQLite, which has no row locks, reads them 999 at a time). Locked in primary-key order, so
    two batches sharing activities wait for each other instead of deadlocking."""
    locked = {}
    for chunk in _id_chunks(ids):
        locked.update(Activity.objects.select_for_update().order_by("pk").in_bulk(chunk))
    return locked


def _latest_effective_dates(activity_ids):
    """{activity id: the date of its latest update}, in one aggregate query."""
    latest = {}
    for chunk in _id_chunks(activity_ids):
        latest.update(
            ProgressUpdate.objects.filter(activity_id__in=chunk)
            .order_by()
            .values("activity_id")
            .annotate(latest=Max("effective_on"))
            .values_list("activity_id", "latest")
        )
    return latest


def _fill_missed_updates(stale):
    """Give each StaleVersion in `stale` the updates record_progress's refusal lists (see
    _check_version), read for all of them in one query: the latest STALE_UPDATES_SHOWN of each
    activity, newest first."""

    def missed(error):
        return max(0, min(error.current_version - error.expected_version, STALE_UPDATES_SHOWN))

    found = defaultdict(list)
    for chunk in _id_chunks({error.activity.pk for error in stale if missed(error)}):
        newest = (
            ProgressUpdate.objects.filter(activity_id__in=chunk)
            .annotate(
                newest=Window(RowNumber(), partition_by=F("activity_id"), order_by=F("id").desc())
            )
            .filter(newest__lte=STALE_UPDATES_SHOWN)
            .select_related("author")
            .order_by("activity_id", "-id")
        )
        for update in newest:
            found[update.activity_id].append(update)
    for error in stale:
        error.updates = found[error.activity.pk][: missed(error)]


@transaction.atomic
def record_progress_many(*, acting_user, entries):
    """Record many activities' progress at once, all or nothing: what record_progress does for
    each entry, with its rules, permissions, version checks and history, in a few queries.

    entries: a sequence of mappings or objects with activity_id, expected_version, status,
    progress and, optionally, note ("") and effective_on (today); no evidence files. One entry
    per activity: an activity named twice is refused (its second entry), since its second
    change would have to be checked against its first.

    Every entry is checked before anything is written; if any fails, BatchRefused carries every
    failure by entry index and nothing is written. Returns the ProgressUpdates written, in
    entry order.
    """
    entries = [_entry_values(entry) for entry in entries]
    if not entries:
        return []
    pk_field = Activity._meta.pk
    activity_ids = []
    for entry in entries:
        try:
            activity_ids.append(pk_field.to_python(entry["activity_id"]))
        except ValidationError:
            activity_ids.append(None)
    activities = _lock_activities({pk for pk in activity_ids if pk is not None})
    latest = _latest_effective_dates(activities)
    today = timezone.localdate()

    errors, stale, changes, first_entry = {}, [], [], {}
    for index, (entry, activity_id) in enumerate(zip(entries, activity_ids, strict=True)):
        activity = activities.get(activity_id)
        try:
            if activity is None:
                raise ValidationError(_("La actividad no existe."))
            if first_entry.setdefault(activity.pk, index) != index:
                # Not named by its code: the user may not be allowed to see it.
                raise ValidationError(
                    _(
                        "La actividad ya tiene un registro en este lote (entrada %(first)s): "
                        "envíe uno solo por actividad."
                    )
                    % {"first": first_entry[activity.pk]}
                )
            checked = _checked_progress(
                activity,
                acting_user=acting_user,
                expected_version=entry["expected_version"],
                status=entry["status"],
                progress=entry["progress"],
                note=entry["note"],
                evidence=None,
                effective_on=entry["effective_on"],
                latest_effective_on=lambda pk=activity.pk: latest.get(pk),
                # Read below for every stale entry at once.
                missed_updates=lambda _activity, _count: [],
                today=today,
            )
        except StaleVersion as error:
            stale.append(error)
            errors[index] = error
            continue
        except (ValidationError, PermissionDenied) as error:
            errors[index] = error
            continue
        changes.append((index, activity, _apply_progress(activity, checked, acting_user)))

    # What full_clean() checks before record_progress saves the activity, then the update.
    changed = [activity for _index, activity, _update in changes]
    updates = [update for _index, _activity, update in changes]
    activity_errors = _validate_many(changed)
    update_errors = _validate_many(updates, known_related={"activity": set(activities)})
    for position, (index, *_rest) in enumerate(changes):
        error = activity_errors.get(position) or update_errors.get(position)
        if error is not None:
            errors[index] = error
    if errors:
        _fill_missed_updates(stale)
        raise BatchRefused(errors)

    # simple-history writes one historical row per activity, as its post_save does for save().
    bulk_update_with_history(
        changed,
        Activity,
        fields=_PROGRESS_FIELDS,
        batch_size=_WRITE_BATCH,
        default_user=acting_user,
        default_change_reason=_("avance registrado")[:_CHANGE_REASON_MAX],
    )
    written = ProgressUpdate.objects.bulk_create(updates, batch_size=_INSERT_BATCH)
    bump_data_version({activity.cluster_id for activity in changed})
    return written


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
    bump_data_version([goal.strategy.cluster_id])
    return measurement


# Model validation of a batch ------------------------------------------------------------------
#
# record_progress calls full_clean() before each save: field by field (types, choices, lengths,
# blanks), then each foreign key's target (a query), each unique constraint (a query) and each
# check constraint (a query and a savepoint). For a batch, _validate_many checks the same rules
# of the models' fields and Meta, but reads foreign keys and unique constraints once for the
# whole batch and evaluates check constraints in Python, as SQL would. A rule it cannot evaluate
# that way (another lookup, an expression, a conditional unique constraint) is checked by Django
# itself, object by object: slower, never skipped. The database's constraints stay the last line
# of defence.


class _NotInPython(Exception):
    """A check constraint's condition uses what _sql_truth does not evaluate."""


class _FieldMissing(Exception):
    """The condition names a field excluded from the check (Django then skips the constraint)."""


_COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
# Types whose Python order is the database's (strings are ordered by a collation there).
_ORDERED_TYPES = (int, float, decimal.Decimal, datetime.date, datetime.datetime, datetime.time)
# Databases whose string equality is Python's (no case-insensitive collation by default).
_EXACT_STRINGS = ("sqlite", "postgresql")


def _sql_truth(condition, values):
    """The truth of a Q condition for one row of `values`, in SQL's three values: True, False or
    None (unknown: a comparison with NULL)."""
    if isinstance(condition, Q):
        results = [_sql_truth(child, values) for child in condition.children]
        if condition.connector == Q.AND:
            result = False if False in results else (None if None in results else True)
        elif condition.connector == Q.OR:
            result = True if True in results else (None if None in results else False)
        else:
            raise _NotInPython(condition.connector)
        if result is None:
            return None
        return not result if condition.negated else result
    if not isinstance(condition, tuple):
        raise _NotInPython(condition)
    lookup, right = condition
    name, _separator, kind = lookup.partition("__")
    kind = kind or "exact"
    if name not in values:
        raise _FieldMissing(name)
    left = values[name]
    if isinstance(right, F):
        if right.name not in values:
            raise _FieldMissing(right.name)
        right = values[right.name]
    elif hasattr(right, "resolve_expression"):
        raise _NotInPython(right)
    elif kind == "exact" and right is None:
        kind, right = "isnull", True  # as Django reads field=None
    if kind == "isnull":
        return (left is None) == bool(right)
    if kind == "in":
        choices = [choice for choice in right if choice is not None]  # Django drops None
        if any(_not_comparable(left, choice, exact=True) for choice in choices):
            raise _NotInPython(lookup)
        return None if left is None else left in choices
    compare = _COMPARISONS.get(kind)
    if compare is None:
        raise _NotInPython(lookup)
    if left is None or right is None:
        return None
    if _not_comparable(left, right, exact=kind == "exact"):
        raise _NotInPython(lookup)
    return compare(left, right)


def _not_comparable(left, right, *, exact):
    """Whether Python may compare the two values otherwise than the database does."""
    if left is None or right is None:
        return False
    if isinstance(left, str) or isinstance(right, str):
        return not (exact and isinstance(left, str) and isinstance(right, str)) or (
            connection.vendor not in _EXACT_STRINGS
        )
    return not (isinstance(left, _ORDERED_TYPES) and isinstance(right, _ORDERED_TYPES))


def _check_in_python(constraint, model, obj, exclude):
    """constraint.validate(model, obj, exclude) for a check constraint, without a query."""
    values = {
        field.name: getattr(obj, field.attname)
        for field in model._meta.local_concrete_fields
        if field.name not in exclude and not field.generated
    }
    if "pk" not in exclude:
        values["pk"] = obj.pk
    try:
        # A CHECK passes unless its condition is false: unknown (NULL) passes, as in SQL.
        passes = _sql_truth(Q(constraint.condition), values) is not False
    except _FieldMissing:
        return
    except _NotInPython:
        constraint.validate(model, obj, exclude=exclude)
        return
    if not passes:
        raise ValidationError(
            constraint.get_violation_error_message(), code=constraint.violation_error_code
        )


def _plain_unique(model, constraint):
    return (
        isinstance(constraint, models.UniqueConstraint)
        and constraint.fields
        and not constraint.expressions
        and constraint.condition is None
        and constraint.nulls_distinct is not False
        and not any(model._meta.get_field(name).generated for name in constraint.fields)
    )


def _unique_clashes(model, constraint, objs, excluded):
    """{position: ValidationError} for objects whose values of a plain unique constraint another
    row holds, as full_clean() before each save would find them if the batch were saved one
    object after another: one query (per chunk) for the whole batch."""
    fields = [model._meta.get_field(name) for name in constraint.fields]
    empty_is_null = connection.features.interprets_empty_strings_as_nulls
    keys = {}
    for position, obj in enumerate(objs):
        if any(field.name in excluded.get(position, ()) for field in fields):
            continue
        key = tuple(getattr(obj, field.attname) for field in fields)
        if None in key or (empty_is_null and "" in key):
            continue  # a key with a NULL cannot clash: NULL != NULL in SQL
        keys[position] = key
    stored_owners = defaultdict(set)
    first = fields[0].attname
    for chunk in _id_chunks({key[0] for key in keys.values()}):
        stored = model._default_manager.filter(**{f"{first}__in": chunk}).values_list(
            "pk", *(field.attname for field in fields)
        )
        for pk, *key in stored:
            stored_owners[tuple(key)].add(pk)
    clashes = {}
    saved_pks, saved_keys = set(), defaultdict(set)  # what the objects before hold by then
    for position, obj in enumerate(objs):
        # A stored object is not its own clash (Django excludes its pk from the lookup).
        own = obj.pk if not obj._state.adding and obj.pk is not None else ("new", position)
        key = keys.get(position)
        if key is not None:
            stored_others = stored_owners[key] - saved_pks - {own}
            if stored_others or saved_keys[key] - {own}:
                error = ValidationError(obj.unique_error_message(model, constraint.fields))
                name = constraint.fields[0] if len(constraint.fields) == 1 else NON_FIELD_ERRORS
                clashes[position] = ValidationError({name: [error]})
            saved_keys[key].add(own)
        if obj.pk is not None:
            saved_pks.add(obj.pk)  # its stored key is replaced by the key above
    return clashes


def _missing_targets(field, values, known):
    """The values of a foreign key whose target row does not exist (one query per chunk)."""
    wanted = {value for value in values if value not in known}
    remote = field.remote_field
    found = set()
    for chunk in _id_chunks(wanted):
        found.update(
            remote.model._base_manager.filter(**{f"{remote.field_name}__in": chunk})
            .complex_filter(field.get_limit_choices_to())
            .values_list(remote.field_name, flat=True)
        )
    return wanted - found


def _validate_many(objs, *, known_related=None):
    """full_clean() of each object of one model, for the whole list at once.

    Returns {position in objs: ValidationError}, each as full_clean() would raise it.
    known_related: {foreign key name: target values known to exist} (rows already locked).
    """
    if not objs:
        return {}
    model = type(objs[0])
    meta = model._meta
    known_related = known_related or {}
    foreign_keys = [
        field
        for field in meta.concrete_fields
        if field.many_to_one and not field.remote_field.parent_link and not field.generated
    ]
    errors = defaultdict(dict)  # position: {field name or NON_FIELD_ERRORS: [messages]}

    def add(position, error):
        errors[position] = error.update_error_dict(errors[position])

    # clean_fields() and clean(); a foreign key as ForeignKey.validate() but for its query.
    targets = defaultdict(list)  # field: [(position, value)]
    for position, obj in enumerate(objs):
        try:
            obj.clean_fields(exclude={field.name for field in foreign_keys})
        except ValidationError as error:
            add(position, error)
        for field in foreign_keys:
            raw = getattr(obj, field.attname)
            if field.blank and raw in field.empty_values:
                continue
            try:
                value = field.to_python(raw)
                models.Field.validate(field, value, obj)  # null, blank, choices; no query
                field.run_validators(value)
            except ValidationError as error:
                add(position, ValidationError({field.name: error.error_list}))
                continue
            setattr(obj, field.attname, value)
            if value is not None:
                targets[field].append((position, value))
        try:
            obj.clean()
        except ValidationError as error:
            add(position, error)
    for field, pairs in targets.items():
        missing = _missing_targets(
            field, {value for _position, value in pairs}, known_related.get(field.name, ())
        )
        for position, value in pairs:
            if value in missing:
                add(
                    position,
                    ValidationError(
                        {
                            field.name: ValidationError(
                                field.error_messages["invalid"],
                                code="invalid",
                                params={
                                    "model": field.remote_field.model._meta.verbose_name,
                                    "pk": value,
                                    "field": field.remote_field.field_name,
                                    "value": value,
                                },
                            )
                        }
                    ),
                )

    # validate_unique() and validate_constraints(), each only for the fields that passed so far
    # (as full_clean does).
    def excluded():
        return {
            position: {name for name in found if name != NON_FIELD_ERRORS}
            for position, found in errors.items()
        }

    # validate_unique() checks the primary key of an object being added with one, unique
    # fields, unique_together and unique_for_*: the models of the batch have none of these
    # (new updates have no pk yet; activities are stored), so Django checks them only if a
    # model changes, object by object.
    other_unique = (
        meta.unique_together
        or any(field.unique and not field.primary_key for field in meta.local_fields)
        or any(
            field.unique_for_date or field.unique_for_month or field.unique_for_year
            for field in meta.local_fields
        )
    )
    skipped = excluded()
    for position, obj in enumerate(objs):
        if other_unique or (obj._state.adding and obj.pk is not None):
            try:
                obj.validate_unique(exclude=skipped.get(position, set()))
            except ValidationError as error:
                add(position, error)
    skipped = excluded()
    for model_class, constraints in objs[0].get_constraints():
        for constraint in constraints:
            if _plain_unique(model_class, constraint):
                for position, error in _unique_clashes(
                    model_class, constraint, objs, skipped
                ).items():
                    add(position, error)
                continue
            for position, obj in enumerate(objs):
                exclude = skipped.get(position, set())
                try:
                    if isinstance(constraint, models.CheckConstraint):
                        _check_in_python(constraint, model_class, obj, exclude)
                    else:
                        constraint.validate(model_class, obj, exclude=exclude)
                except ValidationError as error:
                    add(position, error)
    return {position: ValidationError(found) for position, found in errors.items() if found}
