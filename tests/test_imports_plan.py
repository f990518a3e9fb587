"""Plan-structure import: the export-import round trip, idempotence, periods read on import,
per-row diffs, admins only."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from actions.models import (
    Activity,
    Actor,
    Funding,
    Goal,
    Instrument,
    Involvement,
    Objective,
    ProgressUpdate,
    Strategy,
)
from actions.progress import services
from actions.reporting.export_plan import export_plan
from actions.spreadsheets import exports
from actions.spreadsheets.imports import KINDS, apply
from actions.spreadsheets.imports.plan import PLAN_COLUMNS
from clusters.models import Cluster, Measure, Obstacle
from tests import factories
from tests.helpers import admin_plan_import as admin_import
from tests.helpers import plan_state as state
from tests.helpers import plan_workbook as table

HEADERS = [column.header for column in PLAN_COLUMNS]
PLAN = KINDS["plan"]


def wipe_plans():
    """An empty database, as far as plans go (the 2006 plan has no progress updates)."""
    assert not ProgressUpdate.objects.exists()
    for model in (Involvement, Funding, Goal, Activity, Strategy, Objective, Measure, Obstacle):
        model.objects.all().delete()
    for model in (Actor, Instrument, Cluster):
        model.objects.all().delete()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def admin_confirm(client, token):
    return client.post(f"/admin/clusters/cluster/import/plan/confirm/{token}/", {"confirm": "1"})


def test_the_2006_plan_exported_and_imported_into_an_empty_database_is_the_same_plan(
    plan_2006, client
):
    admin = factories.AdminFactory()
    before = export_plan()
    client.force_login(admin)
    workbook = client.get("/admin/clusters/cluster/export/plan.xlsx")
    assert workbook.status_code == 200
    wipe_plans()
    assert export_plan() == {"clusters": []}

    token, preview = admin_import(client, workbook.content)
    assert preview.status_code == 200
    counts = preview.context["counts"]
    assert counts["error"] == 0 and counts["update"] == 0 and counts["create"] > 400
    assert admin_confirm(client, token).status_code == 302
    assert export_plan() == before

    # The same file again: every row unchanged, nothing written, no history added.
    after_first = state()
    token, preview = admin_import(client, workbook.content)
    assert preview.context["counts"]["unchanged"] == counts["create"]
    assert {row["action"] for row in preview.context["preview"]["rows"]} == {"unchanged"}
    assert admin_confirm(client, token).status_code == 302
    assert state() == after_first


def test_status_progress_and_revised_end_survive_the_round_trip(cluster_a, roles):
    admin = roles["admin"]
    first, second = Activity.objects.filter(cluster=cluster_a).order_by("code")
    services.revise_deadline(
        activity_id=first.pk,
        acting_user=admin,
        expected_version=1,
        new_end=datetime.date(2012, 6, 30),
        reason="El financiamiento llegó tarde.",
    )
    services.record_progress(
        activity_id=first.pk,
        acting_user=admin,
        expected_version=2,
        status="in_progress",
        progress=30,
    )
    services.record_progress(
        activity_id=second.pk, acting_user=admin, expected_version=1, status="done", progress=100
    )
    goal = Goal.objects.get(strategy__cluster=cluster_a)
    goal.target_value, goal.unit, goal.due = 12.5, "empresas", datetime.date(2010, 12, 31)
    goal.save()
    funding = Funding.objects.get(strategy__cluster=cluster_a)
    funding.share_percent = 50
    funding.save()
    funding.instruments.set([Instrument.objects.create(name="PROFO")])

    # Into a CER that does not exist yet: the same file with another identifier and name.
    content = load_workbook(io.BytesIO(exports.plan_workbook(cluster_a.slug)))
    sheet = content["Estructura"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "cer-a":
            row[0].value = "cer-nuevo"
        if row[1].value == "cer":
            row[HEADERS.index("texto")].value = "CER Nuevo"
    buffer = io.BytesIO()
    content.save(buffer)
    data = buffer.getvalue()

    preview = PLAN.preview(data, user=admin)
    assert preview.error_messages() == []
    apply(PLAN, data, user=admin, digest=preview.digest())
    original = export_plan("cer-a")["clusters"][0]
    copy = export_plan("cer-nuevo")["clusters"][0]
    assert copy == original | {"slug": "cer-nuevo", "name": "CER Nuevo"}
    copied = Activity.objects.get(cluster__slug="cer-nuevo", code=first.code)
    assert copied.updates.count() == 2, "its history starts with the import, through the services"
    assert [
        i.name for i in Funding.objects.get(strategy__cluster__slug="cer-nuevo").instruments.all()
    ] == ["PROFO"]


def test_a_new_plan_reads_the_committed_period_from_its_text(roles):
    admin = roles["admin"]
    data = table(
        {"cer": "cer-nuevo", "elemento": "cer", "texto": "CER Nuevo", "región": "Antofagasta"},
        {
            "cer": "cer-nuevo",
            "elemento": "objetivo",
            "objetivo": "I",
            "orden": 1,
            "texto": "Crecer",
        },
        {
            "cer": "cer-nuevo",
            "elemento": "estrategia",
            "objetivo": "I",
            "estrategia": 1,
            "texto": "Exportar",
            "plazo comprometido": "Marzo a Diciembre del 2007",
        },
        {
            "cer": "cer-nuevo",
            "elemento": "estrategia",
            "objetivo": "I",
            "estrategia": 2,
            "texto": "Seguir",
            "plazo comprometido": "Desde el año 2008 en adelante",
        },
        {
            "cer": "cer-nuevo",
            "elemento": "actividad",
            "estrategia": 1,
            "código": "1.1",
            "texto": "Misión",
        },
        {
            "cer": "cer-nuevo",
            "elemento": "actividad",
            "estrategia": 2,
            "código": "2.1",
            "texto": "Feria",
        },
        {
            "cer": "cer-nuevo",
            "elemento": "meta",
            "estrategia": 1,
            "orden": 1,
            "texto": "Diez empresas exportan",
            "valor objetivo": 10,
            "unidad": "empresas",
        },
        {
            "cer": "cer-nuevo",
            "elemento": "recurso público",
            "estrategia": 1,
            "orden": 1,
            "texto": "PROFO",
        },
        {"cer": "cer-nuevo", "elemento": "responsable", "estrategia": 1, "texto": "Director CER"},
        {"cer": "cer-nuevo", "elemento": "obstáculo", "orden": 1, "texto": "Poca escala"},
        {
            "cer": "cer-nuevo",
            "elemento": "medida",
            "obstáculo": 1,
            "orden": 1,
            "texto": "Asociarse",
        },
    )
    preview = PLAN.preview(data, user=admin)
    assert preview.error_messages() == []
    assert preview.counts()["create"] == 11
    strategy_row = preview.rows[2].as_dict()
    assert ["inicio", "—", "01-03-2007"] in strategy_row["changes"]
    apply(PLAN, data, user=admin, digest=preview.digest())
    plan = export_plan("cer-nuevo")["clusters"][0]
    first, second = plan["objectives"][0]["strategies"]
    assert (first["deadline_text"], first["deadline_start"], first["deadline_end"]) == (
        "Marzo a Diciembre del 2007",
        "2007-03-01",
        "2007-12-31",
    )
    assert (second["deadline_start"], second["deadline_end"]) == ("2008-01-01", None)
    assert first["activities"][0]["planned_start"] == "2007-03-01", (
        "an activity takes its strategy's"
    )
    assert second["activities"][0]["planned_end"] is None
    assert first["goals"] == [
        {"text": "Diez empresas exportan", "target_value": 10, "unit": "empresas", "due": None}
    ]
    assert first["responsible"] == ["Director CER"]
    assert plan["obstacles"] == [{"title": "Poca escala", "measures": ["Asociarse"]}]
    # A new activity's kind comes from its sentence.
    kinds = dict(Activity.objects.filter(cluster__slug="cer-nuevo").values_list("code", "kind"))
    assert kinds == {"1.1": "mission", "2.1": "fair"}


PLAN_ERRORS = [
    (
        {
            "cer": "cer-a",
            "elemento": "estrategia",
            "objetivo": "I",
            "estrategia": 7,
            "texto": "Nueva",
            "plazo comprometido": "2009-1011",
        },
        "fila 2, columna «plazo comprometido»: el año 1011 del plazo «2009-1011» no es plausible. "
        "O escriba las fechas en «inicio» y «término».",
    ),
    (
        {
            "cer": "cer-a",
            "elemento": "estrategia",
            "objetivo": "I",
            "estrategia": 7,
            "texto": "Nueva",
            "plazo comprometido": "cuando se pueda",
        },
        "fila 2, columna «plazo comprometido»: no se puede interpretar el plazo «cuando se pueda»",
    ),
    (
        {"cer": "cer-zeta", "elemento": "objetivo", "objetivo": "V", "orden": 5, "texto": "x"},
        "fila 2, columna «cer»: «cer-zeta» no es un CER conocido; agregue al archivo una fila de "
        "elemento «cer» con este identificador para crearlo, o use uno de: cer-a, cer-b.",
    ),
    (
        {"cer": "cer-a", "elemento": "capítulo", "texto": "x"},
        "fila 2, columna «elemento»: «capítulo» no es un elemento válido; use cer, obstáculo, "
        "medida, objetivo, estrategia, actividad, meta, recurso público, recurso privado, actor "
        "involucrado o responsable.",
    ),
    (
        {"cer": "cer-a", "elemento": "actividad", "estrategia": 9, "código": "9.1", "texto": "x"},
        "fila 2, columna «estrategia»: «9» no es una estrategia del CER «cer-a» (ni está en el "
        "archivo).",
    ),
    (
        {"cer": "cer-a", "elemento": "actividad", "estrategia": 1, "código": "1.1", "texto": ""},
        "fila 2, columna «texto»: está vacía; es obligatoria para las filas «actividad».",
    ),
    (
        {
            "cer": "cer-a",
            "elemento": "actividad",
            "estrategia": 1,
            "código": "1.9",
            "texto": "Nueva",
            "estado": "completada",
            "avance": 50,
        },
        "fila 2, columna «avance»: una actividad completada tiene 100 % de avance.",
    ),
    (
        {
            "cer": "cer-a",
            "elemento": "meta",
            "estrategia": 1,
            "orden": 1,
            "texto": "Meta",
            "valor objetivo": 10,
        },
        "fila 2, columna «unidad»: una meta con valor objetivo indica su unidad.",
    ),
    (
        {
            "cer": "cer-a",
            "elemento": "actividad",
            "estrategia": 1,
            "código": "1.9",
            "texto": "Nueva",
            "inicio": "2010-01-01",
            "término": "2009-01-01",
        },
        "fila 2, columna «término»: el término es anterior al inicio (01-01-2010).",
    ),
]


@pytest.mark.parametrize(("row", "message"), PLAN_ERRORS, ids=[e[1][:50] for e in PLAN_ERRORS])
def test_an_invalid_plan_row_is_refused_with_its_message_and_nothing_is_written(
    client, roles, row, message
):
    client.force_login(roles["admin"])
    before = state()
    token, preview = admin_import(client, table(row))
    errors = [error for item in preview.context["preview"]["rows"] for error in item["errors"]]
    assert any(error.startswith(message) for error in errors), errors
    assert admin_confirm(client, token).status_code == 409
    assert state() == before


def test_a_revised_plan_shows_old_and_new_values_and_keeps_what_it_does_not_name(client, roles):
    client.force_login(roles["admin"])
    strategy = Strategy.objects.get(cluster__slug="cer-a", number=1)
    activity = Activity.objects.get(cluster__slug="cer-a", code="1.1")
    data = table(
        {
            "cer": "cer-a",
            "elemento": "estrategia",
            "objetivo": "I",
            "estrategia": 1,
            "texto": "Estrategia revisada",
            "plazo comprometido": "2007-2011",
        },
        {
            "cer": "cer-a",
            "elemento": "actividad",
            "estrategia": 1,
            "código": "1.1",
            "orden": 1,
            "texto": activity.title,
            "inicio": "2007-01-01",
            "término": "2009-12-31",
            "estado": "completada",
            "avance": 100,
        },
    )
    token, preview = admin_import(client, data)
    rows = {row["number"]: row for row in preview.context["preview"]["rows"]}
    assert rows[2]["action"] == "update"
    assert rows[2]["changes"] == [
        ["texto", strategy.title, "Estrategia revisada"],
        ["plazo comprometido", "2007-2009", "2007-2011"],
        ["término", "31-12-2009", "31-12-2011"],
    ]
    assert rows[3]["action"] == "unchanged"
    assert "no se cambian con el plan" in rows[3]["notes"][0]
    assert preview.context["preview"]["notices"] == [
        "«cer-a» tiene en el sistema elementos que el archivo no nombra (1 actividad): se "
        "conservan sin cambios; la importación no borra nada."
    ]
    assert admin_confirm(client, token).status_code == 302
    strategy.refresh_from_db()
    activity.refresh_from_db()
    assert strategy.committed_end == datetime.date(2011, 12, 31)
    assert strategy.history.first().history_user == roles["admin"]
    assert (activity.status, activity.progress) == ("pending", 0), "progress is not a plan field"
    assert Activity.objects.filter(cluster__slug="cer-a").count() == 2, "nothing is deleted"


def test_an_activity_changed_by_the_plan_moves_its_version_on(roles):
    activity = Activity.objects.get(cluster__slug="cer-a", code="1.1")
    data = table(
        {
            "cer": "cer-a",
            "elemento": "actividad",
            "estrategia": 1,
            "código": "1.1",
            "texto": "Nueva",
        }
    )
    preview = PLAN.preview(data, user=roles["admin"])
    apply(PLAN, data, user=roles["admin"], digest=preview.digest())
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("Nueva", 2)


def test_a_plan_confirmed_after_someone_recorded_progress_is_refused_as_stale(client, roles):
    client.force_login(roles["admin"])
    data = table(
        {
            "cer": "cer-a",
            "elemento": "actividad",
            "estrategia": 1,
            "código": "1.1",
            "texto": "Nueva",
        }
    )
    token, _preview = admin_import(client, data)
    activity = Activity.objects.get(cluster__slug="cer-a", code="1.1")
    services.record_progress(
        activity_id=activity.pk,
        acting_user=roles["staff_a"],
        expected_version=1,
        status="in_progress",
        progress=10,
    )
    before = state()
    response = admin_confirm(client, token)
    assert response.status_code == 409
    assert "Los datos cambiaron" in response.content.decode()
    assert state() == before


def test_objectives_may_trade_places(roles):
    cluster = Cluster.objects.get(slug="cer-a")
    Objective.objects.create(cluster=cluster, numeral="II", position=2, title="Segundo")
    data = table(
        {
            "cer": "cer-a",
            "elemento": "objetivo",
            "objetivo": "I",
            "orden": 2,
            "texto": "Objetivo de cer-a",
        },
        {"cer": "cer-a", "elemento": "objetivo", "objetivo": "II", "orden": 1, "texto": "Segundo"},
    )
    preview = PLAN.preview(data, user=roles["admin"])
    assert preview.error_messages() == []
    apply(PLAN, data, user=roles["admin"], digest=preview.digest())
    assert [o["numeral"] for o in export_plan("cer-a")["clusters"][0]["objectives"]] == ["II", "I"]


def test_two_objectives_at_the_same_position_are_refused(roles):
    data = table(
        {"cer": "cer-a", "elemento": "objetivo", "objetivo": "II", "orden": 1, "texto": "Segundo"},
    )
    preview = PLAN.preview(data, user=roles["admin"])
    assert preview.error_messages() == [
        "fila 2, columna «orden»: «1» ya es el orden del objetivo I de este CER."
    ]


@pytest.mark.parametrize("role", ["staff_a", "staff_both", "owner_a"])
def test_only_admins_import_plan_structure_even_with_a_crafted_post(client, roles, role):
    client.force_login(roles[role])
    before = state()
    data = table(
        {"cer": "cer-a", "elemento": "objetivo", "objetivo": "V", "orden": 5, "texto": "x"}
    )
    assert client.get("/clusters/cer-a/import/plan/").status_code == 403
    response = client.post(
        "/clusters/cer-a/import/plan/", {"file": SimpleUploadedFile("plan.xlsx", data)}
    )
    assert response.status_code == 403
    assert client.post("/clusters/cer-a/import/plan/confirm/" + "x" * 43 + "/").status_code == 403
    admin_page = client.post(
        "/admin/clusters/cluster/import/plan/", {"file": SimpleUploadedFile("plan.xlsx", data)}
    )
    assert admin_page.status_code == 302 and "/admin/login/" in admin_page["Location"]
    assert state() == before


def test_admins_import_a_cers_plan_from_its_page(client, roles, cluster_b):
    client.force_login(roles["admin"])
    data = table(
        {"cer": "cer-a", "elemento": "objetivo", "objetivo": "II", "orden": 2, "texto": "Nuevo"},
        {"cer": "cer-b", "elemento": "objetivo", "objetivo": "II", "orden": 2, "texto": "Nuevo"},
    )
    response = client.post(
        "/clusters/cer-a/import/plan/", {"file": SimpleUploadedFile("plan.xlsx", data)}
    )
    preview = client.get(response["Location"])
    rows = preview.context["preview"]["rows"]
    assert rows[0]["action"] == "create"
    assert rows[1]["errors"] == [
        "fila 3, columna «cer»: «cer-b» no es el CER de esta página: aquí solo se importan filas "
        "de «CER cer-a» (cer-a)."
    ]


def test_the_plan_preview_queries_do_not_grow_with_the_file(roles, django_assert_max_num_queries):
    factories.ClusterWithPlanFactory(
        slug="grande", plan__strategies=20, plan__activities_per_strategy=10
    )
    data = exports.plan_workbook("grande")
    with django_assert_max_num_queries(16):
        preview = PLAN.preview(data, user=roles["admin"])
    assert preview.counts()["unchanged"] > 250
