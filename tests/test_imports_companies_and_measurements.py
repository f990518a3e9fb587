"""Companies of a CER (admins) and goal measurements (staff of the CER, through
record_goal_measurement): preview, errors, idempotence."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from actions.models import Goal, GoalMeasurement
from actions.spreadsheets.imports import KINDS, apply
from clusters.models import Company

COMPANY_HEADER = ["cer", "nombre", "rut", "tamaño"]
MEASUREMENT_HEADER = ["cer", "estrategia", "meta", "valor", "fecha", "fuente"]


def xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def companies():
    return sorted(Company.objects.values_list("cluster__slug", "name", "rut", "size"))


def measurements():
    return sorted(GoalMeasurement.objects.values_list("goal_id", "value", "measured_on", "source"))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def goal_a(cluster_a):
    goal = Goal.objects.get(strategy__cluster=cluster_a)
    goal.target_value, goal.unit = Decimal("20"), "empresas"
    goal.save()
    return goal


# Companies -------------------------------------------------------------------------------------


def test_companies_are_created_updated_and_left_alone(roles):
    Company.objects.create(
        cluster_id=roles["owner_a"].company_ownership.company.cluster_id,
        name="Maestranza Norte",
        size="small",
    )
    data = xlsx(
        [
            COMPANY_HEADER,
            ["cer-a", "Maestranza Norte", "76.123.456-0", "mediana"],
            ["cer-a", "Empresa de prueba", "", ""],
            ["cer-b", "Fundición Sur", "12.345.678-5", "microempresa"],
        ]
    )
    kind = KINDS["companies"]
    preview = kind.preview(data, user=roles["admin"])
    rows = [row.as_dict() for row in preview.rows]
    assert rows[0]["action"] == "update"
    assert rows[0]["changes"] == [["rut", "—", "76123456-0"], ["tamaño", "pequeña", "mediana"]]
    assert rows[1]["action"] == "unchanged"
    assert rows[2]["action"] == "create"
    apply(kind, data, user=roles["admin"], digest=preview.digest())
    assert ("cer-b", "Fundición Sur", "12345678-5", "micro") in companies()
    again = kind.preview(data, user=roles["admin"])
    assert {row.final_action for row in again.rows} == {"unchanged"}


COMPANY_ERRORS = [
    (
        ["cer-a", "Maestranza", "76.123.456-1", ""],
        "fila 2, columna «rut»: «76.123.456-1» no es un RUT válido (revise el dígito verificador); "
        "escríbalo como 12.345.678-5.",
    ),
    (
        ["cer-a", "Maestranza", "", "gigante"],
        "fila 2, columna «tamaño»: «gigante» no es un tamaño de empresa válido; use microempresa, "
        "pequeña, mediana o grande.",
    ),
    (["cer-a", "", "", ""], "fila 2, columna «nombre»: está vacía; este dato es obligatorio."),
]


@pytest.mark.parametrize(
    ("row", "message"), COMPANY_ERRORS, ids=[e[1][:40] for e in COMPANY_ERRORS]
)
def test_an_invalid_company_row_is_refused(roles, row, message):
    preview = KINDS["companies"].preview(xlsx([COMPANY_HEADER, row]), user=roles["admin"])
    assert preview.error_messages() == [message]


def test_a_rut_of_another_company_is_refused(roles, cluster_b):
    Company.objects.create(cluster=cluster_b, name="Fundición Sur", rut="12345678-5")
    data = xlsx(
        [
            COMPANY_HEADER,
            ["cer-a", "Otra", "12.345.678-5", ""],
            ["cer-a", "Una", "76.123.456-0", ""],
            ["cer-a", "Dos", "76123456-0", ""],
        ]
    )
    messages = KINDS["companies"].preview(data, user=roles["admin"]).error_messages()
    assert messages == [
        "fila 2, columna «rut»: «12345678-5» ya es el RUT de «Fundición Sur» (CER «cer-b»).",
        "fila 4, columna «rut»: «76123456-0» ya aparece en la fila 3: cada RUT es de una sola "
        "empresa.",
    ]


def test_only_admins_import_companies(client, roles):
    before = companies()
    data = xlsx([COMPANY_HEADER, ["cer-a", "Nueva", "", ""]])
    for role in ("staff_a", "owner_a"):
        client.force_login(roles[role])
        response = client.post(
            "/clusters/cer-a/import/companies/", {"file": SimpleUploadedFile("e.xlsx", data)}
        )
        assert response.status_code == 403
    client.force_login(roles["admin"])
    response = client.post(
        "/admin/clusters/cluster/import/companies/", {"file": SimpleUploadedFile("e.xlsx", data)}
    )
    token = re.search(r"/preview/([^/]+)/$", response["Location"]).group(1)
    assert companies() == before
    client.post(f"/admin/clusters/cluster/import/companies/confirm/{token}/", {"confirm": "1"})
    assert ("cer-a", "Nueva", "", "") in companies()


# Goal measurements -----------------------------------------------------------------------------


def test_staff_record_measurements_of_their_cer(client, roles, goal_a):
    client.force_login(roles["staff_a"])
    data = xlsx(
        [
            MEASUREMENT_HEADER,
            ["cer-a", 1, 1, "12,5", "2024-03-31", "Encuesta anual"],
            ["cer-a", 1, 1, 14, "2024-06-30", "Encuesta anual"],
        ]
    )
    response = client.post(
        "/clusters/cer-a/import/measurements/", {"file": SimpleUploadedFile("m.xlsx", data)}
    )
    token = re.search(r"/preview/([^/]+)/$", response["Location"]).group(1)
    preview = client.get(response["Location"]).context["preview"]
    assert [row["action"] for row in preview["rows"]] == ["create", "create"]
    assert preview["rows"][0]["changes"][0] == ["valor", "—", "12.50"]
    assert measurements() == []
    done = client.post(f"/clusters/cer-a/import/measurements/confirm/{token}/", {"confirm": "1"})
    assert done.status_code == 302
    assert measurements() == [
        (goal_a.pk, Decimal("12.50"), datetime.date(2024, 3, 31), "Encuesta anual"),
        (goal_a.pk, Decimal("14.00"), datetime.date(2024, 6, 30), "Encuesta anual"),
    ]
    assert GoalMeasurement.objects.first().recorded_by == roles["staff_a"]
    # The same file again records nothing.
    again = KINDS["measurements"].preview(
        data, user=roles["staff_a"], cluster=goal_a.strategy.cluster
    )
    assert {row.final_action for row in again.rows} == {"unchanged"}


MEASUREMENT_ERRORS = [
    (
        ["cer-a", 1, 2, 10, "2024-03-31", "Encuesta"],
        "fila 2, columna «meta»: «2» no es una meta de la estrategia 1 del CER «cer-a».",
    ),
    (
        ["cer-a", 1, 1, 10, "2999-03-31", "Encuesta"],
        "fila 2, columna «fecha»: «31-03-2999» es posterior a hoy: la fecha de medición no puede "
        "ser futura.",
    ),
    (
        ["cer-a", 1, 1, "diez", "2024-03-31", "Encuesta"],
        "fila 2, columna «valor»: «diez» no es un número; escríbalo como 12 o 12,5.",
    ),
    (
        ["cer-a", 1, 1, 10, "2024-03-31", ""],
        "fila 2, columna «fuente»: está vacía; este dato es obligatorio.",
    ),
    (
        ["cer-b", 1, 1, 10, "2024-03-31", "Encuesta"],
        "fila 2, columna «cer»: «cer-b» no es el CER de esta página: aquí solo se importan filas "
        "de «CER cer-a» (cer-a).",
    ),
]


@pytest.mark.parametrize(
    ("row", "message"), MEASUREMENT_ERRORS, ids=[e[1][:40] for e in MEASUREMENT_ERRORS]
)
def test_an_invalid_measurement_row_is_refused(roles, goal_a, row, message):
    preview = KINDS["measurements"].preview(
        xlsx([MEASUREMENT_HEADER, row]), user=roles["staff_a"], cluster=goal_a.strategy.cluster
    )
    assert preview.error_messages() == [message]


def test_a_goal_without_indicator_cannot_be_measured(roles, cluster_a):
    preview = KINDS["measurements"].preview(
        xlsx([MEASUREMENT_HEADER, ["cer-a", 1, 1, 10, "2024-03-31", "Encuesta"]]),
        user=roles["staff_a"],
        cluster=cluster_a,
    )
    assert preview.error_messages() == [
        "fila 2, columna «meta»: «1» es una meta sin indicador (no tiene valor objetivo), así que "
        "no se puede medir; agregue el indicador en la administración."
    ]


def test_a_different_value_for_a_recorded_measurement_is_refused(roles, goal_a):
    GoalMeasurement.objects.create(
        goal=goal_a, value=10, measured_on=datetime.date(2024, 3, 31), source="Encuesta"
    )
    preview = KINDS["measurements"].preview(
        xlsx([MEASUREMENT_HEADER, ["cer-a", 1, 1, 11, "2024-03-31", "Encuesta"]]),
        user=roles["staff_a"],
        cluster=goal_a.strategy.cluster,
    )
    assert "ya hay una medición de esta meta del 31-03-2024" in preview.error_messages()[0]


def test_an_owner_may_not_import_measurements(client, roles, goal_a):
    client.force_login(roles["owner_a"])
    data = xlsx([MEASUREMENT_HEADER, ["cer-a", 1, 1, 10, "2024-03-31", "Encuesta"]])
    response = client.post(
        "/clusters/cer-a/import/measurements/", {"file": SimpleUploadedFile("m.xlsx", data)}
    )
    assert response.status_code == 403
    assert measurements() == []


def test_the_plan_workbooks_goal_sheet_imports_as_measurements(roles, goal_a):
    from openpyxl import load_workbook

    from actions.spreadsheets import exports

    GoalMeasurement.objects.create(
        goal=goal_a, value=10, measured_on=datetime.date(2024, 3, 31), source="Encuesta"
    )
    workbook = load_workbook(io.BytesIO(exports.plan_workbook("cer-a")))
    sheet = workbook["Metas"]
    assert [cell.value for cell in sheet[1]] == list(exports.GOAL_HEADERS)
    sheet.append(["cer-a", 1, 1, "", "", "", "", 12, "2024-06-30", "Encuesta"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = KINDS["measurements"].preview(
        buffer.getvalue(), user=roles["staff_a"], cluster=goal_a.strategy.cluster
    )
    assert [row.final_action for row in preview.rows] == ["unchanged", "create"]
