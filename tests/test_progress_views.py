"""The activity page and the progress, revision and measurement forms, over HTTP.

(The role × page × CER table for these pages is in tests/test_permissions.py; here are the
behaviours behind it.)
"""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from actions.models import Activity, Goal, GoalMeasurement, ProgressUpdate
from actions.progress import services
from actions.progress.forms import ProgressForm
from tests import factories
from tests.helpers import progress_form_data as progress_data
from tests.helpers import signed_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def activity(cluster_a):
    return Activity.objects.filter(cluster=cluster_a).order_by("code").first()


def url(name, obj):
    return reverse(name, kwargs={"pk": obj.pk})


def current_version(activity):
    return Activity.objects.get(pk=activity.pk).version


def hidden_version(html):
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


# The activity page ---------------------------------------------------------------------------


def test_activity_page_shows_the_plan_and_the_state(activity, roles):
    activity.revised_end = datetime.date(2010, 6, 30)
    activity.revision_reason = "Atraso en el PROFO."
    activity.save()
    strategy = activity.strategy
    strategy.committed_period_text = "2007- 2011 (5 AÑOS)"
    strategy.save()
    involved = factories.Actor.objects.create(name="Director Pro Chile")
    factories.Involvement.objects.create(
        strategy=strategy, actor=involved, role="involved", position=1
    )
    factories.Funding.objects.create(
        strategy=strategy, kind="private", position=1, text="50% del costo de implementación"
    )

    response = signed_in(roles["owner_a"]).get(url("activity-detail", activity))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        activity.title,
        strategy.title,
        strategy.objective.title,
        "«2007- 2011 (5 AÑOS)»",  # the committed period, verbatim
        "01-01-2007",  # planned start, es-CL
        "31-12-2009",  # planned end stays
        "30-06-2010",  # revised end beside it
        "Atraso en el PROFO.",
        "Pendiente",  # status as text, not colour alone
        'value="0"',  # the <progress> element
        "CORFO",  # responsible
        "Director Pro Chile",  # involved
        "Instrumento PROFO",  # public funding
        "50% del costo de implementación",  # private funding
        "Meta 1",
    ):
        assert text in html, text
    assert "style=" not in html
    assert "<script>" not in html


