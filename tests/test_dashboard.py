"""The CER dashboard: its figures for a hand-built plan (overdue, due soon, roll-up, as_of), the
lists behind them, and how it reads ?as_of."""

import datetime
import re

import pytest
from django.utils import timezone

from actions.models import (
    Activity,
    Goal,
    GoalMeasurement,
    Objective,
    Strategy,
)
from actions.progress import services
from actions.reporting import plans
from tests import factories

DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def add_strategy(cluster, objective, number, *, responsible=("Director AFR",)):
    strategy = factories.StrategyFactory(
        objective=objective,
        number=number,
        title=f"Estrategia {number}",
        committed_start=datetime.date(2007, 1, 1),
        committed_end=datetime.date(2011, 12, 31),
    )
    for position, name in enumerate(responsible, start=1):
        factories.InvolvementFactory(strategy=strategy, actor__name=name, position=position)
    return strategy


def add_activity(strategy, code, *, status="pending", progress=0, end=None, revised=None):
    done = status == "done"
    return factories.ActivityFactory(
        strategy=strategy,
        position=int(code.split(".")[1]),
        title=f"Actividad {code}",
        planned_start=datetime.date(2007, 1, 1) if end is None or end.year > 2007 else None,
        planned_end=end,
        revised_end=revised,
        status=status,
        progress=100 if done else progress,
        completed_on=today() - 5 * DAY if done else None,
    )


@pytest.fixture
def hand_built(db):
    """Ten activities chosen so that every rule shows (today = T).

    Objective I
      S1: 1.1 pending 0 %, ends T-10 (overdue) · 1.2 in progress 50 %, ends T+30 (due soon)
          · 1.3 cancelled, ended T-100 (neither, and out of the roll-up)
      S2: 2.1 done, ended T-5 · 2.2 blocked 20 %, ended T-1 (overdue)
          · 2.3 pending, planned T-20 but revised to T+10 (due soon, not overdue)
    Objective II
      S3: 3.1 in progress 30 %, open-ended (ongoing, never overdue) · 3.2 ends T+91 (not soon)
          · 3.3 ends T+90 (due soon, the last day) · 3.4 ends T (due soon, not overdue)
    """
    t = today()
    cluster = factories.ClusterFactory(slug="cer-demo", name="CER Demostración")
    one = factories.ObjectiveFactory(cluster=cluster, position=1, title="Primero")
    two = factories.ObjectiveFactory(cluster=cluster, position=2, title="Segundo")
    s1 = add_strategy(cluster, one, 1, responsible=("Director Pro Chile", "Consultor Pro Chile"))
    s2 = add_strategy(cluster, one, 2)
    s3 = add_strategy(cluster, two, 3)
    add_activity(s1, "1.1", end=t - 10 * DAY)
    add_activity(s1, "1.2", status="in_progress", progress=50, end=t + 30 * DAY)
    add_activity(s1, "1.3", status="cancelled", progress=10, end=t - 100 * DAY)
    add_activity(s2, "2.1", status="done", end=t - 5 * DAY)
    add_activity(s2, "2.2", status="blocked", progress=20, end=t - DAY)
    add_activity(s2, "2.3", end=t - 20 * DAY, revised=t + 10 * DAY)
    add_activity(s3, "3.1", status="in_progress", progress=30, end=None)
    add_activity(s3, "3.2", end=t + 91 * DAY)
    add_activity(s3, "3.3", end=t + 90 * DAY)
    add_activity(s3, "3.4", end=t)
    # Another CER's late work must not leak into these figures.
    factories.ClusterWithPlanFactory(
        slug="cer-otro", plan__strategies=2, plan__activities_per_strategy=3
    )
    return cluster


@pytest.fixture
def staff_client(client, hand_built):
    client.force_login(factories.StaffFactory(username="coordinadora", clusters=[hand_built]))
    return client


