"""The timeline page's drawing: the CER's strategies and activities on a time axis, computed
as SVG geometry (rows, bars, year lines, the as-of line) for templates/partials/chart_timeline.html.

The view computes it once per layout (:func:`timeline_charts`) from plans.timeline_strategies();
the template only writes the numbers into SVG attributes. Nothing here queries the database.
"""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from actions.formatting import (
    OVERDUE_SYMBOL,
    date_range,
    dmy,
    page_url,
    percent,
    plan_anchor,
    status_label,
    status_symbol,
    svg_number,
)
from actions.models import Status


@dataclass(frozen=True)
class Layout:
    """Geometry of the timeline SVG, in viewBox units (1 unit is about 1 CSS pixel).

    ``wide``: label | chart | status on one line per row (desktop, print). ``compact`` (phones):
    the label on a line of its own, then chart | status.
    """

    name: str
    label_width: int
    chart_width: int
    status_width: int
    row_height: int
    label_chars: int
    bar_offset: int  # from the row's top to its bar
    bar_height: int
    text_offset: int  # from the row's top to the label's baseline

    @property
    def width(self):
        return self.label_width + self.chart_width + self.status_width

    @property
    def status_x(self):
        return self.label_width + self.chart_width + 6

    @property
    def chart_right(self):
        return self.label_width + self.chart_width

    @property
    def compact(self):
        return self.name == "compact"


WIDE = Layout("wide", 310, 730, 160, 24, 44, 5, 14, 16)
COMPACT = Layout("compact", 0, 240, 124, 36, 47, 19, 11, 13)
AXIS_HEIGHT = 40
# The widest a character of a note beside a bar («rev. 06-2027», 11px digits) may be, in units.
NOTE_CHAR_WIDTH = 6.5


@dataclass
class Bar:
    x: str
    width: str
    css: str
    title: str


@dataclass
class Row:
    layout: Layout
    y: int
    kind: str  # "objective", "strategy" or "activity"
    label: str
    full_label: str
    url: str = ""
    bars: list = field(default_factory=list)
    arrow: str = ""
    revised_label_x: str = ""
    revised_label: str = ""
    revised_label_anchor: str = "start"
    done_x: str = ""
    status: str = ""
    status_text: str = ""
    overdue: bool = False
    overdue_x: str = ""

    @property
    def height(self):
        if self.kind == "objective" and self.layout.compact:
            return 24
        return self.layout.row_height

    @property
    def text_y(self):
        return self.y + (16 if self.kind == "objective" else self.layout.text_offset)

    @property
    def label_x(self):
        return 14 if self.kind == "activity" else 4

    @property
    def bar_y(self):
        return self.y + self.layout.bar_offset

    @property
    def bar_height(self):
        return self.layout.bar_height

    @property
    def bar_text_y(self):
        """Baseline of text written beside the bar (✓, ⚠, «rev.»)."""
        return self.bar_y + self.bar_height - 2

    @property
    def marker_y(self):
        return svg_number(self.bar_y + self.bar_height / 2)

    @property
    def status_x(self):
        return self.layout.status_x

    @property
    def status_y(self):
        return self.bar_text_y if self.layout.compact else self.text_y

    def point_open_end(self, scale):
        """Draw the bar as ongoing: it stops short of the right edge, where an arrow takes over."""
        right = scale.x(scale.last + datetime.timedelta(days=1))
        top, bottom = self.bar_y, self.bar_y + self.bar_height
        self.arrow = (
            f"{svg_number(right - 10)},{top - 2} {svg_number(right)},{(top + bottom) / 2:g} "
            f"{svg_number(right - 10)},{bottom + 2}"
        )
        bar = self.bars[-1]
        bar.width = svg_number(max(right - 10 - float(bar.x), 2))


def _shorten(text, limit):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Scale:
    def __init__(self, first, last, layout):
        self.first, self.last, self.layout = first, last, layout
        self.days = (last - first).days + 1

    def x(self, day):
        day = min(max(day, self.first), self.last + datetime.timedelta(days=1))
        return (
            self.layout.label_width + (day - self.first).days / self.days * self.layout.chart_width
        )

    def span(self, start, end):
        """x and width of the bar from start to the end of the day ``end``."""
        left = self.x(start)
        right = self.x(end + datetime.timedelta(days=1))
        return svg_number(left), svg_number(max(right - left, 2))


