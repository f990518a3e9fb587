"""The whole plan of one CER or of all, read at once: the selector behind the exports (the JSON of
actions.reporting.export_plan and the plan workbook of actions.spreadsheets.exports).

A fixed number of queries whatever the size of the plan: one per level, prefetched in order.
"""

from django.db.models import Prefetch

from actions.models import Activity, Funding, Goal, Involvement, Objective, Strategy
from clusters.models import Cluster, Measure, Obstacle


def whole_plans(slug=None, *, instruments=False):
    """CERs (by name; only the one of ``slug`` if given) with obstacles, measures, objectives,
    strategies and each strategy's activities, goals, funding and involvements (with the actor),
    in the report's order. ``instruments`` also prefetches each funding line's instruments (one
    query more), which only the workbook writes."""
    funding = Funding.objects.order_by("kind", "position")
    if instruments:
        funding = funding.prefetch_related("instruments")
    strategies = Strategy.objects.order_by("number").prefetch_related(
        Prefetch("activities", queryset=Activity.objects.order_by("position", "code")),
        Prefetch("goals", queryset=Goal.objects.order_by("position")),
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
