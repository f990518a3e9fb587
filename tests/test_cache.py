"""The cached dashboard: every write path invalidates its CER, and only its CER, at once; a
rolled-back write leaves nothing stale; nothing of one user's rights leaks to another through the
cache; a cached page costs fewer queries. Also: the one-statement roll-up (actions.reporting.rollup.
cluster_rollup) gives the figures of the nested expressions it replaced."""

import datetime
import io
import math

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Activity, Actor, Funding, Goal, Instrument, Status, Strategy
from actions.progress import services
from actions.reporting import cache as cerplan_cache
from actions.reporting import rollup
from actions.reporting.cache import _PendingBumps as PendingBumps
from clusters.models import Cluster
from tests import factories
from tests.helpers import admin_edit

D = datetime.date
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def cer(db):
    """Two strategies of two activities, all pending and overdue since 2009 (so the dashboard
    lists them, with their responsible actor), and a goal with an indicator."""
    cluster = factories.ClusterWithPlanFactory(
        slug="cer-cache", name="CER Caché", plan__strategies=2, plan__activities_per_strategy=2
    )
    goal = Goal.objects.get(strategy__cluster=cluster, strategy__number=1)
    goal.target_value, goal.unit = 80, "%"
    goal.save()
    return cluster


@pytest.fixture
def other(db):
    cluster = factories.ClusterWithPlanFactory(slug="cer-otro-cache")
    return cluster


@pytest.fixture
def staff(cer):
    return factories.StaffFactory(username="coordinadora-cache", clusters=[cer])


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def dashboard(client, cluster, **params):
    response = client.get(reverse("cluster-dashboard", kwargs={"slug": cluster.slug}), params)
    assert response.status_code == 200
    return response


def shared_part(response):
    """The page below its header: what the cache holds (the rest carries a fresh CSRF token)."""
    html = response.content.decode()
    return html[html.index('<section class="row g-3 mb-3 headline"') : html.index("</main>")]


def figure(response, name):
    return response.context["figures"][name]


def activity(cluster, code):
    return Activity.objects.get(cluster=cluster, code=code)


def record(user, target, status, progress, **extra):
    return services.record_progress(
        activity_id=target.pk,
        acting_user=user,
        expected_version=Activity.objects.get(pk=target.pk).version,
        status=status,
        progress=progress,
        **extra,
    )


# Every write path shows at once ---------------------------------------------------------------


def test_recorded_progress_shows_at_once(staff_client, staff, cer):
    before = dashboard(staff_client, cer)
    assert (figure(before, "status_done"), figure(before, "overdue")) == (0, 4)
    assert shared_part(dashboard(staff_client, cer)) == shared_part(before)  # from the cache

    record(staff, activity(cer, "1.1"), "done", 100)

    after = dashboard(staff_client, cer)
    assert (figure(after, "status_done"), figure(after, "overdue")) == (1, 3)
    assert 'data-figure="progress" href="/clusters/cer-cache/plan/">25 %' in after.content.decode()


def test_recorded_progress_shows_at_once_through_the_form(staff_client, cer):
    dashboard(staff_client, cer)
    target = activity(cer, "2.1")
    response = staff_client.post(
        reverse("activity-update", kwargs={"pk": target.pk}),
        {"version": target.version, "status": "in_progress", "progress": "40", "note": "x"},
    )
    assert response.status_code == 302
    assert figure(dashboard(staff_client, cer), "status_in_progress") == 1


def test_an_admin_edit_of_a_strategy_title_shows_at_once(client, staff, cer):
    admin = factories.AdminFactory(username="admin-cache")
    client.force_login(staff)
    assert "Estrategia 1 de cer-cache" in dashboard(client, cer).content.decode()

    client.force_login(admin)
    admin_edit(client, Strategy.objects.get(cluster=cer, number=1), {"title": "Título nuevo"})

    client.force_login(staff)
    html = dashboard(client, cer).content.decode()
    assert "Título nuevo" in html
    assert "Estrategia 1 de cer-cache" not in html


def test_a_goal_measurement_shows_at_once(staff_client, staff, cer):
    assert "sin medición" in dashboard(staff_client, cer).content.decode()
    goal = Goal.objects.get(strategy__cluster=cer, target_value__isnull=False)
    services.record_goal_measurement(
        goal_id=goal.pk, acting_user=staff, value=42, measured_on=D(2009, 3, 1), source="Encuesta"
    )
    html = dashboard(staff_client, cer).content.decode()
    assert "<strong>42</strong>" in html
    assert "sin medición" not in html


