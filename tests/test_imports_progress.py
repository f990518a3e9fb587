"""Progress import: the preview of every row, errors a person can act on, all-or-nothing confirm
through actions.progress.services.record_progress, staff limited to their CERs, idempotence and
staleness."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from actions.models import Activity
from actions.progress import batch, services
from actions.spreadsheets.imports import KINDS
from tests import factories
from tests.helpers import PROGRESS_HEADER as HEADER
from tests.helpers import progress_preview_rows as preview_rows
from tests.helpers import progress_state as state
from tests.helpers import token_of, xlsx
from tests.helpers import upload_progress as upload


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def login(client, user):
    client.force_login(user)
    return client


def confirm(client, token, slug="cer-a"):
    return client.post(f"/clusters/{slug}/import/progress/confirm/{token}/", {"confirm": "1"})


def test_the_preview_shows_each_rows_action_and_the_old_and_new_values(client, roles):
    login(client, roles["staff_a"])
    activity = Activity.objects.get(cluster__slug="cer-a", code="1.2")
    services.record_progress(
        activity_id=activity.pk,
        acting_user=roles["admin"],
        expected_version=activity.version,
        status="in_progress",
        progress=20,
        note="Primera reunión",
    )
    before = state()
    token = token_of(
        upload(
            client,
            [
                HEADER,
                ["cer-a", "1.1", "en curso", 40, "Arrancó la misión", "2024-03-15"],
                ["cer-a", "1.2", "in_progress", "20", "", ""],
                ["cer-a", "1.2", "terminado", 100, "", ""],
                ["cer-a", "9.9", "pendiente", 0, "", ""],
            ],
        )
    )
    rows, response = preview_rows(client, token)
    assert state() == before, "a preview writes nothing"
    assert rows[2]["action"] == "update"
    assert rows[2]["changes"] == [
        ["estado", "pendiente", "en curso"],
        ["avance", "0 %", "40 %"],
        ["nota", "—", "Arrancó la misión"],
        ["fecha", "—", "15-03-2024"],
    ]
    assert rows[3]["action"] == "unchanged" and rows[3]["changes"] == []
    assert rows[4]["action"] == "error"
    assert rows[4]["errors"] == [
        "fila 4, columna «código»: la actividad «1.2» ya aparece en la fila 3: deje una sola "
        "fila por actividad.",
        "fila 4, columna «estado»: «terminado» no es un estado válido; use pendiente, en curso, "
        "completada, bloqueada o cancelada.",
    ]
    assert rows[5]["errors"] == [
        "fila 5, columna «código»: «9.9» no es una actividad del CER «cer-a»."
    ]
    assert response.context["counts"] == {
        "create": 0,
        "update": 1,
        "unchanged": 1,
        "error": 2,
        "skipped": 0,
    }
    page = response.content.decode()
    assert "Confirmar e importar" not in page, "no confirm button while there are errors"
    assert "Arrancó la misión" in page


BAD_ROWS = [
    (
        ["cer-a", "1.2", "en curso", 10, "", ""],
        "fila 2, columna «código»: la actividad «1.2» ya aparece en la fila 2: deje una sola fila "
        "por actividad.",
    ),
    (
        ["cer-a", "1.1", "terminado", 100, "", ""],
        "fila 2, columna «estado»: «terminado» no es un estado válido; use pendiente, en curso, "
        "completada, bloqueada o cancelada.",
    ),
    (
        ["cer-a", "1.1", "en curso", 150, "", ""],
        "fila 2, columna «avance»: «150» está fuera de rango; se espera un número entero de 0 "
        "a 100.",
    ),
    (
        ["cer-a", "1.1", "en curso", -1, "", ""],
        "fila 2, columna «avance»: «-1» está fuera de rango; se espera un número entero de 0 "
        "a 100.",
    ),
    (
        ["cer-a", "1.1", "en curso", "mucho", "", ""],
        "fila 2, columna «avance»: «mucho» no es un número entero; se espera un número entero de 0 "
        "a 100.",
    ),
    (
        ["cer-a", "1.1", "en curso", 30, "", "31-02-2024"],
        "fila 2, columna «fecha»: «31-02-2024» no es una fecha válida; escríbala como AAAA-MM-DD "
        "(2024-03-15) o DD-MM-AAAA (15-03-2024).",
    ),
    (
        ["cer-a", "1.1", "en curso", 30, "", "2999-01-01"],
        "fila 2, columna «fecha»: «01-01-2999» es posterior a hoy: la fecha del avance no "
        "puede ser futura.",
    ),
    (
        ["cer-a", "1.1", "", 30, "", ""],
        "fila 2, columna «estado»: está vacía; use pendiente, en curso, completada, bloqueada o "
        "cancelada.",
    ),
    (
        ["cer-a", "", "en curso", 30, "", ""],
        "fila 2, columna «código»: está vacía; indique el código de la actividad (p. ej. «4.2»).",
    ),
    (
        ["cer-x", "1.1", "en curso", 30, "", ""],
        "fila 2, columna «cer»: «cer-x» no es el CER de esta página: aquí solo se importan "
        "filas de «CER cer-a» (cer-a).",
    ),
    (
        ["cer-a", "1.1", "completada", 90, "", ""],
        "fila 2, columna «avance»: una actividad completada tiene 100 % de avance.",
    ),
    (
        ["cer-a", "1.1", "en curso", 100, "", ""],
        "fila 2, columna «estado»: con 100 % de avance la actividad está completada: elija "
        "«completada» o indique un avance menor.",
    ),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS, ids=[m[:40] for _r, m in BAD_ROWS])
def test_an_invalid_row_is_refused_with_row_column_value_and_what_was_expected(
    client, roles, row, message
):
    login(client, roles["staff_a"])
    before = state()
    token = token_of(upload(client, [HEADER, ["cer-a", "1.2", "en curso", 10, "", ""], row]))
    rows, _response = preview_rows(client, token)
    errors = [error for item in rows.values() for error in item["errors"]]
    assert [message.replace("fila 2", "fila 3", 1)] == errors
    # A crafted confirmation of a preview with errors writes nothing either.
    response = confirm(client, token)
    assert response.status_code == 409
    assert state() == before


def test_progress_backwards_needs_a_note(client, roles):
    activity = Activity.objects.get(cluster__slug="cer-a", code="1.1")
    services.record_progress(
        activity_id=activity.pk,
        acting_user=roles["admin"],
        expected_version=1,
        status="in_progress",
        progress=50,
    )
    result = KINDS["progress"].preview(
        xlsx([HEADER, ["cer-a", "1.1", "en curso", 30, "", ""]]),
        user=roles["staff_a"],
        cluster=activity.cluster,
    )
    assert [str(e) for e in result.rows[0].errors] == [
        "fila 2, columna «nota»: el avance baja de 50 % a 30 %: explique por qué en la nota."
    ]


def test_staff_importing_a_row_of_another_cer_is_refused_and_nothing_is_written(
    client, roles, cluster_b
):
    login(client, roles["staff_a"])
    before = state()
    token = token_of(
        upload(
            client,
            [
                HEADER,
                ["cer-a", "1.1", "en curso", 10, "", ""],
                ["cer-b", "1.1", "en curso", 10, "", ""],
            ],
        )
    )
    rows, _response = preview_rows(client, token)
    assert rows[2]["action"] == "update"
    assert rows[3]["errors"] == [
        "fila 3, columna «cer»: «cer-b» no es el CER de esta página: aquí solo se importan filas "
        "de «CER cer-a» (cer-a)."
    ]
    assert confirm(client, token).status_code == 409
    assert state() == before
    # Staff of both CERs, on CER A's page, still cannot import CER B's rows there.
    login(client, roles["staff_both"])
    token = token_of(upload(client, [HEADER, ["cer-b", "1.1", "en curso", 10, "", ""]]))
    rows, _response = preview_rows(client, token)
    assert rows[2]["action"] == "error"


def test_staff_cannot_reach_another_cers_import_page(client, roles, cluster_b):
    login(client, roles["staff_a"])
    before = state()
    response = upload(client, [HEADER, ["cer-b", "1.1", "en curso", 10, "", ""]], slug="cer-b")
    assert response.status_code == 404
    assert state() == before


def test_confirm_applies_the_whole_file_through_the_service(client, roles):
    login(client, roles["staff_a"])
    token = token_of(
        upload(
            client,
            [
                HEADER,
                ["cer-a", "1.1", "en curso", 40, "Arrancó", "2024-03-15"],
                ["cer-a", "1.2", "completada", 100, "Listo", ""],
            ],
        )
    )
    response = confirm(client, token)
    assert response.status_code == 302 and response["Location"] == "/clusters/cer-a/"
    first = Activity.objects.get(cluster__slug="cer-a", code="1.1")
    second = Activity.objects.get(cluster__slug="cer-a", code="1.2")
    assert (first.status, first.progress, first.version) == ("in_progress", 40, 2)
    assert (second.status, second.progress, second.completed_on) == (
        "done",
        100,
        timezone.localdate(),
    )
    update = first.updates.get()
    assert (update.author, update.note, update.effective_on) == (
        roles["staff_a"],
        "Arrancó",
        datetime.date(2024, 3, 15),
    )
    # simple-history saw each change, with the user who imported it.
    assert first.history.first().history_user == roles["staff_a"]
    # The token is spent: confirming again is refused and writes nothing.
    before = state()
    again = confirm(client, token)
    assert again.status_code == 302 and "/import/progress/" in again["Location"]
    assert state() == before


def test_importing_the_same_file_twice_changes_nothing_the_second_time(client, roles):
    login(client, roles["staff_a"])
    rows = [
        HEADER,
        ["cer-a", "1.1", "en curso", 40, "Arrancó", ""],
        ["cer-a", "1.2", "bloqueada", 10, "Falta financiamiento", ""],
    ]
    assert confirm(client, token_of(upload(client, rows))).status_code == 302
    after_first = state()
    token = token_of(upload(client, rows))
    preview, response = preview_rows(client, token)
    assert {row["action"] for row in preview.values()} == {"unchanged"}
    assert "El archivo no trae cambios" in response.content.decode()
    assert confirm(client, token).status_code == 302
    assert state() == after_first


def test_a_row_previewed_then_changed_by_someone_else_is_refused_as_stale(client, roles):
    login(client, roles["staff_a"])
    token = token_of(
        upload(
            client,
            [
                HEADER,
                ["cer-a", "1.1", "en curso", 40, "", ""],
                ["cer-a", "1.2", "en curso", 10, "", ""],
            ],
        )
    )
    activity = Activity.objects.get(cluster__slug="cer-a", code="1.2")
    services.record_progress(
        activity_id=activity.pk,
        acting_user=roles["admin"],
        expected_version=activity.version,
        status="blocked",
        progress=5,
        note="Otra persona registró esto",
    )
    before = state()
    response = confirm(client, token)
    assert response.status_code == 409
    assert state() == before, "nothing of the file is written, not even the row that was fine"
    page = response.content.decode()
    assert "Los datos cambiaron después de la vista previa" in page
    assert "fila 3 (1.2" in page
    # The updated preview shows the current values and may be confirmed again.
    new_rows = {row["number"]: row for row in response.context["preview"]["rows"]}
    assert new_rows[3]["changes"][0] == ["estado", "bloqueada", "en curso"]
    assert response.context["confirm_url"]


def test_a_race_between_the_check_and_the_write_is_caught_by_the_services_version_check(
    client, roles, monkeypatch
):
    """Someone saves after confirm re-checked the file but before its row is written."""
    from actions.spreadsheets import imports

    login(client, roles["staff_a"])
    token = token_of(upload(client, [HEADER, ["cer-a", "1.1", "en curso", 40, "", ""]]))
    original = imports.run_operations

    def someone_saves_first(preview, *, user):
        activity = Activity.objects.get(cluster__slug="cer-a", code="1.1")
        services.record_progress(
            activity_id=activity.pk,
            acting_user=roles["admin"],
            expected_version=activity.version,
            status="blocked",
            progress=5,
        )
        return original(preview, user=user)

    monkeypatch.setattr(imports, "run_operations", someone_saves_first)
    response = confirm(client, token)
    assert response.status_code == 409
    assert "cambió después de la vista previa" in response.content.decode()
    activity = Activity.objects.get(cluster__slug="cer-a", code="1.1")
    assert (activity.status, activity.progress) == ("blocked", 5), "the other save stands"


def test_a_service_refusal_at_confirm_rolls_back_every_row(client, roles, monkeypatch):
    login(client, roles["staff_a"])
    token = token_of(
        upload(
            client,
            [
                HEADER,
                ["cer-a", "1.1", "en curso", 40, "", ""],
                ["cer-a", "1.2", "en curso", 10, "", ""],
            ],
        )
    )
    second = Activity.objects.get(cluster__slug="cer-a", code="1.2").pk
    original = batch.record_progress_many

    def refuse_the_second(*, acting_user, entries):
        # The service refuses one entry, as it would a rule the preview could not foresee.
        from django.core.exceptions import ValidationError

        entries = list(entries)
        for index, entry in enumerate(entries):
            activity_id = entry["activity_id"] if isinstance(entry, dict) else entry.activity_id
            if activity_id == second:
                raise batch.BatchRefused({index: ValidationError({"note": ["Nota obligatoria."]})})
        return original(acting_user=acting_user, entries=entries)

    monkeypatch.setattr(batch, "record_progress_many", refuse_the_second)
    before = state()
    response = confirm(client, token)
    assert response.status_code == 409
    assert "fila 3, columna «nota»: nota obligatoria." in response.content.decode()
    assert state() == before


def test_the_preview_of_a_large_file_does_not_query_per_row(roles, django_assert_max_num_queries):
    cluster = factories.ClusterWithPlanFactory(
        slug="grande", plan__strategies=20, plan__activities_per_strategy=25
    )
    rows = [HEADER] + [
        ["grande", f"{s}.{a}", "en curso", 10, "", ""] for s in range(1, 21) for a in range(1, 26)
    ]
    data = xlsx(rows)
    staff = factories.StaffFactory(username="coordinadora", clusters=[cluster])
    with django_assert_max_num_queries(4):
        result = KINDS["progress"].preview(data, user=staff, cluster=cluster)
    assert result.counts()["update"] == 500


def test_an_owner_may_not_import_progress(client, roles):
    login(client, roles["owner_a"])
    before = state()
    assert client.get("/clusters/cer-a/import/progress/").status_code == 403
    response = upload(client, [HEADER, ["cer-a", "1.1", "en curso", 40, "", ""]])
    assert response.status_code == 403
    assert state() == before


def test_a_token_of_another_session_is_not_found(client, roles, django_user_model):
    login(client, roles["staff_a"])
    token = token_of(upload(client, [HEADER, ["cer-a", "1.1", "en curso", 40, "", ""]]))
    other = type(client)()
    other.force_login(roles["staff_both"])
    before = state()
    response = confirm(other, token)
    assert response.status_code == 302 and "/import/progress/" in response["Location"]
    response = other.get(f"/clusters/cer-a/import/progress/preview/{token}/")
    assert response.status_code == 302
    assert state() == before


def test_cancel_deletes_the_stored_file(client, roles, settings):
    login(client, roles["staff_a"])
    token = token_of(upload(client, [HEADER, ["cer-a", "1.1", "en curso", 40, "", ""]]))
    stored = list((settings.MEDIA_ROOT / "imports").iterdir())
    assert len(stored) == 3  # the file, the preview shown, the cells as they were read
    before = state()
    response = client.post(f"/clusters/cer-a/import/progress/confirm/{token}/", {"cancel": "1"})
    assert response.status_code == 302
    assert list((settings.MEDIA_ROOT / "imports").iterdir()) == []
    assert state() == before


def test_expired_uploads_are_swept(client, roles, settings):
    import os
    import time

    from actions.spreadsheets.imports import storage

    login(client, roles["staff_a"])
    token = token_of(upload(client, [HEADER, ["cer-a", "1.1", "en curso", 40, "", ""]]))
    old = time.time() - storage.TTL_SECONDS - 60
    for path in (settings.MEDIA_ROOT / "imports").iterdir():
        os.utime(path, (old, old))
    storage.purge_expired()
    assert list((settings.MEDIA_ROOT / "imports").iterdir()) == []
    assert confirm(client, token).status_code == 302


def test_the_template_example_row_is_skipped(roles, cluster_a):
    from openpyxl import load_workbook

    from actions.spreadsheets.exports import import_template

    content = import_template(KINDS["progress"], cluster=cluster_a, cluster_slugs=["cer-a"])
    sheet = load_workbook(io.BytesIO(content)).active
    headers = [cell.value for cell in sheet[1]]
    assert headers[:7] == ["cer", "código", "actividad", "estado", "avance", "nota", "fecha"]
    for column, value in enumerate(["cer-a", "1.1", "", "en curso", 40], start=1):
        sheet.cell(row=3, column=column, value=value)
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    result = KINDS["progress"].preview(buffer.getvalue(), user=roles["staff_a"], cluster=cluster_a)
    assert [(row.number, row.action) for row in result.rows] == [(2, "skipped"), (3, "update")]
    assert result.rows[0].label == "fila de ejemplo"
    assert "Fila de ejemplo" in result.rows[0].notes[0]


def test_admins_import_progress_of_any_cer_in_the_admin(client, roles, cluster_b):
    login(client, roles["admin"])
    response = client.post(
        "/admin/clusters/cluster/import/progress/",
        {
            "file": SimpleUploadedFile(
                "avances.xlsx",
                xlsx(
                    [
                        HEADER,
                        ["cer-a", "1.1", "en curso", 40, "", ""],
                        ["cer-b", "1.1", "en curso", 60, "", ""],
                    ]
                ),
            )
        },
    )
    assert response.status_code == 302
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["counts"]["update"] == 2
    done = client.post(
        f"/admin/clusters/cluster/import/progress/confirm/{token}/", {"confirm": "1"}
    )
    assert done.status_code == 302
    assert Activity.objects.get(cluster__slug="cer-b", code="1.1").progress == 60


def test_imports_are_logged_without_their_content(client, roles, caplog):
    login(client, roles["staff_a"])
    with caplog.at_level("INFO", logger="cerplan.imports"):
        token = token_of(
            upload(client, [HEADER, ["cer-a", "1.1", "en curso", 40, "nota privada", ""]])
        )
        confirm(client, token)
    assert "import previewed: kind=progress cluster=cer-a user=staff-a" in caplog.text
    assert "import applied: kind=progress cluster=cer-a user=staff-a" in caplog.text
    assert "update=1" in caplog.text
    assert "nota privada" not in caplog.text
