"""Read paths of the pages people look at every week: home, CER dashboard, plan matrix, timeline.

Every function here asks the database a fixed number of queries whatever the size of the plan
(tests/test_page_queries.py pins them), and every figure comes from
:mod:`actions.reporting.rollup`, which
replays the activities' history to the as-of date: ``as_of=None`` means today.

The dashboard's figures and lists come together from :func:`dashboard`, which builds the
activities' state on the date once for all of them; the page caches what it renders from them
per CER version (actions.reporting.cache, actions.views.dashboard).
"""

import datetime
from dataclasses import dataclass
from itertools import groupby

from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    CharField,
    DateField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from actions.models import (
    Activity,
    Actor,
    Funding,
    Goal,
    GoalMeasurement,
    Instrument,
    Involvement,
    ProgressUpdate,
    Status,
    Strategy,
)
from actions.reporting import rollup
from actions.reporting.progress_chart import progress_chart

ATTENTION_LIMIT = 6
RECENT_UPDATES_LIMIT = 8
#: The order statuses are listed in: the way work moves, then the exceptions.
STATUS_ORDER = [Status.PENDING, Status.IN_PROGRESS, Status.BLOCKED, Status.DONE, Status.CANCELLED]


class JoinedText(Aggregate):
    """The text values of a group joined by newlines (order not guaranteed).

    GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL: the two databases the portal runs on.
    """

    function = "GROUP_CONCAT"
    output_field = CharField()

    def __init__(self, expression, **extra):
        super().__init__(expression, Value("\n"), **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="STRING_AGG", **extra_context)


def _responsible_names(strategy_field="strategy_id"):
    """Expression: the responsible actors of the outer row's strategy, newline-separated."""
    return Subquery(
        Involvement.objects.filter(
            strategy=OuterRef(strategy_field), role=Involvement.Role.RESPONSIBLE
        )
        .order_by()
        .values("strategy")
        .annotate(names=JoinedText("actor__name"))
        .values("names")[:1],
        output_field=CharField(),
    )


def _split_names(text):
    return sorted(filter(None, (text or "").split("\n")), key=str.casefold)


def _flags(as_of):
    """Annotations marking an activity overdue or due soon on the as-of date."""
    return {
        "is_overdue": ExpressionWrapper(rollup.overdue_q(as_of), output_field=BooleanField()),
        "is_due_soon": ExpressionWrapper(rollup.due_soon_q(as_of), output_field=BooleanField()),
    }


# Home ---------------------------------------------------------------------------------------


def clusters_overview(clusters, as_of=None):
    """The given CERs, each with ``progress``, ``activity_total`` and ``overdue``: one query."""
    figures = rollup.cluster_figure_annotations(as_of)
    return clusters.annotate(
        progress=figures["progress"],
        activity_total=figures["activity_total"],
        overdue=figures["overdue"],
        due_soon=figures["due_soon"],
    ).order_by("name")


# Dashboard ----------------------------------------------------------------------------------


def cluster_figures(cluster_id, as_of=None, *, rolled_up=None) -> dict:
    """The headline figures of a CER on the as-of date, as a plain dict: one query.

    Keys: ``progress`` (None when no activity counts), ``activity_total``, ``overdue``,
    ``due_soon`` and ``status_<value>`` for each status. ``rolled_up``: the CER's
    :class:`~actions.reporting.rollup.Rollup` on that date, when the caller has it already (no
    query).
    """
    rolled_up = rolled_up or rollup.cluster_rollup(cluster_id, as_of)
    return dict(rolled_up.cluster)


@dataclass
class ObjectiveProgress:
    objective: object
    progress: float | None
    strategies: list


def progress_by_objective(cluster, as_of=None, *, rolled_up=None):
    """Objectives with their progress, each with its strategies and theirs: two queries (one
    when ``rolled_up``, the CER's :class:`~actions.reporting.rollup.Rollup` on that date, is given).

    Each strategy carries ``progress``, ``objective_progress``, ``activity_total``,
    ``activity_counted``, ``activity_done`` and ``activity_overdue``.
    """
    rolled_up = rolled_up or rollup.cluster_rollup(cluster.pk, as_of)
    strategies = (
        Strategy.objects.filter(cluster=cluster)
        .select_related("objective")
        .order_by("objective__position", "number")
    )
    groups = []
    for objective, rows in groupby(strategies, key=lambda strategy: strategy.objective):
        rows = list(rows)
        progress = rolled_up.objective(objective.pk)
        for strategy in rows:
            # Figures computed by the database (rollup.cluster_rollup), set on each row.
            for name, value in rolled_up.strategy(strategy.pk).items():
                setattr(strategy, name, value)
            strategy.objective_progress = progress
        groups.append(ObjectiveProgress(objective, progress, rows))
    return groups


