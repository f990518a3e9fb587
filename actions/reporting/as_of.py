"""The state of activities as it stood on a date, replayed from their progress history.

ProgressUpdate is append-only and every change of status, progress or revised end writes one,
so an activity's state on day D is the "new" side of its latest update effective on or before
D; before its first update it is the "old" side of that first update; with no update at all it
is the activity's current state. Computed in SQL (one query, whatever the history's length).
"""

from django.db.models import Case, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from actions.models import ProgressUpdate, Status

ORDER_LATEST = ("-effective_on", "-recorded_at", "-id")
ORDER_EARLIEST = ("effective_on", "recorded_at", "id")


def _latest_until(as_of, field):
    return Subquery(
        ProgressUpdate.objects.filter(activity=OuterRef("pk"), effective_on__lte=as_of)
        .order_by(*ORDER_LATEST)
        .values(field)[:1]
    )


def _first_after(as_of, field):
    return Subquery(
        ProgressUpdate.objects.filter(activity=OuterRef("pk"), effective_on__gt=as_of)
        .order_by(*ORDER_EARLIEST)
        .values(field)[:1]
    )


def with_state_as_of(activities, as_of=None):
    """Annotate state_status, state_progress, state_revised_end and state_completed_on.

    as_of None (or today or later) means now: the stored fields, with no replay.
    """
    if as_of is None or as_of >= timezone.localdate():
        return activities.annotate(
            state_status=F("status"),
            state_progress=F("progress"),
            state_revised_end=F("revised_end"),
            state_completed_on=F("completed_on"),
        )
    activities = activities.annotate(
        state_status=Coalesce(
            _latest_until(as_of, "new_status"), _first_after(as_of, "old_status"), F("status")
        ),
        state_progress=Coalesce(
            _latest_until(as_of, "new_progress"),
            _first_after(as_of, "old_progress"),
            F("progress"),
        ),
    )
    # A revised end may legitimately be empty, so choose the side by whether an update exists
    # there rather than by coalescing nulls.
    activities = activities.annotate(
        state_update_id=_latest_until(as_of, "id"),
        state_next_update_id=_first_after(as_of, "id"),
    )
    return activities.annotate(
        state_revised_end=Case(
            When(
                state_update_id__isnull=False,
                then=_field_of("state_update_id", "new_revised_end"),
            ),
            When(
                state_next_update_id__isnull=False,
                then=_field_of("state_next_update_id", "old_revised_end"),
            ),
            default=F("revised_end"),
        ),
        state_completed_on=Case(
            When(
                state_status=Status.DONE,
                then=Coalesce(
                    Subquery(
                        ProgressUpdate.objects.filter(
                            Q(activity=OuterRef("pk"), effective_on__lte=as_of)
                            & Q(new_status=Status.DONE)
                            & ~Q(old_status=Status.DONE)
                        )
                        .order_by(*ORDER_LATEST)
                        .values("effective_on")[:1]
                    ),
                    F("completed_on"),
                ),
            ),
            default=None,
        ),
    )


def _field_of(update_id_annotation, field):
    return Subquery(
        ProgressUpdate.objects.filter(pk=OuterRef(update_id_annotation)).values(field)[:1]
    )
