"""/search/?q= (issue 13): words without accents or capitals, or a code, find activities,
strategies, goals, actors and companies, and never anything of a CER the user may not read.
Runs on both databases (PostgreSQL: full-text search; SQLite: the folded equivalent)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Activity, Goal, Strategy
from tests import factories


@pytest.fixture
def findable(roles, cluster_a, cluster_b):
    """The same words in CER A and CER B, so that any leak shows."""
    for cluster, place in ((cluster_a, "Antofagasta"), (cluster_b, "Calama")):
        activity = Activity.objects.filter(cluster=cluster).order_by("code").first()
        activity.title = f"Participación en la Feria Internacional de Minería de {place}"
        activity.save()
        strategy = Strategy.objects.filter(cluster=cluster).first()
        strategy.title = f"Difusión tecnológica en {place}"
        strategy.save()
        goal = Goal.objects.filter(strategy__cluster=cluster).first()
        goal.text = f"Catastro de proveedores mineros de {place} a junio del 2007"
        goal.save()
        factories.InvolvementFactory(strategy=strategy, actor__name="Asociación de Industriales")
        factories.CompanyFactory(cluster=cluster, name=f"Maestranza Núñez {place}")
    return roles


def search(client, user, query):
    client.force_login(user)
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_words_without_accents_or_capitals_find_each_kind(client, findable):
    html = search(client, findable["staff_a"], "mineria internacional")
    assert "Feria Internacional de Minería de Antofagasta" in html
    html = search(client, findable["staff_a"], "DIFUSION")
    assert "Difusión tecnológica en Antofagasta" in html
    html = search(client, findable["staff_a"], "catastro proveedores")
    assert "Catastro de proveedores mineros de Antofagasta" in html
    html = search(client, findable["staff_a"], "asociacion industriales")
    assert "Asociación de Industriales" in html
    html = search(client, findable["staff_a"], "nunez")
    assert "Maestranza Núñez Antofagasta" in html


@pytest.mark.parametrize(
    ("role", "sees_b"),
    [("owner_a", False), ("staff_a", False), ("staff_both", True), ("admin", True)],
)
def test_another_cers_results_never_show(client, findable, cluster_a, cluster_b, role, sees_b):
    for query in ("mineria", "difusion", "catastro", "nunez", "asociacion"):
        html = search(client, findable[role], query)
        assert cluster_a.name in html, query
        assert (cluster_b.name in html) == sees_b, (query, role)
        assert ("Calama" in html or "/clusters/cer-b/" in html) == sees_b, (query, role)


def test_a_code_finds_that_activity_in_each_readable_cer(client, findable, cluster_a):
    html = search(client, findable["staff_a"], "1.1")
    activity = Activity.objects.get(cluster=cluster_a, code="1.1")
    assert f'href="/activities/{activity.pk}/"' in html
    assert len(re.findall(r'href="/activities/\d+/"', html)) == 1  # not 1.10 of B, not B's 1.1


def test_nothing_found_says_so(client, findable):
    html = search(client, findable["staff_a"], "zzzz inexistente")
    assert "Nada coincide con «zzzz inexistente» en los CER que usted puede ver." in html


def test_the_search_box_is_on_every_page(client, findable):
    client.force_login(findable["owner_a"])
    html = client.get("/clusters/cer-a/plan/").content.decode()
    assert 'action="/search/"' in html and 'name="q"' in html


def test_hostile_or_long_queries_are_cut_and_harmless(client, findable):
    html = search(client, findable["staff_a"], "' OR 1=1 -- " + "x" * 500)
    assert "Nada coincide" in html
    html = search(client, findable["staff_a"], '"feria" -calama | & ! :*')
    assert "Calama" not in html.split("<h1", 1)[1].split("</form>", 1)[1]


def test_the_query_count_does_not_grow_with_the_results(client, findable, cluster_a):
    client.force_login(findable["admin"])
    client.get("/search/", {"q": "feria"})
    with CaptureQueriesContext(connection) as few:
        client.get("/search/", {"q": "feria"})
    strategy = Strategy.objects.filter(cluster=cluster_a).first()
    for n in range(3, 40):
        factories.ActivityFactory(strategy=strategy, position=n, title=f"Feria número {n}")
    with CaptureQueriesContext(connection) as many:
        html = client.get("/search/", {"q": "feria"}).content.decode()
    assert len(few.captured_queries) == len(many.captured_queries) <= 10
    assert "Se muestran los primeros 25" in html
