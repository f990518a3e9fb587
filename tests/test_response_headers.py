"""Headers on every response: the security headers (static files and the bad-Host 400 too),
and `Cache-Control: private, no-store` on whatever depends on the user, never on static files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from actions.models import Activity
from actions.progress import services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
STATIC_FILE = "/static/admin/img/icon-yes.svg"


@pytest.fixture
def static_files(settings):
    # Without collectstatic, WhiteNoise serves from the finders (a fresh Client loads it anew).
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    return Client()


def assert_security_headers(response):
    for header, value in SECURITY_HEADERS.items():
        assert response[header] == value, header
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def assert_private(response):
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives, response["Cache-Control"]


def test_static_files_carry_the_security_headers_and_stay_cacheable(static_files, db):
    response = static_files.get(STATIC_FILE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert_security_headers(response)
    assert "no-store" not in response["Cache-Control"]
    assert "private" not in response["Cache-Control"]
    assert "max-age" in response["Cache-Control"]


@pytest.mark.parametrize("https_redirect", [False, True])
def test_the_400_for_a_bad_host_carries_the_security_headers(settings, db, https_redirect):
    settings.SECURE_SSL_REDIRECT = https_redirect
    response = Client().get("/accounts/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert_security_headers(response)


@pytest.mark.parametrize(
    "path",
    [
        "/clusters/cer-a/",
        "/clusters/cer-a/plan/",
        "/clusters/cer-a/export/progress.csv",
        "/clusters/cer-a/export/plan.xlsx",
    ],
)
def test_signed_in_pages_and_exports_are_private_and_not_stored(client, roles, path):
    client.force_login(roles["owner_a"])
    response = client.get(path)
    assert response.status_code == 200
    assert_private(response)
    assert_security_headers(response)


@pytest.fixture
def evidence(roles, cluster_a, settings, tmp_path):
    """A progress update of CER A with a PDF attached."""
    settings.MEDIA_ROOT = tmp_path / "media"
    activity = Activity.objects.filter(cluster=cluster_a).order_by("code").first()
    return services.record_progress(
        activity_id=activity.pk,
        acting_user=roles["staff_a"],
        expected_version=activity.version,
        status="in_progress",
        progress=10,
        evidence=SimpleUploadedFile("acta.pdf", PDF, content_type="application/pdf"),
    )


def test_evidence_downloads_are_private_and_not_stored(client, roles, evidence):
    client.force_login(roles["owner_a"])
    response = client.get(f"/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert_private(response)
    # The download's own sandbox policy is kept, not replaced by the pages' policy.
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_sign_in_form_is_not_stored_either(client, db):
    assert_private(client.get("/accounts/login/"))