def test_headline_figures_of_a_hand_built_plan(hand_built):
    figures = plans.cluster_figures(hand_built.pk)
    assert figures["activity_total"] == 10
    assert figures["overdue"] == 2  # 1.1 and 2.2
    assert figures["due_soon"] == 4  # 1.2, 2.3 (revised), 3.3 (day 90), 3.4 (today)
    assert {key: figures[f"status_{key}"] for key in plans.STATUS_ORDER} == {
        "pending": 5,
        "in_progress": 2,
        "blocked": 1,
        "done": 1,
        "cancelled": 1,
    }
    # S1 = (0 + 50) / 2 = 25 (cancelled left out); S2 = (100 + 20 + 0) / 3 = 40;
    # S3 = (30 + 0 + 0 + 0) / 4 = 7.5. I = (25 + 40) / 2 = 32.5; II = 7.5; CER = 20.
    # (Weighting every activity the same would give 200 / 9 = 22.2.)
    assert figures["progress"] == pytest.approx(20.0)


def test_progress_by_objective_and_by_strategy(hand_built):
    groups = plans.progress_by_objective(hand_built)
    assert [(g.objective.numeral, g.progress) for g in groups] == [
        ("I", pytest.approx(32.5)),
        ("II", pytest.approx(7.5)),
    ]
    strategies = {s.number: s for g in groups for s in g.strategies}
    assert strategies[1].progress == pytest.approx(25)
    assert strategies[2].progress == pytest.approx(40)
    assert strategies[3].progress == pytest.approx(7.5)
    assert (strategies[1].activity_total, strategies[1].activity_counted) == (3, 2)
    assert (strategies[2].activity_done, strategies[2].activity_overdue) == (1, 1)


def test_a_strategy_whose_activities_are_all_cancelled_has_no_progress(hand_built):
    objective = Objective.objects.get(cluster=hand_built, numeral="II")
    s4 = add_strategy(hand_built, objective, 4)
    add_activity(s4, "4.1", status="cancelled", end=today())
    groups = plans.progress_by_objective(hand_built)
    strategies = {s.number: s for g in groups for s in g.strategies}
    assert strategies[4].progress is None
    # Left out of the objective's mean rather than counted as 0 %.
    assert groups[1].progress == pytest.approx(7.5)


def test_overdue_and_due_soon_lists(hand_built):
    lists = plans.attention_activities(hand_built)
    assert [(a.code, a.days) for a in lists["overdue"]] == [("1.1", 10), ("2.2", 1)]
    assert lists["overdue"][0].responsible == ["Consultor Pro Chile", "Director Pro Chile"]
    assert [(a.code, a.days) for a in lists["due_soon"]] == [
        ("3.4", 0),
        ("2.3", 10),
        ("1.2", 30),
        ("3.3", 90),
    ]


def test_the_next_to_come_is_listed_beyond_the_due_soon_window(hand_built):
    lists = plans.attention_activities(hand_built)
    # 3.2 ends on day 91; 3.1 has no end and the closed ones are done with.
    assert [(a.code, a.days) for a in lists["later"]] == [("3.2", 91)]


def test_when_nothing_falls_due_soon_the_dashboard_says_what_comes_next(staff_client, hand_built):
    Activity.objects.filter(cluster=hand_built, code__in=["1.2", "2.3", "3.3", "3.4"]).update(
        planned_end=today() + 200 * DAY, revised_end=None
    )
    html = staff_client.get("/clusters/cer-demo/").content.decode()
    assert "Nada vence en los próximos 90 días. Lo que viene después:" in html
    later = html[html.index('aria-label="Lo que viene después"') :]
    later = later[: later.index("</ol>")]
    assert "3.2 Actividad 3.2" in later and "vence en 91 días" in later
    assert later.index("3.2 Actividad 3.2") < later.index("1.2 Actividad 1.2")


def test_with_work_due_soon_what_comes_later_is_not_listed(staff_client):
    html = staff_client.get("/clusters/cer-demo/").content.decode()
    assert "Lo que viene después" not in html


def test_the_year_filter_reaches_a_deadline_revised_past_the_plan(staff_client, hand_built):
    revised = today().replace(year=today().year + 3)
    Activity.objects.filter(cluster=hand_built, code="2.3").update(revised_end=revised)
    html = staff_client.get("/clusters/cer-demo/plan/").content.decode()
    assert f'<option value="{revised.year}">{revised.year}</option>' in html
    shown = staff_client.get(f"/clusters/cer-demo/plan/?year={revised.year}").content.decode()
    assert "Actividad 2.3" in shown and "Actividad 1.1" not in shown


