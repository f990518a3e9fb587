"""/my-work/ (issue 13): a coordinator's open activities by urgency, theirs first, one tap from
the progress form and back; and naming the people of the portal who answer for an activity."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import Activity, ProgressUpdate
from actions.progress import services
from tests import factories

DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


@pytest.fixture
def week(db):
    """A CER with one activity for each section, and another CER's late work."""
    t = today()
    cluster = factories.ClusterFactory(slug="cer-semana", name="CER Semana")
    strategy = factories.StrategyFactory(
        objective__cluster=cluster, objective__numeral="I", number=1
    )

    def add(code, *, end, start=None, status="pending", progress=0):
        return factories.ActivityFactory(
            strategy=strategy,
            code=code,
            position=int(code.split(".")[1]),
            title=f"Actividad {code}",
            planned_start=start or datetime.date(2007, 1, 1),
            planned_end=end,
            status=status,
            progress=progress,
            completed_on=t if status == "done" else None,
        )

    activities = {
        "late": add("1.1", end=t - 5 * DAY),
        "soon": add("1.2", end=t + 20 * DAY),
        "stale": add("1.3", end=t + 200 * DAY),
        "later": add("1.4", end=t + 300 * DAY, start=t + 10 * DAY),
        "ongoing": add("1.5", end=None, start=t + 10 * DAY),
        "done": add("1.6", end=t - 50 * DAY, status="done", progress=100),
        "mine_late": add("1.7", end=t - 1 * DAY),
    }
    coordinator = factories.StaffFactory(username="coordinadora", clusters=[cluster])
    colleague = factories.StaffFactory(username="colega", clusters=[cluster])
    activities["mine_late"].responsible_users.add(coordinator)
    # Recorded today: 1.4 is not stale; 1.3 has no update at all.
    services.record_progress(
        activity_id=activities["later"].pk,
        acting_user=colleague,
        expected_version=activities["later"].version,
        status="in_progress",
        progress=10,
    )
    other = factories.ClusterWithPlanFactory(slug="cer-ajeno")
    Activity.objects.filter(cluster=other).update(planned_end=t - 30 * DAY)
    return {"cluster": cluster, "coordinator": coordinator, "colleague": colleague, **activities}


def sections(html):
    """{section id: [activity codes in order]} as the page lists them."""
    found = {}
    for match in re.finditer(
        r'<section[^>]*aria-labelledby="work-([a-z_]+)"(.*?)</section>', html, re.S
    ):
        found[match.group(1)] = re.findall(
            r'class="fw-semibold" href="/activities/\d+/">(\S+) ', match.group(2)
        )
    return found


def test_the_coordinators_week_by_urgency_theirs_first(client, week):
    client.force_login(week["coordinator"])
    html = client.get("/my-work/").content.decode()
    assert sections(html) == {
        "overdue": ["1.7", "1.1"],  # theirs first, though 1.1 is later by more days
        "due_soon": ["1.2"],
        "stale": ["1.3"],
        "later": ["1.4", "1.5"],
    }
    assert "a su cargo" in html
    assert "5 días de atraso" in html and "vence en 20 días" in html
    assert "sin avances registrados" in html
    assert "Actividad 1.6" not in html  # done: nothing to do
    assert "cer-ajeno" not in html and "CER Semana" in html


def test_a_colleague_sees_the_same_work_without_the_first_place(client, week):
    client.force_login(week["colleague"])
    html = client.get("/my-work/").content.decode()
    assert sections(html)["overdue"] == ["1.1", "1.7"]
    assert "a su cargo" not in html


def test_from_my_work_to_the_form_and_back(client, week):
    client.force_login(week["coordinator"])
    html = client.get("/my-work/").content.decode()
    activity = week["soon"]
    link = f"/activities/{activity.pk}/update/?next=/my-work/"
    assert f'href="{link}"' in html
    assert 'name="next" value="/my-work/"' in client.get(link).content.decode()
    response = client.post(
        link,
        {
            "status": "in_progress",
            "progress": "50",
            "version": activity.version,
            "next": "/my-work/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/my-work/"
    assert ProgressUpdate.objects.filter(activity=activity, new_progress=50).exists()


def test_an_owner_sees_what_comes_next_and_records_nothing(client, week):
    owner = factories.OwnerFactory(username="empresaria", company__cluster=week["cluster"])
    client.force_login(owner)
    html = client.get("/my-work/").content.decode()
    assert set(sections(html)) == {"overdue", "due_soon", "later"}
    assert "1.3" in sections(html)["later"]
    assert "/update/" not in html


def test_an_admin_sees_what_they_answer_for(client, week):
    admin = factories.AdminFactory(username="jefa")
    week["soon"].responsible_users.add(admin)
    client.force_login(admin)
    assert sections(client.get("/my-work/").content.decode()) == {"due_soon": ["1.2"]}


def test_a_long_section_shows_the_first_and_links_to_the_plan(client, week):
    strategy = week["late"].strategy
    for n in range(8, 48):
        factories.ActivityFactory(
            strategy=strategy, code=f"1.{n}", position=n, planned_end=today() - n * DAY
        )
    client.force_login(week["coordinator"])
    html = client.get("/my-work/").content.decode()
    assert len(sections(html)["overdue"]) == 30
    assert "Se muestran 30 de 42." in html
    assert 'href="/clusters/cer-semana/plan/?overdue=1">CER Semana (42)</a>' in html


def test_the_page_needs_the_same_queries_however_much_work(client, week):
    client.force_login(week["coordinator"])
    client.get("/my-work/")
    with CaptureQueriesContext(connection) as small:
        client.get("/my-work/")
    strategy = week["late"].strategy
    for n in range(8, 48):
        factories.ActivityFactory(
            strategy=strategy, code=f"1.{n}", position=n, planned_end=today() - n * DAY
        ).responsible_users.add(week["coordinator"])
    with CaptureQueriesContext(connection) as large:
        client.get("/my-work/")
    assert len(small.captured_queries) == len(large.captured_queries) <= 8


# Naming who answers for an activity ----------------------------------------------------------


def test_staff_name_who_answers_for_an_activity(client, week):
    activity = week["soon"]
    client.force_login(week["colleague"])
    page = client.get(f"/activities/{activity.pk}/").content.decode()
    assert f'href="/activities/{activity.pk}/responsible/"' in page
    form = client.get(f"/activities/{activity.pk}/responsible/").content.decode()
    assert "coordinadora" in form and "colega" in form
    assert "cer-ajeno" not in form
    response = client.post(
        f"/activities/{activity.pk}/responsible/",
        {"responsible_users": [week["coordinator"].pk]},
    )
    assert response.status_code == 302
    assert list(activity.responsible_users.all()) == [week["coordinator"]]
    shown = client.get(f"/activities/{activity.pk}/").content.decode()
    assert re.search(r'data-field="responsible-users">coordinadora', shown)
    latest = activity.history.latest()
    assert latest.history_change_reason == "responsables en el portal: coordinadora"
    assert latest.history_user == week["colleague"]


def test_only_the_cers_staff_can_be_named(client, week):
    outsider = factories.StaffFactory(username="forastero", clusters=[factories.ClusterFactory()])
    activity = week["soon"]
    client.force_login(week["coordinator"])
    response = client.post(
        f"/activities/{activity.pk}/responsible/", {"responsible_users": [outsider.pk]}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#div_id_responsible_users">A cargo en el portal</a>: Escoja una opción' in html
    assert not activity.responsible_users.exists()
