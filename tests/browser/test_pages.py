"""The weekly pages in a real browser: recording progress, read-only owners, no console errors,
and a screenshot of each page on a desktop and on a phone."""

import datetime
import re

import pytest

from actions.models import Activity
from clusters.models import Cluster
from tests import factories
from tests.browser.helpers import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plan(transactional_db, plan_2006):
    """The 2006 plan, committed for the live server (tests/conftest.py: loaded for each test,
    as the flush after a transactional test removes it)."""
    return Cluster.objects.get(slug="metalmecanica")


def figure(page, name):
    return page.locator(f"[data-figure={name}]").inner_text().strip()


def test_staff_records_progress_and_sees_the_dashboard_change(live_server, new_page, plan):
    factories.StaffFactory(username="coordinadora", clusters=[plan])
    activity = Activity.objects.get(cluster=plan, code="2.1")
    page, errors = new_page()
    sign_in(page, live_server, "coordinadora")
    assert page.url.endswith(f"/clusters/{plan.slug}/")  # one CER: straight to its dashboard
    in_progress_before = int(figure(page, "status_in_progress"))
    progress_before = figure(page, "progress")

    page.goto(f"{live_server.url}/activities/{activity.pk}/update/")
    page.select_option("main select[name=status]", "in_progress")
    page.fill("main input[name=progress]", "40")
    page.fill("main textarea[name=note]", "Plan de difusión aprobado por el comité.")
    page.get_by_role("button", name="Guardar avance").click()
    page.wait_for_load_state()
    assert "/update/" not in page.url

    page.goto(f"{live_server.url}/clusters/{plan.slug}/")
    assert int(figure(page, "status_in_progress")) == in_progress_before + 1
    assert figure(page, "progress") != progress_before
    latest = page.locator("#updates-title").locator("xpath=../..").inner_text()
    assert "2.1" in latest and "40 %" in latest
    assert not errors.messages, errors.messages


def test_an_owner_sees_the_plan_with_no_way_to_edit(live_server, new_page, plan):
    factories.OwnerFactory(username="empresaria", company__cluster=plan)
    page, errors = new_page()
    sign_in(page, live_server, "empresaria")
    for path in ("plan/", "", "timeline/"):
        page.goto(f"{live_server.url}/clusters/{plan.slug}/{path}")
        assert page.locator("a[href*='/update/'], a[href*='/revise/']").count() == 0
        assert page.locator("form[action*='/update/'], form[action*='/revise/']").count() == 0
        assert page.get_by_text("Registrar avance").count() == 0
    # The plan is all there to read: every activity of the CER links to its page.
    page.goto(f"{live_server.url}/clusters/{plan.slug}/plan/")
    assert page.locator(".plan-activity").count() == Activity.objects.filter(cluster=plan).count()
    assert not errors.messages, errors.messages


def test_the_pages_render_without_console_errors_and_with_their_styles(live_server, new_page, plan):
    factories.StaffFactory(username="coordinador", clusters=[plan])
    page, errors = new_page()
    sign_in(page, live_server, "coordinador")
    for path in ("", "plan/", "timeline/", "?as_of=2008-06-30", "plan/?as_of=2008-06-30"):
        page.goto(f"{live_server.url}/clusters/{plan.slug}/{path}")
        page.wait_for_load_state("networkidle")
        # Bootstrap and cerplan.css are applied (a CSP or static-files mistake would show here):
        # the navbar is Bootstrap's flex box, the print-only header is hidden by cerplan.css.
        assert (
            page.evaluate("() => getComputedStyle(document.querySelector('.navbar')).display")
            == "flex"
        )
        assert (
            page.evaluate("() => getComputedStyle(document.querySelector('.print-only')).display")
            == "none"
        )
    assert not errors.messages, errors.messages


def _shoot(page, screenshot_dir, name):
    page.wait_for_load_state("networkidle")
    path = screenshot_dir / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def _a_history(plan, staff):
    """Some progress, a completion and a revised deadline, so every mark shows."""
    from actions.progress.services import record_progress, revise_deadline

    def activity(code):
        return Activity.objects.get(cluster=plan, code=code)

    record_progress(
        activity_id=activity("1.1").pk,
        acting_user=staff,
        expected_version=activity("1.1").version,
        status="done",
        progress=100,
        note="Presentación al comité ejecutivo del Cluster Minero.",
        effective_on=datetime.date(2006, 12, 15),
    )
    revise_deadline(
        activity_id=activity("3.1").pk,
        acting_user=staff,
        expected_version=activity("3.1").version,
        new_end=datetime.date(2011, 6, 30),
        reason="La misión a Australia se postergó por falta de cofinanciamiento.",
        effective_on=datetime.date(2009, 11, 1),
    )
    record_progress(
        activity_id=activity("2.1").pk,
        acting_user=staff,
        expected_version=activity("2.1").version,
        status="in_progress",
        progress=40,
        note="Plan de difusión aprobado por el comité.",
    )


@pytest.mark.parametrize("viewport_name", ["desktop", "phone"])
def test_screenshots_of_each_page(live_server, new_page, plan, screenshot_dir, viewport_name):
    viewport = {"desktop": DESKTOP, "phone": PHONE}[viewport_name]
    other = Cluster.objects.get(slug="consultoria-ingenieria")
    staff = factories.StaffFactory(username="coordinacion", clusters=[plan, other])
    activity = Activity.objects.get(cluster=plan, code="2.1")
    _a_history(plan, staff)
    page, errors = new_page(viewport)
    sign_in(page, live_server, "coordinacion")
    base = f"{live_server.url}/clusters/{plan.slug}/"
    pages = {
        "home": f"{live_server.url}/",
        "dashboard": base,
        "dashboard-as-of": f"{base}?as_of=2008-06-30",
        "plan": f"{base}plan/",
        "plan-filtered": f"{base}plan/?status=in_progress",
        "timeline": f"{base}timeline/",
        "activity": f"{live_server.url}/activities/{activity.pk}/",
        "progress-form": f"{live_server.url}/activities/{activity.pk}/update/",
        "my-work": f"{live_server.url}/my-work/",
    }
    for name, url in pages.items():
        page.goto(url)
        assert re.sub(r"#.*", "", page.url) == url
        _shoot(page, screenshot_dir, f"{name}-{viewport_name}")
    if viewport_name == "desktop":
        # On paper: no navigation, forms or buttons; the dates at the top.
        page.emulate_media(media="print")
        for name in ("dashboard", "plan", "timeline"):
            page.goto(pages[name])
            assert page.locator("nav.navbar").is_hidden()
            assert page.locator("form.as-of-form").is_hidden()
            assert page.locator(".print-meta").is_visible()
            _shoot(page, screenshot_dir, f"{name}-print")
    assert not errors.messages, errors.messages