def test_the_lists_show_at_most_a_few_and_the_page_links_to_all(staff_client, hand_built):
    strategy = Strategy.objects.get(cluster=hand_built, number=1)
    for n in range(4, 4 + plans.ATTENTION_LIMIT):
        add_activity(strategy, f"1.{n}", end=today() - (10 + n) * DAY)
    lists = plans.attention_activities(hand_built)
    assert len(lists["overdue"]) == plans.ATTENTION_LIMIT
    # The most overdue first.
    assert lists["overdue"][0].code == f"1.{3 + plans.ATTENTION_LIMIT}"
    html = staff_client.get("/clusters/cer-demo/").content.decode()
    total = 2 + plans.ATTENTION_LIMIT
    assert f"Ver las {total} atrasadas en el plan" in html
    assert 'href="/clusters/cer-demo/plan/?overdue=1"' in html


def test_the_dashboard_page_shows_the_figures_and_links_each_to_its_rows(staff_client):
    response = staff_client.get("/clusters/cer-demo/")
    assert response.status_code == 200
    html = response.content.decode()

    def figure(name):
        return re.search(rf'data-figure="{name}"[^>]*>([^<]+)<', html).group(1).strip()

    assert figure("progress") == "20 %"
    assert figure("overdue") == "2"
    assert figure("due_soon") == "4"
    assert figure("status_pending") == "5"
    assert figure("activity_total") == "10"
    for link in (
        "/clusters/cer-demo/plan/?overdue=1",
        "/clusters/cer-demo/plan/?due_soon=1",
        "/clusters/cer-demo/plan/?status=blocked",
        "/clusters/cer-demo/plan/#objective-II",
        "/clusters/cer-demo/plan/#strategy-3",
    ):
        assert f'href="{link}"' in html, link
    activity = Activity.objects.get(cluster__slug="cer-demo", code="1.1")
    assert f'href="/activities/{activity.pk}/"' in html
    assert f'href="/activities/{activity.pk}/update/?next=' in html  # staff may record progress
    assert "10 días de atraso" in html
    assert "Consultor Pro Chile, Director Pro Chile" in html
    # Status is never colour alone: a symbol and a word.
    assert "⊘</span> bloqueada" in html
    assert "cer-otro" not in html


def test_an_owner_sees_the_dashboard_without_edit_links(client, hand_built):
    client.force_login(factories.OwnerFactory(username="empresario", company__cluster=hand_built))
    html = client.get("/clusters/cer-demo/").content.decode()
    assert "/update/" not in html
    assert "Registrar avance" not in html


@pytest.fixture
def history(hand_built):
    """1.2 went pending → in progress 20 % at T-400, → 50 % at T-100; 2.3's end was revised
    at T-15; 2.1 was done at T-5 (its completion is in the fixture)."""
    t = today()
    staff = factories.StaffFactory(username="historiadora", clusters=[hand_built])
    a12 = Activity.objects.get(cluster=hand_built, code="1.2")
    a12.status, a12.progress = "pending", 0
    a12.save()
    services.record_progress(
        activity_id=a12.pk,
        acting_user=staff,
        expected_version=a12.version,
        status="in_progress",
        progress=20,
        effective_on=t - 400 * DAY,
    )
    services.record_progress(
        activity_id=a12.pk,
        acting_user=staff,
        expected_version=a12.version + 1,
        status="in_progress",
        progress=50,
        effective_on=t - 100 * DAY,
    )
    a23 = Activity.objects.get(cluster=hand_built, code="2.3")
    a23.revised_end, a23.revision_reason = None, ""
    a23.save()
    services.revise_deadline(
        activity_id=a23.pk,
        acting_user=staff,
        expected_version=a23.version,
        new_end=t + 10 * DAY,
        reason="El financiamiento llegó tarde.",
        effective_on=t - 15 * DAY,
    )
    return hand_built


