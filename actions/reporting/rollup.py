"""How progress rolls up from activities to strategies, objectives and a CER: the one place.

The rule
--------
* An activity counts with its progress (0-100 %) **as it stood on the as-of date** (replayed from
  its history by :func:`actions.reporting.as_of.with_state_as_of`; today unless asked). A done
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

Everything here is computed by the database from the same query expressions and conditions
(``counted_q``, ``overdue_q``, ``due_soon_q``, the means below), never by looping over activities
in Python:

* query expressions (:func:`cluster_figure_annotations` and the functions it uses: nested
  correlated subqueries) for annotating many CERs at once (the home page);
* :func:`cluster_rollup`, for one CER's pages: one query that groups the CER's activities, in
  their state on the date, by strategy; the objectives' and the CER's means of means are then
  taken over those few strategy rows. tests/test_cache.py checks the two forms agree.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import (
    Avg,
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from actions.models import Activity, Objective, Status, Strategy
from actions.reporting.as_of import with_state_as_of

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


# One CER, every level at once -----------------------------------------------------------------

#: The names a strategy's figures go by on the page (the CER's go by their count names).
_STRATEGY_NAMES = {
    "activity_total": "activity_total",
    "activity_counted": "activity_counted",
    "status_done": "activity_done",
    "overdue": "activity_overdue",
}


def _count_conditions(as_of):
    """The counts of every level: name → condition on an activity in its state (None: all)."""
    return {
        "activity_total": None,
        "activity_counted": counted_q(),
        "overdue": overdue_q(as_of),
        "due_soon": due_soon_q(as_of),
        **{f"status_{status.value}": Q(state_status=status.value) for status in Status},
    }


def _mean_of(values):
    """The mean of the values that are not None (as SQL's AVG); None when there are none."""
    present = [value for value in values if value is not None]
    return sum(present) / len(present) if present else None


@dataclass
class Rollup:
    """The roll-up of one CER on one date (see the rule above).

    ``cluster``: ``progress`` (None when no activity counts), ``activity_total``,
    ``activity_counted``, ``overdue``, ``due_soon`` and ``status_<value>`` for each status.
    ``objectives``: objective id → progress (None without a strategy that has progress).
    ``strategies``: strategy id → ``progress``, ``activity_total``, ``activity_counted``,
    ``activity_done`` and ``activity_overdue``; a strategy without activities is absent (see
    :meth:`strategy`).
    """

    cluster: dict
    objectives: dict = field(default_factory=dict)
    strategies: dict = field(default_factory=dict)

    def strategy(self, strategy_id) -> dict:
        """A strategy's figures; one without activities has no progress and counts nothing."""
        empty = dict.fromkeys(_STRATEGY_NAMES.values(), 0) | {"progress": None}
        return self.strategies.get(strategy_id, empty)

    def objective(self, objective_id):
        return self.objectives.get(objective_id)


class ActivityStates:
    """The CER's activities, one row each, in their state on the as-of date: the SQL of a table
    expression, for statements that read it as ``WITH state AS (...)`` (the dashboard's list of
    what needs attention, actions.reporting.plans.attention_activities).

    Built by the ORM from the rules above (with_state_as_of, counted_q, overdue_q, due_soon_q)
    and compiled once, however many statements read it: building and compiling the replay of a
    past date is most of what such a page costs. Each row has the activity's own columns, its
    ``strategy_number`` and ``objective_ref``, ``state_status``, ``state_progress`` (and
    ``state_value``, the same as a float), ``state_revised_end``, ``state_end``, the flags
    ``counted_flag``, ``overdue_flag`` and ``due_soon_flag``, and the ``extra`` annotations.
    """

    def __init__(self, cluster_id, as_of=None, **extra):
        self.cluster_id = cluster_id
        self.as_of = as_of
        self.extra = extra

    @cached_property
    def sql_with_params(self):
        as_of = self.as_of
        state = (
            activities_as_of(Activity.objects.filter(cluster=self.cluster_id), as_of)
            .order_by()
            .values(
                *(field.attname for field in Activity._meta.concrete_fields),
                "state_status",
                "state_progress",
                "state_revised_end",
                "state_end",
                strategy_number=F("strategy__number"),
                objective_ref=F("strategy__objective_id"),
                state_value=Cast("state_progress", FloatField()),
                counted_flag=ExpressionWrapper(counted_q(), output_field=BooleanField()),
                overdue_flag=ExpressionWrapper(overdue_q(as_of), output_field=BooleanField()),
                due_soon_flag=ExpressionWrapper(due_soon_q(as_of), output_field=BooleanField()),
                **self.extra,
            )
        )
        return state.query.sql_with_params()


def cluster_rollup(cluster_id, as_of=None) -> Rollup:
    """Every figure of the CER's roll-up on the as-of date, by strategy, objective and for the
    CER: one query.

    The database replays each activity's state and groups the activities by strategy (the mean
    of the counted ones' progress, and the counts), with the same expressions and conditions as
    the nested form above. The levels above are the same rule applied to those few rows: an
    objective is the mean of its strategies' means, the CER the mean of its objectives', the
    counts add up.
    """
    conditions = _count_conditions(as_of)
    by_strategy = (
        activities_as_of(Activity.objects.filter(cluster=cluster_id), as_of)
        .order_by()
        .values("strategy_id", "strategy__objective_id")
        .annotate(
            progress=Avg(Cast("state_progress", FloatField()), filter=counted_q()),
            **{name: Count("pk", filter=condition) for name, condition in conditions.items()},
        )
    )
    result = Rollup(cluster={})
    objective_means = defaultdict(list)
    totals = dict.fromkeys(conditions, 0)
    for row in by_strategy:
        progress = None if row["progress"] is None else float(row["progress"])
        result.strategies[row["strategy_id"]] = {"progress": progress} | {
            page_name: row[name] for name, page_name in _STRATEGY_NAMES.items()
        }
        objective_means[row["strategy__objective_id"]].append(progress)
        for name in conditions:
            totals[name] += row[name]
    result.objectives = {ref: _mean_of(means) for ref, means in objective_means.items()}
    result.cluster = {"progress": _mean_of(result.objectives.values()), **totals}
    return result
