"""The whole plan of one CER or of all, read at once: the selector behind the exports (the JSON of
actions.reporting.export_plan and the plan workbook of actions.spreadsheets.exports).

A fixed number of queries whatever the size of the plan: one per level, prefetched in order.
"""

from django.db.models import OuterRef, Prefetch, Subquery

from actions.models import (
    Activity,
    Funding,
    Goal,
    GoalMeasurement,
    Involvement,
    Objective,
    Strategy,
)
from clusters.models import Cluster, Measure, Obstacle


def _with_latest_measurement(goals):
    """Each goal annotated with its latest measurement's value, date and source (None and "" when
    it has none), in the goal query itself rather than one query more."""
    latest = GoalMeasurement.objects.filter(goal=OuterRef("pk")).order_by("-measured_on", "-id")
    return goals.annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_measured_on=Subquery(latest.values("measured_on")[:1]),
        latest_source=Subquery(latest.values("source")[:1]),
    )


def whole_plans(slug=None, *, instruments=False):
    """CERs (by name; only the one of ``slug`` if given) with obstacles, measures, objectives,
    strategies and each strategy's activities, goals, funding and involvements (with the actor),
    in the report's order. ``instruments`` also prefetches each funding line's instruments (one
    query more) and annotates each goal with its latest measurement (``latest_value``,
    ``latest_measured_on``, ``latest_source``), which only the workbook writes."""
    goals = Goal.objects.order_by("position")
    if instruments:
        goals = _with_latest_measurement(goals)
    funding = Funding.objects.order_by("kind", "position")
    if instruments:
        funding = funding.prefetch_related("instruments")
    strategies = Strategy.objects.order_by("number").prefetch_related(
        Prefetch("activities", queryset=Activity.objects.order_by("position", "code")),
        Prefetch("goals", queryset=goals),
        Prefetch("funding", queryset=funding),
        Prefetch(
            "involvements",
            queryset=Involvement.objects.select_related("actor").order_by("role", "position"),
        ),
    )
    clusters = Cluster.objects.order_by("name").prefetch_related(
        Prefetch(
            "obstacles",
            queryset=Obstacle.objects.order_by("position").prefetch_related(
                Prefetch("measures", queryset=Measure.objects.order_by("position"))
            ),
        ),
        Prefetch(
            "objectives",
            queryset=Objective.objects.order_by("position").prefetch_related(
                Prefetch("strategies", queryset=strategies)
            ),
        ),
    )
    if slug is not None:
        clusters = clusters.filter(slug=slug)
    return list(clusters)
