"""Protection a security reviewer expects: lock-out, sessions, headers, HTTPS, production checks."""

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import Client

from clusters.middleware import SESSION_STARTED_KEY
from clusters.services import deactivate_account
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a long test passphrase"


def attempt(client, username, password, address="10.1.1.1", **extra):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


@pytest.fixture
def staff(cluster_a):
    return factories.StaffFactory(username="sebastian", clusters=[cluster_a])


def lock_out(client, username="sebastian", address="10.1.1.1", **extra):
    for _ in range(5):
        response = attempt(client, username, "wrong password", address, **extra)
    return response


def test_five_failures_lock_the_account_at_that_address(client, staff):
    for _ in range(4):
        assert attempt(client, "sebastian", "wrong password").status_code == 200
    response = attempt(client, "sebastian", "wrong password")
    assert response.status_code == 429
    assert "bloqueado durante 15 minutos" in response.content.decode()
    # Locked: even the right password is refused now.
    response = attempt(client, "sebastian", PASSWORD)
    assert response.status_code == 429
    assert not client.session.get("_auth_user_id")


def test_lock_out_is_per_account_and_address(client, staff, cluster_a):
    factories.StaffFactory(username="otra", clusters=[cluster_a])
    lock_out(client)
    assert attempt(Client(), "sebastian", PASSWORD, address="10.9.9.9").status_code == 302
    assert attempt(Client(), "otra", PASSWORD, address="10.1.1.1").status_code == 302


def test_lock_out_expires_after_fifteen_minutes(client, staff):
    lock_out(client)
    assert attempt(client, "sebastian", PASSWORD).status_code == 429
    sixteen_minutes_ago = datetime.timedelta(minutes=16)
    for access in AccessAttempt.objects.all():
        access.attempt_time -= sixteen_minutes_ago
        access.save()
    assert attempt(client, "sebastian", PASSWORD).status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_lock_out(client, staff):
    for number in range(5):
        attempt(client, "sebastian", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    response = attempt(client, "sebastian", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429


def test_sign_in_issues_a_new_session_key(client, staff):
    client.get("/accounts/login/")
    client.cookies["sessionid"] = "x" * 32
    session = client.session
    session["pre_login"] = True
    session.save()
    before = session.session_key
    assert attempt(client, "sebastian", PASSWORD).status_code == 302
    assert client.session.session_key != before


def test_sessions_expire_after_thirty_minutes_idle(client, staff):
    client.force_login(staff)
    client.get("/")
    assert client.session.get_expiry_age() == 30 * 60
    assert client.session.get_expire_at_browser_close() is False


def test_sessions_end_twelve_hours_after_sign_in_however_active(client, staff):
    client.force_login(staff)
    client.get("/")
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - 12 * 3600 - 60
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not client.session.get("_auth_user_id")


def test_deactivating_an_account_ends_its_sessions(client, staff):
    client.force_login(staff)
    assert client.get("/").status_code in (200, 302)
    deactivate_account(user=staff)
    response = client.get("/clusters/cer-a/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_deactivating_in_the_admin_ends_sessions_too(client, staff):
    # Django refuses inactive users' sessions on the next request, whatever deactivated them.
    client.force_login(staff)
    staff.is_active = False
    staff.save()
    assert client.get("/clusters/cer-a/")["Location"].startswith("/accounts/login/")


def test_state_changes_need_a_csrf_token(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.post("/accounts/logout/").status_code == 403
    assert client.session.get("_auth_user_id")


SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz", "/accounts/password_reset/"])
def test_security_headers_on_public_pages(client, db, path):
    response = client.get(path)
    for header, value in SECURITY_HEADERS.items():
        assert response[header] == value
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


def test_http_is_redirected_to_https_except_the_health_probe(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get("/healthz").status_code == 200


def run_manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k" + "7Hq2-xZ_9vLp0aWc3RtYb8NmE1sUoKjF6gDi4PeQ5hTl" * 2,
        DJANGO_ALLOWED_HOSTS="cerplan.example.cl",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_missing_secret_key_refuses_to_start_in_production():
    result = run_manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_cookies_and_hsts():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_SSL_REDIRECT)"
    )
    result = run_manage("shell", "-c", code, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 60)
    assert result.stdout.strip().splitlines()[-1].split() == [
        "True",
        "True",
        "True",
        "Lax",
        "True",
        "True",
    ]


def test_sign_in_failures_are_logged_without_the_password(client, staff, caplog):
    with caplog.at_level("INFO", logger="cerplan.security"):
        attempt(client, "sebastian", "my-secret-guess")
        attempt(client, "sebastian", PASSWORD)
    assert "sign-in refused: user=sebastian" in caplog.text
    assert "sign-in: user=sebastian" in caplog.text
    assert "my-secret-guess" not in caplog.text
    assert PASSWORD not in caplog.text


def test_activity_renews_the_idle_clock(client, staff):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(staff)
    client.get("/")
    session = client.session
    session["cerplan_session_refreshed"] = time.time() - 120  # last renewed two minutes ago
    session.save()
    Session.objects.filter(pk=session.session_key).update(
        expire_date=timezone.now() + datetime.timedelta(seconds=60)
    )
    client.get("/")
    expires_in = Session.objects.get(pk=session.session_key).expire_date - timezone.now()
    assert expires_in > datetime.timedelta(minutes=29)
