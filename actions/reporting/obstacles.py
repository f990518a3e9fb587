"""The data behind a CER's «Obstáculos y medidas» page: Tables 1-2 of the report."""

from django.db.models import Prefetch

from clusters.models import Measure


def obstacles_with_measures(cluster):
    """The CER's key obstacles in the report's order, each with its potential measures
    (``measure_list``), both with their correction notes: two queries."""
    return list(
        cluster.obstacles.order_by("position").prefetch_related(
            Prefetch(
                "measures", queryset=Measure.objects.order_by("position"), to_attr="measure_list"
            )
        )
    )
