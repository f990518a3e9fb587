"""The coordinator's weekly loop (issue 13, item 5): from the dashboard or the plan to the form and
back where they were; the day it happened; «completada» below 100 % offered as 100 %; a file
that stays attached while the form is corrected; the errors summed up on top, with the focus."""

import datetime
import re
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from actions.models import Activity, GoalMeasurement, ProgressUpdate
from tests import factories
from tests.helpers import signed_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
UPDATE_LINK = re.compile(r'href="(/activities/(\d+)/update/\?next=[^"]+)"')
MEASURE_LINK = re.compile(r'href="(/goals/(\d+)/measure/\?next=[^"]+)"')


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def activity(cluster_a):
    return Activity.objects.filter(cluster=cluster_a).order_by("code").first()


def form_of(activity, **values):
    data = {"status": "in_progress", "progress": "30", "note": "", "version": activity.version}
    data.update(values)
    return data


def links(pattern, html):
    return {int(pk): href.replace("&amp;", "&") for href, pk in pattern.findall(html)}


def test_from_the_plan_to_the_form_and_back_with_the_filters(client, roles, activity):
    client.force_login(roles["staff_a"])
    plan = "/clusters/cer-a/plan/?status=pending"
    url = links(UPDATE_LINK, client.get(plan).content.decode())[activity.pk]
    assert unquote(url.split("next=", 1)[1]) == plan
    form = client.get(url).content.decode()
    assert 'name="next" value="/clusters/cer-a/plan/?status=pending"' in form.replace("&amp;", "&")
    response = client.post(url, form_of(activity, next=plan))
    assert response.status_code == 302 and response["Location"] == plan
    assert Activity.objects.get(pk=activity.pk).progress == 30


def test_without_a_safe_next_the_form_returns_to_the_activity(client, roles, activity):
    client.force_login(roles["staff_a"])
    url = reverse("activity-update", kwargs={"pk": activity.pk})
    response = client.post(url, form_of(activity, next="https://elsewhere.example/"))
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()


def test_the_dashboard_leads_to_a_goals_measurement_and_back(client, roles, cluster_a):
    goal = factories.GoalFactory(
        strategy=cluster_a.objectives.first().strategies.first(), target_value=10, unit="ferias"
    )
    client.force_login(roles["staff_a"])
    dashboard = "/clusters/cer-a/"
    url = links(MEASURE_LINK, client.get(dashboard).content.decode())[goal.pk]
    assert unquote(url.split("next=", 1)[1]) == dashboard
    response = client.post(
        url, {"value": "3", "measured_on": "2008-12-31", "source": "ProChile", "next": dashboard}
    )
    assert response.status_code == 302 and response["Location"] == dashboard
    assert GoalMeasurement.objects.get(goal=goal).value == 3
    # The dashboard shows it at once (its cache is keyed on the CER's data version).
    assert "<strong>3</strong>" in client.get(dashboard).content.decode()


def test_owners_get_no_measurement_link_on_the_dashboard(client, roles, cluster_a):
    factories.GoalFactory(
        strategy=cluster_a.objectives.first().strategies.first(), target_value=10, unit="ferias"
    )
    client.force_login(roles["owner_a"])
    assert not MEASURE_LINK.findall(client.get("/clusters/cer-a/").content.decode())


def test_the_form_records_the_day_it_happened(client, roles, activity):
    client.force_login(roles["staff_a"])
    url = reverse("activity-update", kwargs={"pk": activity.pk})
    assert 'type="date" name="effective_on"' in client.get(url).content.decode()
    day = timezone.localdate() - datetime.timedelta(days=10)
    response = client.post(url, form_of(activity, effective_on=day.isoformat()))
    assert response.status_code == 302
    assert ProgressUpdate.objects.get(activity=activity).effective_on == day


def test_a_future_day_is_refused_beside_the_field_and_nothing_is_saved(client, roles, activity):
    client.force_login(roles["staff_a"])
    url = reverse("activity-update", kwargs={"pk": activity.pk})
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(url, form_of(activity, effective_on=tomorrow.isoformat()))
    assert response.status_code == 200
    assert "La fecha del avance no puede ser futura." in response.content.decode()
    assert not ProgressUpdate.objects.filter(activity=activity).exists()


