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

Everything here is computed by the database, in one SQL query whatever the size of the plan;
never loop over rows in Python to compute them. Two forms:

* :func:`cluster_rollup`, for one CER's pages: every level of the roll-up at once, from each
  activity's state replayed once (a common table expression grouped by strategy, then by
  objective, then for the CER). The state subqueries are built and compiled by Django once,
  which is what made the nested form slow to build for a past date;
* query expressions (:func:`cluster_figure_annotations` and the functions it uses: nested
  correlated subqueries) for annotating many CERs at once (the home page).

Both take the row-level rules from the same Q objects below (``counted_q``, ``overdue_q``,
``due_soon_q``), and tests/test_cache.py checks the two agree.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
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

#: The counts of every level: (name, condition on a row of the state table, parameters).
_COUNTS = [
    ("activity_total", "1 = 1", []),
    ("activity_counted", "counted_flag", []),
    ("overdue", "overdue_flag", []),
    ("due_soon", "due_soon_flag", []),
    *((f"status_{status.value}", "state_status = %s", [status.value]) for status in Status),
]

#: The names a strategy's figures go by on the page (the CER's go by their _COUNTS names).
_STRATEGY_NAMES = {
    "activity_total": "activity_total",
    "activity_counted": "activity_counted",
    "status_done": "activity_done",
    "overdue": "activity_overdue",
}


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
    expression, for statements that read it as ``WITH state AS (...)``.

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


def cluster_rollup(cluster_id, as_of=None, *, states=None) -> Rollup:
    """Every figure of the CER's roll-up on the as-of date, by strategy, objective and for the
    CER: one query.

    Each activity's state is replayed once (``states``, an :class:`ActivityStates` of the CER
    and date, when the caller has one), then grouped: by strategy (mean of counted activities,
    and the counts), by objective (mean of its strategies' means), and for the CER (mean of its
    objectives' means, and the counts).
    """
    states = states or ActivityStates(cluster_id, as_of)
    state_sql, state_params = states.sql_with_params
    sums = ", ".join(
        f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS c{n}"
        for n, (_name, condition, _params) in enumerate(_COUNTS)
    )
    totals = ", ".join(f"SUM(c{n}) AS c{n}" for n in range(len(_COUNTS)))
    columns = ", ".join(f"c{n}" for n in range(len(_COUNTS)))
    sql = f"""
        WITH state AS ({state_sql}),
        by_strategy AS (
            SELECT strategy_id AS strategy_ref, objective_ref,
                   AVG(CASE WHEN counted_flag THEN state_value END) AS progress, {sums}
            FROM state GROUP BY strategy_id, objective_ref
        ),
        by_objective AS (
            SELECT objective_ref, AVG(progress) AS progress, {totals}
            FROM by_strategy GROUP BY objective_ref
        )
        SELECT 's', strategy_ref, progress, {columns} FROM by_strategy
        UNION ALL
        SELECT 'o', objective_ref, progress, {columns} FROM by_objective
        UNION ALL
        SELECT 'c', NULL, AVG(progress), {totals} FROM by_objective
    """  # noqa: S608 (no user input: the column names are ours, values are parameters)
    params = [*state_params, *(p for _name, _condition, ps in _COUNTS for p in ps)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    names = [name for name, _condition, _params in _COUNTS]
    result = Rollup(cluster={})
    for level, ref, progress, *counts in rows:
        progress = None if progress is None else float(progress)
        figures = {name: int(count or 0) for name, count in zip(names, counts, strict=True)}
        if level == "c":
            result.cluster = {"progress": progress, **figures}
        elif level == "o":
            result.objectives[ref] = progress
        else:
            result.strategies[ref] = {"progress": progress} | {
                page_name: figures[name] for name, page_name in _STRATEGY_NAMES.items()
            }
    return result
