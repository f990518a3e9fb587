"""Every confirmed import leaves one audit row (ImportRun): who, which kind and CER, the file's
name and SHA-256, the row counts and how it ended; a refused one stays on record though its data
does not. Admins read them in the admin."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Activity, ImportRun
from actions.progress import services
from tests.helpers import PROGRESS_HEADER as HEADER
from tests.helpers import progress_state as state
from tests.helpers import xlsx

ROWS = [
    HEADER,
    ["cer-a", "1.1", "en curso", 40, "Arrancó", ""],
    ["cer-a", "1.2", "bloqueada", 10, "Falta financiamiento", ""],
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, data, name="avances.xlsx"):
    response = client.post(
        "/clusters/cer-a/import/progress/", {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 302, response
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def confirm(client, token):
    return client.post(f"/clusters/cer-a/import/progress/confirm/{token}/", {"confirm": "1"})


def test_a_confirmed_import_leaves_one_applied_run_with_the_files_digest_and_counts(client, roles):
    client.force_login(roles["staff_a"])
    data = xlsx(ROWS)
    token = upload(client, data)
    assert not ImportRun.objects.exists(), "a preview is not a run"

    assert confirm(client, token).status_code == 302

    run = ImportRun.objects.get()
    assert (run.outcome, run.kind, run.cluster.slug, run.user) == (
        "applied",
        "progress",
        "cer-a",
        roles["staff_a"],
    )
    assert run.file_name == "avances.xlsx"
    assert run.file_sha256 == hashlib.sha256(data).hexdigest()
    assert (run.created, run.updated, run.unchanged, run.refused) == (0, 2, 0, 0)
    assert run.reason == ""
    assert run.started_at <= run.finished_at


def test_a_refused_confirmation_leaves_a_refused_run_and_no_data(client, roles):
    client.force_login(roles["staff_a"])
    data = xlsx(ROWS)
    token = upload(client, data)
    # Someone records progress on 1.2 between the preview and the confirmation.
    activity = Activity.objects.get(cluster__slug="cer-a", code="1.2")
    services.record_progress(
        activity_id=activity.pk,
        acting_user=roles["staff_a"],
        expected_version=activity.version,
        status="in_progress",
        progress=5,
    )
    before = state()

    assert confirm(client, token).status_code == 409

    assert state() == before
    run = ImportRun.objects.get()
    assert (run.outcome, run.file_sha256) == ("refused", hashlib.sha256(data).hexdigest())
    assert "cambiaron después de la vista previa" in run.reason


def test_the_admin_lists_the_runs_to_an_admin_filtered_by_kind_cer_and_outcome(client, roles):
    client.force_login(roles["staff_a"])
    confirm(client, upload(client, xlsx(ROWS), name="avances-marzo.xlsx"))
    changelist = reverse("admin:actions_importrun_changelist")

    client.force_login(roles["admin"])
    page = client.get(changelist).content.decode()
    assert "avances-marzo.xlsx" in page
    assert "avances-marzo.xlsx" in client.get(changelist, {"outcome": "applied"}).content.decode()
    assert (
        "avances-marzo.xlsx" not in client.get(changelist, {"outcome": "refused"}).content.decode()
    )
    assert "avances-marzo.xlsx" in client.get(changelist, {"kind": "progress"}).content.decode()

    client.force_login(roles["staff_a"])
    assert client.get(changelist).status_code == 302  # the admin's sign-in page
