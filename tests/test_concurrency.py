"""No lost update when two saves of the same activity arrive at the same moment (PostgreSQL).

Each thread has its own database connection and transaction. The first to lock the activity row
holds it a moment (the service's _lock_activity is slowed down here), so the other is certainly
waiting on SELECT ... FOR UPDATE when the first commits; it then reads the new version and is
refused. Without the lock both would read version 1 and both would write.
"""

import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client

from actions.models import Activity, ProgressUpdate
from actions.progress import services

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent transactions need PostgreSQL (SQLite serialises whole-database "
        "writes); run with DATABASE_URL=postgres://...",
    ),
    pytest.mark.django_db(transaction=True),
]

HOLD_SECONDS = 0.5


@pytest.fixture
def slow_lock(monkeypatch):
    """Keep the row lock a moment after taking it, so the two transactions overlap."""
    original = services.lock_activity
    waits = []

    def lock_and_hold(activity_id):
        asked = time.monotonic()
        activity = original(activity_id)
        waits.append(time.monotonic() - asked)
        time.sleep(HOLD_SECONDS)
        return activity

    monkeypatch.setattr(services, "lock_activity", lock_and_hold)
    return waits


def run_together(*functions):
    """Run each function in its own thread (own DB connection), released at the same moment."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def runner(index, function):
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", function())
        except Exception as error:  # reported to the test below
            results[index] = ("error", error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=runner, args=(index, function))
        for index, function in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a thread is stuck"
    return results


def test_two_simultaneous_saves_one_wins_one_is_refused(cluster_a, roles, slow_lock):
    activity = Activity.objects.filter(cluster=cluster_a).order_by("code").first()
    version = activity.version

    def save(user, progress, note):
        return lambda: services.record_progress(
            activity_id=activity.pk,
            acting_user=user,
            expected_version=version,
            status="in_progress",
            progress=progress,
            note=note,
        )

    results = run_together(
        save(roles["staff_a"], 40, "Primera."), save(roles["staff_both"], 70, "Segunda.")
    )

    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    (winner,) = [value for kind, value in results if kind == "ok"]
    (refusal,) = [value for kind, value in results if kind == "error"]
    assert isinstance(refusal, services.StaleVersion), refusal
    # Both asked for the lock at the same moment; one waited for the other's commit, then
    # saw what it wrote.
    assert len(slow_lock) == 2
    assert min(slow_lock) < HOLD_SECONDS / 2 < HOLD_SECONDS * 0.8 < max(slow_lock), slow_lock
    assert [u.pk for u in refusal.updates] == [winner.pk]

    activity.refresh_from_db()
    assert activity.version == version + 1
    assert activity.progress == winner.new_progress
    assert ProgressUpdate.objects.count() == 1
    assert activity.history.count() == 2  # creation + the one save


def test_two_simultaneous_form_posts_one_redirects_one_gets_409(cluster_a, roles, slow_lock):
    activity = Activity.objects.filter(cluster=cluster_a).order_by("code").first()
    path = f"/activities/{activity.pk}/update/"
    clients = []
    for role in ("staff_a", "staff_both"):
        client = Client()
        client.force_login(roles[role])
        clients.append(client)
    version = str(activity.version)

    def post(client, progress):
        return lambda: (
            client.post(
                path, {"status": "in_progress", "progress": progress, "version": version}
            ).status_code
        )

    results = run_together(post(clients[0], "40"), post(clients[1], "70"))

    assert sorted(value for _kind, value in results) == [302, 409], results
    assert max(slow_lock) > HOLD_SECONDS * 0.8, slow_lock  # one request waited for the other
    activity.refresh_from_db()
    assert activity.version == 2
    assert ProgressUpdate.objects.count() == 1
    assert activity.progress == ProgressUpdate.objects.get().new_progress
