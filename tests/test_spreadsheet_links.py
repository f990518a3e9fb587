"""The CER dashboard and plan link to the spreadsheets each role may use (README,
"Spreadsheets"), and every link they show works for that user."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

LINK = re.compile(r'<a [^>]*href="([^"]+)"[^>]*data-link="([^"]+)"')

EXPORTS = {"export-progress", "export-progress-xlsx", "export-plan"}
RECORD_IMPORTS = {"import-progress", "import-measurements"}
ADMIN_IMPORTS = {"import-plan", "import-companies"}

EXPECTED = {
    "owner_a": EXPORTS,
    "staff_a": EXPORTS | RECORD_IMPORTS,
    "staff_both": EXPORTS | RECORD_IMPORTS,
    "admin": EXPORTS | RECORD_IMPORTS | ADMIN_IMPORTS,
}


def spreadsheet_links(html):
    return {name: url for url, name in LINK.findall(html)}


@pytest.mark.parametrize("page", ["/clusters/cer-a/", "/clusters/cer-a/plan/"])
@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_sees_the_spreadsheet_links_it_may_use_and_each_works(client, roles, role, page):
    client.force_login(roles[role])
    response = client.get(page)
    assert response.status_code == 200
    links = spreadsheet_links(response.content.decode())
    assert set(links) == EXPECTED[role]
    for name, url in links.items():
        followed = client.get(url)
        assert followed.status_code == 200, (name, url)
        if name.startswith("export"):
            assert followed["Content-Disposition"].startswith("attachment")


def test_links_name_the_cer_of_the_page(client, roles):
    client.force_login(roles["staff_both"])
    links = spreadsheet_links(client.get("/clusters/cer-b/").content.decode())
    assert links["import-progress"] == "/clusters/cer-b/import/progress/"
    assert links["export-plan"] == "/clusters/cer-b/export/plan.xlsx"


def test_an_owner_is_refused_the_imports_the_dashboard_does_not_offer(client, roles):
    client.force_login(roles["owner_a"])
    for kind in ("progress", "measurements", "plan", "companies"):
        assert client.get(f"/clusters/cer-a/import/{kind}/").status_code == 403


# The cached dashboard's query counts without the links (session, user, the CER with the user's
# roles on it, the cache, ...): the links must not add any.
QUERIES = {"owner_a": 9, "staff_a": 9, "admin": 9}


@pytest.mark.parametrize("role", sorted(QUERIES))
def test_the_links_cost_the_dashboard_no_query(client, roles, role):
    """The links come from the role the page reads anyway (clusters.permissions keeps it)."""
    client.force_login(roles[role])
    client.get("/clusters/cer-a/")  # warm up the page's cache
    with CaptureQueriesContext(connection) as queries:
        client.get("/clusters/cer-a/")
    assert len(queries.captured_queries) == QUERIES[role]