def activity_states(cluster, as_of=None):
    """The CER's activities in their state on the as-of date, with what the dashboard's lists
    show of them (``responsible_names``): compiled once for the roll-up and the lists."""
    return rollup.ActivityStates(cluster.pk, as_of, responsible_names=_responsible_names())


def attention_activities(cluster, as_of=None, limit=ATTENTION_LIMIT, *, states=None):
    """The most overdue, the next due and, beyond the due-soon window, the next to come:
    ``limit`` of each, in one query.

    Returns ``{"overdue": [...], "due_soon": [...], "later": [...]}``; each activity carries
    ``state_*``, ``state_end``, ``days`` (days late, or days left) and ``responsible`` (names).
    "later" lets the dashboard say what comes next when nothing falls due soon. ``states``: the
    CER's :func:`activity_states` on that date, when the caller has it (compiled once).
    """
    day = rollup.as_of_day(as_of)
    states = states or activity_states(cluster, as_of)
    state_sql, state_params = states.sql_with_params
    position = connection.ops.quote_name("position")
    open_statuses = ", ".join(["%s"] * len(rollup.OPEN_STATUSES))
    # Every list reads best oldest end first: the most overdue, then the nearest due.
    order = f"state_end, strategy_number, {position}"
    activities = Activity.objects.raw(
        f"""
        WITH state AS ({state_sql}),
        listed AS (
            SELECT state.*,
                CASE WHEN overdue_flag THEN 'overdue' WHEN due_soon_flag THEN 'due_soon'
                ELSE 'later' END AS list_name
            FROM state
            WHERE overdue_flag OR due_soon_flag
                OR (state_status IN ({open_statuses}) AND state_end > %s)
        )
        SELECT * FROM (
            SELECT listed.*, ROW_NUMBER() OVER (PARTITION BY list_name ORDER BY {order}) AS place
            FROM listed
        ) ranked
        WHERE place <= %s
        ORDER BY {order}
        """,  # noqa: S608 (no user input: names are ours, values are parameters)
        [
            *state_params,
            *rollup.OPEN_STATUSES,
            day + datetime.timedelta(days=rollup.DUE_SOON_DAYS),
            limit,
        ],
    )
    lists = {"overdue": [], "due_soon": [], "later": []}
    for activity in activities:
        # Columns that are not the model's come as the database gives them (SQLite: text).
        activity.state_end = _date(activity.state_end)
        activity.state_revised_end = _date(activity.state_revised_end)
        activity.responsible = _split_names(activity.responsible_names)
        activity.days = abs((day - activity.state_end).days)
        lists[activity.list_name].append(activity)
    return lists


def _date(value):
    return DateField().to_python(value)


def goal_indicators(cluster, as_of=None):
    """Goals with a target, each with its latest measurement on or before the as-of date."""
    day = rollup.as_of_day(as_of)
    latest = GoalMeasurement.objects.filter(goal=OuterRef("pk"), measured_on__lte=day).order_by(
        "-measured_on", "-id"
    )
    return list(
        Goal.objects.filter(strategy__cluster=cluster, target_value__isnull=False)
        .select_related("strategy")
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_on=Subquery(latest.values("measured_on")[:1]),
        )
        .order_by("strategy__number", "position")
    )


def recent_updates(cluster, as_of=None, limit=RECENT_UPDATES_LIMIT):
    """The latest progress updates effective on or before the as-of date."""
    return list(
        ProgressUpdate.objects.filter(
            activity__cluster=cluster, effective_on__lte=rollup.as_of_day(as_of)
        )
        .select_related("activity", "author")
        .order_by("-effective_on", "-recorded_at", "-id")[:limit]
    )


