"""Error pages in production (tests run with DEBUG off): the portal's layout, Spanish first and
English through i18n, a link home, and the reason when it is known. The 500 page renders with
the database down."""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from actions.models import Activity
from tests import factories

HOME_LINK = 'href="/"'


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = "tests.error_urls"


def assert_portal_page(response, status, heading):
    assert response.status_code == status
    html = response.content.decode()
    assert heading in html
    assert "bootstrap.min.css" in html  # the portal's layout, not Django's bare page
    assert HOME_LINK in html
    return html


def test_404_in_spanish_with_the_path_and_a_link_home(client, db):
    html = assert_portal_page(client.get("/no-existe/"), 404, "Página no encontrada (404)")
    assert "«/no-existe/»" in html


def test_404_in_english(client, db):
    response = client.get("/no-existe/", HTTP_ACCEPT_LANGUAGE="en")
    assert_portal_page(response, 404, "Page not found (404)")


def test_another_cers_page_is_a_404_page_too(client, roles):
    client.force_login(roles["owner_a"])
    assert_portal_page(client.get("/clusters/cer-b/"), 404, "Página no encontrada (404)")


def test_403_says_why(client, db, failing_urls):
    html = assert_portal_page(client.get("/tests/forbidden/"), 403, "Acceso denegado (403)")
    assert "Solo la administración cambia la estructura del plan." in html


def test_403_for_a_form_without_its_security_token(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    html = assert_portal_page(response, 403, "No se pudo enviar el formulario (403)")
    assert "recárguela" in html


def test_400_for_a_bad_host_says_why(client, db):
    response = client.get("/", HTTP_HOST="evil.example")
    html = assert_portal_page(response, 400, "Solicitud no válida (400)")
    assert "no es la de este portal" in html


def test_400_in_english(client, db):
    response = client.get("/", HTTP_HOST="evil.example", HTTP_ACCEPT_LANGUAGE="en")
    assert_portal_page(response, 400, "Bad request (400)")


def long_file_name_upload(client, activity, name):
    """The progress form as a browser sends it, with the file name as given (the test
    client's own encoder would shorten it)."""
    boundary = "limite"
    fields = {"status": "in_progress", "progress": "10", "note": "", "version": activity.version}
    body = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        for key, value in fields.items()
    )
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="{name}"\r\n'
        f"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n%%EOF\n\r\n--{boundary}--\r\n"
    )
    return client.generic(
        "POST",
        f"/activities/{activity.pk}/update/",
        body.encode(),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_a_1000_character_file_name_is_refused_saying_so_and_nothing_is_written(client, roles):
    client.force_login(roles["staff_a"])
    activity = Activity.objects.filter(cluster__slug="cer-a").first()
    response = long_file_name_upload(client, activity, "a" * 996 + ".pdf")
    html = assert_portal_page(response, 400, "Solicitud no válida (400)")
    assert "El nombre del archivo que subió es demasiado largo" in html
    assert not activity.updates.exists()


def test_500_renders_when_the_database_is_down(db, failing_urls, monkeypatch):
    factories.ClusterFactory(slug="cer-a")

    def unreachable(self):
        raise OperationalError("could not connect to server: Connection refused")

    client = Client(raise_request_exception=False)
    with monkeypatch.context() as patched:
        patched.setattr(BaseDatabaseWrapper, "ensure_connection", unreachable)
        response = client.get("/tests/needs-the-database/")
    assert_portal_page(response, 500, "Error del servidor (500)")


def test_500_in_english(db, failing_urls, monkeypatch):
    def unreachable(self):
        raise OperationalError("could not connect to server: Connection refused")

    client = Client(raise_request_exception=False)
    with monkeypatch.context() as patched:
        patched.setattr(BaseDatabaseWrapper, "ensure_connection", unreachable)
        response = client.get("/tests/needs-the-database/", HTTP_ACCEPT_LANGUAGE="en")
    assert_portal_page(response, 500, "Server error (500)")
