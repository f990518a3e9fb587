"""Read paths of the activity pages, each a fixed number of queries whatever the data size."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404

from actions import formatting
from actions.models import (
    Activity,
    Funding,
    Goal,
    GoalMeasurement,
    Instrument,
    Involvement,
    ProgressUpdate,
    Status,
)
from actions.permissions import get_readable_activity
from clusters.permissions import filter_readable

HISTORY_PAGE_SIZE = 25


@dataclass(frozen=True)
class StatusView:
    """How a status is shown: a text label, a symbol and a colour; colour is never alone."""

    value: str
    label: str
    symbol: str
    badge_class: str


# The symbols and words are actions.formatting's (the same on every page); only the badge's
# colour class is particular to the activity pages.
_BADGE_CLASSES = {
    Status.PENDING: "text-bg-light border",
    Status.IN_PROGRESS: "text-bg-primary",
    Status.DONE: "text-bg-success",
    Status.BLOCKED: "text-bg-warning",
    Status.CANCELLED: "text-bg-secondary",
}


def status_view(value):
    return StatusView(
        value=value,
        label=formatting.status_label(value),
        symbol=formatting.status_symbol(value),
        badge_class=_BADGE_CLASSES.get(value, "text-bg-light border"),
    )


class Trend:
    UP = "up"
    DOWN = "down"
    FLAT = "flat"


def trend_of(latest, previous):
    """Direction from the previous measurement to the latest; None with fewer than two."""
    if latest is None or previous is None:
        return None
    if latest > previous:
        return Trend.UP
    if latest < previous:
        return Trend.DOWN
    return Trend.FLAT


def goals_with_measurement_summary(queryset=None):
    """Goals annotated with their latest and previous measured values (two subqueries each)."""
    queryset = queryset if queryset is not None else Goal.objects.all()
    newest_first = GoalMeasurement.objects.filter(goal=OuterRef("pk")).order_by(
        "-measured_on", "-id"
    )
    return queryset.annotate(
        latest_value=Subquery(newest_first.values("value")[:1]),
        latest_measured_on=Subquery(newest_first.values("measured_on")[:1]),
        latest_source=Subquery(newest_first.values("source")[:1]),
        previous_value=Subquery(newest_first.values("value")[1:2]),
    )


def _with_trend(goal):
    goal.trend = trend_of(goal.latest_value, goal.previous_value)
    return goal


def activity_page_queryset():
    return Activity.objects.select_related("cluster", "strategy__objective").prefetch_related(
        Prefetch(
            "strategy__involvements",
            queryset=Involvement.objects.select_related("actor").order_by("role", "position"),
        ),
        Prefetch(
            "strategy__funding",
            queryset=Funding.objects.order_by("kind", "position").prefetch_related(
                Prefetch("instruments", queryset=Instrument.objects.order_by("name"))
            ),
        ),
        Prefetch(
            "strategy__goals",
            queryset=goals_with_measurement_summary(Goal.objects.order_by("position")),
        ),
        Prefetch(
            "responsible_users",
            queryset=get_user_model().objects.order_by("first_name", "last_name", "username"),
            to_attr="responsible_people",
        ),
    )


def activity_for_page(user, pk):
    """The activity with everything its page shows except the history; 404 for another CER."""
    activity = get_readable_activity(user, pk, queryset=activity_page_queryset())
    strategy = activity.strategy
    involvements = list(strategy.involvements.all())
    activity.responsible_actors = [
        i.actor for i in involvements if i.role == Involvement.Role.RESPONSIBLE
    ]
    activity.involved_actors = [
        i.actor for i in involvements if i.role == Involvement.Role.INVOLVED
    ]
    funding = list(strategy.funding.all())
    activity.public_funding = [f for f in funding if f.kind == Funding.Kind.PUBLIC]
    activity.private_funding = [f for f in funding if f.kind == Funding.Kind.PRIVATE]
    activity.goals = [_with_trend(goal) for goal in strategy.goals.all()]
    activity.status_view = status_view(activity.status)
    return activity


def history_page(activity, page_number=None, per_page=HISTORY_PAGE_SIZE):
    """One page of the activity's progress updates, newest first, with their authors."""
    updates = (
        ProgressUpdate.objects.filter(activity=activity)
        .select_related("author")
        .order_by("-effective_on", "-recorded_at", "-id")
    )
    page = Paginator(updates, per_page).get_page(page_number)
    for update in page:
        update.old_status_view = status_view(update.old_status)
        update.new_status_view = status_view(update.new_status)
    return page


def goal_for_page(user, pk):
    """A goal with its summary, strategy, CER and measurements (newest first); 404 for a goal of
    a CER the user may not read."""
    goals = (
        goals_with_measurement_summary(Goal.objects.all())
        .select_related("strategy__cluster", "strategy__objective")
        .prefetch_related(
            Prefetch(
                "measurements",
                queryset=GoalMeasurement.objects.select_related("recorded_by").order_by(
                    "-measured_on", "-id"
                ),
            )
        )
    )
    goal = get_object_or_404(filter_readable(goals, user, "strategy__cluster"), pk=pk)
    return _with_trend(goal)


def with_latest_note(activities):
    """Activities annotated with their latest note, the day it happened and who wrote it
    (latest_note, latest_note_on, latest_note_author; None when no update has a note), for the
    progress exports that people read. Three subqueries on the (activity, effective_on) index,
    so the query count does not grow with the activities."""
    newest = (
        ProgressUpdate.objects.filter(activity=OuterRef("pk"))
        .exclude(note="")
        .order_by("-effective_on", "-recorded_at", "-pk")
    )
    return activities.annotate(
        latest_note=Subquery(newest.values("note")[:1]),
        latest_note_on=Subquery(newest.values("effective_on")[:1]),
        latest_note_author=Subquery(newest.values("author__username")[:1]),
        latest_note_author_first=Subquery(newest.values("author__first_name")[:1]),
        latest_note_author_last=Subquery(newest.values("author__last_name")[:1]),
    )
