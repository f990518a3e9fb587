"""An activity's optimistic lock: the one check of the version a change was read at.

Activity.version moves on by one with every change of the activity (progress recorded, a
deadline revised, a plan field edited in the admin or by an import). Whoever changes it says
which version they read; another stored version means someone changed it in between, and the
change is refused with StaleVersion: nothing is ever overwritten. The portal's progress forms,
the batch of a progress import, the plan import and the admin's activity form all ask
check_version, under the row lock of lock_activity / lock_activities.
"""

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from actions.models import Activity

# How many of the updates made since a stale read the refusal lists.
STALE_UPDATES_SHOWN = 20


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


def missed_count(activity, expected_version):
    """How many updates a refusal of `expected_version` lists.

    Each service save moves the version on by one and writes one update, so the updates since
    the expected version are the latest (current - expected) ones (ids follow commit order under
    the row lock). An admin or import edit of an activity's plan fields also moves the version
    on without an update; the list may then reach one update further back, and the current
    state shown beside it stays exact.
    """
    return max(0, min(activity.version - expected_version, STALE_UPDATES_SHOWN))


def latest_updates(activity, count):
    """The activity's latest `count` updates, newest first, with their authors: one query."""
    return list(activity.updates.select_related("author").order_by("-id")[:count])


def check_version(activity, expected_version, *, missed_updates=latest_updates):
    """StaleVersion unless `expected_version` is the activity's version; ValidationError
    (keyed by "version") when the caller sent none that reads as a number.

    missed_updates(activity, count): the updates the refusal lists; a batch passes its own, to
    read those of every stale entry at once.
    """
    try:
        expected_version = int(expected_version)
    except (TypeError, ValueError):
        raise ValidationError({"version": _("Falta la versión leída de la actividad.")}) from None
    if expected_version == activity.version:
        return
    missed = missed_count(activity, expected_version)
    updates = missed_updates(activity, missed) if missed else []
    raise StaleVersion(activity=activity, expected_version=expected_version, updates=updates)


def lock_activity(activity_id):
    """The activity, its row locked until the transaction ends (no-op on SQLite)."""
    try:
        return Activity.objects.select_for_update().get(pk=activity_id)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise ValidationError(_("La actividad no existe.")) from None


def id_chunks(ids):
    """ids in chunks a query may bind (SQLite's and PostgreSQL's limits on parameters)."""
    ids = list(ids)
    size = connection.features.max_query_params or 20_000
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def lock_activities(ids):
    """{pk: activity}, their rows locked until the transaction ends, in one query (per 20,000;
    SQLite, which has no row locks, reads them 999 at a time). Locked in primary-key order, so
    two batches sharing activities wait for each other instead of deadlocking."""
    locked = {}
    for chunk in id_chunks(ids):
        locked.update(Activity.objects.select_for_update().order_by("pk").in_bulk(chunk))
    return locked