def test_completed_below_100_is_offered_as_100(client, roles, activity):
    client.force_login(roles["staff_a"])
    url = reverse("activity-update", kwargs={"pk": activity.pk})
    response = client.post(url, form_of(activity, status="done", progress="40"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Una actividad completada tiene 100 % de avance." in html
    assert 'name="complete_at_full" value="1"' in html
    assert Activity.objects.get(pk=activity.pk).status == "pending"

    response = client.post(
        url, form_of(activity, status="done", progress="40", complete_at_full="1")
    )
    assert response.status_code == 302
    saved = Activity.objects.get(pk=activity.pk)
    assert (saved.status, saved.progress) == ("done", 100)


def test_errors_are_summed_up_on_top_and_take_the_focus(client, roles, activity):
    client.force_login(roles["staff_a"])
    url = reverse("activity-update", kwargs={"pk": activity.pk})
    html = client.post(url, form_of(activity, status="done", progress="40")).content.decode()
    summary = re.search(r'<div class="alert alert-danger"[^>]*id="form-errors"[^>]*>', html)
    assert summary and "autofocus" in summary.group(0) and 'tabindex="-1"' in summary.group(0)
    assert '<a href="#id_progress">Avance (%)</a>' in html
    assert html.index('id="form-errors"') < html.index('name="status"')


def test_an_attached_file_stays_while_the_form_is_corrected(client, roles, activity):
    client.force_login(roles["staff_a"])
    url = reverse("activity-update", kwargs={"pk": activity.pk})
    report = SimpleUploadedFile("informe-feria.pdf", PDF, content_type="application/pdf")
    refused = client.post(url, form_of(activity, status="done", progress="40", evidence=report))
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "Se mantiene el archivo «informe-feria.pdf»" in html
    token = re.search(r'name="held_evidence" value="([^"]+)"', html).group(1)
    assert not ProgressUpdate.objects.filter(activity=activity).exists()

    saved = client.post(url, form_of(activity, status="done", progress="100", held_evidence=token))
    assert saved.status_code == 302
    update = ProgressUpdate.objects.get(activity=activity)
    assert update.evidence_name == "informe-feria.pdf"
    with update.evidence.open("rb") as stored:
        assert stored.read() == PDF


def test_a_held_file_is_good_only_in_the_session_that_sent_it(client, roles, activity):
    client.force_login(roles["staff_a"])
    url = reverse("activity-update", kwargs={"pk": activity.pk})
    report = SimpleUploadedFile("informe.pdf", PDF, content_type="application/pdf")
    html = client.post(
        url, form_of(activity, status="done", progress="40", evidence=report)
    ).content.decode()
    token = re.search(r'name="held_evidence" value="([^"]+)"', html).group(1)

    other = signed_in(roles["staff_both"])
    response = other.post(
        url, form_of(activity, status="in_progress", progress="50", held_evidence=token)
    )
    assert response.status_code == 302
    assert ProgressUpdate.objects.get(activity=activity).evidence_name == ""


def test_another_session_cannot_delete_a_held_file(client, roles, activity):
    client.force_login(roles["staff_a"])
    url = reverse("activity-update", kwargs={"pk": activity.pk})
    report = SimpleUploadedFile("informe.pdf", PDF, content_type="application/pdf")
    html = client.post(
        url, form_of(activity, status="done", progress="40", evidence=report)
    ).content.decode()
    token = re.search(r'name="held_evidence" value="([^"]+)"', html).group(1)

    # Another user sends that token beside a file of their own (which replaces a held one).
    other = signed_in(roles["staff_both"])
    own = SimpleUploadedFile("otro.pdf", PDF, content_type="application/pdf")
    other.post(
        url, form_of(activity, status="done", progress="40", evidence=own, held_evidence=token)
    )

    saved = client.post(url, form_of(activity, status="done", progress="100", held_evidence=token))
    assert saved.status_code == 302
    assert ProgressUpdate.objects.get(activity=activity).evidence_name == "informe.pdf"
