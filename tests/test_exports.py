"""Exports: formula escaping in CSV and XLSX, the plan workbook, progress as CSV, the JSON of
export_plan from the admin, the import templates, and who may download them."""

import csv
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from actions.models import Activity, Funding
from actions.reporting.export_plan import export_plan
from actions.spreadsheets import exports
from actions.spreadsheets.imports import KINDS
from clusters.models import Company
from tests import factories

DANGEROUS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_could_run_as_a_formula_is_escaped(text):
    assert exports.escape_cell(text) == "'" + text
    assert exports.csv_value(text) == "'" + text


@pytest.mark.parametrize("value", [-5, 3.5, 0, datetime.date(2024, 1, 2), None, True])
def test_numbers_and_dates_are_not_escaped(value):
    assert exports.escape_cell(value) == value


def test_harmless_text_is_untouched():
    assert exports.escape_cell("Misión a Alemania") == "Misión a Alemania"
    assert exports.escape_cell("4.2 = meta") == "4.2 = meta"


def _dangerous_plan(cluster):
    activity = Activity.objects.filter(cluster=cluster).order_by("code").first()
    activity.title = '=HYPERLINK("http://evil","clic")'
    activity.save()
    funding = Funding.objects.get(strategy__cluster=cluster)
    funding.text = "@SUM(1+1)*cmd|' /C calc'!A0"
    funding.save()
    return activity