@dataclass
class Dashboard:
    """Everything the dashboard shows below its header, on one date."""

    figures: dict
    objectives: list
    attention: dict
    goals: list
    updates: list
    progress_chart: object = None


def dashboard(cluster, as_of=None) -> Dashboard:
    """The dashboard's figures, lists and chart: six queries. The activities' state on the date is
    built once for the roll-up and the lists, and the roll-up once for the headline figures and
    the objectives."""
    states = activity_states(cluster, as_of)
    rolled_up = rollup.cluster_rollup(cluster.pk, as_of)
    objectives = progress_by_objective(cluster, as_of, rolled_up=rolled_up)
    starts = [s.committed_start for g in objectives for s in g.strategies if s.committed_start]
    return Dashboard(
        figures=cluster_figures(cluster.pk, as_of, rolled_up=rolled_up),
        objectives=objectives,
        attention=attention_activities(cluster, as_of, states=states),
        goals=goal_indicators(cluster, as_of),
        updates=recent_updates(cluster, as_of),
        progress_chart=progress_chart(cluster, as_of, first_day=min(starts, default=None)),
    )


# Plan matrix --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanFilters:
    """The filters of the plan matrix, as read from the URL (already validated)."""

    status: str = ""
    actor: int | None = None
    instrument: int | None = None
    kind: str = ""
    year: int | None = None
    overdue: bool = False
    due_soon: bool = False

    @property
    def narrows_activities(self):
        return bool(self.status or self.kind or self.year or self.overdue or self.due_soon)

    @property
    def active(self):
        return self.narrows_activities or self.actor is not None or self.instrument is not None

    def activity_q(self, as_of=None) -> Q:
        """For activities annotated by rollup.activities_as_of."""
        q = Q()
        if self.status:
            q &= Q(state_status=self.status)
        if self.kind:
            q &= Q(kind=self.kind)
        if self.overdue:
            q &= rollup.overdue_q(as_of)
        if self.due_soon:
            q &= rollup.due_soon_q(as_of)
        if self.year:
            first, last = datetime.date(self.year, 1, 1), datetime.date(self.year, 12, 31)
            q &= (
                (Q(planned_start__isnull=True) | Q(planned_start__lte=last))
                & (Q(state_end__isnull=True) | Q(state_end__gte=first))
                & ~Q(planned_start__isnull=True, state_end__isnull=True)
            )
        return q

    def strategy_q(self, as_of=None) -> Q:
        q = Q()
        if self.actor is not None:
            # The actor and every spelling of it (Actor.organisation).
            q &= Exists(
                Involvement.objects.filter(
                    Q(actor=self.actor) | Q(actor__organisation=self.actor),
                    strategy=OuterRef("pk"),
                    role=Involvement.Role.RESPONSIBLE,
                )
            )
        if self.instrument is not None:
            q &= Exists(
                Funding.objects.filter(strategy=OuterRef("pk"), instruments=self.instrument)
            )
        if self.narrows_activities:
            q &= Exists(
                rollup.activities_as_of(
                    Activity.objects.filter(strategy=OuterRef("pk")), as_of
                ).filter(self.activity_q(as_of))
            )
        return q


def filter_options(cluster):
    """The responsible actors and instruments that appear in the CER's plan: one query."""
    # Each organisation once, whichever of its spellings the plan uses (Actor.organisation);
    # UNION drops the duplicates.
    responsible_here = Involvement.objects.filter(
        strategy__cluster=cluster, role=Involvement.Role.RESPONSIBLE
    )
    actors = (
        Actor.objects.filter(organisation__isnull=True)
        .filter(
            Q(pk__in=responsible_here.values("actor"))
            | Q(pk__in=responsible_here.values("actor__organisation"))
        )
        .annotate(kind=Value("actor", output_field=CharField()))
        .order_by()
        .values_list("kind", "id", "name")
    )
    instruments = (
        Instrument.objects.filter(funding__strategy__cluster=cluster)
        .annotate(kind=Value("instrument", output_field=CharField()))
        .order_by()
        .values_list("kind", "id", "name")
    )
    options = {"actor": [], "instrument": []}
    for kind, pk, name in sorted(actors.union(instruments), key=lambda row: row[2].casefold()):
        options[kind].append((pk, name))
    return options


