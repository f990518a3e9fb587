"""The lists of CERs, on the home page and in the admin: a page at a time, searchable, each
role seeing only its CERs, and a query count that does not grow with the number of CERs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusters.models import Cluster
from tests import factories

QUERY_BOUND = 15
REGIONS = ("Antofagasta", "Biobío", "Los Lagos")


def make_cers(count, start=1):
    """CERs "CER Norte 01"…, each with a small plan, spread over three regions."""
    clusters = []
    for number in range(start, start + count):
        cluster = factories.ClusterWithPlanFactory(
            slug=f"cer-{number:02d}",
            name=f"CER Norte {number:02d}",
            region=REGIONS[number % len(REGIONS)],
        )
        clusters.append(cluster)
    return clusters


def shown(response):
    return [cluster.slug for cluster in response.context["clusters"]]


def count_queries(client, url):
    client.get(url)  # warm up: anything cached per process is not part of the page
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


@pytest.fixture
def thirty(db):
    return make_cers(30)


def test_an_admin_sees_every_cer_a_page_at_a_time(client, thirty):
    client.force_login(factories.AdminFactory())
    first = client.get("/")
    assert first.status_code == 200
    assert len(shown(first)) == 24 and shown(first)[0] == "cer-01"
    html = first.content.decode()
    assert "Tiene acceso a 30 CER." in html and "Página 1 de 2." in html
    assert 'href="?page=2"' in html

    second = client.get("/?page=2")
    assert shown(second) == [f"cer-{n:02d}" for n in range(25, 31)]
    assert set(shown(first)).isdisjoint(shown(second))


def test_a_page_number_out_of_range_or_not_a_number_gives_the_nearest_page(client, thirty):
    client.force_login(factories.AdminFactory())
    assert shown(client.get("/?page=99")) == shown(client.get("/?page=2"))
    assert shown(client.get("/?page=abc")) == shown(client.get("/"))
    assert shown(client.get("/?page=-1")) == shown(client.get("/?page=2"))


def test_search_finds_a_cer_by_name_identifier_or_region(client, thirty):
    client.force_login(factories.AdminFactory())
    assert shown(client.get("/?q=norte 07")) == ["cer-07"]
    assert shown(client.get("/?q=CER-12")) == ["cer-12"]
    in_biobio = [c.slug for c in Cluster.objects.filter(region="Biobío").order_by("name")]
    assert shown(client.get("/?q=biob")) == in_biobio
    html = client.get("/?q=norte 07").content.decode()
    assert "1 CER coincide con «norte 07»." in html
    assert 'value="norte 07"' in html  # the form keeps what was searched


def test_pages_of_a_search_keep_the_search(client, db):
    make_cers(30)
    client.force_login(factories.AdminFactory())
    response = client.get("/?q=norte")
    assert 'href="?q=norte&amp;page=2"' in response.content.decode()
    assert shown(client.get("/?q=norte&page=2")) == [f"cer-{n:02d}" for n in range(25, 31)]


def test_a_search_that_finds_nothing_says_so(client, thirty):
    client.force_login(factories.AdminFactory())
    response = client.get("/?q=Magallanes")
    assert response.status_code == 200 and shown(response) == []
    assert "Ningún CER coincide con «Magallanes»" in response.content.decode()


def test_staff_see_and_find_only_their_cers(client, thirty):
    mine = thirty[:26]
    client.force_login(factories.StaffFactory(username="coordinacion", clusters=mine))
    first, second = client.get("/"), client.get("/?page=2")
    assert shown(first) + shown(second) == [c.slug for c in mine]
    assert "Tiene acceso a 26 CER." in first.content.decode()
    # Another CER is never found, whatever is searched.
    assert shown(client.get("/?q=norte 28")) == []
    assert shown(client.get("/?q=norte 02")) == ["cer-02"]


def test_an_owner_sees_only_their_cer_even_when_searching_another(client, thirty):
    client.force_login(factories.OwnerFactory(username="empresaria", company__cluster=thirty[4]))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/clusters/cer-05/"
    assert shown(client.get("/?q=norte 06")) == []
    assert shown(client.get("/?q=norte")) == ["cer-05"]


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_home_query_count_does_not_grow_with_the_number_of_cers(client, db, role):
    counts = []
    for total in (3, 30):
        clusters = make_cers(total, start=len(counts) * 100 + 1)
        if role == "admin":
            user = factories.AdminFactory(username=f"admin-{total}")
        else:
            user = factories.StaffFactory(username=f"staff-{total}", clusters=clusters)
        client.force_login(user)
        counts.append((count_queries(client, "/"), count_queries(client, "/?q=norte&page=2")))
    assert counts[0] == counts[1], counts
    assert max(counts[1]) <= QUERY_BOUND, counts


def test_the_admin_cer_list_is_paginated_searchable_and_flat_in_queries(admin_client, db):
    make_cers(3)
    small = count_queries(admin_client, "/admin/clusters/cluster/")
    make_cers(57, start=4)
    large = count_queries(admin_client, "/admin/clusters/cluster/")
    assert small == large <= QUERY_BOUND, (small, large)

    response = admin_client.get("/admin/clusters/cluster/")
    assert len(response.context["cl"].result_list) == 50  # a page, not all 60
    assert response.context["cl"].result_count == 60
    found = admin_client.get("/admin/clusters/cluster/?q=norte 42")
    assert [c.slug for c in found.context["cl"].result_list] == ["cer-42"]
    assert count_queries(admin_client, "/admin/clusters/cluster/?q=norte&p=2") <= QUERY_BOUND


def test_the_admin_activity_list_query_count_is_flat(admin_client, db):
    make_cers(3)
    small = count_queries(admin_client, "/admin/actions/activity/")
    make_cers(30, start=4)
    large = count_queries(admin_client, "/admin/actions/activity/")
    assert small == large <= QUERY_BOUND, (small, large)


def test_with_many_cers_the_activity_list_is_reached_from_the_cer_list(admin_client, db):
    clusters = make_cers(33)
    cer_list = admin_client.get("/admin/clusters/cluster/?q=norte 07").content.decode()
    link = f'href="/admin/actions/activity/?cluster__id__exact={clusters[6].pk}"'
    assert link in cer_list

    response = admin_client.get(f"/admin/actions/activity/?cluster__id__exact={clusters[6].pk}")
    assert {a.cluster.slug for a in response.context["cl"].result_list} == {"cer-07"}
    filters = response.content.decode().split('id="changelist-filter"')[1]
    # The chosen CER is named in the filter; the 32 others are not listed there.
    assert "CER Norte 07" in filters and "CER Norte 08" not in filters
    unfiltered = admin_client.get("/admin/actions/activity/").content.decode()
    assert "CER Norte" not in unfiltered.split('id="changelist-filter"')[1]


def test_with_few_cers_the_activity_list_offers_each_as_a_filter(admin_client, db):
    make_cers(3)
    html = admin_client.get("/admin/actions/activity/").content.decode()
    filters = html.split('id="changelist-filter"')[1]
    assert all(f"CER Norte 0{n}" in filters for n in (1, 2, 3))
