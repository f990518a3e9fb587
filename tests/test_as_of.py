"""with_state_as_of: each activity's status, progress, revised end and completion date as they
stood on a date, replayed from a hand-built history. Runs on SQLite and on PostgreSQL."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import Activity
from actions.progress import services
from actions.reporting.as_of import with_state_as_of
from tests import factories

D = datetime.date


@pytest.fixture
def author(db):
    return factories.AdminFactory(username="historian")


@pytest.fixture
def activities(cluster_a):
    factories.ClusterWithPlanFactory(
        slug="cer-hist", plan__strategies=1, plan__activities_per_strategy=5
    )
    return {a.code: a for a in Activity.objects.filter(cluster__slug="cer-hist")}


def add(activity, author, on, *, status=None, progress=None, revised_end=..., kind="progress"):
    """Append an update moving the activity from its current state, and apply it, as the
    services would (but by hand, so the selector is tested on its own)."""
    activity.refresh_from_db()
    new_status = status or activity.status
    new_progress = activity.progress if progress is None else progress
    new_revised_end = activity.revised_end if revised_end is ... else revised_end
    factories.ProgressUpdateFactory(
        activity=activity,
        author=author,
        kind=kind,
        effective_on=on,
        new_status=new_status,
        new_progress=new_progress,
        new_revised_end=new_revised_end,
    )
    if new_status == "done" and activity.status != "done":
        activity.completed_on = on
    elif new_status != "done":
        activity.completed_on = None
    activity.status, activity.progress = new_status, new_progress
    activity.revised_end = new_revised_end
    activity.revision_reason = "motivo" if new_revised_end else ""
    activity.version += 1
    activity.save()


def state(activity, as_of):
    row = (
        with_state_as_of(Activity.objects.filter(pk=activity.pk), as_of)
        .values("state_status", "state_progress", "state_revised_end", "state_completed_on")
        .get()
    )
    return (
        row["state_status"],
        row["state_progress"],
        row["state_revised_end"],
        row["state_completed_on"],
    )


@pytest.fixture
def history(activities, author):
    """1.1: started, advanced, deadline revised twice, done.
    1.2: done, reopened, done again.   1.3: no updates at all (blocked, 30 % by import).
    1.4: two updates on the same day.   1.5: cancelled."""
    a = activities
    add(a["1.1"], author, D(2008, 1, 10), status="in_progress", progress=20)
    add(a["1.1"], author, D(2008, 3, 1), progress=50)
    add(a["1.1"], author, D(2008, 6, 1), revised_end=D(2010, 6, 30), kind="revision")
    add(a["1.1"], author, D(2008, 7, 1), revised_end=D(2011, 6, 30), kind="revision")
    add(a["1.1"], author, D(2008, 9, 1), status="done", progress=100)

    add(a["1.2"], author, D(2008, 2, 1), status="done", progress=100)
    add(a["1.2"], author, D(2008, 4, 1), status="in_progress", progress=80)
    add(a["1.2"], author, D(2008, 8, 1), status="done", progress=100)

    imported = a["1.3"]
    imported.status, imported.progress = "blocked", 30
    imported.save()

    add(a["1.4"], author, D(2008, 5, 5), status="in_progress", progress=10)
    add(a["1.4"], author, D(2008, 5, 5), progress=35)

    add(a["1.5"], author, D(2008, 3, 3), status="cancelled")
    return a


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2007, 12, 31), ("pending", 0, None, None)),
        (D(2008, 1, 10), ("in_progress", 20, None, None)),  # the update's own day counts
        (D(2008, 2, 15), ("in_progress", 20, None, None)),
        (D(2008, 3, 1), ("in_progress", 50, None, None)),
        (D(2008, 6, 15), ("in_progress", 50, D(2010, 6, 30), None)),
        (D(2008, 7, 1), ("in_progress", 50, D(2011, 6, 30), None)),
        (D(2008, 8, 31), ("in_progress", 50, D(2011, 6, 30), None)),
        (D(2008, 9, 1), ("done", 100, D(2011, 6, 30), D(2008, 9, 1))),
        (D(2015, 1, 1), ("done", 100, D(2011, 6, 30), D(2008, 9, 1))),
    ],
)
def test_replay_of_progress_and_revisions(history, as_of, expected):
    assert state(history["1.1"], as_of) == expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2008, 1, 31), ("pending", 0, None, None)),
        (D(2008, 2, 1), ("done", 100, None, D(2008, 2, 1))),
        (D(2008, 3, 31), ("done", 100, None, D(2008, 2, 1))),
        (D(2008, 4, 1), ("in_progress", 80, None, None)),
        (D(2008, 8, 1), ("done", 100, None, D(2008, 8, 1))),
    ],
)
def test_completion_date_follows_reopening(history, as_of, expected):
    assert state(history["1.2"], as_of) == expected


def test_an_activity_without_updates_is_as_it_is_now(history):
    for as_of in (D(2006, 1, 1), D(2008, 6, 1), None):
        assert state(history["1.3"], as_of) == ("blocked", 30, None, None)


def test_same_day_updates_take_the_later_one(history):
    assert state(history["1.4"], D(2008, 5, 5)) == ("in_progress", 35, None, None)
    assert state(history["1.4"], D(2008, 5, 4)) == ("pending", 0, None, None)


def test_cancelled(history):
    assert state(history["1.5"], D(2008, 3, 2)) == ("pending", 0, None, None)
    assert state(history["1.5"], D(2008, 3, 3)) == ("cancelled", 0, None, None)


def test_today_and_none_read_the_stored_state(history):
    today = timezone.localdate()
    expected = ("done", 100, D(2011, 6, 30), D(2008, 9, 1))
    assert state(history["1.1"], None) == expected
    assert state(history["1.1"], today) == expected


def test_all_activities_in_one_query_whatever_the_history(history):
    with CaptureQueriesContext(connection) as queries:
        rows = list(
            with_state_as_of(Activity.objects.filter(cluster__slug="cer-hist"), D(2008, 4, 15))
        )
    assert len(queries) == 1
    by_code = {row.code: (row.state_status, row.state_progress) for row in rows}
    assert by_code == {
        "1.1": ("in_progress", 50),
        "1.2": ("in_progress", 80),
        "1.3": ("blocked", 30),
        "1.4": ("pending", 0),
        "1.5": ("cancelled", 0),
    }


def test_replay_of_a_history_written_by_the_services(cluster_a, roles):
    """The services write what the replay reads: the two agree."""
    activity = Activity.objects.filter(cluster=cluster_a).order_by("code").first()
    staff = roles["staff_a"]

    def version():
        return Activity.objects.get(pk=activity.pk).version

    services.record_progress(
        activity_id=activity.pk,
        acting_user=staff,
        expected_version=version(),
        status="in_progress",
        progress=25,
        effective_on=D(2008, 1, 15),
    )
    services.revise_deadline(
        activity_id=activity.pk,
        acting_user=staff,
        expected_version=version(),
        new_end=D(2010, 12, 31),
        reason="Atraso en el financiamiento.",
        effective_on=D(2008, 2, 1),
    )
    services.record_progress(
        activity_id=activity.pk,
        acting_user=staff,
        expected_version=version(),
        status="done",
        progress=100,
        effective_on=D(2008, 10, 1),
    )
    assert state(activity, D(2008, 1, 14)) == ("pending", 0, None, None)
    assert state(activity, D(2008, 1, 20)) == ("in_progress", 25, None, None)
    assert state(activity, D(2008, 5, 1)) == ("in_progress", 25, D(2010, 12, 31), None)
    assert state(activity, D(2009, 1, 1)) == ("done", 100, D(2010, 12, 31), D(2008, 10, 1))
