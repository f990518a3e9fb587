"""generate_synthetic: deterministic plans shaped like the 2006 one, within every constraint."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from actions.models import (
    Activity,
    Funding,
    Goal,
    GoalMeasurement,
    Involvement,
    Objective,
    ProgressUpdate,
    Status,
    Strategy,
)
from actions.plan.periods import parse_period
from actions.reporting.export_plan import export_plan
from clusters.models import Cluster, Company

pytestmark = pytest.mark.django_db


def generate(clusters=2, activities=40, updates=4, seed=7):
    call_command(
        "generate_synthetic",
        clusters=clusters,
        activities_per_cluster=activities,
        updates_per_activity=updates,
        seed=seed,
        stdout=io.StringIO(),
    )


def wipe():
    # PostgreSQL refuses to TRUNCATE tables with deferred foreign-key checks still pending in
    # the test's transaction: run them first.
    connection.check_constraints()
    call_command("flush", interactive=False, verbosity=0)


def test_same_seed_gives_the_same_plan():
    generate(seed=7)
    first = export_plan()
    wipe()
    generate(seed=7)
    assert export_plan() == first
    wipe()
    generate(seed=8)
    assert export_plan() != first


def test_a_cer_does_not_depend_on_how_many_are_generated():
    generate(clusters=2)
    second_run_first_cer = export_plan("sintetico-001")
    wipe()
    generate(clusters=1)
    assert export_plan("sintetico-001") == second_run_first_cer


def test_plan_has_the_shape_of_the_2006_one():
    generate(clusters=2, activities=60, updates=5)
    assert list(Cluster.objects.values_list("slug", flat=True).order_by("slug")) == [
        "sintetico-001",
        "sintetico-002",
    ]
    for cluster in Cluster.objects.all():
        assert list(
            Objective.objects.filter(cluster=cluster).values_list("numeral", flat=True)
        ) == ["I", "II", "III", "IV"]
        assert Strategy.objects.filter(cluster=cluster).count() == 14
        assert Activity.objects.filter(cluster=cluster).count() == 60
        assert cluster.obstacles.exists()
        assert Company.objects.filter(cluster=cluster).exists()
    assert ProgressUpdate.objects.count() == 2 * 60 * 5

    for strategy in Strategy.objects.all():
        period = parse_period(strategy.committed_period_text)
        assert (period.start, period.end) == (strategy.committed_start, strategy.committed_end)
        assert strategy.activities.exists()
    assert Strategy.objects.filter(
        committed_end__isnull=True, committed_period_text__icontains="en adelante"
    ).exists()

    statuses = set(Activity.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    assert not Activity.objects.filter(status=Status.DONE).exclude(progress=100).exists()
    assert not Activity.objects.filter(status=Status.DONE, completed_on__isnull=True).exists()
    assert Activity.objects.filter(revised_end__isnull=False).exclude(revision_reason="").exists()
    overdue = (
        Activity.objects.exclude(status__in=[Status.DONE, Status.CANCELLED])
        .annotate(effective_end=Coalesce("revised_end", "planned_end"))
        .filter(effective_end__lt=timezone.localdate())
    )
    assert overdue.exists()
    assert Activity.objects.filter(planned_end__isnull=True).exists()  # ongoing

    assert Goal.objects.filter(target_value__isnull=False).exclude(unit="").exists()
    assert Goal.objects.filter(target_value__isnull=True).exists()
    assert GoalMeasurement.objects.filter(recorded_by__username="synthetic").exists()
    assert Funding.objects.filter(kind="public", instruments__isnull=False).exists()
    assert Funding.objects.filter(kind="private").exists()
    assert Involvement.objects.filter(role="responsible").exists()
    assert Involvement.objects.filter(role="involved").exists()
    assert not Strategy.objects.annotate(
        responsible=Count("involvements", filter=Q(involvements__role="responsible"))
    ).filter(responsible=0)


def test_progress_history_is_a_consistent_chain():
    generate(clusters=1, activities=80, updates=6)
    activities = Activity.objects.prefetch_related("updates")
    for activity in activities:
        updates = sorted(activity.updates.all(), key=lambda u: (u.effective_on, u.id))
        assert len(updates) == 6
        state = (Status.PENDING, 0, None)
        for previous, update in zip([None, *updates], updates, strict=False):
            assert (update.old_status, update.old_progress, update.old_revised_end) == state
            assert update.new_progress >= update.old_progress
            if update.new_status == Status.DONE:
                assert update.new_progress == 100
            if previous is not None:
                assert update.effective_on > previous.effective_on
            if update.kind == ProgressUpdate.Kind.REVISION:
                assert update.new_revised_end is not None and update.note
            state = (update.new_status, update.new_progress, update.new_revised_end)
        assert (activity.status, activity.progress, activity.revised_end) == state
        assert updates[-1].effective_on <= date(2026, 6, 30)


def test_every_row_passes_model_validation():
    generate(clusters=1, activities=30, updates=3)
    for model in (Cluster, Company, Objective, Strategy, Activity, Goal, Funding, Involvement):
        for obj in model.objects.all():
            obj.full_clean()
    assert not Activity.objects.filter(planned_end__lt=F("planned_start")).exists()


def test_does_not_touch_the_2006_plan_and_refuses_to_run_twice(plan_2006):
    before = export_plan("metalmecanica")
    generate(clusters=1, activities=20, updates=2)
    assert export_plan("metalmecanica") == before
    with pytest.raises(CommandError, match="sintetico-001"):
        generate(clusters=1, activities=20, updates=2)
