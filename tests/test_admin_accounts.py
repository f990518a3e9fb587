"""Accounts in the admin (issue 13, item 8): created with their role, CERs and e-mail, listed
with them, edited without Django's per-model permissions; and the admin in Spanish, history
pages included (item 4)."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Activity
from actions.progress import services
from clusters.models import CompanyOwnership, StaffAssignment
from tests import factories

PASSWORD = "una frase larga de prueba"


@pytest.fixture
def admin_client(client, roles):
    client.force_login(roles["admin"])
    return client


def new_account(**values):
    data = {
        "username": "ana",
        "first_name": "Ana",
        "last_name": "Rojas",
        "email": "ana.rojas@agencia.example",
        "role": "staff",
        "company": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(values)
    return data


def test_an_admin_creates_a_coordinator_with_cers_and_email(admin_client, cluster_a, cluster_b):
    form = admin_client.get("/admin/auth/user/add/").content.decode()
    for field in ("email", "role", "clusters", "company"):
        assert f'name="{field}"' in form
    response = admin_client.post(
        "/admin/auth/user/add/", new_account(clusters=[cluster_a.pk, cluster_b.pk])
    )
    assert response.status_code == 302
    ana = get_user_model().objects.get(username="ana")
    assert (ana.email, ana.get_full_name()) == ("ana.rojas@agencia.example", "Ana Rojas")
    assert ana.check_password(PASSWORD)
    assert set(
        StaffAssignment.objects.filter(user=ana).values_list("cluster__slug", flat=True)
    ) == {
        "cer-a",
        "cer-b",
    }
    assert response["Location"] == f"/admin/auth/user/{ana.pk}/change/"


def test_an_owner_is_created_with_their_company(admin_client, cluster_a):
    response = admin_client.post(
        "/admin/auth/user/add/",
        new_account(username="olga", role="owner", clusters=[cluster_a.pk], company="Maestranza"),
    )
    assert response.status_code == 302
    ownership = CompanyOwnership.objects.get(user__username="olga")
    assert (ownership.company.name, ownership.company.cluster) == ("Maestranza", cluster_a)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"role": "owner", "company": ""}, "necesita un CER (--cluster) y una empresa"),
        ({"role": "staff", "clusters": []}, "necesita al menos un CER"),
        ({"email": ""}, "Este campo es obligatorio."),
        ({"password2": "otra frase distinta"}, "Las dos contraseñas no coinciden."),
    ],
)
def test_an_incomplete_account_is_refused_on_the_form(admin_client, cluster_a, values, message):
    data = new_account(clusters=[cluster_a.pk])
    data.update(values)
    response = admin_client.post("/admin/auth/user/add/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(username="ana").exists()


def test_the_user_list_shows_role_and_cer_in_a_fixed_number_of_queries(admin_client, roles):
    html = admin_client.get("/admin/auth/user/").content.decode()
    assert "coordinador" in html and "empresario" in html and "administrador" in html
    with CaptureQueriesContext(connection) as few:
        admin_client.get("/admin/auth/user/")
    for n in range(10):
        factories.StaffFactory(username=f"extra-{n}", clusters=[factories.ClusterFactory()])
    with CaptureQueriesContext(connection) as many:
        admin_client.get("/admin/auth/user/")
    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_change_form_has_no_list_of_model_permissions(admin_client, roles):
    html = admin_client.get(f"/admin/auth/user/{roles['staff_a'].pk}/change/").content.decode()
    assert 'name="user_permissions"' not in html
    assert 'name="email"' in html and "CER que coordina" in html


def test_the_history_page_speaks_spanish_with_labels_and_dates(admin_client, roles, cluster_a):
    activity = Activity.objects.filter(cluster=cluster_a).order_by("code").first()
    services.record_progress(
        activity_id=activity.pk,
        acting_user=roles["staff_a"],
        expected_version=activity.version,
        status="in_progress",
        progress=30,
    )
    html = admin_client.get(f"/admin/actions/activity/{activity.pk}/history/").content.decode()
    assert "Ver historial" in html and "Modificado por" in html
    assert "pendiente" in html and "en curso" in html
    assert "in_progress" not in html and "pending" not in html and "None" not in html
    assert "View history" not in html and "Changed by" not in html


def test_the_sign_in_records_are_named_in_spanish(admin_client):
    AccessAttempt.objects.create(username="x", ip_address="127.0.0.1", failures_since_start=1)
    html = admin_client.get("/admin/").content.decode()
    assert "Intentos de acceso" in html
    assert "Access attempts" not in html