def test_figures_as_of_a_past_date_come_from_the_history(history):
    t = today()
    now = plans.cluster_figures(history.pk)
    assert (now["overdue"], now["due_soon"], now["status_in_progress"]) == (2, 4, 2)

    # T-18: 2.3 not yet revised, so its planned end T-20 makes it overdue; 1.1 (ends T-10),
    # 2.2 (T-1), 3.4 (T), 1.2 (T+30) and 3.3 are not; 1.2 was at 50 %.
    before_revision = plans.cluster_figures(history.pk, t - 18 * DAY)
    assert before_revision["overdue"] == 1
    lists = plans.attention_activities(history, t - 18 * DAY)
    assert [a.code for a in lists["overdue"]] == ["2.3"]
    assert lists["overdue"][0].days == 2

    # T-200: 1.2 was in progress at 20 %.
    long_ago = plans.cluster_figures(history.pk, t - 200 * DAY)
    strategies = {
        s.number: s
        for g in plans.progress_by_objective(history, t - 200 * DAY)
        for s in g.strategies
    }
    assert strategies[1].progress == pytest.approx(10)  # (0 + 20) / 2
    assert long_ago["status_in_progress"] == 2

    # T-500: before its first update 1.2 was pending at 0 %.
    older = plans.cluster_figures(history.pk, t - 500 * DAY)
    assert older["status_in_progress"] == 1  # only the open-ended 3.1
    assert older["status_pending"] == 6


def test_recent_updates_as_of(history):
    t = today()
    assert [u.effective_on for u in plans.recent_updates(history)] == [
        t - 15 * DAY,
        t - 100 * DAY,
        t - 400 * DAY,
    ]
    assert [u.effective_on for u in plans.recent_updates(history, t - 50 * DAY)] == [
        t - 100 * DAY,
        t - 400 * DAY,
    ]


def test_goal_indicators_show_the_latest_measurement_as_of(hand_built):
    strategy = Strategy.objects.get(cluster=hand_built, number=1)
    goal = Goal.objects.create(
        strategy=strategy, position=1, text="80 % certificadas", target_value=80, unit="%"
    )
    Goal.objects.create(strategy=strategy, position=2, text="Sin indicador")
    for value, on in ((10, datetime.date(2008, 6, 30)), (35, datetime.date(2009, 6, 30))):
        GoalMeasurement.objects.create(goal=goal, value=value, measured_on=on, source="Encuesta")
    [indicator] = plans.goal_indicators(hand_built)
    assert (indicator.latest_value, indicator.latest_on) == (35, datetime.date(2009, 6, 30))
    [indicator] = plans.goal_indicators(hand_built, datetime.date(2009, 1, 1))
    assert indicator.latest_value == 10
    [indicator] = plans.goal_indicators(hand_built, datetime.date(2008, 1, 1))
    assert indicator.latest_value is None


def test_the_page_says_which_date_it_shows(staff_client, history):
    day = today() - 18 * DAY
    response = staff_client.get(f"/clusters/cer-demo/?as_of={day.isoformat()}")
    html = response.content.decode()
    assert f"Mostrando el plan al {day:%d-%m-%Y}" in html
    assert 'href="?"' in html or 'href="/clusters/cer-demo/"' in html  # back to today
    assert response.context["figures"]["overdue"] == 1
    # Every link keeps the date.
    assert f'href="/clusters/cer-demo/plan/?as_of={day.isoformat()}&amp;overdue=1"' in html
    assert f'href="/clusters/cer-demo/timeline/?as_of={day.isoformat()}"' in html
    assert f'value="{day.isoformat()}"' in html  # the date form shows it


@pytest.mark.parametrize("value", ["2008-13-01", "30-06-2008", "2008-6-30", "mañana", "2008-02-30"])
def test_an_unreadable_date_says_what_was_wrong_and_shows_today(staff_client, value):
    response = staff_client.get("/clusters/cer-demo/", {"as_of": value})
    assert response.status_code == 200
    html = response.content.decode()
    assert "no es válida" in html and "AAAA-MM-DD" in html
    assert "Mostrando el plan al" not in html
    assert response.context["as_of"] is None
    assert response.context["figures"]["overdue"] == 2


def test_a_future_date_is_refused_with_a_message(staff_client):
    future = today() + 30 * DAY
    response = staff_client.get("/clusters/cer-demo/", {"as_of": future.isoformat()})
    assert "posterior a hoy" in response.content.decode()
    assert response.context["as_of"] is None


def test_another_cers_dashboard_is_not_found(client, hand_built):
    client.force_login(factories.StaffFactory(username="solo-demo", clusters=[hand_built]))
    assert client.get("/clusters/cer-otro/").status_code == 404
    assert client.get("/clusters/no-existe/").status_code == 404


def test_visitors_are_sent_to_sign_in(client, hand_built):
    for path in (
        "/",
        "/clusters/cer-demo/",
        "/clusters/cer-demo/plan/",
        "/clusters/cer-demo/timeline/",
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