def _span_of(strategies, day):
    starts, ends = [day], [day]
    open_ended = False
    for strategy in strategies:
        if strategy.committed_start:
            starts.append(strategy.committed_start)
        if strategy.committed_end:
            ends.append(strategy.committed_end)
        elif strategy.committed_start:
            open_ended = True
        for activity in strategy.timeline_activities:
            starts += [d for d in (activity.planned_start,) if d]
            ends += [
                d
                for d in (
                    activity.planned_end,
                    activity.state_revised_end,
                    activity.state_completed_on,
                )
                if d
            ]
            if activity.planned_start and not activity.state_end:
                open_ended = True
    last = max(ends)
    if open_ended:
        # Open-ended work is drawn as ongoing: a year past the as-of date, then an arrow.
        last = max(last, datetime.date(day.year + 1, 12, 31))
    return datetime.date(min(starts).year, 1, 1), datetime.date(last.year, 12, 31)


def timeline_chart(strategies, cluster, as_of=None, today=None, layout="wide"):
    """The CER's strategies and activities on a time axis, as SVG geometry for
    templates/partials/chart_timeline.html (``{% include ... with chart=... %}``).

    Strategy rows draw the committed period; activity rows the planned period, a revised end as
    a hatched extension, a ✓ at the completion date, ⚠ when overdue. Open-ended periods run to
    the right edge with an arrow. A vertical line marks the as-of date. ``layout`` is "wide"
    (desktop and print) or "compact" (phones).
    """
    layout = COMPACT if layout == "compact" else WIDE
    day = as_of or today or datetime.date.today()
    if not strategies:
        return {"empty": True, "layout": layout}
    first, last = _span_of(strategies, day)
    scale = _Scale(first, last, layout)
    rows = []
    y = AXIS_HEIGHT
    current_objective = None
    for strategy in strategies:
        if strategy.objective_id != current_objective:
            current_objective = strategy.objective_id
            objective = strategy.objective
            full = f"{objective.numeral}. {objective.title}"
            row = Row(layout, y, "objective", _shorten(full, layout.width // 7), full)
            rows.append(row)
            y += row.height
        row = _strategy_row(strategy, cluster, Row(layout, y, "strategy", "", ""), scale, as_of)
        rows.append(row)
        y += row.height
        for activity in strategy.timeline_activities:
            row = _activity_row(activity, strategy, Row(layout, y, "activity", "", ""), scale)
            rows.append(row)
            y += row.height
    years = []
    year_width = scale.x(datetime.date(first.year, 12, 31)) - scale.x(first)
    every = 1 if year_width >= 40 else (2 if year_width >= 18 else 5)
    for year in range(first.year, last.year + 1):
        x = scale.x(datetime.date(year, 1, 1))
        years.append(
            {
                "x": svg_number(x),
                # Labels sit mid-year, or just after the year's line when they are sparse.
                "label_x": svg_number(x + year_width / 2 if every == 1 else x + 2),
                "label": str(year) if (year - first.year) % every == 0 else "",
            }
        )
    as_of_x = scale.x(day)
    # Near the right edge the as-of label is written to the left of its line.
    label_left = as_of_x > layout.label_width + layout.chart_width * 0.75
    as_of_label = _("Al %(date)s") if as_of else _("Hoy %(date)s")
    return {
        "empty": False,
        "layout": layout,
        "rows": rows,
        "years": years,
        "width": layout.width,
        "height": y + 8,
        "axis_height": AXIS_HEIGHT,
        "year_anchor": "middle" if every == 1 else "start",
        "status_x": layout.status_x,
        "as_of_x": svg_number(as_of_x),
        "as_of_label": as_of_label % {"date": dmy(day)},
        "as_of_label_anchor": "end" if label_left else "start",
        "as_of_label_x": svg_number(as_of_x - 4 if label_left else as_of_x + 4),
        "end_x": svg_number(layout.label_width + layout.chart_width),
        "label": _("Cronograma: estrategias y actividades en el tiempo"),
    }


def _short_period(start, end, compact=False):
    if start and end:
        return f"{start:%m-%Y} – {end:%m-%Y}"
    if start:
        if compact:
            return f"{start:%m-%Y} →"
        return _("%(start)s → en adelante") % {"start": f"{start:%m-%Y}"}
    return ""


def _label(row, text):
    return _shorten(text, row.layout.label_chars)


def _strategy_row(strategy, cluster, row, scale, as_of):
    start, end = strategy.committed_start, strategy.committed_end
    row.full_label = f"{strategy.number}. {strategy.title}"
    row.url = page_url("cluster-plan", cluster, as_of, anchor=plan_anchor(strategy))
    row.status_text = _short_period(start, end, row.layout.compact)
    row.label = _label(row, row.full_label)
    title = _("Plazo comprometido: %(text)s (%(period)s)") % {
        "text": strategy.committed_period_text or "—",
        "period": date_range(start, end),
    }
    if start:
        x, width = scale.span(start, end or scale.last)
        row.bars.append(Bar(x, width, "tl-committed", title))
        if not end:
            row.point_open_end(scale)
    return row


def _activity_row(activity, strategy, row, scale):
    row.full_label = f"{activity.code} {activity.title}"
    row.url = reverse("activity-detail", kwargs={"pk": activity.pk})
    row.status = activity.state_status
    row.overdue = bool(activity.is_overdue)
    row.status_text = (
        f"{status_symbol(activity.state_status)} {status_label(activity.state_status)}"
        f" {percent(activity.state_progress)}"
    )
    if row.overdue:
        row.status_text = f"{OVERDUE_SYMBOL} {row.status_text}"
    # One name everywhere: the plan table's (Table 3/4); the schedule table's own wording
    # (Table 5/6) is in the tooltip and on the activity's page.
    row.label = _label(row, f"{activity.code} {activity.title}")
    if activity.schedule_title and activity.schedule_title != activity.title:
        row.full_label = _("%(label)s (en la matriz de plazos: «%(schedule)s»)") % {
            "label": row.full_label,
            "schedule": activity.schedule_title,
        }
    start = activity.planned_start or strategy.committed_start
    planned_end = activity.planned_end
    revised_end = activity.state_revised_end
    if start:
        x, width = scale.span(start, planned_end or scale.last)
        row.bars.append(
            Bar(
                x,
                width,
                f"tl-planned tl-{activity.state_status}",
                _("Planificada: %(period)s") % {"period": date_range(start, planned_end)}
                + (
                    " " + _("(según el informe: «%(phrase)s»)") % {"phrase": activity.date_phrase}
                    if activity.date_phrase
                    else ""
                ),
            )
        )
        if not planned_end and not revised_end:
            row.point_open_end(scale)
    if revised_end and revised_end != planned_end:
        title = _("Término revisado: %(date)s") % {"date": dmy(revised_end)}
        if planned_end and revised_end > planned_end:
            x, width = scale.span(planned_end + datetime.timedelta(days=1), revised_end)
            row.bars.append(Bar(x, width, "tl-revised", title))
        else:
            x, _width = scale.span(revised_end, revised_end)
            row.bars.append(Bar(x, "3", "tl-revised-mark", title))
        row.revised_label = _("rev. %(date)s") % {"date": f"{revised_end:%m-%Y}"}
        after = scale.x(revised_end + datetime.timedelta(days=1)) + 4
        if after + len(row.revised_label) * NOTE_CHAR_WIDTH > row.layout.chart_right:
            # Written after the revised end it would run into the status column: write it
            # before that end instead (over the bar, on a halo: .tl-note in cerplan.css).
            row.revised_label_anchor = "end"
            after = scale.x(revised_end) - 4
        row.revised_label_x = svg_number(after)
    if activity.state_status == Status.DONE and activity.state_completed_on:
        row.done_x = svg_number(scale.x(activity.state_completed_on))
    if row.overdue and not row.revised_label and activity.state_end:
        row.overdue_x = svg_number(scale.x(activity.state_end + datetime.timedelta(days=1)) + 3)
    return row


def timeline_charts(strategies, cluster, as_of=None, today=None):
    """The two drawings of the page: ``wide`` (desktop, print) and ``compact`` (phones)."""
    return {
        "wide": timeline_chart(strategies, cluster, as_of, today, "wide"),
        "compact": timeline_chart(strategies, cluster, as_of, today, "compact"),
    }