def test_the_progress_csv_escapes_formulas_and_keeps_numbers(client, roles, cluster_a):
    activity = _dangerous_plan(cluster_a)
    client.force_login(roles["owner_a"])
    response = client.get("/clusters/cer-a/export/progress.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "cer",
        "código",
        "actividad",
        "estado",
        "avance",
        "nota",
        "fecha",
        "inicio planificado",
        "término planificado",
        "término revisado",
        "última nota",
        "fecha de la última nota",
        "autor de la última nota",
    ]
    first = rows[1]
    assert first[:5] == ["cer-a", activity.code, "'" + activity.title, "pendiente", "0"]
    assert first[7:9] == ["2007-01-01", "2009-12-31"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_progress_csv_imports_back_unchanged(client, roles, cluster_a):
    _dangerous_plan(cluster_a)
    client.force_login(roles["staff_a"])
    content = client.get("/clusters/cer-a/export/progress.csv").content
    preview = KINDS["progress"].preview(content, user=roles["staff_a"], cluster=cluster_a)
    assert {row.final_action for row in preview.rows} == {"unchanged"}


def _noted_activity(cluster, staff):
    from actions.progress import services

    activity = Activity.objects.filter(cluster=cluster).order_by("code").first()
    staff.first_name, staff.last_name = "Ana", "Rojas"
    staff.save()
    services.record_progress(
        activity_id=activity.pk,
        acting_user=staff,
        expected_version=activity.version,
        status="in_progress",
        progress=40,
        note="Primera reunión con las empresas.",
        effective_on=datetime.date(2008, 4, 2),
    )
    activity.refresh_from_db()
    services.record_progress(
        activity_id=activity.pk,
        acting_user=staff,
        expected_version=activity.version,
        status="in_progress",
        progress=55,
        effective_on=datetime.date(2008, 5, 6),
    )
    return activity


def test_the_progress_csv_opens_in_a_chilean_excel_with_the_latest_note(client, roles, cluster_a):
    activity = _noted_activity(cluster_a, roles["staff_a"])
    client.force_login(roles["owner_a"])
    text = client.get("/clusters/cer-a/export/progress.csv").content.decode("utf-8-sig")
    header = text.splitlines()[0]
    # Excel in es-CL splits on semicolons: each column is a column, not one long cell.
    assert header.startswith("cer;código;actividad;estado;avance;")
    rows = {row[1]: row for row in csv.reader(io.StringIO(text), delimiter=";")}
    row = rows[activity.code]
    assert row[3:5] == ["en curso", "55"]
    # The latest note (an update without a note does not hide it), its day and its author.
    assert row[-3:] == ["Primera reunión con las empresas.", "2008-04-02", "Ana Rojas"]


def test_the_progress_xlsx_is_for_people(client, roles, cluster_a):
    activity = _noted_activity(cluster_a, roles["staff_a"])
    client.force_login(roles["owner_a"])
    assert 'data-link="export-progress-xlsx"' in client.get("/clusters/cer-a/").content.decode()
    response = client.get("/clusters/cer-a/export/progress.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert "avances-cer-a-" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    row = next(
        dict(zip(header, values, strict=True))
        for values in sheet.iter_rows(min_row=2, values_only=True)
        if values[1] == activity.code
    )
    assert (row["estado"], row["avance"]) == ("en curso", 55)
    assert row["última nota"] == "Primera reunión con las empresas."
    assert row["fecha de la última nota"] == datetime.datetime(2008, 4, 2)
    assert row["autor de la última nota"] == "Ana Rojas"


def test_the_progress_xlsx_imports_back_unchanged(client, roles, cluster_a):
    _noted_activity(cluster_a, roles["staff_a"])
    client.force_login(roles["staff_a"])
    content = client.get("/clusters/cer-a/export/progress.xlsx").content
    preview = KINDS["progress"].preview(content, user=roles["staff_a"], cluster=cluster_a)
    assert {row.final_action for row in preview.rows} == {"unchanged"}


def test_another_cers_progress_xlsx_is_not_found(client, roles, cluster_b):
    client.force_login(roles["staff_a"])
    assert client.get("/clusters/cer-b/export/progress.xlsx").status_code == 404


def test_the_plan_workbook_has_a_sheet_per_cer_goals_history_and_structure(
    client, roles, cluster_a, cluster_b
):
    _dangerous_plan(cluster_a)
    client.force_login(roles["admin"])
    response = client.get("/admin/clusters/cluster/export/plan.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "CER cer-a",
        "CER cer-b",
        "Obstáculos",
        "Metas",
        "Historial",
        "Estructura",
    ]
    matrix = workbook["CER cer-a"]
    assert [cell.value for cell in matrix[1]] == list(exports.MATRIX_HEADERS)
    assert matrix["A2"].value == "I) Objetivo de cer-a"
    assert matrix["B2"].value.startswith("1. Estrategia 1")
    assert "'=HYPERLINK" in matrix["C2"].value or matrix["C2"].value.startswith("1.1")
    assert matrix["D2"].value.startswith("1.1: pendiente, 0 %")
    assert matrix["F2"].value == "• @SUM(1+1)*cmd|' /C calc'!A0"
    assert matrix["I2"].value == "• CORFO"
    assert matrix["J2"].value == "2007-2009\n(01-01-2007 – 31-12-2009)"
    # No cell of any sheet is a formula, and text that could be one is escaped.
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@")), cell.value
    structure = workbook["Estructura"]
    titles = [row[7] for row in structure.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil","clic")' in titles
    # Numbers stay numbers, dates stay dates.
    activity_row = next(
        row for row in structure.iter_rows(min_row=2, values_only=True) if row[1] == "actividad"
    )
    assert isinstance(activity_row[3], int)
    assert isinstance(activity_row[9], datetime.datetime)


def test_the_goals_sheet_shows_each_goals_latest_measurement(client, roles, cluster_a):
    strategy = factories.StrategyFactory(
        objective__cluster=cluster_a, objective__numeral="IX", number=99
    )
    measured = factories.GoalFactory(strategy=strategy, position=1, target_value=80, unit="%")
    factories.GoalFactory(strategy=strategy, position=2, text="Meta sin medición")
    for value, on, source in (
        (20, "2008-06-30", "encuesta 2008"),
        (45, "2010-06-30", "encuesta 2010"),
    ):
        factories.GoalMeasurementFactory(
            goal=measured, value=value, measured_on=datetime.date.fromisoformat(on), source=source
        )
    client.force_login(roles["staff_a"])
    response = client.get(f"/clusters/{cluster_a.slug}/export/plan.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content))["Metas"].iter_rows(values_only=True))
    by_position = {row[2]: row for row in rows[1:] if row[1] == 99}
    assert by_position[1][7:] == (45, datetime.datetime(2010, 6, 30), "encuesta 2010")
    assert by_position[2][3] == "Meta sin medición"
    assert by_position[2][7:] == (None, None, None)


def test_a_cers_workbook_is_for_its_readers(client, roles, cluster_a, cluster_b):
    client.force_login(roles["owner_a"])
    response = client.get("/clusters/cer-a/export/plan.xlsx")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "CER cer-a"
    assert client.get("/clusters/cer-b/export/plan.xlsx").status_code == 404
    assert client.get("/clusters/cer-b/export/progress.csv").status_code == 404


def test_the_admin_exports_export_plans_json(client, plan_2006):
    client.force_login(factories.AdminFactory())
    response = client.get("/admin/clusters/cluster/export/plan.json")
    assert response.status_code == 200
    assert json.loads(response.content) == export_plan()
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("role", ["staff_a", "owner_a"])
def test_only_admins_reach_the_admin_exports(client, roles, role):
    client.force_login(roles[role])
    for path in ("export/plan.json", "export/plan.xlsx", "export/progress.csv"):
        response = client.get(f"/admin/clusters/cluster/{path}")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_admin_list_export_through_django_import_export_escapes_too(client, roles, cluster_a):
    Company.objects.create(cluster=cluster_a, name="=cmd|' /C calc'!A0", size="small")
    client.force_login(roles["admin"])
    changelist = client.get("/admin/clusters/company/")
    assert "/admin/clusters/company/export/" in changelist.content.decode()
    assert "/admin/clusters/cluster/import/companies/" in changelist.content.decode()
    page = client.get("/admin/clusters/company/export/")
    assert page.status_code == 200
    formats = [label for _value, label in page.context["form"].fields["format"].choices]
    assert formats[1:] == ["csv", "xlsx"]
    response = client.post(
        "/admin/clusters/company/export/",
        {
            "format": "0",
            "resource": "0",
            "companyresource_cer": "on",
            "companyresource_name": "on",
            "companyresource_rut": "on",
            "companyresource_size": "on",
        },
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in text
    assert "pequeña" in text


def test_import_templates_have_headers_an_example_and_dropdowns(client, roles, cluster_a):
    client.force_login(roles["staff_a"])
    response = client.get("/clusters/cer-a/import/progress/template.xlsx")
    assert response.status_code == 200
    assert 'filename="plantilla-avances.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]][:7] == [
        "cer",
        "código",
        "actividad",
        "estado",
        "avance",
        "nota",
        "fecha",
    ]
    assert sheet["A2"].value == "ejemplo" and sheet["D2"].value == "en curso"
    dropdowns = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert dropdowns["D2:D20001"] == '"pendiente,en curso,completada,bloqueada,cancelada"'
    assert dropdowns["A2:A20001"] == '"cer-a"'
    assert "Instrucciones" in workbook.sheetnames


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_import_has_a_template_that_imports_as_nothing_to_do(roles, cluster_a, kind):
    content = exports.import_template(KINDS[kind], cluster=cluster_a, cluster_slugs=["cer-a"])
    preview = KINDS[kind].preview(content, user=roles["admin"], cluster=cluster_a)
    assert preview.error_messages() == []
    # The example row is ignored, and not counted as data that stays as it was.
    assert {row.final_action for row in preview.rows} == {"skipped"}
    assert preview.counts()["unchanged"] == 0


def test_the_template_uploaded_as_is_shows_its_example_row_as_ignored(client, roles, cluster_a):
    client.force_login(roles["staff_a"])
    template = client.get("/clusters/cer-a/import/progress/template.xlsx").content
    upload = SimpleUploadedFile("plantilla-avances.xlsx", template)
    response = client.post("/clusters/cer-a/import/progress/", {"file": upload}, follow=True)
    html = response.content.decode()
    assert "1 fila de ejemplo, ignorada" in html
    assert "sin cambios: 0" in html


def test_the_column_help_says_which_cells_may_stay_empty(client, roles, cluster_a):
    client.force_login(roles["admin"])
    html = client.get("/admin/clusters/cluster/import/companies/").content.decode()
    rut = html[html.index("<code>rut</code>") :]
    assert rut.index("sí, la columna; la celda puede quedar vacía") < rut.index("</tr>")
    nombre = html[html.index("<code>nombre</code>") :]
    assert "puede quedar vac" not in nombre[: nombre.index("</tr>")]


def test_sheet_titles_are_valid_and_unique():
    taken = set()
    long_name = exports.sheet_title("CER Servicios de Consultoría e Ingeniería", taken)
    assert long_name == "CER Servicios de Consultoría e"
    assert exports.sheet_title("a/b:c", taken) == "a b c"
    assert exports.sheet_title("A/B:C", taken) == "A B C (2)"


def test_a_cers_workbook_is_kept_until_its_data_changes(client, roles, cluster_a):
    """The workbook is built once per data version of the CER (issue 11, national tier): the
    second download is the same file for fewer queries, and a recorded change shows at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from actions.progress import services

    client.force_login(roles["staff_a"])
    url = "/clusters/cer-a/export/plan.xlsx"
    with CaptureQueriesContext(connection) as built:
        first = client.get(url).content
    with CaptureQueriesContext(connection) as kept:
        second = client.get(url).content
    assert second == first and len(kept) < len(built)
    activity = Activity.objects.filter(cluster=cluster_a).order_by("code").first()
    services.record_progress(
        activity_id=activity.pk,
        acting_user=roles["staff_a"],
        expected_version=activity.version,
        status="in_progress",
        progress=35,
    )
    matrix = load_workbook(io.BytesIO(client.get(url).content))["CER cer-a"]
    assert f"{activity.code}: en curso, 35 %" in matrix["D2"].value
