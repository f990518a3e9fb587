"""The data behind /my-work/: the open activities that need the user, in one query.

Staff see the open activities of the CERs they coordinate; admins, who may read every CER, see
those they were named responsible for (a national list would be no one's work); owners, who
record nothing, see what comes next in their CERs. Each activity lands in one section, in this
order of urgency:

- overdue: its end (revised, else planned) has passed;
- due soon: it ends within DUE_DAYS;
- not updated: started (or with no start) and no update recorded for STALE_DAYS (for those who
  record; owners do not get this section);
- later: the rest, ending later or open-ended.

Within a section, the activities the user answers for come first, then by end date.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Subquery
from django.utils import timezone

from actions.models import Activity, ProgressUpdate
from actions.reporting import rollup
from clusters import permissions as roles

DUE_DAYS = 30
STALE_DAYS = 60
# A section lists at most this many (a phone's few screens); the page says how many more there
# are and links to the plan of each CER they belong to.
SECTION_LIMIT = 30


@dataclass
class Section:
    key: str
    activities: list = field(default_factory=list)
    total: int = 0
    # {cluster: how many of the section's activities are its}, in the order first met.
    clusters: dict = field(default_factory=dict)

    @property
    def more(self):
        return self.total - len(self.activities)


@dataclass
class MyWork:
    records: bool  # the user records progress (staff, admins): forms and the stale section
    sections: list  # [Section] in order: overdue, due_soon, stale, later
    today: datetime.date
    kind: str = ""

    @property
    def total(self):
        return sum(section.total for section in self.sections)


def _scope(user):
    """The activities of the page before their status, and whether the user records."""
    if roles.is_admin(user):
        return Activity.objects.filter(responsible_users=user), True
    recordable = roles.recordable_cluster_ids(user)
    if recordable:
        return Activity.objects.filter(cluster_id__in=recordable), True
    return Activity.objects.filter(cluster_id__in=roles.readable_cluster_ids(user)), False


def my_work(user, today=None, kind=""):
    """The user's open activities, sorted into sections (see the module's docstring); only
    those of ``kind`` (an ActivityKind) when given."""
    today = today or timezone.localdate()
    scope, records = _scope(user)
    if kind:
        scope = scope.filter(kind=kind)
    latest_update = (
        ProgressUpdate.objects.filter(activity=OuterRef("pk"))
        .order_by("-recorded_at")
        .values("recorded_at")[:1]
    )
    # The state and the end as the roll-up reads them, and "overdue" by its one rule.
    activities = (
        rollup.activities_as_of(scope, today)
        .filter(state_status__in=rollup.OPEN_STATUSES)
        .select_related("cluster", "strategy")
        .annotate(
            is_overdue=ExpressionWrapper(rollup.overdue_q(today), output_field=BooleanField()),
            is_mine=Exists(
                Activity.responsible_users.through.objects.filter(
                    activity_id=OuterRef("pk"), user_id=user.pk
                )
            ),
            last_recorded_at=Subquery(latest_update),
        )
        .order_by(
            F("is_mine").desc(), F("state_end").asc(nulls_last=True), "cluster__name", "position"
        )
    )
    sections = {key: Section(key) for key in ("overdue", "due_soon", "stale", "later")}
    if not records:
        del sections["stale"]
    stale_before = today - datetime.timedelta(days=STALE_DAYS)
    for activity in activities:
        key = _section_of(activity, today, stale_before, records)
        section = sections[key]
        section.total += 1
        section.clusters[activity.cluster] = section.clusters.get(activity.cluster, 0) + 1
        if len(section.activities) < SECTION_LIMIT:
            section.activities.append(activity)
    return MyWork(records=records, sections=list(sections.values()), today=today, kind=kind)


def _section_of(activity, today, stale_before, records):
    end = activity.state_end
    # Days left until the end (None: open-ended) and days late (0 unless it has passed).
    activity.days_left = (end - today).days if end else None
    activity.days_late = max(0, -activity.days_left) if end else 0
    activity.last_update_on = (
        timezone.localdate(activity.last_recorded_at) if activity.last_recorded_at else None
    )
    activity.is_stale = (activity.planned_start is None or activity.planned_start <= today) and (
        activity.last_update_on is None or activity.last_update_on < stale_before
    )
    if activity.is_overdue:
        return "overdue"
    if end and end <= today + datetime.timedelta(days=DUE_DAYS):
        return "due_soon"
    if records and activity.is_stale:
        return "stale"
    return "later"