@dataclass
class PlanMatrix:
    objectives: list  # [(objective, [strategy, ...]), ...]
    activity_count: int
    strategy_count: int
    strategy_total: int
    years: list


def plan_matrix(cluster, as_of=None, filters=None):
    """The plan as Tables 3 and 5 lay it out, narrowed by ``filters``: five queries.

    Each strategy carries ``shown_activities`` (with ``state_*``, ``is_overdue``,
    ``is_due_soon``), ``goals_list``, ``funding_public``, ``funding_private``, ``involved`` and
    ``responsible``. Strategies are read all at once so the period filter can offer every year
    of the plan; the database decides which match the filters (``shown``).
    """
    filters = filters or PlanFilters()
    strategy_q = filters.strategy_q(as_of)
    strategies = list(
        Strategy.objects.filter(cluster=cluster)
        .select_related("objective")
        .annotate(
            shown=ExpressionWrapper(strategy_q, output_field=BooleanField())
            if strategy_q
            else Value(True, output_field=BooleanField()),
            latest_activity_end=Subquery(
                Activity.objects.filter(strategy=OuterRef("pk"))
                .annotate(end=Coalesce("revised_end", "planned_end"))
                .filter(end__isnull=False)
                .order_by("-end")
                .values("end")[:1]
            ),
        )
        .order_by("objective__position", "number")
    )
    shown = [strategy for strategy in strategies if strategy.shown]
    activities = (
        rollup.activities_as_of(Activity.objects.all(), as_of)
        .filter(filters.activity_q(as_of))
        .annotate(**_flags(as_of))
        .order_by("position", "code")
    )
    prefetch_related_objects(
        shown,
        Prefetch("activities", queryset=activities, to_attr="shown_activities"),
        Prefetch("goals", queryset=Goal.objects.order_by("position"), to_attr="goals_list"),
        Prefetch(
            "funding", queryset=Funding.objects.order_by("kind", "position"), to_attr="funding_list"
        ),
        Prefetch(
            "involvements",
            queryset=Involvement.objects.select_related("actor").order_by("role", "position"),
            to_attr="involvement_list",
        ),
    )
    for strategy in shown:
        strategy.funding_public = [
            f for f in strategy.funding_list if f.kind == Funding.Kind.PUBLIC
        ]
        strategy.funding_private = [
            f for f in strategy.funding_list if f.kind == Funding.Kind.PRIVATE
        ]
        strategy.involved = [
            i for i in strategy.involvement_list if i.role == Involvement.Role.INVOLVED
        ]
        strategy.responsible = [
            i for i in strategy.involvement_list if i.role == Involvement.Role.RESPONSIBLE
        ]
    return PlanMatrix(
        objectives=[
            (objective, list(rows)) for objective, rows in groupby(shown, key=lambda s: s.objective)
        ],
        activity_count=sum(len(s.shown_activities) for s in shown),
        strategy_count=len(shown),
        strategy_total=len(strategies),
        years=plan_years(strategies, as_of),
    )


def plan_years(strategies, as_of=None):
    """Every year a strategy's committed period touches; open-ended ones run to the as-of year,
    and the years run on to the latest end of an activity (``latest_activity_end``, when the
    strategies carry it): a deadline revised past the plan or past today can be filtered too."""
    starts = [s.committed_start.year for s in strategies if s.committed_start]
    if not starts:
        return []
    ends = [s.committed_end.year for s in strategies if s.committed_end]
    if any(s.committed_start and not s.committed_end for s in strategies):
        ends.append(rollup.as_of_day(as_of).year)
    ends += [
        s.latest_activity_end.year for s in strategies if getattr(s, "latest_activity_end", None)
    ]
    return list(range(min(starts), max(ends + starts) + 1))


# Timeline -----------------------------------------------------------------------------------


def timeline_strategies(cluster, as_of=None):
    """Strategies with their objective and their activities (``timeline_activities``): two
    queries."""
    activities = (
        rollup.activities_as_of(Activity.objects.all(), as_of)
        .annotate(**_flags(as_of))
        .order_by("position", "code")
    )
    return list(
        Strategy.objects.filter(cluster=cluster)
        .select_related("objective")
        .prefetch_related(
            Prefetch("activities", queryset=activities, to_attr="timeline_activities")
        )
        .order_by("objective__position", "number")
    )
