"""The cached dashboard: every write path (services, admin, imports) shows at once in its CER,
and only its CER; a rolled-back write leaves the cached page valid; nothing of one user's rights
leaks to another through the cache; a cached page costs at most five queries. Also: the
one-statement roll-up (actions.reporting.rollup.cluster_rollup) gives the figures of the nested
expressions it replaced."""

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
from actions.plan import services as import_services
from actions.progress import batch, services
from actions.reporting import rollup
from clusters.models import Cluster, Company
from clusters.versions import bump_data_version
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


@pytest.fixture
def admin_user(db):
    return factories.AdminFactory(username="admin-cache")


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


def data_version(cluster):
    return Cluster.objects.values_list("data_version", flat=True).get(pk=cluster.pk)


def record(user, target, status, progress, **extra):
    return services.record_progress(
        activity_id=target.pk,
        acting_user=user,
        expected_version=Activity.objects.get(pk=target.pk).version,
        status=status,
        progress=progress,
        **extra,
    )


def as_admin(client, admin_user, action):
    """Run ``action(client)`` signed in as the admin, then sign the client back in as before."""
    user = client.session.get("_auth_user_id")
    client.force_login(admin_user)
    action(client)
    if user:
        client.force_login(type(admin_user).objects.get(pk=user))


def admin_delete(client, obj):
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    return response


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


def test_a_batch_of_progress_and_a_revised_deadline_show_at_once(staff_client, staff, cer):
    assert figure(dashboard(staff_client, cer), "status_in_progress") == 0
    batch.record_progress_many(
        acting_user=staff,
        entries=[
            {
                "activity_id": activity(cer, code).pk,
                "expected_version": activity(cer, code).version,
                "status": "in_progress",
                "progress": 30,
            }
            for code in ("1.1", "1.2")
        ],
    )
    assert figure(dashboard(staff_client, cer), "status_in_progress") == 2
    overdue = figure(dashboard(staff_client, cer), "overdue")
    target = activity(cer, "2.1")
    services.revise_deadline(
        activity_id=target.pk,
        acting_user=staff,
        expected_version=target.version,
        new_end=timezone.localdate() + datetime.timedelta(days=400),
        reason="Atraso del fondo",
    )
    assert figure(dashboard(staff_client, cer), "overdue") == overdue - 1


def test_an_admin_edit_of_a_strategy_title_shows_at_once(client, staff, admin_user, cer):
    client.force_login(staff)
    assert "Estrategia 1 de cer-cache" in dashboard(client, cer).content.decode()

    client.force_login(admin_user)
    admin_edit(client, Strategy.objects.get(cluster=cer, number=1), {"title": "Título nuevo"})

    client.force_login(staff)
    html = dashboard(client, cer).content.decode()
    assert "Título nuevo" in html
    assert "Estrategia 1 de cer-cache" not in html


def test_an_admin_delete_shows_at_once(staff_client, admin_user, cer):
    assert figure(dashboard(staff_client, cer), "overdue") == 4
    as_admin(staff_client, admin_user, lambda c: admin_delete(c, activity(cer, "2.2")))
    assert figure(dashboard(staff_client, cer), "overdue") == 3


def test_a_goal_measurement_shows_at_once(staff_client, staff, cer):
    assert "sin medición" in dashboard(staff_client, cer).content.decode()
    goal = Goal.objects.get(strategy__cluster=cer, target_value__isnull=False)
    services.record_goal_measurement(
        goal_id=goal.pk, acting_user=staff, value=42, measured_on=D(2009, 3, 1), source="Encuesta"
    )
    html = dashboard(staff_client, cer).content.decode()
    assert "<strong>42</strong>" in html
    assert "sin medición" not in html


def test_an_actor_renamed_in_the_admin_shows_at_once_in_every_cer(client, admin_user, cer, other):
    # ClusterWithPlanFactory makes every strategy's responsible "CORFO", shared by the CERs.
    client.force_login(factories.StaffFactory(username="de-ambos", clusters=[cer, other]))
    for cluster in (cer, other):
        assert "CORFO" in dashboard(client, cluster).content.decode()
    actor = Actor.objects.get(name="CORFO")
    as_admin(client, admin_user, lambda c: admin_edit(c, actor, {"name": "Corporación"}))
    for cluster in (cer, other):
        html = dashboard(client, cluster).content.decode()
        assert "Corporación" in html
        assert "CORFO" not in html