def test_history_is_newest_first_with_who_what_note_and_evidence(activity, roles):
    staff = roles["staff_a"]
    services.record_progress(
        activity_id=activity.pk,
        acting_user=staff,
        expected_version=1,
        status="in_progress",
        progress=20,
        note="Primera reunión.",
        effective_on=datetime.date(2008, 1, 10),
    )
    services.revise_deadline(
        activity_id=activity.pk,
        acting_user=roles["admin"],
        expected_version=2,
        new_end=datetime.date(2010, 6, 30),
        reason="Atraso del financiamiento.",
        effective_on=datetime.date(2008, 2, 1),
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    with_file = services.record_progress(
        activity_id=activity.pk,
        acting_user=staff,
        expected_version=3,
        status="in_progress",
        progress=60,
        note="Taller realizado.",
        evidence=SimpleUploadedFile("lista de asistencia.pdf", PDF),
        effective_on=datetime.date(2008, 3, 5),
    )

    html = signed_in(roles["owner_a"]).get(url("activity-detail", activity)).content.decode()
    history = html[html.index('id="history-heading"') :]
    positions = [history.index(t) for t in ("05-03-2008", "01-02-2008", "10-01-2008")]
    assert positions == sorted(positions)
    for text in (
        "staff-a",
        "admin",
        "20 % → 60 %",
        "Primera reunión.",
        "Atraso del financiamiento.",
        "Sin revisión".lower(),
        "30-06-2010",
        "lista de asistencia.pdf",
        url("evidence-download", with_file),
    ):
        assert text in history, text
    assert re.search(r"Estado:.*?pendiente.*?→.*?en curso</li>", history, re.S)


def test_owners_see_no_edit_controls(activity, roles):
    html = signed_in(roles["owner_a"]).get(url("activity-detail", activity)).content.decode()
    assert url("activity-update", activity) not in html
    assert url("activity-revise", activity) not in html
    assert "/measure/" not in html
    assert "/responsible/" not in html
    # the only forms are the navbar's search (a GET), language switch and sign-out
    assert html.count("<form") == 3
    assert html.count('method="post"') == 2


def test_staff_see_the_links_to_record(activity, roles):
    html = signed_in(roles["staff_a"]).get(url("activity-detail", activity)).content.decode()
    goal = activity.strategy.goals.get()
    assert url("activity-update", activity) in html
    assert url("activity-revise", activity) in html
    assert url("goal-measure", goal) in html


def test_no_page_offers_to_edit_or_delete_a_progress_update(activity, roles):
    services.record_progress(
        activity_id=activity.pk,
        acting_user=roles["staff_a"],
        expected_version=1,
        status="in_progress",
        progress=20,
        note="x",
    )
    update = ProgressUpdate.objects.get()
    for role in ("staff_a", "admin"):
        html = signed_in(roles[role]).get(url("activity-detail", activity)).content.decode()
        history = html[html.index('id="history-heading"') :]
        assert "<form" not in history
        assert "<button" not in history
        for word in ("Editar", "Eliminar", "Borrar", "delete", "/change/"):
            assert word not in history
    # no URL of the portal takes a progress update except the evidence download
    names = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    assert not {n for n in names if n and ("delete" in n or "edit" in n)}
    # and the admin refuses to change or delete one, even for a superuser
    admin = signed_in(roles["admin"])
    change = reverse("admin:actions_progressupdate_change", args=[update.pk])
    delete = reverse("admin:actions_progressupdate_delete", args=[update.pk])
    admin.post(change, {"note": "reescrita", "new_progress": "0"})
    admin.post(delete, {"post": "yes"})
    update.refresh_from_db()
    assert (update.note, update.new_progress) == ("x", 20)


def test_activity_page_query_count_does_not_grow_with_history(
    activity, roles, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff = roles["staff_a"]
    client = signed_in(staff)
    goal = activity.strategy.goals.get()
    GoalMeasurement.objects.create(
        goal=goal, value=1, measured_on=datetime.date(2008, 1, 1), source="a"
    )

    def add_updates(count):
        for index in range(count):
            services.record_progress(
                activity_id=activity.pk,
                acting_user=staff,
                expected_version=current_version(activity),
                status="in_progress",
                progress=min(99, 1 + index),
                note=f"nota {index}",
            )

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("activity-detail", activity))
        assert response.status_code == 200
        return len(queries)

    add_updates(1)
    client.get(reverse("home"))  # the first request after sign-in also renews the session
    with_one = count_queries()
    add_updates(49)
    GoalMeasurement.objects.create(
        goal=goal, value=2, measured_on=datetime.date(2008, 2, 1), source="b"
    )
    with django_assert_max_num_queries(with_one):
        client.get(url("activity-detail", activity))
    assert count_queries() == with_one
    assert with_one <= 15, with_one


def test_history_is_paginated(activity, roles):
    staff = roles["staff_a"]
    for index in range(30):
        services.record_progress(
            activity_id=activity.pk,
            acting_user=staff,
            expected_version=current_version(activity),
            status="in_progress",
            progress=1 + index,
        )
    client = signed_in(staff)
    first = client.get(url("activity-detail", activity)).content.decode()
    second = client.get(url("activity-detail", activity) + "?page=2").content.decode()
    assert "29 % → 30 %" in first and "29 % → 30 %" not in second
    assert "0 % → 1 %" in second and "0 % → 1 %" not in first
    assert "Página 1 de 2" in first


# The progress form ---------------------------------------------------------------------------


def test_progress_form_fields_and_button(activity, roles):
    response = signed_in(roles["staff_a"]).get(url("activity-update", activity))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("status", "progress", "note", "evidence"):
        assert f'name="{name}"' in html
    assert '<input type="hidden" name="version" value="1"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "Guardar avance" in html
    assert "form-control" in html  # rendered by crispy-forms (Bootstrap 5)


def test_progress_form_saves_and_returns_to_the_activity(activity, roles):
    client = signed_in(roles["staff_a"])
    response = client.post(
        url("activity-update", activity),
        progress_data(activity, status="in_progress", progress="45", note="Avanza bien."),
        follow=True,
    )
    assert response.redirect_chain == [(url("activity-detail", activity), 302)]
    html = response.content.decode()
    assert "Avance registrado en la actividad 1.1." in html
    assert "0 % → 45 %" in html
    activity.refresh_from_db()
    assert (activity.status, activity.progress, activity.version) == ("in_progress", 45, 2)


@pytest.mark.parametrize(
    ("start", "data", "field", "message"),
    [
        (None, {"status": "done", "progress": "80"}, "progress", "completada tiene 100 %"),
        (None, {"status": "in_progress", "progress": "100"}, "status", "Con 100 % de avance"),
        (
            ("in_progress", 60),
            {"status": "in_progress", "progress": "40"},
            "note",
            "baja de 60 % a 40 %",
        ),
        (("done", 100), {"status": "in_progress", "progress": "90"}, "note", "reabrir"),
        (None, {"status": "in_progress", "progress": "150"}, "progress", "menor o igual a 100"),
        (None, {"status": "terminada", "progress": "10"}, "status", "Escoja una opción válida"),
    ],
    ids=["done-not-100", "100-not-done", "backwards", "reopen", "over-100", "bad-status"],
)
def test_form_rules_are_shown_beside_the_field_in_spanish(
    activity, roles, start, data, field, message
):
    if start is not None:
        services.record_progress(
            activity_id=activity.pk,
            acting_user=roles["admin"],
            expected_version=1,
            status=start[0],
            progress=start[1],
        )
    before = ProgressUpdate.objects.count()
    response = signed_in(roles["staff_a"]).post(
        url("activity-update", activity), progress_data(activity, **data)
    )
    assert response.status_code == 200
    html = response.content.decode()
    errors = re.findall(rf'<[^>]+id="error_\d+_id_{field}"[^>]*>(.*?)</p>', html, re.S)
    assert errors, f"no error beside {field}"
    assert message in " ".join(errors)
    assert ProgressUpdate.objects.count() == before


def test_a_no_op_submission_is_refused_on_top_of_the_form(activity, roles):
    response = signed_in(roles["staff_a"]).post(
        url("activity-update", activity),
        progress_data(activity, status="pending", progress="0"),
    )
    assert response.status_code == 200
    assert "No hay nada que registrar" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_form_rules_are_the_services_rules(activity):
    """The form pre-checks with the service's own rule function."""
    form = ProgressForm(
        data={"status": "done", "progress": "70", "note": "", "version": "1"}, activity=activity
    )
    assert not form.is_valid()
    assert "progress" in form.errors


def test_the_form_refuses_when_the_version_is_missing(activity, roles):
    data = progress_data(activity)
    del data["version"]
    response = signed_in(roles["staff_a"]).post(url("activity-update", activity), data)
    assert response.status_code == 200
    assert "no indica qué versión" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


# Lost updates (sequential; the concurrent case is tests/test_concurrency.py) -----------------


def test_second_of_two_open_forms_is_refused_and_the_first_stays(activity, roles, tmp_path):
    first, second = signed_in(roles["staff_a"]), signed_in(roles["staff_both"])
    update_url = url("activity-update", activity)
    version_first = hidden_version(first.get(update_url).content.decode())
    version_second = hidden_version(second.get(update_url).content.decode())
    assert version_first == version_second == 1

    ok = first.post(
        update_url,
        {"status": "in_progress", "progress": "60", "note": "Primera.", "version": "1"},
    )
    assert ok.status_code == 302
    refused = second.post(
        update_url,
        {"status": "blocked", "progress": "20", "note": "Mi nota larga.", "version": "1"},
    )

    assert refused.status_code == 409
    html = refused.content.decode()
    notice = html[html.index('id="stale-notice"') :]
    assert "staff-a" in notice  # who
    assert "0 % → 60 %" in notice  # what
    assert "Primera." in notice
    # the user's own input is kept, at the new version
    assert "Mi nota larga." in html
    assert re.search(r'<option value="blocked" selected>', html)
    assert 'value="20"' in html
    assert hidden_version(html) == 2

    activity.refresh_from_db()
    assert (activity.status, activity.progress, activity.version) == ("in_progress", 60, 2)
    assert ProgressUpdate.objects.count() == 1
    output = tmp_path / "plan.json"
    call_command("export_plan", "--cluster", "cer-a", "--output", str(output))
    exported = json.loads(output.read_text(encoding="utf-8"))
    exported_activity = exported["clusters"][0]["objectives"][0]["strategies"][0]["activities"][0]
    assert (exported_activity["code"], exported_activity["status"]) == ("1.1", "in_progress")
    assert exported_activity["progress"] == 60


def test_after_a_refusal_saving_again_is_a_deliberate_save(activity, roles):
    first, second = signed_in(roles["staff_a"]), signed_in(roles["staff_both"])
    update_url = url("activity-update", activity)
    first.post(update_url, {"status": "in_progress", "progress": "60", "version": "1"})
    refused = second.post(update_url, {"status": "in_progress", "progress": "70", "version": "1"})
    assert refused.status_code == 409
    again = second.post(
        update_url,
        {
            "status": "in_progress",
            "progress": "70",
            "version": hidden_version(refused.content.decode()),
        },
    )
    assert again.status_code == 302
    assert Activity.objects.get(pk=activity.pk).progress == 70


def test_a_stale_revision_is_refused_too(activity, roles):
    first, second = signed_in(roles["staff_a"]), signed_in(roles["staff_both"])
    revise_url = url("activity-revise", activity)
    assert (
        first.post(
            revise_url, {"new_end": "2010-06-30", "reason": "Uno.", "version": "1"}
        ).status_code
        == 302
    )
    refused = second.post(revise_url, {"new_end": "2011-01-31", "reason": "Dos.", "version": "1"})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Dos." in html and 'value="2011-01-31"' in html
    assert "30-06-2010" in html[html.index('id="stale-notice"') :]
    assert Activity.objects.get(pk=activity.pk).revised_end == datetime.date(2010, 6, 30)


def test_a_progress_save_after_a_revision_is_stale(activity, roles):
    client = signed_in(roles["staff_a"])
    services.revise_deadline(
        activity_id=activity.pk,
        acting_user=roles["admin"],
        expected_version=1,
        new_end=datetime.date(2010, 6, 30),
        reason="Revisión del admin.",
    )
    response = client.post(
        url("activity-update", activity),
        {"status": "in_progress", "progress": "10", "version": "1"},
    )
    assert response.status_code == 409
    assert "Revisión del admin." in response.content.decode()


# Revising the deadline -----------------------------------------------------------------------


def test_revise_form_keeps_the_planned_dates(activity, roles):
    client = signed_in(roles["staff_a"])
    form_html = client.get(url("activity-revise", activity)).content.decode()
    for name in ("new_end", "reason", "version"):
        assert f'name="{name}"' in form_html
    assert 'type="date"' in form_html

    response = client.post(
        url("activity-revise", activity),
        {"new_end": "2010-06-30", "reason": "Atraso del PROFO.", "version": "1"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url("activity-detail", activity)
    activity.refresh_from_db()
    assert (activity.planned_start, activity.planned_end) == (
        datetime.date(2007, 1, 1),
        datetime.date(2009, 12, 31),
    )
    assert activity.revised_end == datetime.date(2010, 6, 30)
    client.post(
        url("activity-revise", activity),
        {"new_end": "2011-03-31", "reason": "Segundo atraso.", "version": "2"},
    )
    html = client.get(url("activity-detail", activity)).content.decode()
    history = html[html.index('id="history-heading"') :]
    assert "Atraso del PROFO." in history and "Segundo atraso." in history
    assert "30-06-2010 → 31-03-2011" in history


def test_revise_form_needs_a_reason_and_a_date(activity, roles):
    response = signed_in(roles["staff_a"]).post(
        url("activity-revise", activity), {"new_end": "", "reason": " ", "version": "1"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Indique la nueva fecha de término." in html
    assert "Explique el motivo de la revisión." in html
    assert not ProgressUpdate.objects.exists()


# Goal measurements ---------------------------------------------------------------------------


def test_goal_measurement_and_trend(activity, roles):
    goal = activity.strategy.goals.get()
    goal.target_value, goal.unit = Decimal("20"), "empresas"
    goal.save()
    client = signed_in(roles["staff_a"])
    detail = url("activity-detail", activity)
    measure = url("goal-measure", goal) + f"?next={detail}"
    form_html = client.get(measure).content.decode()
    for name in ("value", "measured_on", "source"):
        assert f'name="{name}"' in form_html

    response = client.post(
        measure, {"value": "5", "measured_on": "2008-06-30", "source": "Encuesta 2008"}
    )
    assert response.status_code == 302 and response["Location"] == detail
    response = client.post(
        measure,
        {"value": "8,5", "measured_on": "2009-06-30", "source": "Encuesta 2009", "next": detail},
    )
    assert response["Location"] == detail
    assert [m.value for m in GoalMeasurement.objects.order_by("measured_on")] == [
        Decimal("5"),
        Decimal("8.5"),
    ]

    html = client.get(detail).content.decode()
    goals = html[html.index('id="goals-heading"') : html.index('id="history-heading"')]
    assert "20 empresas" in goals  # target
    assert "8,50 empresas" in goals  # latest, in es-CL
    assert "30-06-2009" in goals and "Encuesta 2009" in goals
    assert "▲" in goals and "sube" in goals  # the trend as symbol and text

    client.post(measure, {"value": "3", "measured_on": "2010-06-30", "source": "Encuesta 2010"})
    goals = client.get(detail).content.decode()
    assert "baja" in goals and "▼" in goals


def test_goal_measurement_refuses_an_unsafe_next(activity, roles):
    goal = activity.strategy.goals.get()
    response = signed_in(roles["staff_a"]).post(
        url("goal-measure", goal) + "?next=https://evil.example/",
        {"value": "5", "measured_on": "2008-06-30", "source": "Encuesta"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("goal-measure", goal)


def test_goal_measurement_errors_beside_the_fields(activity, roles):
    goal = activity.strategy.goals.get()
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = signed_in(roles["staff_a"]).post(
        url("goal-measure", goal), {"value": "x", "measured_on": future, "source": ""}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error_1_id_value"' in html
    assert 'id="error_1_id_source"' in html
    assert "Indique la fuente del dato." in html
    assert not GoalMeasurement.objects.exists()
    response = signed_in(roles["staff_a"]).post(
        url("goal-measure", goal), {"value": "1", "measured_on": future, "source": "x"}
    )
    assert 'id="error_1_id_measured_on"' in response.content.decode()
    assert not GoalMeasurement.objects.exists()


# Refusals ------------------------------------------------------------------------------------


def test_owner_posts_are_forbidden_and_write_nothing(activity, roles):
    client = signed_in(roles["owner_a"])
    goal = Goal.objects.get(strategy=activity.strategy)
    assert client.post(url("activity-update", activity), progress_data(activity)).status_code == 403
    assert (
        client.post(
            url("activity-revise", activity),
            {"new_end": "2010-01-01", "reason": "x", "version": "1"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            url("goal-measure", goal), {"value": "1", "measured_on": "2008-01-01", "source": "x"}
        ).status_code
        == 403
    )
    assert not ProgressUpdate.objects.exists() and not GoalMeasurement.objects.exists()
    assert Activity.objects.get(pk=activity.pk).version == 1


def test_another_cers_activity_is_not_found_even_for_posts(cluster_b, roles):
    other = Activity.objects.filter(cluster=cluster_b).first()
    client = signed_in(roles["staff_a"])
    assert client.get(url("activity-detail", other)).status_code == 404
    assert client.post(url("activity-update", other), progress_data(other)).status_code == 404
    assert not ProgressUpdate.objects.exists()


def test_post_without_csrf_token_is_refused(activity, roles):
    client = Client(enforce_csrf_checks=True)
    client.force_login(roles["staff_a"])
    response = client.post(url("activity-update", activity), progress_data(activity))
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_post_with_csrf_token_is_accepted(activity, roles):
    client = Client(enforce_csrf_checks=True)
    client.force_login(roles["staff_a"])
    html = client.get(url("activity-update", activity)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post(
        url("activity-update", activity),
        {**progress_data(activity), "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_visitors_are_sent_to_sign_in(activity):
    client = Client()
    for name in ("activity-detail", "activity-update", "activity-revise"):
        response = client.get(url(name, activity))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
