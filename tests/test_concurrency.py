"""No lost update when two saves of the same activity arrive at the same moment (PostgreSQL).

Each thread has its own database connection and transaction. A third transaction (someone else
saving the activity) holds its row until both saves are queued behind it, then commits: the two
saves are certainly concurrent. One wins; the other then reads the new version and is refused.
Had the service read the activity without locking its row, neither save would queue, the third
transaction would never see them waiting, and both would write.
"""

import threading
import time
from contextlib import contextmanager

import pytest
from django.db import connection, connections, transaction
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


@contextmanager
def row_held_until_saves_queue(activity, saves=2, timeout=10):
    """Lock the activity's row in another transaction until `saves` transactions wait for it.

    Yields a list that ends up holding how many transactions were seen waiting.
    """
    locked, seen = threading.Event(), []

    def hold():
        try:
            with transaction.atomic():
                Activity.objects.select_for_update().get(pk=activity.pk)
                locked.set()
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    with connection.cursor() as cursor:
                        # Within a transaction pg_stat_activity is a snapshot; take a new one.
                        cursor.execute("SELECT pg_stat_clear_snapshot()")
                        # The first waits for this transaction, the second for the first.
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                        )
                        waiting = cursor.fetchone()[0]
                    if waiting >= saves:
                        seen.append(waiting)
                        return
                    time.sleep(0.02)
                seen.append(waiting)
        finally:
            locked.set()
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(timeout), "the row could not be locked"
    try:
        yield seen
    finally:
        holder.join(timeout=timeout + 5)
        assert not holder.is_alive(), "the holding transaction is stuck"


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


def test_two_simultaneous_saves_one_wins_one_is_refused(cluster_a, roles):
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

    with row_held_until_saves_queue(activity) as waiting:
        results = run_together(
            save(roles["staff_a"], 40, "Primera."), save(roles["staff_both"], 70, "Segunda.")
        )
    assert waiting == [2], "both saves should have queued for the activity's row"

    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    (winner,) = [value for kind, value in results if kind == "ok"]
    (refusal,) = [value for kind, value in results if kind == "error"]
    assert isinstance(refusal, services.StaleVersion), refusal
    # The refused one waited for the winner's commit, then saw what it wrote.
    assert [u.pk for u in refusal.updates] == [winner.pk]

    activity.refresh_from_db()
    assert activity.version == version + 1
    assert activity.progress == winner.new_progress
    assert ProgressUpdate.objects.count() == 1
    assert activity.history.count() == 2  # creation + the one save


def test_two_simultaneous_form_posts_one_redirects_one_gets_409(cluster_a, roles):
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

    with row_held_until_saves_queue(activity) as waiting:
        results = run_together(post(clients[0], "40"), post(clients[1], "70"))

    assert waiting == [2], "both requests should have queued for the activity's row"
    assert sorted(value for _kind, value in results) == [302, 409], results
    activity.refresh_from_db()
    assert activity.version == 2
    assert ProgressUpdate.objects.count() == 1
    assert activity.progress == ProgressUpdate.objects.get().new_progress