def test_an_actor_rename_shows_at_once_in_every_cer(staff_client, cer):
    # ClusterWithPlanFactory makes every strategy's responsible "CORFO", shared by the CERs.
    assert "CORFO" in dashboard(staff_client, cer).content.decode()
    actor = Actor.objects.get(name="CORFO")
    actor.name = "Corporación de Fomento"
    actor.save()
    html = dashboard(staff_client, cer).content.decode()
    assert "Corporación de Fomento" in html
    assert "CORFO" not in html


def test_a_user_rename_shows_at_once_as_author(staff_client, staff, cer):
    record(staff, activity(cer, "1.1"), "in_progress", 10, effective_on=D(2009, 1, 1))
    assert "coordinadora-cache" in dashboard(staff_client, cer).content.decode()
    staff.first_name, staff.last_name = "Ana", "Rojas"
    staff.save()
    assert "Ana Rojas" in dashboard(staff_client, cer).content.decode()


def test_changes_of_funding_instruments_bump_their_cer(staff_client, cer, other):
    """Funding is not on the dashboard, but it is the CER's data: every change of the m2m, from
    either side, gives the CER a new version (the reverse side, any CER: the global one), and
    the next page is computed again rather than served from the cache."""
    funding = Funding.objects.filter(strategy__cluster=cer).first()
    instrument = Instrument.objects.create(name="PDP")
    dashboard(staff_client, cer), dashboard(staff_client, cer)
    with CaptureQueriesContext(connection) as cached:
        dashboard(staff_client, cer)
    funding.instruments.add(instrument)
    with CaptureQueriesContext(connection) as after_the_change:
        dashboard(staff_client, cer)
    assert len(after_the_change) > len(cached)

    def versions():
        return (
            cerplan_cache.cluster_version(cer.pk),
            cerplan_cache.cluster_version(other.pk),
            cerplan_cache.global_version(),
        )

    for change in (
        lambda: funding.instruments.add(instrument),
        lambda: funding.instruments.remove(instrument),
        lambda: funding.instruments.set([instrument]),
        lambda: funding.instruments.clear(),
    ):
        before = versions()
        change()
        after = versions()
        assert after[0] != before[0]
        assert after[1:] == before[1:]
    before = versions()
    instrument.funding.add(funding)
    after = versions()
    assert after[2] != before[2]


def test_every_kind_of_write_bumps_its_cer_and_no_other(cer, other, staff):
    strategy = Strategy.objects.get(cluster=cer, number=1)
    writes = [
        lambda: record(staff, activity(cer, "1.2"), "in_progress", 5),
        lambda: Goal.objects.create(strategy=strategy, position=9, text="Otra meta"),
        lambda: strategy.objective.save(),
        lambda: strategy.save(),
        lambda: Funding.objects.create(strategy=strategy, kind="private", position=5, text="x"),
        lambda: strategy.involvements.first().save(),
        lambda: cer.obstacles.create(position=1, title="Obstáculo"),
        lambda: cer.obstacles.get().measures.create(position=1, text="Medida"),
        lambda: cer.save(),
        lambda: Activity.objects.get(cluster=cer, code="2.2").delete(),
    ]
    for write in writes:
        mine, theirs = (
            cerplan_cache.cluster_version(cer.pk),
            cerplan_cache.cluster_version(other.pk),
        )
        shared = cerplan_cache.global_version()
        write()
        assert cerplan_cache.cluster_version(cer.pk) != mine
        assert cerplan_cache.cluster_version(other.pk) == theirs
        assert cerplan_cache.global_version() == shared


def test_two_cers_caches_are_independent(client, staff, cer, other):
    client.force_login(factories.StaffFactory(username="de-ambos", clusters=[cer, other]))
    dashboard(client, cer), dashboard(client, other)
    mine, theirs = cerplan_cache.cluster_version(cer.pk), cerplan_cache.cluster_version(other.pk)

    record(staff, activity(cer, "1.1"), "done", 100)

    assert cerplan_cache.cluster_version(cer.pk) != mine
    assert cerplan_cache.cluster_version(other.pk) == theirs
    # The other CER's page is still served from the cache: versions, entry, nothing else.
    with CaptureQueriesContext(connection) as cached:
        dashboard(client, other)
    with CaptureQueriesContext(connection) as recomputed:
        dashboard(client, cer)
    assert len(cached) < len(recomputed)


