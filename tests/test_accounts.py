"""Accounts: create_account, sign-in and sign-out, password change and reset, the demo seed."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from clusters.models import Company, CompanyOwnership, StaffAssignment
from clusters.permissions import can_read_cluster, can_record_progress, is_admin
from tests import factories

PASSPHRASE = "correcto caballo batería grapa antofagasta"


def create(*args, monkeypatch, password=PASSPHRASE):
    monkeypatch.setenv("CERPLAN_PASSWORD", password)
    out = io.StringIO()
    call_command("create_account", *args, stdout=out)
    return out.getvalue()


def test_create_account_admin(cluster_a, monkeypatch):
    create("ana", "--role", "admin", monkeypatch=monkeypatch)
    user = get_user_model().objects.get(username="ana")
    assert is_admin(user)
    assert user.check_password(PASSPHRASE)


def test_create_account_staff_of_two_clusters(cluster_a, cluster_b, monkeypatch):
    create(
        "sara",
        "--role",
        "staff",
        "--cluster",
        "cer-a",
        "--cluster",
        "cer-b",
        monkeypatch=monkeypatch,
    )
    user = get_user_model().objects.get(username="sara")
    assert set(
        StaffAssignment.objects.filter(user=user).values_list("cluster__slug", flat=True)
    ) == {
        "cer-a",
        "cer-b",
    }
    assert not is_admin(user)
    assert can_record_progress(user, cluster_b.id)


def test_create_account_owner_creates_the_company_once(cluster_a, cluster_b, monkeypatch):
    create(
        "olga",
        "--role",
        "owner",
        "--cluster",
        "cer-a",
        "--company",
        "Maestranza Norte",
        monkeypatch=monkeypatch,
    )
    create(
        "omar",
        "--role",
        "owner",
        "--cluster",
        "cer-a",
        "--company",
        "Maestranza Norte",
        monkeypatch=monkeypatch,
    )
    assert Company.objects.filter(name="Maestranza Norte", cluster=cluster_a).count() == 1
    olga = get_user_model().objects.get(username="olga")
    assert CompanyOwnership.objects.get(user=olga).company.cluster == cluster_a
    assert can_read_cluster(olga, cluster_a.id)
    assert not can_read_cluster(olga, cluster_b.id)
    assert not can_record_progress(olga, cluster_a.id)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x1", "--role", "staff", "--cluster", "no-such"], "No existe el CER «no-such»"),
        (["x2", "--role", "staff"], "al menos un CER"),
        (["x3", "--role", "owner", "--cluster", "cer-a"], "--company"),
        (["x4", "--role", "admin", "--cluster", "cer-a"], "no lleva CER"),
    ],
)
def test_create_account_refuses_with_a_clear_error(cluster_a, monkeypatch, args, message):
    with pytest.raises(CommandError, match=message):
        create(*args, monkeypatch=monkeypatch)
    assert not get_user_model().objects.filter(username=args[0]).exists()


def test_create_account_refuses_an_unknown_role(cluster_a, monkeypatch):
    with pytest.raises(CommandError, match="role"):
        create("x", "--role", "visitor", monkeypatch=monkeypatch)


def test_create_account_has_no_default_password(cluster_a, monkeypatch):
    monkeypatch.delenv("CERPLAN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="CERPLAN_PASSWORD"):
        call_command("create_account", "nopass", "--role", "admin")
    assert not get_user_model().objects.filter(username="nopass").exists()


def test_create_account_applies_the_password_validators(cluster_a, monkeypatch):
    with pytest.raises(CommandError, match="(?i)contraseña"):
        create("weak", "--role", "admin", monkeypatch=monkeypatch, password="12345678")
    assert not get_user_model().objects.filter(username="weak").exists()


def test_long_passphrases_are_accepted(cluster_a, monkeypatch):
    long_phrase = "una frase de paso muy larga para el portal de los cer de antofagasta " * 3
    create("largo", "--role", "admin", monkeypatch=monkeypatch, password=long_phrase)
    assert get_user_model().objects.get(username="largo").check_password(long_phrase)


def test_sign_in_through_the_form_and_sign_out_by_post(client, cluster_a):
    factories.StaffFactory(username="sofia", clusters=[cluster_a])
    response = client.post(
        "/accounts/login/", {"username": "sofia", "password": "a long test passphrase"}
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")
    assert client.get("/accounts/logout/").status_code == 405  # GET must not sign out
    signed_out = client.post("/accounts/logout/", follow=True)
    assert signed_out.redirect_chain[-1][0] == "/accounts/login/"
    assert not client.session.get("_auth_user_id")
    assert "Cerró su sesión." in signed_out.content.decode()


def test_sign_in_page_is_spanish_by_default_and_english_on_request(client, db):
    assert "Iniciar sesión" in client.get("/accounts/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert "Sign in" in client.get("/accounts/login/").content.decode()


def test_password_change(client, cluster_a):
    user = factories.StaffFactory(username="pablo", clusters=[cluster_a])
    client.force_login(user)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "a long test passphrase",
            "new_password1": PASSPHRASE,
            "new_password2": PASSPHRASE,
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSPHRASE)


def test_password_reset_sends_a_link_by_email(client, cluster_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    factories.StaffFactory(username="rita", clusters=[cluster_a]).__class__.objects.filter(
        username="rita"
    ).update(email="rita@example.cl")
    response = client.post("/accounts/password_reset/", {"email": "rita@example.cl"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body
    assert "rita" in mail.outbox[0].body


def test_seed_portal_loads_the_plan_and_demo_accounts_once(db, tmp_path, monkeypatch):
    monkeypatch.setenv("CERPLAN_PASSWORD", PASSPHRASE)
    credentials = tmp_path / "demo"
    out = io.StringIO()
    call_command("seed_portal", "--credentials-file", str(credentials), stdout=out)
    first = out.getvalue()
    assert "Plan 2006 cargado" in first
    assert "coordinador-metalmecanica staff metalmecanica" in first
    users = get_user_model().objects.count()
    from actions.models import Activity

    activities = Activity.objects.count()

    out = io.StringIO()
    call_command("seed_portal", "--credentials-file", str(credentials), stdout=out)
    assert "ya está cargado" in out.getvalue()
    assert PASSPHRASE in out.getvalue()  # the accounts are printed again
    assert get_user_model().objects.count() == users == 5
    # Each demo account has an address, so password reset can reach it.
    assert not get_user_model().objects.filter(email="").exists()
    assert Activity.objects.count() == activities


def test_seed_portal_makes_random_passwords_without_cerplan_password(db, tmp_path, monkeypatch):
    monkeypatch.delenv("CERPLAN_PASSWORD", raising=False)
    out = io.StringIO()
    call_command("seed_portal", "--credentials-file", str(tmp_path / "demo"), stdout=out)
    lines = [line.split() for line in out.getvalue().splitlines() if line.startswith("  ")]
    passwords = {parts[-1] for parts in lines}
    assert len(lines) == 5 and len(passwords) == 5
    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password(next(p[-1] for p in lines if p[0] == "admin"))
