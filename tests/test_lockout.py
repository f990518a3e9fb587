"""The sign-in lock-out behind a proxy, through the whole middleware stack and the login URL.

The portal runs behind one TLS proxy that appends the client's address to X-Forwarded-For
(DJANGO_TRUSTED_PROXY_COUNT=1): REMOTE_ADDR is the proxy, the last header entry the client.
"""

import pytest
from django.test import Client

from tests import factories

PASSWORD = "a long test passphrase"
PROXY = "127.0.0.1"


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def staff(cluster_a):
    return factories.StaffFactory(username="sebastian", clusters=[cluster_a])


def attempt(username, password, forwarded_for):
    """A POST to the real login URL as it arrives from the proxy."""
    return Client().post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def signed_in(response):
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def test_five_wrong_passwords_lock_that_address_out_of_that_account_only(staff):
    for _ in range(4):
        assert attempt("sebastian", "wrong", "203.0.113.5").status_code == 200
    assert attempt("sebastian", "wrong", "203.0.113.5").status_code == 429
    assert attempt("sebastian", PASSWORD, "203.0.113.5").status_code == 429
    # The owner, from their own address, behind the same proxy, is not locked out.
    assert signed_in(attempt("sebastian", PASSWORD, "198.51.100.20"))


def test_the_owner_signing_in_does_not_clear_the_attackers_lock_out(staff):
    for _ in range(5):
        attempt("sebastian", "wrong", "203.0.113.5")
    assert signed_in(attempt("sebastian", PASSWORD, "198.51.100.20"))
    assert attempt("sebastian", PASSWORD, "203.0.113.5").status_code == 429


def test_one_address_guessing_many_accounts_is_stopped(settings, cluster_a):
    factories.StaffFactory(username="victima", clusters=[cluster_a])
    limit = settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
    # Four guesses per account stay under the per-account limit, but not under the address's.
    accounts = [f"cuenta{number}" for number in range(limit // 4 + 1)]
    responses = [attempt(account, "wrong", "203.0.113.9") for account in accounts for _ in range(4)]
    assert responses[limit - 2].status_code == 200
    assert responses[limit - 1].status_code == 429
    # Locked out of every account, even one it never tried and with the right password ...
    assert attempt("victima", PASSWORD, "203.0.113.9").status_code == 429
    # ... while everyone else signs in.
    assert signed_in(attempt("victima", PASSWORD, "198.51.100.20"))


def test_signing_in_to_an_own_account_does_not_reset_the_address_count(settings, cluster_a):
    factories.StaffFactory(username="atacante", clusters=[cluster_a])
    factories.StaffFactory(username="victima", clusters=[cluster_a])
    limit = settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
    for number in range(limit - 1):
        attempt(f"cuenta{number // 4}", "wrong", "203.0.113.9")
    assert signed_in(attempt("atacante", PASSWORD, "203.0.113.9"))
    assert attempt("cuenta-nueva", "wrong", "203.0.113.9").status_code == 429


def test_a_forged_forwarded_for_does_not_choose_the_address(staff):
    # The client sends its own X-Forwarded-For; the proxy appends the real address after it.
    for number in range(5):
        response = attempt("sebastian", "wrong", f"198.51.100.{number}, 203.0.113.5")
    assert response.status_code == 429
    # Pretending to be the owner's address does not get past the lock-out either ...
    assert attempt("sebastian", PASSWORD, "198.51.100.20, 203.0.113.5").status_code == 429
    # ... nor lock the owner out: the owner's real address was never counted.
    assert signed_in(attempt("sebastian", PASSWORD, "198.51.100.20"))


def test_without_a_trusted_proxy_the_header_is_ignored(settings, staff):
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(5):
        attempt("sebastian", "wrong", f"203.0.113.{number}")
    # Every attempt counted against the connection's address, whatever the header said.
    assert attempt("sebastian", PASSWORD, "198.51.100.20").status_code == 429


def test_the_security_log_names_the_client_address(staff, caplog):
    with caplog.at_level("INFO", logger="cerplan.security"):
        for _ in range(5):
            attempt("sebastian", "wrong", "198.51.100.1, 203.0.113.5")
        attempt("sebastian", PASSWORD, "198.51.100.20")
    assert "sign-in refused: user=sebastian address=203.0.113.5" in caplog.text
    assert "sign-in locked out: user=sebastian address=203.0.113.5" in caplog.text
    assert "sign-in: user=sebastian address=198.51.100.20" in caplog.text
    assert "address=127.0.0.1" not in caplog.text
    assert "198.51.100.1 " not in caplog.text
