"""Every write path on a tracked model leaves exactly one historical row naming who did it.

django-simple-history records Model.save() and delete(); it sees nothing of QuerySet.update() or
bulk_* operations. So: the services and the admin each add exactly one row per change, with the
acting user and a before/after the admin can show; no source file writes a tracked model in
bulk; and no admin page of a tracked model offers list_editable (a stale changelist row would
overwrite a newer edit).
"""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from simple_history.models import registered_models

from actions.models import Activity, Actor, Funding, Goal, Instrument, Involvement, Strategy
from actions.progress import services
from tests.helpers import added_rows, admin_edit, history_rows


def tracked_models():
    return {
        model
        for model in registered_models.values()
        if not model._meta.auto_created  # an m2m through table is tracked with its owner
    }


@pytest.fixture
def activity(cluster_a):
    return Activity.objects.filter(cluster=cluster_a).order_by("code").first()


# Services ------------------------------------------------------------------------------------


def test_record_progress_adds_one_historical_row_by_the_acting_user(activity, roles):
    before = history_rows()
    services.record_progress(
        activity_id=activity.pk,
        acting_user=roles["staff_a"],
        expected_version=activity.version,
        status="in_progress",
        progress=30,
        note="Partió.",
    )
    assert added_rows(before) == {"HistoricalActivity": 1}
    record = activity.history.latest("history_date")
    assert record.history_user == roles["staff_a"]
    assert record.history_type == "~"
    delta = record.diff_against(record.prev_record)
    assert {c.field: (c.old, c.new) for c in delta.changes} == {
        "status": ("pending", "in_progress"),
        "progress": (0, 30),
    }


def test_revise_deadline_adds_one_historical_row_by_the_acting_user(activity, roles):
    before = history_rows()
    services.revise_deadline(
        activity_id=activity.pk,
        acting_user=roles["staff_both"],
        expected_version=activity.version,
        new_end=datetime.date(2010, 6, 30),
        reason="Atraso del financiamiento.",
    )
    assert added_rows(before) == {"HistoricalActivity": 1}
    record = activity.history.latest("history_date")
    assert record.history_user == roles["staff_both"]
    assert record.history_change_reason.startswith("plazo revisado")
    changed = {c.field for c in record.diff_against(record.prev_record).changes}
    assert changed == {"revised_end", "revision_reason"}


def test_a_refused_save_adds_no_historical_row(activity, roles):
    before = history_rows()
    with pytest.raises(services.StaleVersion):
        services.record_progress(
            activity_id=activity.pk,
            acting_user=roles["staff_a"],
            expected_version=activity.version + 1,
            status="in_progress",
            progress=30,
        )
    assert added_rows(before) == {}


def test_the_acting_user_is_named_without_a_request(activity, roles):
    """Imports and commands call the services outside any request."""
    services.record_progress(
        activity_id=activity.pk,
        acting_user=roles["admin"],
        expected_version=activity.version,
        status="blocked",
        progress=10,
    )
    assert activity.history.latest("history_date").history_user == roles["admin"]


def test_goal_measurement_adds_no_structure_history(activity, roles):
    goal = activity.strategy.goals.get()
    before = history_rows()
    services.record_goal_measurement(
        goal_id=goal.pk,
        acting_user=roles["staff_a"],
        value=Decimal("3"),
        measured_on=datetime.date(2008, 6, 30),
        source="Encuesta",
    )
    # The measurement is its own dated, signed row; the goal itself is untouched.
    assert added_rows(before) == {}
    assert goal.measurements.get().recorded_by == roles["staff_a"]


# The admin -----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, roles):
    client.force_login(roles["admin"])
    return client


def _strategy(cluster):
    return Strategy.objects.get(cluster=cluster, number=1)


ADMIN_EDITS = {
    "strategy title": (
        lambda c: _strategy(c),
        {"title": "Estrategia corregida"},
        {"title"},
    ),
    "strategy period": (
        lambda c: _strategy(c),
        {
            "committed_period_text": "2007- 2011 (5 AÑOS)",
            "committed_start": "2007-01-01",
            "committed_end": "2011-12-31",
        },
        {"committed_period_text", "committed_end"},
    ),
    "goal": (
        lambda c: Goal.objects.get(strategy__cluster=c),
        {"text": "20 empresas certificadas", "target_value": "20", "unit": "empresas"},
        {"text", "target_value", "unit"},
    ),
    "funding text": (
        lambda c: Funding.objects.get(strategy__cluster=c),
        {"text": "Instrumento PROFO o PDP", "share_percent": "50"},
        {"text", "share_percent"},
    ),
    "actor": (
        lambda c: Actor.objects.get(name="CORFO"),
        {"name": "CORFO Antofagasta"},
        {"name"},
    ),
    "involvement": (
        lambda c: Involvement.objects.get(strategy__cluster=c),
        {"role": "involved"},
        {"role"},
    ),
    "activity plan fields": (
        lambda c: Activity.objects.filter(cluster=c).order_by("code").first(),
        {"title": "Actividad corregida", "planned_end": "2010-12-31"},
        {"title", "planned_end"},
    ),
}


