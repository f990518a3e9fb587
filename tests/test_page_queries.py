"""Every page asks the database a fixed number of queries, whatever the size of the plan.

A plan the size of the 2006 one (14 strategies, 48 activities, goals, funding, actors and a
history of progress updates) and one ten times larger give the same count on every page, and the
count stays under QUERY_BOUND.
"""

import datetime
from itertools import cycle

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import (
    Activity,
    Actor,
    Funding,
    Goal,
    GoalMeasurement,
    Instrument,
    Involvement,
    ProgressUpdate,
    Strategy,
)
from tests import factories

QUERY_BOUND = 15
D = datetime.date
ACTIVITIES_PER_STRATEGY = cycle([1, 3, 5, 3, 4, 2, 6, 3, 4, 3, 5, 3, 4, 2])  # 48 per 14
STATUSES = cycle(["pending", "in_progress", "done", "blocked", "pending", "cancelled"])


def build_plan(slug, scale, author):
    """A plan of 14 × scale strategies under four objectives, built by the factories and saved
    in bulk (a few thousand rows)."""
    cluster = factories.ClusterFactory(slug=slug)
    objectives = [
        factories.ObjectiveFactory(cluster=cluster, numeral=numeral, position=n)
        for n, numeral in enumerate(["I", "II", "III", "IV"], start=1)
    ]
    actors = Actor.objects.bulk_create(
        factories.ActorFactory.build(name=f"{slug} actor {n}") for n in range(12)
    )
    instruments = Instrument.objects.bulk_create(
        factories.InstrumentFactory.build(name=f"{slug} instrumento {n}") for n in range(6)
    )
    strategies = Strategy.objects.bulk_create(
        factories.StrategyFactory.build(
            objective=objectives[n % 4],
            number=n + 1,
            committed_period_text="2007-2011" if n % 5 else "Desde el año 2008 en adelante",
            committed_start=D(2007 + n % 3, 1, 1),
            committed_end=D(2011, 12, 31) if n % 5 else None,
            correction_note="Nota." if n % 7 == 0 else "",
        )
        for n in range(14 * scale)
    )
    goals, funding, involvements, activities = [], [], [], []
    for n, strategy in enumerate(strategies):
        goals += [
            factories.GoalFactory.build(strategy=strategy, position=1, target_value=80, unit="%"),
            factories.GoalFactory.build(strategy=strategy, position=2, text="Meta sin indicador"),
        ]
        funding += [
            factories.FundingFactory.build(strategy=strategy, position=1, text="PROFO o PDP"),
            factories.FundingFactory.build(
                strategy=strategy, kind="private", position=1, text="50% del costo"
            ),
        ]
        involvements += [
            factories.InvolvementFactory.build(strategy=strategy, actor=actors[n % 12], position=1),
            factories.InvolvementFactory.build(
                strategy=strategy, actor=actors[(n + 1) % 12], role="involved", position=1
            ),
            factories.InvolvementFactory.build(
                strategy=strategy, actor=actors[(n + 2) % 12], role="involved", position=2
            ),
        ]
        for position in range(1, next(ACTIVITIES_PER_STRATEGY) + 1):
            status = next(STATUSES)
            activities.append(
                factories.ActivityFactory.build(
                    strategy=strategy,
                    position=position,
                    revised_end=D(2013, 6, 30) if position == 2 else None,
                    status=status,
                    progress={"done": 100, "pending": 0, "cancelled": 0}.get(status, 40),
                    completed_on=D(2010, 3, 1) if status == "done" else None,
                )
            )
    goals = Goal.objects.bulk_create(goals)
    funding = Funding.objects.bulk_create(funding)
    Involvement.objects.bulk_create(involvements)
    activities = Activity.objects.bulk_create(activities)
    for n, line in enumerate(funding):
        line.instruments.add(instruments[n % 6], instruments[(n + 1) % 6])
    GoalMeasurement.objects.bulk_create(
        factories.GoalMeasurementFactory.build(goal=goal, value=value, measured_on=on)
        for goal in goals
        if goal.target_value
        for value, on in ((20, D(2008, 6, 30)), (45, D(2010, 6, 30)))
    )
    # A history for every activity: two or three updates each.
    ProgressUpdate.objects.bulk_create(
        factories.ProgressUpdateFactory.build(
            activity=activity,
            author=author,
            effective_on=on,
            old_status="pending",
            old_progress=0,
            old_revised_end=None,
            new_status=activity.status,
            new_progress=activity.progress,
            new_revised_end=activity.revised_end,
            note="avance",
        )
        for activity in activities
        for on in (D(2008, 3, 1), D(2009, 9, 1), D(2010, 3, 1))[: 2 + activity.position % 2]
    )
    return cluster, actors[0], instruments[0]


