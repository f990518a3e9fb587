"""The home page's list of CERs on a phone: searching and paging it in a real browser."""

import pytest

from tests import factories
from tests.browser.helpers import PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_cers(count):
    for number in range(1, count + 1):
        factories.ClusterWithPlanFactory(
            slug=f"cer-{number:02d}", name=f"CER Norte {number:02d}", region="Atacama"
        )


def test_an_admin_searches_and_pages_the_cers_on_a_phone(live_server, new_page):
    make_cers(30)
    factories.AdminFactory(username="coordinacion-nacional")
    page, errors = new_page(PHONE)
    sign_in(page, live_server, "coordinacion-nacional")
    page.goto(f"{live_server.url}/")
    assert page.locator(".cluster-card").count() == 24
    # The form fits the phone's width: nothing sticks out sideways.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.get_by_label("Buscar un CER por nombre, identificador o región").is_visible()

    page.get_by_role("link", name="Siguiente").click()
    page.wait_for_load_state()
    assert page.locator(".cluster-card").count() == 6
    assert "Página 2 de 2." in page.content()

    page.get_by_label("Buscar un CER por nombre, identificador o región").fill("norte 07")
    page.get_by_role("button", name="Buscar").click()
    page.wait_for_load_state()
    assert page.locator(".cluster-card").count() == 1
    assert page.locator(".cluster-card h2").inner_text() == "CER Norte 07"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert not errors.messages, errors.messages
