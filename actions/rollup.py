"""How progress rolls up from activities to strategies, objectives and a CER: the one place.

The rule
--------
* An activity counts with its progress (0-100 %) **as it stood on the as-of date** (replayed from
  its history by :func:`actions.selectors.as_of.with_state_as_of`; today unless asked). A done
  activity is 100 % by the model's constraint.
* A **cancelled** activity does not count at all: it is left out of the mean, not counted as 0 %
  (cancelling work is a decision, not a lack of progress).
* A **strategy**'s progress is the mean of the progress of its counted activities.
* An **objective**'s progress is the mean of its strategies' progress, each strategy weighing the
  same however many activities it has: a strategy is one commitment of the plan (with its own
  funding, responsible and period), and the report splits some into one activity and others
  into eight.
* A **CER**'s progress is the mean of its objectives' progress, each objective weighing the same.
* A strategy without a counted activity has no progress (``None``, "sin actividades"), and is left
  out of its objective's mean; likewise an objective without any strategy that has progress.

Overdue and due soon (DESIGN.md)
--------------------------------
* **Overdue**: not done or cancelled, and the effective end (revised end, else planned end) is
  before the as-of date. An activity with no effective end is open-ended ("en adelante"): ongoing,
  never overdue.
* **Due soon**: not done or cancelled, and the effective end falls between the as-of date and
  ``DUE_SOON_DAYS`` days later, both included.

Everything here is a query expression, computed by the database (nested correlated subqueries),
so a page asks for any of these figures in one SQL query whatever the size of the plan; never
loop over rows in Python to compute them.
"""

import datetime

from django.db.models import Avg, Count, FloatField, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from actions.models import Activity, Objective, Status, Strategy
from actions.selectors.as_of import with_state_as_of

DUE_SOON_DAYS = 90

#: Statuses that still need work: an activity in one of them can be overdue or due soon.
OPEN_STATUSES = (Status.PENDING, Status.IN_PROGRESS, Status.BLOCKED)


def as_of_day(as_of=None) -> datetime.date:
    """The date the figures are computed for: the given as-of date, else today."""
    return as_of or timezone.localdate()


def activities_as_of(activities, as_of=None):
    """Activities with their state on the as-of date and ``state_end``, the effective end."""
    return with_state_as_of(activities, as_of).annotate(
        state_end=Coalesce("state_revised_end", "planned_end")
    )


def overdue_q(as_of=None) -> Q:
    """For activities annotated by :func:`activities_as_of`: overdue on the as-of date."""
    return Q(state_status__in=OPEN_STATUSES, state_end__lt=as_of_day(as_of))


def due_soon_q(as_of=None) -> Q:
    """For activities annotated by :func:`activities_as_of`: due in the next DUE_SOON_DAYS."""
    day = as_of_day(as_of)
    return Q(
        state_status__in=OPEN_STATUSES,
        state_end__gte=day,
        state_end__lte=day + datetime.timedelta(days=DUE_SOON_DAYS),
    )


def counted_q() -> Q:
    """Activities that count in a roll-up: all but the cancelled ones."""
    return ~Q(state_status=Status.CANCELLED)


def _mean(queryset, group_field, value):
    return Subquery(
        queryset.order_by()
        .values(group_field)
        .annotate(mean=Avg(value, output_field=FloatField()))
        .values("mean")[:1],
        output_field=FloatField(),
    )


def strategy_progress(as_of=None, strategy="pk"):
    """Expression: the progress of the strategy whose id is the outer field ``strategy``."""
    counted = activities_as_of(Activity.objects.filter(strategy=OuterRef(strategy)), as_of).filter(
        counted_q()
    )
    return _mean(counted, "strategy", "state_progress")


def objective_progress(as_of=None, objective="pk"):
    """Expression: the progress of the objective whose id is the outer field ``objective``."""
    strategies = Strategy.objects.filter(objective=OuterRef(objective))
    return _mean(strategies, "objective", strategy_progress(as_of))


def cluster_progress(as_of=None, cluster="pk"):
    """Expression: the progress of the CER whose id is the outer field ``cluster``."""
    objectives = Objective.objects.filter(cluster=OuterRef(cluster))
    return _mean(objectives, "cluster", objective_progress(as_of))


def activity_count(q=None, as_of=None, **outer):
    """Expression: how many activities match ``q`` on the as-of date.

    ``outer`` names the grouping, e.g. ``cluster="pk"`` on a CER queryset or
    ``strategy="pk"`` on a strategy queryset.
    """
    ((group_field, outer_field),) = outer.items()
    activities = activities_as_of(
        Activity.objects.filter(**{group_field: OuterRef(outer_field)}), as_of
    )
    if q is not None:
        activities = activities.filter(q)
    return Coalesce(
        Subquery(
            activities.order_by().values(group_field).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def cluster_figure_annotations(as_of=None):
    """The headline figures of a CER, as annotations for a Cluster queryset.

    ``progress`` (None without counted activities), ``activity_total`` (cancelled included),
    one ``status_<value>`` per status, ``overdue`` and ``due_soon``.
    """
    figures = {
        "progress": cluster_progress(as_of),
        "activity_total": activity_count(as_of=as_of, cluster="pk"),
        "overdue": activity_count(overdue_q(as_of), as_of, cluster="pk"),
        "due_soon": activity_count(due_soon_q(as_of), as_of, cluster="pk"),
    }
    for status in Status:
        figures[f"status_{status.value}"] = activity_count(
            Q(state_status=status.value), as_of, cluster="pk"
        )
    return figures


def strategy_figure_annotations(as_of=None):
    """Progress and counts of each strategy, with its objective's progress beside it."""
    return {
        "progress": strategy_progress(as_of),
        "objective_progress": objective_progress(as_of, objective="objective_id"),
        "activity_total": activity_count(as_of=as_of, strategy="pk"),
        "activity_counted": activity_count(counted_q(), as_of, strategy="pk"),
        "activity_done": activity_count(Q(state_status=Status.DONE), as_of, strategy="pk"),
        "activity_overdue": activity_count(overdue_q(as_of), as_of, strategy="pk"),
    }