@pytest.mark.parametrize("edit", list(ADMIN_EDITS))
def test_an_admin_edit_adds_one_historical_row_with_before_and_after(
    admin_client, roles, cluster_a, edit
):
    get_object, changes, changed_fields = ADMIN_EDITS[edit]
    obj = get_object(cluster_a)
    before = history_rows()

    admin_edit(admin_client, obj, changes)

    history_name = f"Historical{type(obj).__name__}"
    assert added_rows(before) == {history_name: 1}
    record = obj.history.latest("history_date")
    assert record.history_user == roles["admin"]
    delta = record.diff_against(record.prev_record)
    assert {c.field for c in delta.changes} == changed_fields
    # and the admin shows it on the object's history page
    opts = obj._meta
    history_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
    page = admin_client.get(history_url).content.decode()
    assert roles["admin"].username in page


def test_an_admin_edit_of_funding_instruments_adds_one_historical_row(
    admin_client, roles, cluster_a
):
    funding = Funding.objects.get(strategy__cluster=cluster_a)
    instrument = Instrument.objects.create(name="PDP")
    before = history_rows()

    admin_edit(admin_client, funding, {"instruments": [str(instrument.pk)]})

    added = added_rows(before)
    # One historical funding row, its instruments snapshotted beside it (the m2m history table).
    assert added.get("HistoricalFunding") == 1, added
    assert set(added) <= {"HistoricalFunding", "HistoricalFunding_instruments"}, added
    record = funding.history.latest("history_date")
    assert record.history_user == roles["admin"]
    assert [i.instrument_id for i in record.instruments.all()] == [instrument.pk]


def test_an_unchanged_admin_save_of_a_strategy_touches_no_inline_row(admin_client, cluster_a):
    strategy = _strategy(cluster_a)
    before = history_rows()
    admin_edit(admin_client, strategy, {})
    # The strategy itself is saved once; its activities, goals, funding and actors are not.
    assert added_rows(before) == {"HistoricalStrategy": 1}


# No bypass -----------------------------------------------------------------------------------

BULK_CALL = re.compile(r"\.(bulk_create|bulk_update|update)\(")
# Files allowed to write tracked models in bulk, and why. Keep it short.
BULK_ALLOWED = {
    "actions/plan/synthetic.py": (
        "benchmark data generator: creates new synthetic CERs only, never changes existing rows"
    ),
}
# Single bulk calls allowed in a file, and why: (file, the call as written) -> reason. Each must
# occur exactly once in its file, so an allowance never covers a second call. Keep it short.
BULK_CALLS_ALLOWED = {
    ("clusters/versions.py", ".update(data_version="): (
        "the CERs' data version for the cache keys: not part of the plan, so no history "
        "(Cluster.history excludes it); one UPDATE adds one in the database"
    ),
    ("actions/progress/batch.py", "bulk_history_create("): (
        "record_progress_many: its UPDATE ... FROM (VALUES) of the activities is followed by "
        "simple-history's bulk_history_create, one historical row per activity with the acting "
        "user (tests/test_progress_batch.py); sends no post_save, so the service bumps the CERs' "
        "cache versions itself"
    ),
    ("actions/progress/batch.py", "ProgressUpdate.objects.bulk_create("): (
        "record_progress_many: progress updates are append-only inserts with no history model "
        "(they are the history); the service bumps the CERs' data versions itself"
    ),
}


def _portal_sources():
    base = Path(settings.BASE_DIR)
    for package in ("actions", "clusters", "cerplan"):
        for path in sorted((base / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield base, path


def test_no_source_writes_a_tracked_model_in_bulk():
    names = "|".join(sorted(model.__name__ for model in tracked_models()))
    # "Strategy.objects.filter(...).update(" and the like, on one statement line.
    tracked_call = re.compile(rf"\b({names})\.objects\b[^\n]*?\.(update|bulk_create|bulk_update)\(")
    bulk_anywhere = re.compile(r"\.(bulk_create|bulk_update)\(")
    # simple-history's bulk helpers write history but send no post_save.
    with_history = re.compile(r"\bbulk_(create|update)_with_history\(")
    offenders = []
    for base, path in _portal_sources():
        relative = path.relative_to(base).as_posix()
        if relative in BULK_ALLOWED:
            continue
        text = path.read_text(encoding="utf-8")
        allowed = [call for (file, call) in BULK_CALLS_ALLOWED if file == relative]
        for call in allowed:
            assert text.count(call) == 1, (
                f"{relative}: {call} allowed once, found {text.count(call)}"
            )
        for number, line in enumerate(text.splitlines(), 1):
            if any(call in line for call in allowed):
                continue
            if tracked_call.search(line) or bulk_anywhere.search(line) or with_history.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, "writes that django-simple-history cannot see:\n" + "\n".join(offenders)


def test_no_admin_of_a_tracked_model_uses_list_editable():
    for model in tracked_models():
        if admin.site.is_registered(model):
            assert not admin.site.get_model_admin(model).list_editable, model.__name__


def test_every_plan_structure_model_is_tracked():
    expected = {"Objective", "Strategy", "Activity", "Goal", "Funding", "Instrument", "Actor"}
    expected |= {"Involvement", "Cluster", "Obstacle", "Measure"}
    assert expected <= {model.__name__ for model in tracked_models()}
