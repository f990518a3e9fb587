"""Free text has limits: said beside the field, refused by the forms and the models, and by the
imports with row and column; the 2006 plan's texts are all within them."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from actions.models import Activity, ProgressUpdate
from clusters.models import TEXT_MAX_LENGTH, TITLE_MAX_LENGTH
from tests.helpers import PROGRESS_HEADER as HEADER
from tests.helpers import admin_plan_import as admin_import
from tests.helpers import plan_state, signed_in, token_of
from tests.helpers import plan_workbook as table
from tests.helpers import progress_form_data as progress_data
from tests.helpers import progress_preview_rows as preview_rows
from tests.helpers import upload_progress as upload


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def activity(cluster_a):
    return Activity.objects.filter(cluster=cluster_a).order_by("code").first()


def test_the_limits_are_said_beside_the_fields(activity, roles):
    client = signed_in(roles["staff_a"])
    for name in ("activity-update", "activity-revise"):
        html = client.get(reverse(name, kwargs={"pk": activity.pk})).content.decode()
        assert "Máximo 4000 caracteres." in html
        assert 'maxlength="4000"' in html


def test_a_note_over_the_limit_is_refused_beside_the_field(activity, roles):
    client = signed_in(roles["staff_a"])
    url = reverse("activity-update", kwargs={"pk": activity.pk})
    response = client.post(url, progress_data(activity, note="x" * (TEXT_MAX_LENGTH + 1)))
    assert response.status_code == 200
    assert "note" in response.context["form"].errors
    assert "4000" in response.context["form"].errors["note"][0]
    assert not ProgressUpdate.objects.filter(activity=activity).exists()
    response = client.post(url, progress_data(activity, note="x" * TEXT_MAX_LENGTH))
    assert response.status_code == 302
    assert ProgressUpdate.objects.get(activity=activity).note == "x" * TEXT_MAX_LENGTH


def test_a_revision_reason_over_the_limit_is_refused(activity, roles):
    client = signed_in(roles["staff_a"])
    response = client.post(
        reverse("activity-revise", kwargs={"pk": activity.pk}),
        {
            "new_end": "2030-01-01",
            "reason": "x" * (TEXT_MAX_LENGTH + 1),
            "version": activity.version,
        },
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    activity.refresh_from_db()
    assert activity.revised_end is None


def test_the_models_refuse_longer_texts_too(activity):
    activity.title = "x" * (TITLE_MAX_LENGTH + 1)
    activity.revision_reason = "x" * (TEXT_MAX_LENGTH + 1)
    with pytest.raises(ValidationError) as refused:
        activity.full_clean()
    assert {"title", "revision_reason"} <= set(refused.value.message_dict)


def test_a_progress_import_refuses_a_long_note_with_row_and_column(client, roles):
    client.force_login(roles["staff_a"])
    rows = [HEADER, ["cer-a", "1.1", "en curso", 40, "x" * (TEXT_MAX_LENGTH + 1), ""]]
    token = token_of(upload(client, rows))
    preview, _response = preview_rows(client, token)
    [error] = preview[2]["errors"]
    assert error.startswith("fila 2, columna «nota»: «xxx")
    assert error.endswith("» es demasiado largo: tiene 4001 caracteres y el máximo es 4000.")


def test_a_plan_import_refuses_a_long_title_with_row_and_column(client, roles):
    client.force_login(roles["admin"])
    before = plan_state()
    row = {
        "cer": "cer-a",
        "elemento": "actividad",
        "estrategia": 1,
        "código": "1.9",
        "texto": "x" * (TITLE_MAX_LENGTH + 1),
    }
    _token, preview = admin_import(client, table(row))
    errors = [error for item in preview.context["preview"]["rows"] for error in item["errors"]]
    [error] = errors
    assert error.startswith("fila 2, columna «texto»: «xxx")
    assert error.endswith("» es demasiado largo: tiene 1001 caracteres y el máximo es 1000.")
    assert plan_state() == before


def test_every_text_of_the_2006_plan_is_within_the_limits(plan_2006):
    checked = 0
    for model in [*apps.get_app_config("clusters").get_models()] + [
        *apps.get_app_config("actions").get_models()
    ]:
        limited = [
            field.name
            for field in model._meta.get_fields()
            if getattr(field, "get_internal_type", lambda: "")() == "TextField"
        ]
        for name in limited:
            limit = model._meta.get_field(name).max_length
            assert limit is not None, f"{model.__name__}.{name} has no limit"
            for text in model.objects.values_list(name, flat=True):
                assert len(text or "") <= limit
                checked += 1
    assert checked > 500
