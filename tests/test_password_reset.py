"""Password reset: no links in the logs, rate limits per address and per e-mail address, and
the same answer (through the same steps) whether an account has the address or not."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from tests import factories

URL = "/accounts/password_reset/"


@pytest.fixture
def rita(cluster_a):
    user = factories.StaffFactory(username="rita", clusters=[cluster_a])
    get_user_model().objects.filter(pk=user.pk).update(email="rita@example.cl")
    return user


def ask(email, address="203.0.113.5"):
    return Client().post(URL, {"email": email}, REMOTE_ADDR=address)


def test_a_reset_link_is_mailed(rita):
    response = ask("rita@example.cl")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_without_a_mail_transport_production_sends_and_logs_no_link(rita, settings, capsys, caplog):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    page = Client().get(URL).content.decode()
    assert "no tiene configurado el envío de correo" in page
    assert 'name="email"' not in page
    with caplog.at_level("DEBUG"):
        response = ask("rita@example.cl")
    assert response.status_code == 200
    assert "no tiene configurado el envío de correo" in response.content.decode()
    captured = capsys.readouterr()
    for output in (captured.out, captured.err, caplog.text):
        assert "/accounts/reset/" not in output
        assert "rita" not in output


def test_one_address_is_limited(settings, db):
    limit = settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    for number in range(limit):
        assert ask(f"persona{number}@example.cl").status_code == 302
    response = ask("otra@example.cl")
    assert response.status_code == 429
    assert "Demasiadas solicitudes" in response.content.decode()
    assert ask("otra@example.cl", address="198.51.100.7").status_code == 302


def test_one_account_is_limited_from_any_address(settings, rita):
    limit = settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT
    for number in range(limit):
        assert ask("Rita@example.cl", address=f"198.51.100.{number}").status_code == 302
    assert ask("rita@example.cl", address="192.0.2.99").status_code == 429
    assert len(mail.outbox) == limit


def test_the_limit_is_the_same_for_an_address_no_account_has(settings, db):
    limit = settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT
    for number in range(limit):
        ask("nadie@example.cl", address=f"198.51.100.{number}")
    assert ask("nadie@example.cl", address="192.0.2.99").status_code == 429


def test_the_answer_and_the_work_are_the_same_whether_the_account_exists_or_not(rita):
    known = ask("rita@example.cl", address="198.51.100.1")
    unknown = ask("nadie@example.cl", address="198.51.100.2")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert known.content == unknown.content
    # The same steps ran: both rendered the reset mail's subject and body.
    assert [t.name for t in known.templates] == [t.name for t in unknown.templates]
    assert "registration/password_reset_email.html" in [t.name for t in unknown.templates]
    # Only the real account got mail.
    assert [message.to for message in mail.outbox] == [["rita@example.cl"]]


def test_the_mail_goes_out_after_the_response(rita, monkeypatch):
    from clusters.password_reset import RedirectThenSend

    sent_before_close = []
    original = RedirectThenSend.close

    def close(self):
        sent_before_close.append(len(mail.outbox))
        original(self)

    monkeypatch.setattr(RedirectThenSend, "close", close)
    ask("rita@example.cl")
    assert sent_before_close == [0]
    assert len(mail.outbox) == 1