def test_a_user_renamed_in_the_admin_shows_at_once_as_author(staff_client, staff, admin_user, cer):
    record(staff, activity(cer, "1.1"), "in_progress", 10, effective_on=D(2009, 1, 1))
    assert "coordinadora-cache" in dashboard(staff_client, cer).content.decode()
    as_admin(
        staff_client,
        admin_user,
        lambda c: admin_edit(c, staff, {"first_name": "Ana", "last_name": "Rojas"}),
    )
    assert "Ana Rojas" in dashboard(staff_client, cer).content.decode()


def test_signing_in_changes_no_version(client, cer, staff):
    before = data_version(cer)
    response = client.post(
        reverse("login"), {"username": staff.username, "password": "a long test passphrase"}
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.last_login is not None
    assert data_version(cer) == before


ADMIN_WRITES = {
    "objective": lambda cer: (Strategy.objects.get(cluster=cer, number=1).objective, {}),
    "strategy": lambda cer: (Strategy.objects.get(cluster=cer, number=1), {"title": "Otra"}),
    "activity": lambda cer: (activity(cer, "1.2"), {"title": "Otra actividad"}),
    "goal": lambda cer: (Goal.objects.filter(strategy__cluster=cer).first(), {"text": "Otra"}),
    "funding": lambda cer: (
        Funding.objects.filter(strategy__cluster=cer).first(),
        {"instruments": [str(Instrument.objects.create(name="PDP").pk)]},
    ),
    "involvement": lambda cer: (
        Strategy.objects.get(cluster=cer, number=1).involvements.first(),
        {"position": "3"},
    ),
    "obstacle": lambda cer: (cer.obstacles.create(position=1, title="Obstáculo"), {}),
    "measure": lambda cer: (
        cer.obstacles.create(position=2, title="Otro").measures.create(position=1, text="M"),
        {"text": "Medida"},
    ),
    "cer": lambda cer: (cer, {"sector": "Otro sector"}),
    "company": lambda cer: (Company.objects.create(cluster=cer, name="Empresa"), {"size": "small"}),
}


@pytest.mark.parametrize("kind", ADMIN_WRITES)
def test_an_admin_edit_gives_its_cer_a_new_version_and_no_other(
    client, admin_user, cer, other, kind
):
    obj, changes = ADMIN_WRITES[kind](cer)
    mine, theirs = data_version(cer), data_version(other)
    client.force_login(admin_user)
    admin_edit(client, obj, changes)
    assert data_version(cer) != mine
    assert data_version(other) == theirs


def test_an_instrument_renamed_in_the_admin_gives_every_cer_a_new_version(
    client, admin_user, cer, other
):
    instrument = Instrument.objects.create(name="PROFO")
    Funding.objects.filter(strategy__cluster=cer).first().instruments.add(instrument)
    before = data_version(cer), data_version(other)
    client.force_login(admin_user)
    admin_edit(client, instrument, {"name": "Proyecto asociativo"})
    after = data_version(cer), data_version(other)
    assert after[0] != before[0] and after[1] != before[1]


def test_the_import_services_give_their_cer_a_new_version(admin_user, cer, other):
    strategy = Strategy.objects.get(cluster=cer, number=1)
    for write in (
        lambda: import_services.save_plan_item(
            acting_user=admin_user,
            model=Strategy,
            pk=strategy.pk,
            values={"title": "Importada"},
            reason="importación",
        ),
        lambda: import_services.save_company(
            acting_user=admin_user, cluster_id=cer.pk, name="Importada", rut="", size=""
        ),
    ):
        mine, theirs = data_version(cer), data_version(other)
        write()
        assert data_version(cer) != mine
        assert data_version(other) == theirs


def test_two_cers_caches_are_independent(client, staff, cer, other):
    client.force_login(factories.StaffFactory(username="de-ambos", clusters=[cer, other]))
    dashboard(client, cer), dashboard(client, other)

    record(staff, activity(cer, "1.1"), "done", 100)

    # The other CER's page is still served from the cache; this one's is computed again.
    with CaptureQueriesContext(connection) as cached:
        dashboard(client, other)
    with CaptureQueriesContext(connection) as recomputed:
        dashboard(client, cer)
    assert len(cached) < len(recomputed)


def test_the_timeline_shows_an_admin_edit_at_once_and_is_cached(
    staff_client, admin_user, staff, cer
):
    url = reverse("cluster-timeline", kwargs={"slug": cer.slug})
    assert "Estrategia 2 de cer-cache" in staff_client.get(url).content.decode()
    with CaptureQueriesContext(connection) as cached:
        staff_client.get(url)
    strategy = Strategy.objects.get(cluster=cer, number=2)
    as_admin(
        staff_client,
        admin_user,
        lambda c: admin_edit(c, strategy, {"title": "Estrategia renombrada"}),
    )
    with CaptureQueriesContext(connection) as computed:
        html = staff_client.get(url).content.decode()
    assert "Estrategia renombrada" in html
    assert "Estrategia 2 de cer-cache" not in html
    assert len(cached) < len(computed)


# Fixtures and commands -------------------------------------------------------------------------


def test_loaddata_works_on_a_freshly_migrated_database_without_the_cache_table(
    db, settings, client
):
    """As on a fresh machine: migrate has run, createcachetable has not (a cache table that
    does not exist); loading the 2006 plan touches no cache. Once the table exists, the loaded
    plan is served from it like any other."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cerplan_cache_not_created",
        }
    }
    call_command("loaddata", "plan_2006", verbosity=0)
    cluster = Cluster.objects.get(slug="metalmecanica")
    assert cluster.strategies.count() == 14

    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "cerplan_cache"}}
    client.force_login(factories.StaffFactory(username="tras-loaddata", clusters=[cluster]))
    first = dashboard(client, cluster)
    assert shared_part(dashboard(client, cluster)) == shared_part(first)


def test_loaded_cers_start_beyond_any_version_of_a_cer_that_had_their_id(db):
    """A fixture names its ids, and the cache keeps a deleted CER's entries for a while: a CER
    loaded again under the same id starts at a new version, and its page is computed afresh."""
    call_command("loaddata", "plan_2006", verbosity=0)
    cluster = Cluster.objects.get(slug="metalmecanica")
    first = cluster.data_version
    bump_data_version([cluster.pk])
    Cluster.objects.filter(pk=cluster.pk).delete()
    call_command("loaddata", "plan_2006", verbosity=0)
    again = Cluster.objects.get(slug="metalmecanica")
    assert again.pk == cluster.pk
    assert again.data_version > first + 1


def test_generating_synthetic_plans_leaves_the_other_cers_pages_cached(staff_client, cer):
    dashboard(staff_client, cer), dashboard(staff_client, cer)  # body, then header stored
    with CaptureQueriesContext(connection) as cached:
        dashboard(staff_client, cer)
    call_command("generate_synthetic", clusters=1, activities_per_cluster=3, stdout=io.StringIO())
    with CaptureQueriesContext(connection) as after:
        dashboard(staff_client, cer)
    assert len(after) == len(cached)


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


def test_a_new_release_does_not_serve_the_pages_of_the_previous_one(staff_client, cer, settings):
    dashboard(staff_client, cer), dashboard(staff_client, cer)
    with CaptureQueriesContext(connection) as cached:
        dashboard(staff_client, cer)
    settings.CERPLAN_RELEASE = "9.9.9"
    with CaptureQueriesContext(connection) as new_release:
        dashboard(staff_client, cer)
    assert len(new_release) > len(cached)


# Transactions ----------------------------------------------------------------------------------


def test_a_rolled_back_write_leaves_the_cached_page_valid(staff_client, staff, cer):
    assert figure(dashboard(staff_client, cer), "status_done") == 0
    dashboard(staff_client, cer)
    with CaptureQueriesContext(connection) as cached:
        dashboard(staff_client, cer)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(staff, activity(cer, "1.1"), "done", 100)
        # Read inside the doomed transaction: it sees (and may cache) the write.
        assert figure(dashboard(staff_client, cer), "status_done") == 1
        raise RuntimeError("rolled back")
    # The page cached before is still current, and served from the cache.
    with CaptureQueriesContext(connection) as after:
        assert figure(dashboard(staff_client, cer), "status_done") == 0
    assert len(after) == len(cached)


@pytest.mark.parametrize("caches", ["database", "locmem"])
def test_a_rolled_back_write_leaves_no_stale_page_committed(
    transactional_db, client, settings, caches
):
    """The same with real commits, with the database cache (which rolls back with the data) and
    with a cache outside the database (which does not: nothing computed from the doomed
    transaction's writes is stored), then a committed write of another figure under the version
    number the rolled-back one had taken."""
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
    record(staff, activity(cluster, "1.1"), "in_progress", 40)
    page = dashboard(client, cluster)
    assert (figure(page, "status_done"), figure(page, "status_in_progress")) == (0, 1)


def test_writes_of_one_transaction_show_together_after_the_commit(transactional_db, client):
    cluster = factories.ClusterWithPlanFactory(slug="cer-commit", plan__strategies=2)
    staff = factories.StaffFactory(username="coordinadora-commit", clusters=[cluster])
    client.force_login(staff)
    assert figure(dashboard(client, cluster), "status_in_progress") == 0
    with transaction.atomic():
        for code in ("1.1", "1.2", "2.1"):
            record(staff, activity(cluster, code), "in_progress", 10)
        with pytest.raises(RuntimeError), transaction.atomic():
            record(staff, activity(cluster, "2.2"), "in_progress", 10)
            raise RuntimeError("rolled back to the savepoint")
    assert figure(dashboard(client, cluster), "status_in_progress") == 3


# Cost ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", [None, "2009-06-30"])
def test_a_cached_dashboard_costs_at_most_five_queries(staff_client, cer, as_of):
    """Session, user, roles, the CER with its data version, the cache read."""
    params = {"as_of": as_of} if as_of else {}
    dashboard(staff_client, cer, **params)  # sign-in session writes
    bump_data_version([cer.pk])
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


def test_a_page_kept_in_the_workers_memory_costs_no_cache_read(transactional_db, client):
    """Outside a transaction (as in production, not in most tests), a worker keeps the entries
    it used: the next request reads the CER with its version and nothing of the cache, and a
    write still shows at once."""
    cluster = factories.ClusterWithPlanFactory(slug="cer-memoria")
    staff = factories.StaffFactory(username="coordinadora-memoria", clusters=[cluster])
    client.force_login(staff)
    dashboard(client, cluster), dashboard(client, cluster)
    with CaptureQueriesContext(connection) as queries:
        assert figure(dashboard(client, cluster), "status_done") == 0
    sql = [query["sql"] for query in queries.captured_queries]
    assert not [statement for statement in sql if "cerplan_cache" in statement]
    assert len(sql) <= 4
    record(staff, activity(cluster, "1.1"), "done", 100)
    assert figure(dashboard(client, cluster), "status_done") == 1


def strategy_with(cluster, number, children):
    """A strategy of ``cluster`` with ``children`` goals and ``children`` activities."""
    objective = Strategy.objects.filter(cluster=cluster).first().objective
    strategy = Strategy.objects.create(
        cluster=cluster, objective=objective, number=number, title=f"Con {children}"
    )
    Goal.objects.bulk_create(
        Goal(strategy=strategy, position=n, text=f"Meta {n}") for n in range(1, children + 1)
    )
    Activity.objects.bulk_create(
        Activity(
            cluster=cluster,
            strategy=strategy,
            code=f"{number}.{n}",
            position=n,
            title=f"Actividad {number}.{n}",
        )
        for n in range(1, children + 1)
    )
    return strategy


def delete_queries(client, strategy):
    """The queries of deleting ``strategy`` in the admin (the confirmation posted), but the
    rows of its history (one per object deleted, as for every delete)."""
    with CaptureQueriesContext(connection) as queries:
        admin_delete(client, strategy)
    assert not Strategy.objects.filter(pk=strategy.pk).exists()
    return [
        query["sql"]
        for query in queries.captured_queries
        if not query["sql"].startswith('INSERT INTO "actions_historical')
    ]


def test_deleting_a_strategy_costs_the_same_with_4_or_40_children(client, admin_user, cer):
    client.force_login(admin_user)
    admin_delete(client, strategy_with(cer, 7, 1))  # warm up
    small = delete_queries(client, strategy_with(cer, 8, 4))
    large = delete_queries(client, strategy_with(cer, 9, 40))
    print(f"\nqueries deleting a strategy: {len(small)} (4 + 4 children), {len(large)} (40 + 40)")
    assert len(large) == len(small)
    assert not [sql for sql in large if 'FROM "actions_strategy"' in sql and "SELECT" in sql][2:]


def test_healthz_reads_no_session(client, staff):
    """The probe answers before the session and the user are read: one query, the database
    check, even with a signed-in browser's cookie."""
    client.force_login(staff)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert [query["sql"] for query in queries.captured_queries] == ["SELECT 1"]
    assert "Cookie" not in response.get("Vary", "")


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
