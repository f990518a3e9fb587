"""The permission table: every role × every page and action × own and other CER.

CER A is "own" (the owner's company and staff_a's assignment are there), CER B is "other".
Refusals: a CER the user may not read answers 404 (its existence is not revealed); an action
the user may read but not do answers 403; visitors are sent to sign-in. Every refused write
leaves the database exactly as it was. The table runs with CSRF checks enforced, and
test_every_url_is_in_the_table fails the suite when a page is added without a row here.
"""

import datetime
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import Workbook

from actions.models import Activity, GoalMeasurement, ProgressUpdate
from actions.reporting.export_plan import export_plan
from clusters.models import Cluster, Company

ROLES = ["visitor", "owner_a", "staff_a", "staff_both", "admin"]

# Who may read a CER, and who may record progress in it.
READERS = {"A": {"owner_a", "staff_a", "staff_both", "admin"}, "B": {"staff_both", "admin"}}
RECORDERS = {"A": {"staff_a", "staff_both", "admin"}, "B": {"staff_both", "admin"}}
# Who may import plan structure and companies on a CER's pages.
ADMINS = {"A": {"admin"}, "B": {"admin"}}
# A token no session holds: the preview page sends those who may import back to the upload.
UNKNOWN_TOKEN = "x" * 43

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(roles, cluster_a, cluster_b, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    objects = {}
    admin = roles["admin"]
    for side, cluster in (("A", cluster_a), ("B", cluster_b)):
        activity = Activity.objects.filter(cluster=cluster).order_by("code").first()
        update = ProgressUpdate(
            activity=activity,
            author=admin,
            effective_on=datetime.date(2008, 1, 1),
            old_status="pending",
            new_status="pending",
            old_progress=0,
            new_progress=0,
            note="evidencia",
            evidence_name="acta.pdf",
        )
        update.evidence.save("acta.pdf", ContentFile(PDF), save=False)
        update.save()
        objects[side] = {
            "cluster": cluster,
            "activity": activity,
            "goal": activity.strategy.goals.first(),
            "evidence": update,
            "staff": roles["staff_both"],  # staff of both CERs: may be named on either
        }
    return {"roles": roles, "objects": objects}


def client_for(world, role):
    client = Client(enforce_csrf_checks=True)
    user = world["roles"][role]
    if user is not None:
        client.force_login(user)
    client.get("/accounts/login/")  # sets the CSRF cookie, as any page with a form does
    return client


def csrf(client):
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


def database_state():
    return (
        export_plan(),
        ProgressUpdate.objects.count(),
        GoalMeasurement.objects.count(),
        list(Activity.objects.order_by("pk").values_list("version", flat=True)),
        sorted(Activity.responsible_users.through.objects.values_list("activity_id", "user_id")),
    )


# (name, method, url builder, who may do it on a CER, status when allowed)
def _pages():
    return [
        ("dashboard", "get", lambda o: f"/clusters/{o['cluster'].slug}/", READERS, 200),
        ("plan", "get", lambda o: f"/clusters/{o['cluster'].slug}/plan/", READERS, 200),
        ("timeline", "get", lambda o: f"/clusters/{o['cluster'].slug}/timeline/", READERS, 200),
        (
            "obstacles",
            "get",
            lambda o: f"/clusters/{o['cluster'].slug}/obstacles/",
            READERS,
            200,
        ),
        ("activity", "get", lambda o: f"/activities/{o['activity'].pk}/", READERS, 200),
        ("evidence", "get", lambda o: f"/evidence/{o['evidence'].pk}/", READERS, 200),
        (
            "progress form",
            "get",
            lambda o: f"/activities/{o['activity'].pk}/update/",
            RECORDERS,
            200,
        ),
        ("revise form", "get", lambda o: f"/activities/{o['activity'].pk}/revise/", RECORDERS, 200),
        ("measure form", "get", lambda o: f"/goals/{o['goal'].pk}/measure/", RECORDERS, 200),
        (
            "responsible form",
            "get",
            lambda o: f"/activities/{o['activity'].pk}/responsible/",
            RECORDERS,
            200,
        ),
        (
            "progress import",
            "get",
            lambda o: f"/clusters/{o['cluster'].slug}/import/progress/",
            RECORDERS,
            200,
        ),
        (
            "measurement import",
            "get",
            lambda o: f"/clusters/{o['cluster'].slug}/import/measurements/",
            RECORDERS,
            200,
        ),
        (
            "plan import",
            "get",
            lambda o: f"/clusters/{o['cluster'].slug}/import/plan/",
            ADMINS,
            200,
        ),
        (
            "company import",
            "get",
            lambda o: f"/clusters/{o['cluster'].slug}/import/companies/",
            ADMINS,
            200,
        ),
        (
            "import preview",
            "get",
            lambda o: f"/clusters/{o['cluster'].slug}/import/progress/preview/{UNKNOWN_TOKEN}/",
            RECORDERS,
            302,
        ),
        (
            "progress template",
            "get",
            lambda o: f"/clusters/{o['cluster'].slug}/import/progress/template.xlsx",
            RECORDERS,
            200,
        ),
        (
            "plan template",
            "get",
            lambda o: f"/clusters/{o['cluster'].slug}/import/plan/template.xlsx",
            ADMINS,
            200,
        ),
        (
            "plan export",
            "get",
            lambda o: f"/clusters/{o['cluster'].slug}/export/plan.xlsx",
            READERS,
            200,
        ),
        (
            "progress export",
            "get",
            lambda o: f"/clusters/{o['cluster'].slug}/export/progress.csv",
            READERS,
            200,
        ),
        (
            "progress export (xlsx)",
            "get",
            lambda o: f"/clusters/{o['cluster'].slug}/export/progress.xlsx",
            READERS,
            200,
        ),
    ]


WRITES = [
    (
        "record progress",
        lambda o: f"/activities/{o['activity'].pk}/update/",
        lambda o: {
            "status": "in_progress",
            "progress": "30",
            "note": "avance de prueba",
            "version": str(Activity.objects.get(pk=o["activity"].pk).version),
        },
    ),
    (
        "revise deadline",
        lambda o: f"/activities/{o['activity'].pk}/revise/",
        lambda o: {
            "new_end": "2012-12-31",
            "reason": "El financiamiento llegó tarde.",
            "version": str(Activity.objects.get(pk=o["activity"].pk).version),
        },
    ),
    (
        "record measurement",
        lambda o: f"/goals/{o['goal'].pk}/measure/",
        lambda o: {"value": "12", "measured_on": "2008-06-30", "source": "Encuesta anual"},
    ),
    (
        "name who is responsible",
        lambda o: f"/activities/{o['activity'].pk}/responsible/",
        lambda o: {"responsible_users": [str(o["staff"].pk)]},
    ),
]


def expected_status(role, side, allowed_roles, allowed_status):
    if role == "visitor":
        return 302
    if role in allowed_roles[side]:
        return allowed_status
    if role in READERS[side]:
        return 403
    return 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("side", ["A", "B"])
@pytest.mark.parametrize(
    ("page", "method", "url", "allowed", "status"), _pages(), ids=[p[0] for p in _pages()]
)
def test_read_table(world, role, side, page, method, url, allowed, status):
    client = client_for(world, role)
    response = getattr(client, method)(url(world["objects"][side]))
    assert response.status_code == expected_status(role, side, allowed, status)
    if role == "visitor":
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("side", ["A", "B"])
@pytest.mark.parametrize(("action", "url", "data"), WRITES, ids=[w[0] for w in WRITES])
def test_write_table(world, role, side, action, url, data):
    client = client_for(world, role)
    objects = world["objects"][side]
    before = database_state()
    response = client.post(url(objects), data(objects), **csrf(client))
    expected = expected_status(role, side, RECORDERS, 302)
    assert response.status_code == expected
    if expected == 302 and role != "visitor":
        assert database_state() != before
    else:
        assert database_state() == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", WRITES, ids=[w[0] for w in WRITES])
def test_writes_without_csrf_token_are_refused(world, role, action):
    _name, url, data = action
    client = client_for(world, role)
    objects = world["objects"]["A"]
    before = database_state()
    response = client.post(url(objects), data(objects))
    assert response.status_code in (302, 403, 404)
    if role in RECORDERS["A"]:
        assert response.status_code == 403
    assert database_state() == before


def _workbook(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_indicator(goal):
    goal.target_value, goal.unit = 10, "empresas"
    goal.save()
    return goal


# (name, import kind, file rows for a CER's objects, who may do it on a CER)
IMPORTS = [
    (
        "import progress",
        "progress",
        lambda o: [
            ["cer", "código", "estado", "avance", "nota"],
            [o["cluster"].slug, o["activity"].code, "en curso", 30, "desde planilla"],
        ],
        RECORDERS,
    ),
    (
        "import measurements",
        "measurements",
        lambda o: [
            ["cer", "estrategia", "meta", "valor", "fecha", "fuente"],
            [
                o["cluster"].slug,
                _with_indicator(o["goal"]).strategy.number,
                o["goal"].position,
                7,
                "2008-06-30",
                "Encuesta anual",
            ],
        ],
        RECORDERS,
    ),
    (
        "import plan",
        "plan",
        lambda o: [
            ["cer", "elemento", "objetivo", "estrategia", "código", "orden", "texto"],
            [o["cluster"].slug, "objetivo", "IX", "", "", 9, "Objetivo importado"],
        ],
        ADMINS,
    ),
    (
        "import companies",
        "companies",
        lambda o: [
            ["cer", "nombre", "rut", "tamaño"],
            [o["cluster"].slug, "Empresa importada", "", "mediana"],
        ],
        ADMINS,
    ),
]


def import_state():
    return (database_state(), sorted(Company.objects.values_list("name", flat=True)))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("side", ["A", "B"])
@pytest.mark.parametrize(
    ("action", "kind", "rows", "allowed"), IMPORTS, ids=[i[0] for i in IMPORTS]
)
def test_import_table(world, role, side, action, kind, rows, allowed):
    """Upload, then confirm: only those allowed get a preview and write; nobody else writes."""
    client = client_for(world, role)
    objects = world["objects"][side]
    base = f"/clusters/{objects['cluster'].slug}/import/{kind}/"
    data = SimpleUploadedFile(f"{kind}.xlsx", _workbook(rows(objects)))
    before = import_state()
    response = client.post(base, {"file": data}, **csrf(client))
    expected = expected_status(role, side, allowed, 302)
    assert response.status_code == expected
    if expected != 302 or role == "visitor":
        confirm = client.post(f"{base}confirm/{UNKNOWN_TOKEN}/", {"confirm": "1"}, **csrf(client))
        assert confirm.status_code == expected
        assert import_state() == before
        return
    token = re.search(r"/preview/([^/]+)/$", response["Location"]).group(1)
    assert client.get(response["Location"]).status_code == 200
    assert import_state() == before, "a preview writes nothing"
    without_token = client.post(f"{base}confirm/{token}/", {"confirm": "1"})
    assert without_token.status_code == 403 and import_state() == before
    confirmed = client.post(f"{base}confirm/{token}/", {"confirm": "1"}, **csrf(client))
    assert confirmed.status_code == 302
    assert import_state() != before


ADMIN_PAGES = [
    "/admin/",
    "/admin/actions/activity/",
    "/admin/actions/progressupdate/",
    "/admin/auth/user/",
    "/admin/clusters/cluster/import/plan/",
    "/admin/clusters/cluster/import/progress/",
    "/admin/clusters/cluster/import/companies/template.xlsx",
    "/admin/clusters/cluster/export/plan.json",
    "/admin/clusters/cluster/export/plan.xlsx",
    "/admin/clusters/cluster/export/progress.csv",
    "/admin/clusters/cluster/export/progress.xlsx",
    "/admin/actions/activity/export/",
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_only_admins_reach_the_admin(world, role, path):
    response = client_for(world, role).get(path)
    if role == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("side", ["A", "B"])
def test_admin_change_page_of_an_activity(world, role, side):
    activity = world["objects"][side]["activity"]
    client = client_for(world, role)
    before = database_state()
    response = client.post(
        f"/admin/actions/activity/{activity.pk}/change/", {"title": "cambiado"}, **csrf(client)
    )
    assert database_state() == before or role == "admin"
    if role != "admin":
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_home(world, role):
    response = client_for(world, role).get("/")
    if role == "visitor":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    elif role in ("owner_a", "staff_a"):
        # One CER: straight to its dashboard.
        assert response.status_code == 302 and response["Location"] == "/clusters/cer-a/"
    else:
        assert response.status_code == 200
        assert "cer-b" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_my_work_shows_only_readable_cers(world, role):
    """/my-work/ is for every role that signs in; it lists open work of the CERs the role
    may read (admins: only what they were named responsible for), never another CER's."""
    response = client_for(world, role).get("/my-work/")
    if role == "visitor":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        return
    assert response.status_code == 200
    html = response.content.decode()
    for side in ("A", "B"):
        link = f'href="/activities/{world["objects"][side]["activity"].pk}/"'
        shown = role in READERS[side] and role != "admin"
        assert (link in html) == shown, (side, role)
    assert ("/update/?next=/my-work/" in html) == (role in ("staff_a", "staff_both"))


@pytest.mark.parametrize("role", ROLES)
def test_search_finds_only_in_readable_cers(world, role):
    """The activities of both CERs are found by their code; only the readable ones show."""
    response = client_for(world, role).get(
        "/search/", {"q": world["objects"]["A"]["activity"].code}
    )
    if role == "visitor":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        return
    html = response.content.decode()
    for side in ("A", "B"):
        link = f'href="/activities/{world["objects"][side]["activity"].pk}/"'
        assert (link in html) == (role in READERS[side]), (side, role)


def test_an_owner_never_sees_another_cluster_on_home(world):
    client = client_for(world, "owner_a")
    response = client.get("/", follow=True)
    assert Cluster.objects.get(slug="cer-b").name not in response.content.decode()


# Every URL pattern must have a row above, or be listed here with why it is outside the table.
COVERED = {
    "home",
    "cluster-dashboard",
    "cluster-plan",
    "cluster-timeline",
    "cluster-obstacles",
    "activity-detail",
    "activity-update",
    "activity-revise",
    "goal-measure",
    "evidence-download",
    "cluster-import",
    "cluster-import-preview",
    "cluster-import-confirm",
    "cluster-import-template",
    "cluster-export-plan",
    "cluster-export-progress",
    "cluster-export-progress-xlsx",
    "activity-responsible",
    "my-work",
    "search",
}
OUTSIDE_THE_TABLE = {
    "healthz": "public readiness probe; shows no data (tests/test_foundation.py)",
    "set_language": "changes the visitor's language only",
    "login": "the sign-in page itself (tests/test_accounts.py)",
    "logout": "POST-only sign-out (tests/test_accounts.py, tests/test_security.py)",
    "password_change": "own account only (tests/test_accounts.py)",
    "password_change_done": "own account only",
    "password_reset": "public by design (tests/test_accounts.py)",
    "password_reset_done": "public by design",
    "password_reset_confirm": "needs a signed token",
    "password_reset_complete": "public by design",
}


def _names(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the admin site is one gate: test_only_admins_reach_the_admin
            yield from _names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield pattern.name


def test_every_url_is_in_the_table():
    names = set(_names(get_resolver().url_patterns))
    missing = names - COVERED - set(OUTSIDE_THE_TABLE)
    assert not missing, f"URL patterns without a row in the permission table: {missing}"
