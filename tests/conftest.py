import pytest
from django.core.management import call_command

from tests import factories


def pytest_configure(config):
    from django.conf import settings

    # Hashing a password properly takes a deliberate ~0.3 s; tests make hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def plan_2006(db):
    """The 2006 plan, as `make run` loads it."""
    call_command("loaddata", "plan_2006", verbosity=0)


@pytest.fixture
def cluster_a(db):
    cluster = factories.make_cluster("cer-a")
    factories.make_plan(cluster)
    return cluster


@pytest.fixture
def cluster_b(db):
    cluster = factories.make_cluster("cer-b")
    factories.make_plan(cluster)
    return cluster


@pytest.fixture
def roles(cluster_a, cluster_b):
    """One user per role of the permission table; CER A is "own", CER B is "other"."""
    return {
        "visitor": None,
        "owner_a": factories.make_owner("owner-a", cluster_a),
        "staff_a": factories.make_staff("staff-a", cluster_a),
        "staff_both": factories.make_staff("staff-both", cluster_a, cluster_b),
        "admin": factories.make_admin(),
    }


@pytest.fixture(autouse=True)
def _test_transport(settings):
    """Tests speak plain HTTP to Django's test client and use unhashed static file names.

    Production redirects HTTP to HTTPS and serves hashed files from a collected manifest;
    tests/test_security.py checks both behaviours on their own.
    """
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _spanish_by_default():
    """Each test starts in the portal's default language, whatever an earlier test chose."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield
