"""Home (/): the CERs the user may see with their progress and overdue work; one CER goes
straight to its dashboard; none gets a friendly page."""

import datetime

import pytest
from django.utils import timezone

from actions.models import Activity
from tests import factories


@pytest.fixture
def two_cers(cluster_a, cluster_b):
    # CER A: one of its two activities done, the other overdue. CER B: nothing late.
    Activity.objects.filter(cluster=cluster_a, code="1.1").update(
        status="done", progress=100, completed_on=datetime.date(2008, 5, 1)
    )
    future = timezone.localdate() + datetime.timedelta(days=400)
    Activity.objects.filter(cluster=cluster_b).update(planned_end=future)
    return cluster_a, cluster_b


def test_a_user_with_several_cers_sees_each_with_progress_and_overdue(client, two_cers):
    cluster_a, cluster_b = two_cers
    client.force_login(factories.StaffFactory(username="varios", clusters=[cluster_a, cluster_b]))
    response = client.get("/")
    assert response.status_code == 200
    clusters = {c.slug: c for c in response.context["clusters"]}
    assert set(clusters) == {"cer-a", "cer-b"}
    assert clusters["cer-a"].progress == pytest.approx(50)
    assert (clusters["cer-a"].overdue, clusters["cer-b"].overdue) == (1, 0)
    html = response.content.decode()
    assert "50 %" in html and "1 atrasada" in html and "0 atrasadas" in html
    assert 'href="/clusters/cer-a/"' in html
    assert 'href="/clusters/cer-a/plan/?overdue=1"' in html  # the figure links to its rows


def test_one_cer_goes_straight_to_its_dashboard(client, two_cers):
    client.force_login(factories.OwnerFactory(username="duena", company__cluster=two_cers[0]))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/clusters/cer-a/"


def test_no_cer_gets_a_friendly_page(client, db):
    client.force_login(factories.UserFactory(username="sin-cer"))
    response = client.get("/")
    assert response.status_code == 200
    assert "Aún no tiene un CER asignado" in response.content.decode()


def test_admins_see_every_cer(client, two_cers):
    client.force_login(factories.AdminFactory())
    html = client.get("/").content.decode()
    assert "CER cer-a" in html and "CER cer-b" in html


def test_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
