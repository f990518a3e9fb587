"""A CER's progress over time, for the dashboard's chart: the roll-up at the end of each year of
its plan and on the as-of date (today unless asked), as SVG geometry and as a table.

Every point is rollup.cluster_progress on its date, the one roll-up rule, replayed from the
history like any as-of figure; all points come in one query (one correlated subquery each).
At most MAX_POINTS points: over a long plan, every second (third...) year from its start.
Only numbers are computed here; the template
(templates/partials/chart_progress.html) writes them.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Min
from django.utils.translation import gettext as _

from actions.formatting import dmy, percent, svg_number
from actions.reporting import rollup
from clusters.models import Cluster

MAX_POINTS = 10
WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 12, 28  # margins, in viewBox units


@dataclass
class Point:
    day: datetime.date
    label: str  # the year, or the as-of date for the last point
    progress: float | None
    x: str = ""
    y: str = ""
    text: str = ""  # the progress as the page writes it (12 %, or «—»)


@dataclass
class ProgressChart:
    points: list
    polyline: str
    ticks: list  # [(y, label)] of the vertical axis
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom_y: int = HEIGHT - BOTTOM
    right_x: int = WIDTH - RIGHT
    summary: str = ""

    @property
    def empty(self):
        return not any(point.progress is not None for point in self.points)


def sample_days(first_year, day):
    """The end of each year from ``first_year`` up to the one before ``day`` (every n-th year
    when there are more than MAX_POINTS - 1), then ``day`` itself."""
    years = list(range(min(first_year, day.year), day.year))
    step = -(-len(years) // (MAX_POINTS - 1)) if years else 1
    return [datetime.date(year, 12, 31) for year in years[::step]] + [day]


def progress_chart(cluster, as_of=None, *, first_day=None):
    """The chart of ``cluster``'s progress up to the as-of date: one query, and one more to
    find where the plan starts unless ``first_day`` (its earliest committed start) is given."""
    day = rollup.as_of_day(as_of)
    start = first_day or cluster.strategies.aggregate(first=Min("committed_start"))["first"]
    days = sample_days(start.year if start else day.year, day)
    values = (
        Cluster.objects.filter(pk=cluster.pk)
        .annotate(
            **{f"p{index}": rollup.cluster_progress(point) for index, point in enumerate(days)}
        )
        .values(*(f"p{index}" for index in range(len(days))))
        .get()
    )
    points = [
        Point(
            day=point,
            label=str(point.year) if index < len(days) - 1 else dmy(point),
            progress=values[f"p{index}"],
        )
        for index, point in enumerate(days)
    ]
    return _laid_out(points)


def _laid_out(points):
    inner_width = WIDTH - LEFT - RIGHT
    inner_height = HEIGHT - TOP - BOTTOM
    step = inner_width / max(len(points) - 1, 1)
    line = []
    for index, point in enumerate(points):
        point.x = svg_number(LEFT + index * step)
        point.text = percent(point.progress)
        if point.progress is not None:
            point.y = svg_number(TOP + inner_height * (1 - point.progress / 100))
            line.append(f"{point.x},{point.y}")
    ticks = [
        (svg_number(TOP + inner_height * (1 - value / 100)), f"{value} %") for value in (0, 50, 100)
    ]
    first, last = points[0], points[-1]
    summary = _("Avance del CER: %(first)s en %(start)s, %(last)s al %(end)s.") % {
        "first": first.text,
        "start": first.label,
        "last": last.text,
        "end": last.label,
    }
    return ProgressChart(points=points, polyline=" ".join(line), ticks=ticks, summary=summary)