def test_signing_in_bumps_nothing(client, cer, staff):
    before = cerplan_cache.global_version()
    response = client.post(
        reverse("login"), {"username": staff.username, "password": "a long test passphrase"}
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.last_login is not None  # saved, alone
    assert cerplan_cache.global_version() == before


def test_loading_a_fixture_and_generating_synthetic_plans_bump_everything(plan_2006):
    before = cerplan_cache.global_version()
    call_command("generate_synthetic", clusters=1, activities_per_cluster=3, stdout=io.StringIO())
    assert cerplan_cache.global_version() != before
    before = cerplan_cache.global_version()
    call_command("loaddata", "plan_2006", verbosity=0)  # raw saves: the CER cannot be told
    assert cerplan_cache.global_version() != before


def test_the_timeline_shows_a_write_at_once_and_is_cached(staff_client, staff, cer):
    url = reverse("cluster-timeline", kwargs={"slug": cer.slug})
    assert "Estrategia 2 de cer-cache" in staff_client.get(url).content.decode()
    with CaptureQueriesContext(connection) as cached:
        staff_client.get(url)
    strategy = Strategy.objects.get(cluster=cer, number=2)
    strategy.title = "Estrategia renombrada"
    strategy.save()
    with CaptureQueriesContext(connection) as computed:
        html = staff_client.get(url).content.decode()
    assert "Estrategia renombrada" in html
    assert "Estrategia 2 de cer-cache" not in html
    assert len(cached) < len(computed)


# Rights, dates and languages -------------------------------------------------------------------


def test_an_owner_never_gets_the_edit_controls_a_staff_member_cached(client, staff, cer):
    client.force_login(staff)
    html = dashboard(client, cer).content.decode()
    assert "/update/" in html and "Registrar avance" in html

    client.force_login(factories.OwnerFactory(username="empresaria-cache", company__cluster=cer))
    html = dashboard(client, cer).content.decode()
    assert "/update/" not in html
    assert "Registrar avance" not in html
    assert "empresaria-cache" in html
    assert staff.username not in html

    client.force_login(staff)
    assert "Registrar avance" in dashboard(client, cer).content.decode()


def test_the_cached_parts_hold_nothing_of_the_request(staff_client, cer, monkeypatch):
    """The header is shared only when the request carries nothing of its own: parameters the
    date form keeps, or a date it could not read, are rendered for the request."""
    dashboard(staff_client, cer, foo="uno")
    html = dashboard(staff_client, cer, foo="dos").content.decode()
    assert 'name="foo" value="dos"' in html
    assert 'value="uno"' not in html
    assert "no es válida" in dashboard(staff_client, cer, as_of="ayer").content.decode()
    assert "no es válida" not in dashboard(staff_client, cer).content.decode()
    # The header says the minute the page was generated, not the minute it was cached.
    later = timezone.localtime() + datetime.timedelta(minutes=2)
    monkeypatch.setattr(timezone, "localtime", lambda *args, **kwargs: later)
    assert f"Generado el {later:%d-%m-%Y %H:%M}" in dashboard(staff_client, cer).content.decode()


def test_figures_as_of_today_change_at_midnight_without_a_write(staff_client, cer, monkeypatch):
    target = activity(cer, "1.1")
    target.planned_end = timezone.localdate()
    target.save()
    assert figure(dashboard(staff_client, cer), "overdue") == 3  # due today, not yet late
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert figure(dashboard(staff_client, cer), "overdue") == 4


def test_each_as_of_date_and_language_is_its_own_entry(staff_client, staff, cer):
    record(staff, activity(cer, "1.1"), "in_progress", 50, effective_on=D(2010, 1, 1))
    assert figure(dashboard(staff_client, cer, as_of="2009-06-30"), "status_in_progress") == 0
    assert figure(dashboard(staff_client, cer, as_of="2010-06-30"), "status_in_progress") == 1
    assert figure(dashboard(staff_client, cer), "status_in_progress") == 1
    assert "Avance general" in dashboard(staff_client, cer).content.decode()
    staff_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Avance general" not in dashboard(staff_client, cer).content.decode()


# Transactions ----------------------------------------------------------------------------------


def test_a_rolled_back_write_leaves_no_stale_page(staff_client, staff, cer):
    assert figure(dashboard(staff_client, cer), "status_done") == 0
    with pytest.raises(RuntimeError), transaction.atomic():
        record(staff, activity(cer, "1.1"), "done", 100)
        # Read inside the doomed transaction: it sees (and may cache) the write.
        assert figure(dashboard(staff_client, cer), "status_done") == 1
        raise RuntimeError("rolled back")
    assert figure(dashboard(staff_client, cer), "status_done") == 0


@pytest.mark.parametrize("caches", ["database", "locmem"])
def test_a_rolled_back_write_leaves_no_stale_page_committed(
    transactional_db, client, settings, caches
):
    """The same with real commits, with the database cache (which rolls back with the data) and
    with a cache outside the database (which does not: nothing computed from the doomed
    transaction's writes is stored)."""
    if caches == "locmem":
        settings.CACHES = LOCMEM
    cluster = factories.ClusterWithPlanFactory(slug="cer-commit")
    staff = factories.StaffFactory(username="coordinadora-commit", clusters=[cluster])
    client.force_login(staff)
    assert figure(dashboard(client, cluster), "status_done") == 0
    with pytest.raises(RuntimeError), transaction.atomic():
        record(staff, activity(cluster, "1.1"), "done", 100)
        assert figure(dashboard(client, cluster), "status_done") == 1
        raise RuntimeError("rolled back")
    assert figure(dashboard(client, cluster), "status_done") == 0
    record(staff, activity(cluster, "1.1"), "done", 100)
    assert figure(dashboard(client, cluster), "status_done") == 1


def _pending_bumps():
    return [
        f
        for _sids, f, _robust in connection.run_on_commit
        if isinstance(getattr(f, "__self__", None), PendingBumps)
    ]


def test_a_transaction_bumps_once_at_commit_however_many_writes(transactional_db):
    cluster = factories.ClusterWithPlanFactory(slug="cer-commit", plan__strategies=2)
    staff = factories.StaffFactory(username="coordinadora-commit", clusters=[cluster])
    with transaction.atomic():
        for code in ("1.1", "1.2", "2.1"):
            record(staff, activity(cluster, code), "in_progress", 10)
        assert len(_pending_bumps()) == 1
        before_commit = cerplan_cache.cluster_version(cluster.pk)
    assert cerplan_cache.cluster_version(cluster.pk) != before_commit


def test_a_rolled_back_savepoint_does_not_lose_the_bump_at_commit(transactional_db):
    cluster = factories.ClusterWithPlanFactory(slug="cer-commit")
    staff = factories.StaffFactory(username="coordinadora-commit", clusters=[cluster])
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            record(staff, activity(cluster, "1.1"), "in_progress", 10)
            raise RuntimeError("rolled back to the savepoint")
        assert _pending_bumps() == []  # went with the savepoint
        record(staff, activity(cluster, "1.2"), "in_progress", 10)
        assert len(_pending_bumps()) == 1
        before_commit = cerplan_cache.cluster_version(cluster.pk)
    assert cerplan_cache.cluster_version(cluster.pk) != before_commit


def test_a_rolled_back_transaction_bumps_nothing_after(transactional_db):
    cluster = factories.ClusterWithPlanFactory(slug="cer-commit")
    staff = factories.StaffFactory(username="coordinadora-commit", clusters=[cluster])
    before = cerplan_cache.cluster_version(cluster.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(staff, activity(cluster, "1.1"), "in_progress", 10)
        raise RuntimeError("rolled back")
    # The database cache rolled the bump made inside back with the write.
    assert cerplan_cache.cluster_version(cluster.pk) == before


def test_a_failing_bump_after_the_commit_is_logged_not_raised(
    transactional_db, monkeypatch, caplog
):
    cluster = factories.ClusterWithPlanFactory(slug="cer-commit")
    staff = factories.StaffFactory(username="coordinadora-commit", clusters=[cluster])

    def unavailable():
        raise ConnectionError("cache unavailable")

    with transaction.atomic():
        record(staff, activity(cluster, "1.1"), "done", 100)
        monkeypatch.setattr(cerplan_cache, "_new_version", unavailable)
    assert activity(cluster, "1.1").status == "done"  # committed, and no error raised
    assert "cache unavailable" in caplog.text


# Cost ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", [None, "2009-06-30"])
def test_a_cached_dashboard_costs_fewer_queries_than_a_computed_one(staff_client, cer, as_of):
    params = {"as_of": as_of} if as_of else {}
    dashboard(staff_client, cer, **params)  # sign-in session writes, first version reads
    cerplan_cache.bump_cluster_version(cer.pk)
    with CaptureQueriesContext(connection) as computed:
        missed = dashboard(staff_client, cer, **params)
    with CaptureQueriesContext(connection) as header_stored:
        # The computing request stored the page's body; this one stores its header.
        dashboard(staff_client, cer, **params)
    with CaptureQueriesContext(connection) as cached:
        hit = dashboard(staff_client, cer, **params)
    assert shared_part(hit) == shared_part(missed)
    assert len(cached) < len(header_stored) < len(computed) <= 15
    assert len(cached) <= 5


# The roll-up in one statement ------------------------------------------------------------------


def _nested_figures(cluster, as_of):
    """The figures as the nested expressions of actions.reporting.rollup compute them, CER and
    strategy."""
    annotations = rollup.cluster_figure_annotations(as_of)
    figures = Cluster.objects.filter(pk=cluster.pk).annotate(**annotations).values(*annotations)
    strategies = Strategy.objects.filter(cluster=cluster).annotate(
        progress=rollup.strategy_progress(as_of),
        objective_progress=rollup.objective_progress(as_of, objective="objective_id"),
        activity_total=rollup.activity_count(as_of=as_of, strategy="pk"),
        activity_counted=rollup.activity_count(rollup.counted_q(), as_of, strategy="pk"),
        activity_done=rollup.activity_count(Q(state_status=Status.DONE), as_of, strategy="pk"),
        activity_overdue=rollup.activity_count(rollup.overdue_q(as_of), as_of, strategy="pk"),
    )
    return figures.get(), list(strategies)


def _same(a, b):
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), abs_tol=1e-9)


