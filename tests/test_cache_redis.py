"""The cache on a real Redis server (DJANGO_CACHE_URL=redis://...; issue 15, the cache part).

Runs against the server of CERPLAN_TEST_REDIS_URL (default redis://127.0.0.1:6379), in
database 15 (14, 13... for the other pytest-xdist workers), emptied before and after; .ci/run
starts a Redis server when the machine has none. Without a reachable server the Redis test is
skipped, saying so. Transactional: outside a transaction is where a non-database cache stores
entries (see actions.reporting.cache), as in production.
"""

import os
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.urls import reverse

from actions.models import Activity
from actions.progress import services
from tests import factories

# One Redis database per pytest-xdist worker (gw0: 15, gw1: 14...), so they never flush each
# other's entries.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = (
    os.environ.get("CERPLAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15").rsplit("/", 1)[0]
    + f"/{15 - _WORKER}"
)


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server at {REDIS_URL}; .ci/run starts one")
    return client


@pytest.fixture
def redis_cache(transactional_db, settings):
    client = _redis()
    client.flushdb()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 300,
        }
    }
    caches["default"].close()
    del caches["default"]  # the next access builds the Redis backend from the new settings
    yield client
    client.flushdb()
    del caches["default"]


def _backend_with(url):
    """The cache backend the portal configures for DJANGO_CACHE_URL=url, in a new process."""
    env = {**os.environ, "DJANGO_CACHE_URL": url, "DJANGO_SETTINGS_MODULE": "cerplan.settings"}
    return subprocess.run(
        [sys.executable, "-c", PRINT_BACKEND], env=env, capture_output=True, text=True, check=False
    )


PRINT_BACKEND = "import django; django.setup(); from django.conf import settings; " + (
    "print(settings.CACHES['default']['BACKEND'])"
)


def test_the_cache_comes_from_the_environment():
    assert _backend_with("redis://cache:6379/1").stdout.strip().endswith("redis.RedisCache")
    assert _backend_with("").stdout.strip().endswith("db.DatabaseCache")
    refused = _backend_with("memcached://cache:11211")
    assert refused.returncode != 0
    assert "DJANGO_CACHE_URL='memcached://cache:11211' is not understood" in refused.stderr


def test_pages_are_cached_in_redis_and_a_write_shows_at_once(client, redis_cache):
    cluster = factories.ClusterWithPlanFactory(slug="cer-redis")
    staff = factories.StaffFactory(username="redis-coord", clusters=[cluster])
    client.force_login(staff)
    url = reverse("cluster-dashboard", kwargs={"slug": cluster.slug})
    assert client.get(url).context["figures"]["status_done"] == 0
    client.get(url)  # the second request stores the header too
    keys = [key.decode() for key in redis_cache.keys("*")]
    assert any(f":cer:{cluster.pk}:v" in key for key in keys), keys

    target = Activity.objects.get(cluster=cluster, code="1.1")
    services.record_progress(
        activity_id=target.pk,
        acting_user=staff,
        expected_version=target.version,
        status="done",
        progress=100,
    )
    # The write gave the CER a new data version: the entries under the old one are not read.
    assert client.get(url).context["figures"]["status_done"] == 1
