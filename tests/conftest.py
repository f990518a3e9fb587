import pytest
from django.core.management import call_command
from django.db import transaction
from pytest_django.fixtures import validate_django_db

from tests import factories


def pytest_configure(config):
    from django.conf import settings

    # Hashing a password properly takes a deliberate ~0.3 s; tests make hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The 2006 plan, loaded once -----------------------------------------------------------------
#
# Loading fixtures/plan_2006.json takes about half a second and a hundred tests ask for it, so
# it is loaded once into the test database, inside a transaction left open: each test that asks
# for it runs in a savepoint of that transaction (pytest-django's per-test atomic, nested), so
# what the test changes is rolled back and the plan stays for the next one. Before any other
# test the open transaction is rolled back, so every other test starts from the empty database
# it always had. The tests that ask for the plan run one after the other (see
# pytest_collection_modifyitems), so that happens once per session (per xdist worker).
#
# Transactional tests (transaction=True, transactional_db, live_server) commit and are followed
# by a flush, which cannot run inside an open transaction: they never run inside it, and the
# plan_2006 fixture loads the plan for them as before (committed; the flush removes it).


def _is_transactional(item):
    marker = item.get_closest_marker("django_db")
    if marker:
        transactional, reset_sequences, *_rest = validate_django_db(marker)
        if transactional or reset_sequences:
            return True
    return "transactional_db" in item.fixturenames or "live_server" in item.fixturenames


def _uses_db(item):
    return (
        item.get_closest_marker("django_db") is not None
        or "db" in item.fixturenames
        or _is_transactional(item)
    )


def _shares_plan_2006(item):
    return "plan_2006" in item.fixturenames and not _is_transactional(item)


class SharedPlan2006:
    """The 2006 plan in an open transaction of the test database's connection."""

    current_item = None  # the test being set up (set by pytest_runtest_setup)

    def __init__(self, django_db_blocker):
        self.blocker = django_db_blocker
        self.atomic = None
        self.loads = 0

    @property
    def loaded(self):
        return self.atomic is not None

    def load(self):
        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            call_command("loaddata", "plan_2006", verbosity=0)
        self.loads += 1

    def unload(self):
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = None


_shared_plan_2006 = None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Keep pytest-django's order (database tests, transactional ones, the rest) and, among the
    database tests, run those that share the 2006 plan last, together."""

    def group(item):
        if _shares_plan_2006(item):
            return 1
        if _is_transactional(item):
            return 2
        return 0 if _uses_db(item) else 3

    items.sort(key=group)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Before the test's fixtures (and so before its transaction is opened): load the shared
    # plan for a test that shares it, roll it back before any other test.
    SharedPlan2006.current_item = item
    shared = _shared_plan_2006
    if shared is None:
        return  # not loaded yet; the first test that asks loads it (plan_2006_loaded_once)
    if _shares_plan_2006(item) and not shared.loaded:
        shared.load()
    elif shared.loaded and not _shares_plan_2006(item):
        shared.unload()


@pytest.fixture(scope="session")
def plan_2006_loaded_once(django_db_setup, django_db_blocker):
    """Session-scoped, so set up before the first sharing test's transaction opens."""
    global _shared_plan_2006
    shared = SharedPlan2006(django_db_blocker)
    _shared_plan_2006 = shared
    if _shares_plan_2006(SharedPlan2006.current_item):
        shared.load()
    yield shared
    if shared.loaded:
        shared.unload()
    _shared_plan_2006 = None


@pytest.fixture
def plan_2006(plan_2006_loaded_once, db):
    """The 2006 plan, as `make run` loads it."""
    if not plan_2006_loaded_once.loaded:  # a transactional test: it commits its own copy
        call_command("loaddata", "plan_2006", verbosity=0)


# Two CERs and one user per role -------------------------------------------------------------


@pytest.fixture
def cluster_a(db):
    return factories.ClusterWithPlanFactory(slug="cer-a")


@pytest.fixture
def cluster_b(db):
    return factories.ClusterWithPlanFactory(slug="cer-b")


@pytest.fixture
def roles(cluster_a, cluster_b):
    """One user per role of the permission table; CER A is "own", CER B is "other"."""
    return {
        "visitor": None,
        "owner_a": factories.OwnerFactory(username="owner-a", company__cluster=cluster_a),
        "staff_a": factories.StaffFactory(username="staff-a", clusters=[cluster_a]),
        "staff_both": factories.StaffFactory(
            username="staff-both", clusters=[cluster_a, cluster_b]
        ),
        "admin": factories.AdminFactory(username="admin"),
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