def test_the_one_statement_rollup_agrees_with_the_nested_expressions(plan_2006):
    staff = factories.AdminFactory(username="historia")
    cluster = Cluster.objects.get(slug="metalmecanica")
    # A history: some activities move on at dated steps, some are revised, some cancelled.
    for n, target in enumerate(Activity.objects.filter(cluster=cluster).order_by("pk")):
        if n % 3 == 0:
            record(staff, target, "in_progress", 30, effective_on=D(2007, 3, 1))
        if n % 5 == 2:
            services.revise_deadline(
                activity_id=target.pk,
                acting_user=staff,
                expected_version=Activity.objects.get(pk=target.pk).version,
                new_end=max(D(2013, 6, 30), target.planned_start or D(2013, 6, 30)),
                reason="Atraso del fondo",
                effective_on=D(2007, 4, 1),
            )
        if n % 7 == 1:
            record(staff, target, "cancelled", 0, note="No se hará", effective_on=D(2007, 6, 1))
        elif n % 4 == 0:
            record(staff, target, "done", 100, effective_on=D(2008, 1, 15))
    first = Strategy.objects.filter(cluster=cluster).first()
    Strategy.objects.create(  # a strategy without activities
        cluster=cluster, objective=first.objective, number=99, title="Sin actividades"
    )
    dates = [None, D(2006, 1, 1), D(2007, 4, 1), D(2008, 6, 30), D(2012, 1, 1)]
    for as_of in dates:
        cer_figures, strategies = _nested_figures(cluster, as_of)
        rolled_up = rollup.cluster_rollup(cluster.pk, as_of)
        for name, value in cer_figures.items():
            assert _same(rolled_up.cluster[name], value), (as_of, name)
        for strategy in strategies:
            got = rolled_up.strategy(strategy.pk)
            for name in (
                "progress",
                "activity_total",
                "activity_counted",
                "activity_done",
                "activity_overdue",
            ):
                assert _same(got[name], getattr(strategy, name)), (as_of, strategy.number, name)
            assert _same(rolled_up.objective(strategy.objective_id), strategy.objective_progress)