@pytest.fixture
def plans_of_two_sizes(db):
    author = factories.AdminFactory(username="autor")
    small = build_plan("uno", 1, author)
    large = build_plan("diez", 10, author)
    assert Strategy.objects.filter(cluster=small[0]).count() == 14
    assert Activity.objects.filter(cluster=small[0]).count() == 48
    assert Activity.objects.filter(cluster=large[0]).count() == 480
    return {"uno": small, "diez": large}


PAGES = {
    "dashboard": "/clusters/{slug}/",
    "dashboard as of": "/clusters/{slug}/?as_of=2009-12-31",
    "plan": "/clusters/{slug}/plan/",
    "plan filtered": (
        "/clusters/{slug}/plan/?status=in_progress&year=2009&actor={actor}&instrument={instrument}"
    ),
    "plan as of, overdue": "/clusters/{slug}/plan/?as_of=2012-06-30&overdue=1",
    "timeline": "/clusters/{slug}/timeline/",
    "obstacles": "/clusters/{slug}/obstacles/",
    "timeline as of": "/clusters/{slug}/timeline/?as_of=2009-12-31",
    "plan workbook": "/clusters/{slug}/export/plan.xlsx",
    "progress csv": "/clusters/{slug}/export/progress.csv",
    "progress xlsx": "/clusters/{slug}/export/progress.xlsx",
}


def count_queries(client, url):
    client.get(url)  # warm up: anything cached per process is not part of the page
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


def user_of(role, cluster, size):
    if role == "staff":
        return factories.StaffFactory(username=f"staff-{size}", clusters=[cluster])
    if role == "owner":
        return factories.OwnerFactory(username=f"owner-{size}", company__cluster=cluster)
    return factories.AdminFactory(username=f"admin-{size}")


@pytest.mark.parametrize("role", ["staff", "owner", "admin"])
def test_page_query_counts_do_not_grow_with_the_plan(client, plans_of_two_sizes, role):
    counts = {page: {} for page in PAGES}
    for size, (cluster, actor, instrument) in plans_of_two_sizes.items():
        client.force_login(user_of(role, cluster, size))
        for page, url in PAGES.items():
            url = url.format(slug=cluster.slug, actor=actor.pk, instrument=instrument.pk)
            counts[page][size] = count_queries(client, url)
    print(f"\nqueries per page ({role}, 2006 size / ten times larger):")
    for page, by_size in counts.items():
        print(f"  {page:22} {by_size['uno']:3} / {by_size['diez']:3}")
    grows = {page: c for page, c in counts.items() if c["uno"] != c["diez"]}
    assert not grows, f"query count grows with the plan: {grows}"
    over = {page: c for page, c in counts.items() if c["uno"] > QUERY_BOUND}
    assert not over, f"over {QUERY_BOUND} queries: {over}"


def test_home_query_count_does_not_grow_with_the_plan(client, plans_of_two_sizes):
    uno, diez = plans_of_two_sizes["uno"][0], plans_of_two_sizes["diez"][0]
    small_home = factories.ClusterWithPlanFactory(slug="pequeno")  # a third CER, tiny
    client.force_login(factories.StaffFactory(username="pequena", clusters=[small_home, uno]))
    small = count_queries(client, "/")
    client.force_login(factories.StaffFactory(username="grande", clusters=[small_home, diez]))
    large = count_queries(client, "/")
    print(f"\nqueries on home: {small} / {large}")
    assert small == large <= QUERY_BOUND
