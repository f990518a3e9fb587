"""Many activities' progress at once, for the progress import: all or nothing, in a few queries.

record_progress_many runs, for each entry, the checks record_progress runs (checked_progress:
permission, version, the coordinator's rules, the date), then Django's own full_clean() of each
changed activity and new update, without the checks that need a query per row; those are the
database's constraints, in the same transaction: a refusal there rolls the batch back and is
reported at its entries. It writes the activities with one UPDATE ... FROM (VALUES ...) per few
hundred rows (see _update_activities), their historical rows with simple-history's own
bulk_history_create (the rows its post_save writes for save()), and the updates with
ProgressUpdate.objects.bulk_create (append-only, no history model). It gives the affected CERs
a new data version last (clusters.versions).
"""

from collections import defaultdict
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import Activity, ProgressUpdate
from actions.progress.services import apply_progress, checked_progress
from actions.tracking import CHANGE_REASON_MAX
from actions.versions import (
    STALE_UPDATES_SHOWN,
    StaleVersion,
    id_chunks,
    lock_activities,
    missed_count,
)
from clusters.versions import bump_data_version


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


# The foreign keys full_clean() would check with a query per row: see _field_errors.
_ACTIVITY_KEYS = {"cluster", "strategy"}
_UPDATE_KEYS = {"activity", "author"}


# Entries of record_progress_many: every key but these two is required.
_ENTRY_DEFAULTS = {"note": "", "effective_on": None}
_ENTRY_KEYS = ("activity_id", "expected_version", "status", "progress", "note", "effective_on")
# Rows per UPDATE of the activities: one VALUES row of len(_PROGRESS_FIELDS) + 1 parameters
# each; SQLite lowers it to its bound-parameter limit (see _update_activities).
_WRITE_BATCH = 1000
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


def _latest_effective_dates(activity_ids):
    """{activity id: the date of its latest update}, in one aggregate query."""
    latest = {}
    for chunk in id_chunks(activity_ids):
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
    actions.versions.check_version), read for all of them in one query: the latest
    STALE_UPDATES_SHOWN of each activity, newest first."""

    def missed(error):
        return missed_count(error.activity, error.expected_version)

    found = defaultdict(list)
    for chunk in id_chunks({error.activity.pk for error in stale if missed(error)}):
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
    activities = lock_activities({pk for pk in activity_ids if pk is not None})
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
            checked = checked_progress(
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
        changes.append((index, activity, apply_progress(activity, checked, acting_user)))

    changed = [activity for _index, activity, _update in changes]
    updates = [update for _index, _activity, update in changes]
    for position, error in _field_errors(changed, updates).items():
        errors[changes[position][0]] = error
    if errors:
        _fill_missed_updates(stale)
        raise BatchRefused(errors)
    try:
        # A savepoint: a constraint the database refuses leaves this transaction usable, to
        # find the entries it refused and report them.
        with transaction.atomic():
            written = _write(changed, updates, acting_user)
    except IntegrityError as error:
        refused = _refused_by_constraints(changed, updates)
        if not refused:
            raise
        raise BatchRefused(
            {changes[position][0]: found for position, found in refused.items()}
        ) from error
    return written


def _field_errors(activities, updates):
    """{position: ValidationError} of what Django's own full_clean() refuses in each changed
    activity and its new update, without a query: fields (types, choices, lengths, blanks) and
    clean(). Left to the database, in the same transaction: the foreign keys (the activities are
    the rows locked above, the author is the acting user), and the unique and check constraints
    (the batch changes no field of a unique constraint; the check constraints are refused by
    the database, then named by _refused_by_constraints)."""
    errors = {}
    for position, (activity, update) in enumerate(zip(activities, updates, strict=True)):
        for obj, foreign_keys in ((activity, _ACTIVITY_KEYS), (update, _UPDATE_KEYS)):
            try:
                obj.full_clean(
                    exclude=foreign_keys, validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                errors[position] = error
                break
    return errors


def _refused_by_constraints(activities, updates):
    """After the database refused the batch: {position: ValidationError} of the entries whose
    activity or update Django's full_clean() refuses, queries and all (the failure path only)."""
    errors = {}
    for position, (activity, update) in enumerate(zip(activities, updates, strict=True)):
        for obj in (activity, update):
            try:
                obj.full_clean()
            except ValidationError as error:
                errors[position] = error
                break
    return errors


def _update_activities(activities):
    """Write _PROGRESS_FIELDS of `activities` in one UPDATE ... FROM (VALUES ...) per chunk.

    Not QuerySet.bulk_update: it builds a CASE WHEN per column with a branch per row, which
    cost most of the 10,000-row import's writing (bench/import_bench.py). SQLite (3.33 and
    later) and PostgreSQL both accept this statement and name the VALUES columns column1,
    column2, ...; PostgreSQL gets each value cast to its column's type, since a chunk whose
    completed_on are all NULL would otherwise be text. Values pass through each field's
    get_db_prep_save, as bulk_update's do.
    """
    meta = Activity._meta
    fields = [meta.get_field(name) for name in _PROGRESS_FIELDS]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    pk_column = quote(meta.pk.column)
    casts = [meta.pk, *fields]
    if connection.vendor == "postgresql":
        placeholders = [f"CAST(%s AS {field.db_type(connection)})" for field in casts]
    else:
        placeholders = ["%s"] * len(casts)
    row_sql = "(" + ", ".join(placeholders) + ")"
    assignments = ", ".join(
        f"{quote(field.column)} = v.column{position}"
        for position, field in enumerate(fields, start=2)
    )
    per_row = len(casts)
    limit = connection.features.max_query_params
    where = f"{table}.{pk_column} = v.column1"
    batch = min(_WRITE_BATCH, limit // per_row) if limit else _WRITE_BATCH
    with connection.cursor() as cursor:
        for start in range(0, len(activities), batch):
            chunk = activities[start : start + batch]
            params = []
            for activity in chunk:
                params.append(activity.pk)
                params.extend(
                    field.get_db_prep_save(getattr(activity, field.attname), connection)
                    for field in fields
                )
            values = ", ".join([row_sql] * len(chunk))
            # Only quoted names from Activity._meta go into the text; every value is bound.
            sql = f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v WHERE {where}"  # noqa: S608
            cursor.execute(sql, params)


def _write(activities, updates, acting_user):
    _update_activities(activities)
    # simple-history's own rows, as its post_save writes them for save().
    Activity.history.bulk_history_create(
        activities,
        batch_size=_INSERT_BATCH,
        update=True,
        default_user=acting_user,
        default_change_reason=_("avance registrado")[:CHANGE_REASON_MAX],
    )
    written = ProgressUpdate.objects.bulk_create(updates, batch_size=_INSERT_BATCH)
    bump_data_version({activity.cluster_id for activity in activities})
    return written
